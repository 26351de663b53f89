// rtnl/asio/events.hpp — kernel notifications (link, address, route, nsid
// changes) as an asynchronous stream.
//
//     rtnl::asio::event_stream events(io, {.groups = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR}});
//     for (;;) {
//         rtnl::asio::event e = co_await events.async_next(use_awaitable);
//         if (e.overrun()) {                       // the kernel dropped notifications
//             auto now = co_await rtnl::asio::async_snapshot(nl, events.resync_parts(), use_awaitable);
//             …                                    // rebuild from `now`, then go on
//             continue;
//         }
//         if (e.message().type() == RTM_NEWLINK) { rtnl::link_view l(e.message()); … }
//     }
//
// Events come on their own socket, never on a request socket (a flood of them
// must not eat the window reserved for ACKs). The stream reads only while an
// async_next is waiting: a consumer that falls behind (a coroutine setting up
// 300 containers on the same thread, say) leaves the backlog in the kernel's
// receive buffer. So by default that buffer is as large as the kernel allows:
// 32 MiB asked with SO_RCVBUFFORCE (granted with CAP_NET_ADMIN, whatever
// net.core.rmem_max says), else SO_RCVBUF, which the kernel caps at rmem_max.
// The memory is charged only while events wait in it. 300 containers' worth of
// events (≈ 3 MiB of skbs) fit many times over; measured: no overrun
// (tests/asio/events_test.cpp).
//
// When the buffer overflows anyway the kernel drops notifications and reports
// ENOBUFS, which arrives here as an `overrun` event, in order. After an overrun
// the state seen so far is unreliable: take a snapshot (a fresh dump,
// rtnl/asio/ops.hpp) and apply later events on top. With listen_all_nsid,
// notifications from other namespaces that have an id in ours arrive too,
// tagged with that id — and an overrun loses theirs as well, without saying
// whose: a snapshot of this namespace cannot recover them. Resync each such
// namespace with a snapshot taken through a socket inside it
// (socket::in_namespace), or give that namespace its own event_stream.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "rtnl/asio/ops.hpp"
#include "rtnl/asio/socket.hpp"

namespace rtnl::asio {

/// Multicast groups worth naming (RTNLGRP_*).
namespace groups {
inline constexpr unsigned link = RTNLGRP_LINK;
inline constexpr unsigned ipv4_addr = RTNLGRP_IPV4_IFADDR;
inline constexpr unsigned ipv6_addr = RTNLGRP_IPV6_IFADDR;
inline constexpr unsigned ipv4_route = RTNLGRP_IPV4_ROUTE;
inline constexpr unsigned ipv6_route = RTNLGRP_IPV6_ROUTE;
inline constexpr unsigned nsid = RTNLGRP_NSID;
}  // namespace groups

struct event_options {
    /// Groups to join; the default covers links, addresses and routes.
    std::vector<unsigned> groups{groups::link, groups::ipv4_addr, groups::ipv6_addr, groups::ipv4_route,
                                 groups::ipv6_route};
    /// Receive buffer in bytes. 0: as large as the kernel allows (see the file
    /// comment: default_receive_buffer with SO_RCVBUFFORCE, else rmem_max);
    /// -1: the kernel's default (~208 KiB; drops events in bursts).
    int receive_buffer = 0;
    static constexpr int default_receive_buffer = 32 << 20;
    /// NETLINK_LISTEN_ALL_NSID: also events of namespaces that have an id here.
    bool listen_all_nsid = false;
};

/// One notification, or the news that some were lost.
struct event {
    enum class kind : std::uint8_t { message, overrun };
    kind type = kind::message;
    wire::buffer data;                  ///< one netlink message (RTM_NEWLINK, RTM_DELADDR …)
    std::optional<std::int32_t> nsid;   ///< the id of the namespace it came from (listen_all_nsid), if not ours

