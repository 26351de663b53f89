// tests/support/netlink.hpp — small helpers shared by kernel tests.
#pragma once

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "rtnl/error.hpp"

namespace rtnl::test {

/// What an operation threw (rtnl::error's what()), or "(no error)".
template <class Fn>
std::string error_text(Fn&& fn) {
    try {
        fn();
    } catch (const error& e) {
        return e.what();
    }
    return "(no error)";
}

/// Sends, from a fresh netlink socket of our own (not the kernel), an
/// NLMSG_ERROR with `error` (0 = success ACK) for sequence number `seq` to the
/// socket bound at `port`. Returns the bytes sent, or -1.
inline ssize_t forge_ack(std::uint32_t port, std::uint32_t seq, int error = 0) {
    const int forger = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (forger < 0) return -1;
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    struct {
        nlmsghdr h;
        nlmsgerr e;
    } fake{};
    fake.h.nlmsg_len = sizeof fake;
    fake.h.nlmsg_type = NLMSG_ERROR;
    fake.h.nlmsg_seq = seq;
    fake.h.nlmsg_pid = port;
    fake.e.error = error;
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_pid = port;
    ssize_t n = -1;
    if (::bind(forger, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0)
        n = ::sendto(forger, &fake, sizeof fake, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    ::close(forger);
    return n;
}

}  // namespace rtnl::test
