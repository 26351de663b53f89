// rtnl/asio.hpp — the Boost.Asio layer: asynchronous, pipelined rtnetlink.
// The only rtnl headers that include Boost are this one and rtnl/asio/*.
//
//   rtnl/asio/socket.hpp  socket: async_request / async_batch / async_dump, coalescing,
//                         windowing, cancellation, timeouts, sockets inside namespaces
//   rtnl/asio/ops.hpp     link/addr/route/nsid verbs with completion tokens, snapshots
//   rtnl/asio/events.hpp  event_stream: multicast notifications, overruns as events
//   rtnl/asio/netns.hpp   netns_pool: namespace create/remove and socket opening off-thread
#pragma once

#include "rtnl/asio/events.hpp"
#include "rtnl/asio/netns.hpp"
#include "rtnl/asio/ops.hpp"
#include "rtnl/asio/socket.hpp"