    bool overrun() const noexcept { return type == kind::overrun; }
    wire::message_view message() const noexcept { return wire::message_view(data.bytes()); }
};

struct event_stats {
    std::uint64_t events = 0;             ///< messages delivered into the queue
    std::uint64_t overruns = 0;           ///< ENOBUFS reports
    std::uint64_t foreign_datagrams = 0;  ///< dropped: the sender was not the kernel
};

namespace detail {

class event_handler_base {
public:
    virtual ~event_handler_base() = default;
    virtual void complete(error_code e, event ev, bool post) = 0;
};

template <class Handler, class IoExecutor>
class event_handler final : public event_handler_base {
public:
    event_handler(Handler&& h, const IoExecutor& io)
        : handler_(std::move(h)), work_(net::get_associated_executor(handler_, io)) {}
    void complete(error_code e, event ev, bool post) override {
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
        auto slot = net::get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) slot.clear();
#endif
        auto work = std::move(work_);
        auto fn = [h = std::move(handler_), e, ev = std::move(ev)]() mutable { std::move(h)(e, std::move(ev)); };
        if (post) net::post(work.get_executor(), std::move(fn));
        else net::dispatch(work.get_executor(), std::move(fn));
    }
    Handler& handler() noexcept { return handler_; }

private:
    Handler handler_;
    net::executor_work_guard<typename net::associated_executor<Handler, IoExecutor>::type> work_;
};

template <class Executor>
class event_engine : public std::enable_shared_from_this<event_engine<Executor>> {
public:
    using executor_type = Executor;

    event_engine(const executor_type& ex, ::rtnl::detail::netlink_fd nfd, const event_options& o, descriptor_io& io)
        : ex_(ex), sock_(ex), groups_(o.groups), rcvbuf_(nfd.receive_buffer), io_(&io) {
        boost::system::error_code ec;
        sock_.assign(net::generic::raw_protocol(AF_NETLINK, NETLINK_ROUTE), nfd.fd.get(), ec);
        if (ec) throw error(make_status(std::error_code(ec.value(), std::system_category())),
                            "Cannot register netlink socket: " + ec.message());
        nfd.fd.release();
        sock_.non_blocking(true);
    }

    const executor_type& executor() const noexcept { return ex_; }
    const event_stats& stats() const noexcept { return stats_; }
    int receive_buffer() const noexcept { return rcvbuf_; }
    const std::vector<unsigned>& groups() const noexcept { return groups_; }
    bool is_open() const noexcept { return !closed_; }

    void next(std::unique_ptr<event_handler_base> h) {
        if (closed_) return h->complete(failure(ECANCELED), {}, true);
        if (pending_) return h->complete(failure(EALREADY), {}, true);  // one async_next at a time
        if (!queue_.empty()) {
            auto ev = std::move(queue_.front());
            queue_.pop_front();
            return h->complete(error_code{}, std::move(ev), true);
        }
        pending_ = std::move(h);
        read_ready();  // what is already queued in the kernel: no wait needed
        deliver(/*post=*/true);
        if (pending_) arm_wait();
    }

    void cancel() {
        if (pending_) std::exchange(pending_, nullptr)->complete(failure(ECANCELED), {}, true);
        if (waiting_) {
            boost::system::error_code ignored;
            sock_.cancel(ignored);
        }
    }

    void close() {
        cancel();
        closed_ = true;
        boost::system::error_code ignored;
        sock_.close(ignored);
    }

private:
    static error_code failure(int e) { return {e, ::boost::system::system_category()}; }

    void deliver(bool post) {
        if (!pending_ || queue_.empty()) return;
        auto ev = std::move(queue_.front());
        queue_.pop_front();
        std::exchange(pending_, nullptr)->complete(error_code{}, std::move(ev), post);
    }

