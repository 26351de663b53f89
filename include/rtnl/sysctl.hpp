// rtnl/sysctl.hpp — the host-wide IPv4 forwarding switch (net.ipv4.ip_forward).
//
// The explicit alternative to per-link forwarding (link_change::ipv4_forwarding):
// writing it turns the namespace into a router on every link, current and future,
// overrides each link's own setting and disables LRO on all of them. It is read and
// written through /proc/sys, which belongs to the calling thread's network
// namespace (run it inside netns::run_in for another one).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "rtnl/error.hpp"

namespace rtnl::sysctl {

inline constexpr const char* ipv4_forward_path = "/proc/sys/net/ipv4/ip_forward";

inline bool ipv4_forward(std::error_code& ec) {
    ec.clear();
    const int fd = ::open(ipv4_forward_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ec.assign(errno, std::system_category()), false;
    char c = '0';
    if (::read(fd, &c, 1) != 1) ec.assign(errno ? errno : EIO, std::system_category());
    ::close(fd);
    return c == '1';
}
inline bool ipv4_forward() {
    std::error_code ec;
    const bool on = ipv4_forward(ec);
    if (ec) throw error(make_status(ec), std::string("Cannot read ") + ipv4_forward_path + ": " + ec.message());
    return on;
}

inline void set_ipv4_forward(bool on, std::error_code& ec) {
    ec.clear();
    const int fd = ::open(ipv4_forward_path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ec.assign(errno, std::system_category());
    if (::write(fd, on ? "1\n" : "0\n", 2) != 2) ec.assign(errno, std::system_category());
    ::close(fd);
}
inline void set_ipv4_forward(bool on) {
    std::error_code ec;
    set_ipv4_forward(on, ec);
    if (ec) throw error(make_status(ec), std::string("Cannot write ") + ipv4_forward_path + ": " + ec.message());
}

}  // namespace rtnl::sysctl
