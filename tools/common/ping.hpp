// tools/common/ping.hpp — an ICMP echo from inside a network namespace, without
// spawning ping: a raw socket opened in the namespace (on a helper thread), one
// echo request, wait for the matching reply.
#pragma once

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "rtnl/address.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"

namespace rtnl::tools {

namespace detail {
inline std::uint16_t icmp_checksum(const void* data, std::size_t len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (len & 1) sum += static_cast<std::uint32_t>(p[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return htons(static_cast<std::uint16_t>(~sum));
}
}  // namespace detail

/// Sends up to `tries` echo requests from namespace `ns_fd` to `dst`; true on the
/// first matching reply. IPv4 and IPv6.
inline bool ping(int ns_fd, const ip_address& dst, int tries = 3,
                 std::chrono::milliseconds wait = std::chrono::milliseconds(500)) {
    const bool v6 = dst.is_v6();
    const int proto = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
    unique_fd s(netns::run_in(ns_fd, [&] { return ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, proto); }));
    if (!s) return false;
    sockaddr_storage to{};
    socklen_t tolen;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&to);
        a->sin6_family = AF_INET6;
        std::memcpy(&a->sin6_addr, dst.data(), 16);
        tolen = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&to);
        a->sin_family = AF_INET;
        std::memcpy(&a->sin_addr, dst.data(), 4);
        tolen = sizeof *a;
    }
    const std::uint16_t id = static_cast<std::uint16_t>(::getpid() ^ ns_fd);
    for (int seq = 1; seq <= tries; ++seq) {
        std::uint8_t pkt[16]{};
        pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
        const std::uint16_t nid = htons(id), nseq = htons(static_cast<std::uint16_t>(seq));
        std::memcpy(pkt + 4, &nid, 2);
        std::memcpy(pkt + 6, &nseq, 2);
        std::memcpy(pkt + 8, "rtnl-pg", 8);
        if (!v6) {  // the kernel computes the ICMPv6 checksum itself
            const std::uint16_t c = detail::icmp_checksum(pkt, sizeof pkt);
            std::memcpy(pkt + 2, &c, 2);
        }
        if (::sendto(s.get(), pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&to), tolen) < 0) continue;
        const auto deadline = std::chrono::steady_clock::now() + wait;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{s.get(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            std::uint8_t buf[1500];
            const ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
            if (n <= 0) continue;
            const std::uint8_t* icmp = buf;
            std::size_t len = static_cast<std::size_t>(n);
            if (!v6) {  // raw IPv4 sockets deliver the IP header too
                const std::size_t ihl = static_cast<std::size_t>(buf[0] & 0x0f) * 4;
                if (len < ihl + 8) continue;
                icmp += ihl;
                len -= ihl;
            }
            if (len < 8) continue;
            const bool reply = icmp[0] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY);
            std::uint16_t rid;
            std::memcpy(&rid, icmp + 4, 2);
            if (reply && rid == nid) return true;
        }
    }
    return false;
}

}  // namespace rtnl::tools