    void arm_wait() {
        if (waiting_) return;
        waiting_ = true;
        sock_.async_wait(net::socket_base::wait_read, [self = this->shared_from_this()](const boost::system::error_code&) {
            self->waiting_ = false;
            if (self->closed_ || !self->pending_) return;
            self->read_ready();
            self->deliver(/*post=*/false);
            if (self->pending_) self->arm_wait();
        });
    }

    /// Reads the datagrams the kernel has queued (bounded per call).
    void read_ready() {
        for (int n = 0; n < 64 && !closed_; ++n) {
            alignas(cmsghdr) std::byte control[CMSG_SPACE(sizeof(int))];
            const auto d = ::rtnl::detail::receive_whole(sock_.native_handle(), buf_, control, *io_);
            // ENOBUFS: the kernel dropped notifications. A cut datagram (only if it
            // changed between peek and read) is never parsed: its events are lost
            // too, and the consumer hears it the same way.
            if (d.error == ENOBUFS || (!d.error && d.from_kernel && d.truncated)) {
                ++stats_.overruns;
                event ev;
                ev.type = event::kind::overrun;
                queue_.push_back(std::move(ev));
                continue;
            }
            if (d.error == EINTR) continue;
            if (d.error) return;  // EAGAIN: nothing more; anything else ends the stream's reading
            if (!d.from_kernel) {
                ++stats_.foreign_datagrams;
                continue;
            }
            std::optional<std::int32_t> nsid;
            msghdr mh{};  // only to walk the ancillary data
            mh.msg_control = control;
            mh.msg_controllen = d.control_length;
            for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
                    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                    int id;
                    std::memcpy(&id, CMSG_DATA(c), sizeof id);
                    nsid = id;
                }
            for (wire::message_view m : wire::message_range(d.bytes)) {
                if (m.type() < NLMSG_MIN_TYPE) continue;  // no ACKs or DONEs on a listening socket
                event ev;
                ev.data.append(m.bytes().data(), m.bytes().size());
                ev.nsid = nsid;
                queue_.push_back(std::move(ev));
                ++stats_.events;
            }
        }
    }

    executor_type ex_;
    net::basic_raw_socket<net::generic::raw_protocol, Executor> sock_;
    std::vector<unsigned> groups_;
    int rcvbuf_ = 0;
    descriptor_io* io_;  ///< the reads' system calls (descriptor_io.hpp): the kernel, or a test's fake
    wire::buffer buf_;
    fifo<event> queue_;
    std::unique_ptr<event_handler_base> pending_;
    bool waiting_ = false;
    bool closed_ = false;
    event_stats stats_;
};

}  // namespace detail

/// A subscription to rtnetlink multicast groups (see the file comment).
template <class Executor = net::any_io_executor>
class basic_event_stream {
public:
    using executor_type = Executor;

    basic_event_stream() = default;
    explicit basic_event_stream(const executor_type& ex, const event_options& o = {})
        : basic_event_stream(ex, ::rtnl::detail::open_netlink(config(o)), o) {}
    template <class ExecutionContext>
        requires std::is_convertible_v<ExecutionContext&, net::execution_context&>
    explicit basic_event_stream(ExecutionContext& ctx, const event_options& o = {}) : basic_event_stream(ctx.get_executor(), o) {}

    /// Listens inside the namespace behind `ns_fd` (opened on a helper thread).
    static basic_event_stream in_namespace(const executor_type& ex, int ns_fd, const event_options& o = {}) {
        auto fd = netns::run_in(ns_fd, [&] { return ::rtnl::detail::open_netlink(config(o)); });
        return basic_event_stream(ex, std::move(fd), o);
    }

    /// Adopts a NETLINK_ROUTE descriptor opened elsewhere (configured, bound and
    /// joined to the groups here); its reads go through `io` (rtnl/descriptor_io.hpp),
    /// the seam tests inject faults at. `io` must outlive the stream.
    basic_event_stream(const executor_type& ex, unique_fd fd, const event_options& o,
                       descriptor_io& io = descriptor_io::system())
        : impl_(std::make_shared<detail::event_engine<Executor>>(
              ex, ::rtnl::detail::adopt_netlink(std::move(fd), config(o)), o, io)) {}

