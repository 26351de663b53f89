// rtnl/nft.hpp — nf_tables over netlink: batches, expressions, the socket, egress.
#pragma once

#include "rtnl/nft/batch.hpp"
#include "rtnl/nft/coexist.hpp"
#include "rtnl/nft/decode.hpp"
#include "rtnl/nft/egress.hpp"
#include "rtnl/nft/expr.hpp"
#include "rtnl/nft/match.hpp"
#include "rtnl/nft/schema.hpp"
#include "rtnl/nft/socket.hpp"
