// rtnl/asio.hpp — the Boost.Asio layer: asynchronous, pipelined rtnetlink.
// The only rtnl headers that include Boost are this one and rtnl/asio/*.
//
//   rtnl/asio/error.hpp   boost::system::error_code for rtnl's errors (completions are
//                         void(error_code, T), as everywhere in Asio)
//   rtnl/asio/socket.hpp  socket: async_request / async_batch / async_dump, coalescing,
//                         windowing, cancellation, timeouts, sockets inside namespaces
//   rtnl/asio/ops.hpp     link/addr/route/nsid verbs with completion tokens, snapshots
//   rtnl/asio/events.hpp  event_stream: multicast notifications, overruns as events
//   rtnl/asio/netns.hpp   netns_pool: namespace create/remove and socket opening off-thread
#pragma once

// First, on purpose: Boost 1.74's <boost/asio/awaitable.hpp> (and so
// <boost/asio.hpp>) uses std::exchange without including <utility>. With this
// header included first, <boost/asio.hpp> after it compiles (README: include order).
#include <utility>

#include "rtnl/asio/events.hpp"
#include "rtnl/asio/netns.hpp"
#include "rtnl/asio/ops.hpp"
#include "rtnl/asio/socket.hpp"