    basic_event_stream(basic_event_stream&&) noexcept = default;
    basic_event_stream& operator=(basic_event_stream&& o) noexcept {
        if (this != &o) {
            close();
            impl_ = std::move(o.impl_);
        }
        return *this;
    }
    ~basic_event_stream() { close(); }

    executor_type get_executor() const noexcept { return impl_ ? impl_->executor() : executor_type{}; }
    bool is_open() const noexcept { return impl_ && impl_->is_open(); }
    int receive_buffer() const noexcept { return impl_ ? impl_->receive_buffer() : 0; }
    const event_stats& stats() const noexcept {
        static const event_stats none;
        return impl_ ? impl_->stats() : none;
    }

    /// What a resync after an overrun must dump for the joined groups.
    snapshot_parts resync_parts() const noexcept {
        unsigned p = 0;
        if (!impl_) return snapshot_parts::all;
        for (unsigned g : impl_->groups()) {
            if (g == groups::link) p |= static_cast<unsigned>(snapshot_parts::links);
            if (g == groups::ipv4_addr || g == groups::ipv6_addr) p |= static_cast<unsigned>(snapshot_parts::addresses);
            if (g == groups::ipv4_route || g == groups::ipv6_route) p |= static_cast<unsigned>(snapshot_parts::routes);
        }
        return static_cast<snapshot_parts>(p);
    }

    /// The next event: void(boost::system::error_code, event). One at a time
    /// (a second concurrent one completes with EALREADY); cancel() or a
    /// cancellation slot completes it with operation_aborted.
    template <class Token>
    auto async_next(Token&& token) {
        return net::async_initiate<Token, void(error_code, event)>(
            [impl = impl_](auto handler) {
                using H = std::decay_t<decltype(handler)>;
                if (!impl) {
                    auto ex = net::get_associated_executor(handler);
                    net::post(ex, [h = std::move(handler)]() mutable {
                        std::move(h)(error_code(EBADF, ::boost::system::system_category()), event{});
                    });
                    return;
                }
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
                if (auto slot = net::get_associated_cancellation_slot(handler); slot.is_connected()) {
                    auto on_cancel = [w = std::weak_ptr<detail::event_engine<Executor>>(impl)](net::cancellation_type) {
                        // Deferred: completing clears the slot, which owns this function.
                        if (auto p = w.lock()) net::post(p->executor(), [p] { p->cancel(); });
                    };
                    slot.template emplace<decltype(on_cancel)>(std::move(on_cancel));
                }
#endif
                auto h = std::make_unique<detail::event_handler<H, executor_type>>(std::move(handler), impl->executor());
                net::dispatch(impl->executor(), [impl, h = std::move(h)]() mutable { impl->next(std::move(h)); });
            },
            token);
    }

    /// Completes a waiting async_next with ECANCELED.
    void cancel() {
        if (impl_) impl_->cancel();
    }
    void close() {
        if (impl_) impl_->close();
        impl_.reset();
    }

private:
    basic_event_stream(const executor_type& ex, ::rtnl::detail::netlink_fd fd, const event_options& o)
        : impl_(std::make_shared<detail::event_engine<Executor>>(ex, std::move(fd), o, descriptor_io::system())) {}
    static ::rtnl::detail::netlink_fd_config config(const event_options& o) {
        return {.receive_buffer = o.receive_buffer == 0 ? event_options::default_receive_buffer
                                                        : std::max(o.receive_buffer, 0),
                .send_buffer = 0,
                .requests = false,
                .groups = o.groups,
                .listen_all_nsid = o.listen_all_nsid};
    }

    std::shared_ptr<detail::event_engine<Executor>> impl_;
};

using event_stream = basic_event_stream<>;

}  // namespace rtnl::asio
