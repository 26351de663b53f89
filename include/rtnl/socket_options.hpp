// rtnl/socket_options.hpp — what the blocking and the Asio request sockets
// share: their options, their counters, and how a request is answered. Split
// out of rtnl/socket.hpp so that rtnl/asio/socket.hpp does not pull in the
// blocking socket.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <chrono>
#include <cstdint>

#include "rtnl/wire/exchange.hpp"

namespace rtnl {

/// Options of a request socket (rtnl::socket, and rtnl::asio::socket).
struct socket_options {
    /// Deadline: the blocking socket gives each window of requests this long; the
    /// Asio socket gives each operation this long from the moment it is issued.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    /// Receive buffer in bytes; 0 keeps the kernel default (~208 KiB). Above
    /// net.core.rmem_max only with CAP_NET_ADMIN (SO_RCVBUFFORCE is tried first).
    int receive_buffer = 0;
    /// Send buffer in bytes (bounds the bytes of one sendmsg); 0 keeps the default.
    int send_buffer = 0;
};

/// What the socket has done (for tests, benchmarks and curious users).
struct socket_stats {
    std::uint64_t requests = 0;         ///< messages sent
    std::uint64_t send_calls = 0;       ///< sendmsg syscalls
    std::uint64_t receive_calls = 0;    ///< recvmsg/recvmmsg syscalls that returned data
    std::uint64_t foreign_datagrams = 0;///< datagrams dropped because the sender was not the kernel
    std::uint64_t stale_messages = 0;   ///< messages matching no pending request (late, duplicate)
};

/// How a request is answered, derived from its type and flags: dumps end with
/// DONE; a GET without NLM_F_ACK answers with one reply, with it a reply and an
/// ACK (as does NLM_F_ECHO); everything else is ACKed — the socket adds NLM_F_ACK
/// where it is missing, so every request completes.
inline wire::expect expect_for(std::uint16_t type, std::uint16_t flags) noexcept {
    const bool get = type >= RTM_BASE && (type & 3) == 2;  // RTM_GET*
    if (get && (flags & NLM_F_DUMP) == NLM_F_DUMP) return wire::expect::dump;
    if (get) return (flags & NLM_F_ACK) ? wire::expect::reply_and_ack : wire::expect::reply;
    if (flags & NLM_F_ECHO) return wire::expect::reply_and_ack;
    return wire::expect::ack;
}

}  // namespace rtnl
