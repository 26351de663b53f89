// rtnl/detail/netlink_fd.hpp — opening and configuring NETLINK_ROUTE descriptors:
// request sockets (blocking and Asio) and event sockets. The descriptor is
// opened, configured and bound here, then wrapped by rtnl::socket or handed to
// Asio.
#pragma once

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include "rtnl/descriptor_io.hpp"
#include "rtnl/error.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/wire/buffer.hpp"

namespace rtnl::detail {

/// A bound netlink descriptor and what the kernel granted it.
struct netlink_fd {
    unique_fd fd;
    std::uint32_t port_id = 0;
    int receive_buffer = 0;  ///< SO_RCVBUF as granted (the kernel doubles requests)
    int send_buffer = 0;
};

struct netlink_fd_config {
    int receive_buffer = 0;                   ///< 0 keeps the default; SO_RCVBUFFORCE tried first
    int send_buffer = 0;
    bool requests = true;                     ///< EXT_ACK, STRICT_CHK and CAP_ACK for a request socket
    std::span<const unsigned> groups{};       ///< multicast groups to join (RTNLGRP_*)
    bool listen_all_nsid = false;             ///< NETLINK_LISTEN_ALL_NSID (events from peer namespaces)
    bool nonblocking = true;                  ///< O_NONBLOCK (Asio); the blocking socket polls instead
};

inline std::error_code last_error() noexcept { return {errno, std::system_category()}; }

/// Configures and binds a NETLINK_ROUTE descriptor, opened here or elsewhere
/// (inside another namespace, say: it stays in the namespace it was opened in).
inline netlink_fd configure_netlink(unique_fd fd_in, const netlink_fd_config& c, std::error_code& ec) {
    ec.clear();
    netlink_fd out;
    out.fd = std::move(fd_in);
    if (!out.fd) {
        ec = std::make_error_code(std::errc::bad_file_descriptor);
        return out;
    }
    const int fd = out.fd.get();
    const int one = 1;
    if (c.requests) {
        // Best effort: older kernels lack some of these and still work.
        ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
        ::setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
        // ACKs of failed requests echo only the header, not the whole request.
        ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    }
    if (c.receive_buffer > 0 && ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &c.receive_buffer, sizeof(int)) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c.receive_buffer, sizeof(int));
    if (c.send_buffer > 0 && ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &c.send_buffer, sizeof(int)) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c.send_buffer, sizeof(int));
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        ec = last_error();
        return out;
    }
    for (unsigned g : c.groups)
        if (::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) != 0) {
            ec = last_error();
            return out;
        }
    if (c.listen_all_nsid && ::setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one, sizeof one) != 0) {
        ec = last_error();
        return out;
    }
    if (c.nonblocking) {
        const int flags = ::fcntl(fd, F_GETFL);
        if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
            ec = last_error();
            return out;
        }
    }
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
        ec = last_error();
        return out;
    }
    out.port_id = local.nl_pid;
    len = sizeof(int);
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &out.receive_buffer, &len);
    len = sizeof(int);
    ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &out.send_buffer, &len);
    return out;
}

/// Opens, configures and binds a NETLINK_ROUTE socket in the calling thread's
/// network namespace (call it on a helper thread for another namespace).
inline netlink_fd open_netlink(const netlink_fd_config& c, std::error_code& ec) {
    unique_fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) {
        ec = last_error();
        return {};
    }
    return configure_netlink(std::move(fd), c, ec);
}

inline netlink_fd open_netlink(const netlink_fd_config& c) {
    std::error_code ec;
    auto out = open_netlink(c, ec);
    if (ec) {
        status s = make_status(ec);
        s.hint = capability_hint(ec, CAP_NET_ADMIN);
        throw error(s, "Cannot open netlink socket: " + ec.message());
    }
    return out;
}

/// Configures and binds a descriptor opened elsewhere; throws as open_netlink does.
inline netlink_fd adopt_netlink(unique_fd fd, const netlink_fd_config& c) {
    std::error_code ec;
    auto out = configure_netlink(std::move(fd), c, ec);
    if (ec) throw error(make_status(ec), "Cannot configure netlink socket: " + ec.message());
    return out;
}

/// True when a datagram's sender address is the kernel: anyone may unicast to
/// our port id, only the kernel has nl_pid 0.
inline bool from_kernel(const msghdr& mh) noexcept {
    const auto* a = static_cast<const sockaddr_nl*>(mh.msg_name);
    return mh.msg_namelen >= sizeof(sockaddr_nl) && a->nl_family == AF_NETLINK && a->nl_pid == 0;
}

/// One datagram read by receive_whole.
struct whole_datagram {
    std::span<const std::byte> bytes;  ///< the datagram, inside the caller's buffer
    int error = 0;                     ///< errno of a failed read (EAGAIN: nothing ready)
    bool from_kernel = false;          ///< sent by the kernel (see from_kernel)
    bool truncated = false;            ///< MSG_TRUNC although peeked: never parse it
    std::size_t control_length = 0;    ///< bytes of ancillary data written to `control`
};

/// Reads one datagram whole without blocking, however large: peeks
/// (MSG_PEEK|MSG_TRUNC) for its size, grows `buf` to fit (64 KiB at least, so
/// the peek is rarely needed twice), then reads it, with ancillary data into
/// `control` if given. Replies, dump parts and events take this path; ACK-only
/// traffic is read many datagrams per recvmmsg instead. `io` is the seam tests
/// inject faults at (descriptor_io.hpp).
inline whole_datagram receive_whole(int fd, wire::buffer& buf, std::span<std::byte> control = {},
                                    descriptor_io& io = descriptor_io::system()) {
    if (buf.capacity() < 65536) buf.reserve(65536);
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.capacity()};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = io.recvmsg(fd, &mh, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) return {.bytes = {}, .error = errno};
    if (static_cast<std::size_t>(n) > buf.capacity()) {
        buf.reserve(static_cast<std::size_t>(n));
        iov = {buf.data(), buf.capacity()};
    }
    mh.msg_namelen = sizeof from;
    mh.msg_control = control.empty() ? nullptr : control.data();
    mh.msg_controllen = control.size();
    n = io.recvmsg(fd, &mh, MSG_DONTWAIT);
    if (n < 0) return {.bytes = {}, .error = errno};
    return {.bytes = {buf.data(), static_cast<std::size_t>(n)},
            .from_kernel = from_kernel(mh),
            .truncated = (mh.msg_flags & MSG_TRUNC) != 0,
            .control_length = control.empty() ? 0 : mh.msg_controllen};
}

}  // namespace rtnl::detail
