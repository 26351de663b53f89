// tools/cni/unlisted_delete.hpp — deleting a link without sitting out the
// kernel's RCU grace period.
//
// The kernel answers RTM_DELLINK only at the end of netdev_run_todo(). By then the
// link was unlisted under RTNL — its name and index free, its addresses, routes
// and bridge port gone, RTM_DELLINK sent to listeners — RTNL was released, and the
// sender sleeps in rcu_barrier() until the memory may be freed: 15-20 ms on the
// machines measured here, nine tenths of a DEL, which every runtime waits for
// (podman once per `podman run --rm`). Nothing anyone can see changes during that
// sleep, and a request that takes RTNL after it (an ADD that reuses the name) waits
// for the unlisting, not for the sleep.
//
// So the request goes out from a forked child, and we return at the kernel's
// RTM_DELLINK notification for the link, or at the child's answer if that comes
// first (a refusal, ENODEV, or a notification lost to an overrun). The child closes
// stdin, stdout and stderr first, so the runtime's pipes end when we exit; it sits
// out the grace period alone and exits, and init (or the runtime's subreaper)
// reaps it. Where fork or the listening socket fails, the delete runs here and
// waits as before.
#pragma once

#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <span>
#include <system_error>
#include <vector>

#include "rtnl/detail/netlink_fd.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/link.hpp"
#include "rtnl/socket.hpp"

namespace rtnl::cni {

namespace unlisted_detail {

/// Strikes from `pending` every link whose RTM_DELLINK the datagram holds.
inline void strike_deleted(std::span<const std::byte> datagram, std::vector<int>& pending) {
    for (wire::message_view m : wire::message_range(datagram)) {
        if (m.type() != RTM_DELLINK) continue;
        if (auto h = m.header<ifinfomsg>()) std::erase(pending, h->ifi_index);
    }
}

/// An error code as one int for the report pipe: errno values as they are, rtnl's
/// own conditions negated.
inline int to_wire(std::error_code ec) { return !ec ? 0 : ec.category() == rtnl::category() ? -ec.value() : ec.value(); }
inline std::error_code from_wire(int v) {
    if (v < 0) return make_error_code(static_cast<errc>(-v));
    return v ? std::error_code(v, std::system_category()) : std::error_code();
}

/// The child's side: deletes on a socket of its own (the caller's refuses use
/// after fork), reports the outcome on `report`, exits.
[[noreturn]] inline void delete_and_report(wire::buffer& request, int report) {
    ::close(0), ::close(1), ::close(2);
    std::error_code ec;
    {
        socket nl({}, ec);
        if (!ec) nl.execute(request, ec);
    }
    const int code = to_wire(ec);
    (void)!::write(report, &code, sizeof code);
    ::_exit(0);
}

}  // namespace unlisted_detail

/// Deletes the links `indexes` of the calling thread's network namespace (one
/// batch); returns once the kernel has unlisted them all: {} when deleted, the
/// kernel's first error otherwise (ENODEV: one was gone already — then only
/// after the others' grace periods). `nl` serves only where no child can be forked.
inline std::error_code delete_links_unlisted(socket& nl, std::span<const int> indexes) {
    if (indexes.empty()) return {};
    wire::buffer request;
    {
        wire::writer w(request);
        for (int index : indexes)
            if (auto ec = link::del(w, index)) return ec;
    }
    auto here = [&] {
        std::error_code ec;
        nl.execute(request, ec);
        return ec;
    };
    // listen before asking, so the notification cannot pass us by
    const unsigned groups[] = {RTNLGRP_LINK};
    std::error_code ec;
    auto events = detail::open_netlink({.requests = false, .groups = groups, .nonblocking = true}, ec);
    int report[2];
    if (ec || ::pipe2(report, O_CLOEXEC) != 0) return here();
    unique_fd report_read(report[0]), report_write(report[1]);
    const pid_t child = ::fork();
    if (child < 0) return here();
    if (child == 0) unlisted_detail::delete_and_report(request, report_write.get());
    report_write.reset();

    std::vector<int> pending(indexes.begin(), indexes.end());
    pollfd fds[2] = {{events.fd.get(), POLLIN, 0}, {report_read.get(), POLLIN, 0}};
    const auto deadline = std::chrono::steady_clock::now() + socket_options{}.timeout;  // the sockets' default
    alignas(nlmsghdr) std::byte buf[16384];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return std::make_error_code(std::errc::timed_out);
        const int n = ::poll(fds, 2, static_cast<int>(left));
        if (n < 0 && errno != EINTR) return detail::last_error();
        if (n <= 0) continue;
        if (fds[1].revents) {  // the child's answer: the kernel's word on the request
            int code = 0;
            if (::read(report_read.get(), &code, sizeof code) != static_cast<ssize_t>(sizeof code)) code = EIO;  // it died
            return unlisted_detail::from_wire(code);
        }
        if (fds[0].revents) {
            sockaddr_nl from{};
            socklen_t len = sizeof from;
            const ssize_t got = ::recvfrom(events.fd.get(), buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
            if (got < 0 && errno == ENOBUFS) fds[0].fd = -1;  // overrun: the child's answer decides
            else if (got > 0 && from.nl_pid == 0) {
                unlisted_detail::strike_deleted({buf, static_cast<std::size_t>(got)}, pending);
                if (pending.empty()) return {};
            }
        }
    }
}

/// One link: delete_links_unlisted for `index` alone.
inline std::error_code delete_link_unlisted(socket& nl, int index) { return delete_links_unlisted(nl, std::span(&index, 1)); }

}  // namespace rtnl::cni
