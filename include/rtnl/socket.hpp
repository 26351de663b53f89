// rtnl/socket.hpp — a blocking NETLINK_ROUTE socket that pipelines.
//
// One `transact` call takes a buffer holding any number of complete requests and
// returns one status per request. Underneath:
//   * requests go out many per sendmsg, in windows sized so that every answer
//     fits the receive buffer: the kernel runs a whole sendmsg synchronously and
//     queues its ACKs; past the buffer it drops them (ENOBUFS) although the
//     requests still ran. A dump always ends its window (one dump per socket at a
//     time, or the kernel says EBUSY);
//   * answers are matched by sequence number (wire::exchange); only datagrams whose
//     sender address is the kernel (nl_pid 0) are read — anyone can unicast to us;
//   * ACK-only windows are drained with recvmmsg, many datagrams per syscall (ACKs
//     are small and bounded: NETLINK_CAP_ACK stops the kernel echoing requests);
//     windows with replies or dumps size every read with MSG_PEEK|MSG_TRUNC, so a
//     datagram is never truncated;
//   * every window has a deadline; a request left unanswered completes with
//     ETIMEDOUT, and its late answer is ignored (its sequence number is retired).
// NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK are switched on (silently skipped on
// kernels without them), the descriptor is CLOEXEC, and a socket refuses to be
// used by a child process after fork.
#pragma once

#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "rtnl/descriptor_io.hpp"
#include "rtnl/detail/netlink_fd.hpp"
#include "rtnl/error.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"
#include "rtnl/socket_options.hpp"
#include "rtnl/wire/buffer.hpp"
#include "rtnl/wire/exchange.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// Outcome of one dump.
struct dump_result {
    bool interrupted = false;  ///< NLM_F_DUMP_INTR: the data may be inconsistent; dump again
};

class socket {
public:
    /// Opens a socket in the calling thread's network namespace.
    explicit socket(const socket_options& opts = {}) { open(opts); }
    socket(const socket_options& opts, std::error_code& ec) noexcept { ec = try_open(opts); }

    /// Adopts a NETLINK_ROUTE socket descriptor opened elsewhere — typically inside
    /// another namespace (netns::registry::create_many can open one per namespace).
    /// The socket keeps the namespace it was created in.
    explicit socket(unique_fd fd, const socket_options& opts = {}) {
        if (auto ec = configure(std::move(fd), opts))
            throw error(make_status(ec), "Cannot configure netlink socket: " + ec.message());
    }

    /// Adopts a descriptor whose traffic goes through `io` (descriptor_io.hpp):
    /// for tests that inject faults or play the kernel. `io` must outlive the socket.
    socket(unique_fd fd, const socket_options& opts, descriptor_io& io) : io_(&io) {
        if (auto ec = configure(std::move(fd), opts))
            throw error(make_status(ec), "Cannot configure netlink socket: " + ec.message());
    }

    /// Opens a socket inside the namespace behind `ns_fd`, on a helper thread:
    /// the calling thread never changes namespace, and the socket stays bound to
    /// that namespace for its whole life.
    static socket in_namespace(int ns_fd, const socket_options& opts = {}) {
        return netns::run_in(ns_fd, [&] { return socket(opts); });
    }

    socket(socket&&) noexcept = default;
    socket& operator=(socket&&) noexcept = default;

    int native_handle() const noexcept { return fd_.get(); }
    std::uint32_t port_id() const noexcept { return port_id_; }
    const socket_stats& stats() const noexcept { return stats_; }
    /// The receive buffer the kernel actually granted (SO_RCVBUF).
    int receive_buffer() const noexcept { return rcvbuf_; }
    /// The sequence number the next request will carry.
    std::uint32_t next_sequence() const noexcept { return seq_ == 0 ? 1 : seq_; }
    /// The status of the last single request (execute / the ec overloads).
    const status& last_status() const noexcept { return last_; }

    // ---- the general operation ------------------------------------------------

    /// Sends every message in `requests` (sequence numbers are assigned in place)
    /// and collects one status per message into `results`. `on_message(index, msg)`
    /// receives reply and dump messages (zero-copy, valid during the call).
    /// Returns an error only when the batch could not be run at all (malformed
    /// buffer, socket used after fork, a request an encoder refused — see
    /// wire/buffer.hpp: then nothing is sent); per-request failures are in `results`.
    template <class OnMessage>
    std::error_code transact(wire::buffer& requests, std::vector<status>& results, OnMessage&& on_message) {
        using F = std::remove_reference_t<OnMessage>;
        return transact(requests, results,
                        message_sink{const_cast<void*>(static_cast<const void*>(std::addressof(on_message))),
                                     [](void* f, std::size_t i, const wire::message_view& m) { (*static_cast<F*>(f))(i, m); }});
    }

    /// The callback of transact, type-erased (an object and a function pointer, no
    /// allocation): the send/receive machinery below is compiled once, not once per
    /// caller's lambda — what every including translation unit would pay (issue 11).
    struct message_sink {
        void* object;
        void (*call)(void*, std::size_t, const wire::message_view&);
        void operator()(std::size_t i, const wire::message_view& m) const { call(object, i, m); }
    };
    std::error_code transact(wire::buffer& requests, std::vector<status>& results, message_sink on_message) {
        results.clear();
        if (::getpid() != owner_pid_) return errc::used_after_fork;
        if (auto refused = requests.refused()) return refused;
        // Index the messages; refuse a buffer that does not split into whole requests.
        offsets_.clear();
        wire::message_range msgs(requests.bytes());
        if (msgs.malformed()) return errc::message_too_large;
        for (wire::message_view m : msgs) offsets_.push_back(static_cast<std::size_t>(m.bytes().data() - requests.data()));
        const std::size_t n = offsets_.size();
        results.resize(n);
        if (n == 0) return {};

        // Assign sequence numbers; never use 0 (unsolicited notifications carry it).
        if (seq_ + n < seq_ || seq_ == 0) seq_ = 1;
        ex_.reset(seq_);
        for (std::size_t i = 0; i < n; ++i) {
            std::byte* p = requests.data() + offsets_[i];
            wire::message_view m({p, requests.size() - offsets_[i]});
            std::uint16_t flags = m.flags();
            const auto kind = expect_for(m.type(), flags);
            if ((kind == wire::expect::ack || kind == wire::expect::reply_and_ack) && !(flags & NLM_F_ACK)) {
                flags |= NLM_F_ACK;
                std::memcpy(p + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
            }
            wire::set_seq(p, ex_.seq_of(ex_.add(kind)));
        }
        seq_ += static_cast<std::uint32_t>(n);

        handler h{results, on_message};
        std::size_t i = 0;
        while (i < n) {
            const std::size_t end = window_end(requests, i);
            run_window(requests, i, end, h);
            i = end;
        }
        return {};
    }

    /// Runs a batch of requests that expect no data (links, addresses, routes …);
    /// one status per request, in order. Never throws for kernel errors.
    std::vector<status> batch(wire::buffer& requests) {
        std::vector<status> results;
        if (auto ec = transact(requests, results, [](std::size_t, const wire::message_view&) {}))
            results.assign(std::max<std::size_t>(1, results.size()), local_status(ec));
        return results;
    }

    /// Runs one request (or a buffer of them, stopping at nothing) and throws
    /// rtnl::error for the first failure.
    void execute(wire::buffer& request) {
        std::error_code ec;
        execute(request, ec);
        if (ec) throw error(last_);
    }
    void execute(wire::buffer& request, std::error_code& ec) {
        auto results = batch(request);
        last_ = status{};
        for (auto& r : results)
            if (!r.ok()) {
                last_ = std::move(r);
                break;
            }
        ec = last_.code;
    }

    /// Sends one GET and hands the reply to `on_reply(message_view)`.
    template <class OnReply>
    void query(wire::buffer& request, OnReply&& on_reply, std::error_code& ec) {
        std::vector<status> results;
        ec = transact(request, results, [&](std::size_t, const wire::message_view& m) { on_reply(m); });
        last_ = ec ? local_status(ec) : (results.empty() ? status{} : std::move(results.front()));
        ec = last_.code;
    }
    template <class OnReply>
    void query(wire::buffer& request, OnReply&& on_reply) {
        std::error_code ec;
        query(request, std::forward<OnReply>(on_reply), ec);
        if (ec) throw error(last_);
    }

    /// Runs one dump; `on_message(message_view)` sees every part. The result says
    /// whether the kernel flagged the dump as interrupted (see dump_with_retry).
    template <class OnMessage>
    dump_result dump(wire::buffer& request, OnMessage&& on_message, std::error_code& ec) {
        std::vector<status> results;
        ec = transact(request, results, [&](std::size_t, const wire::message_view& m) { on_message(m); });
        last_ = ec ? local_status(ec) : (results.empty() ? status{} : std::move(results.front()));
        ec = last_.code;
        return dump_result{last_interrupted_};
    }
    template <class OnMessage>
    dump_result dump(wire::buffer& request, OnMessage&& on_message) {
        std::error_code ec;
        auto r = dump(request, std::forward<OnMessage>(on_message), ec);
        if (ec) throw error(last_);
        return r;
    }

    /// Dumps until the kernel reports a consistent snapshot, at most `attempts`
    /// times. `reset()` is called before each attempt so the caller can drop what
    /// an interrupted attempt collected. Fails with errc::dump_interrupted when
    /// every attempt was interrupted (the last attempt's data is kept).
    template <class Reset, class OnMessage>
    void dump_with_retry(wire::buffer& request, Reset&& reset, OnMessage&& on_message, std::error_code& ec,
                         int attempts = 5) {
        for (int a = 0; a < attempts; ++a) {
            reset();
            auto r = dump(request, on_message, ec);
            if (ec || !r.interrupted) return;
        }
        last_ = make_status(errc::dump_interrupted);
        ec = last_.code;
    }

private:
    struct handler {
        std::vector<status>& results;
        message_sink user;
        socket* self = nullptr;
        void on_message(std::size_t i, const wire::message_view& m) { user(i, m); }
        void on_complete(std::size_t i, status s, bool interrupted) {
            if (!s.ok() && s.message.empty()) s.hint = capability_hint(s.code, CAP_NET_ADMIN);
            results[i] = std::move(s);
            if (self) self->last_interrupted_ = interrupted;
        }
    };

    std::error_code try_open(const socket_options& opts) noexcept {
        return configure(unique_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)), opts);
    }

    std::error_code configure(unique_fd fd, const socket_options& opts) noexcept {
        std::error_code ec;
        if (!fd) return {errno, std::system_category()};
        auto nl = detail::configure_netlink(std::move(fd), {.receive_buffer = opts.receive_buffer,
                                                            .send_buffer = opts.send_buffer,
                                                            .nonblocking = false},
                                            ec);
        if (ec) return ec;
        fd_ = std::move(nl.fd);
        port_id_ = nl.port_id;
        rcvbuf_ = nl.receive_buffer;
        sndbuf_ = nl.send_buffer;
        timeout_ = opts.timeout;
        owner_pid_ = ::getpid();
        return {};
    }
    void open(const socket_options& opts) {
        if (auto ec = try_open(opts)) {
            status s = make_status(ec);
            s.hint = capability_hint(ec, CAP_NET_ADMIN);
            throw error(s, "Cannot open netlink socket: " + ec.message());
        }
    }

    // Receive-buffer cost of each answer (skb truesize, measured on 6.x kernels:
    // an ACK with an extack message stays under 1 KiB; a GETLINK reply under 8 KiB;
    // a dump holds at most one ~32 KiB datagram queued at a time).
    static constexpr std::size_t ack_cost = 1024;
    static constexpr std::size_t reply_cost = 8192;
    static constexpr std::size_t dump_cost = 65536;

    std::size_t window_end(const wire::buffer& requests, std::size_t first) const noexcept {
        const std::size_t budget = static_cast<std::size_t>(std::max(rcvbuf_, 4096));
        const std::size_t byte_budget = static_cast<std::size_t>(std::max(sndbuf_ - 64, 4096));
        std::size_t cost = 0;
        const std::size_t start = offsets_[first];
        std::size_t i = first;
        for (; i < offsets_.size(); ++i) {
            const auto kind = ex_.kind(i);
            const std::size_t c = kind == wire::expect::ack ? ack_cost : kind == wire::expect::dump ? dump_cost : reply_cost;
            const std::size_t next = i + 1 < offsets_.size() ? offsets_[i + 1] : requests.size();
            if (i > first && (cost + c > budget || next - start > byte_budget)) break;
            cost += c;
            if (kind == wire::expect::dump) return i + 1;  // a dump ends its window
        }
        return i;
    }

    void run_window(wire::buffer& requests, std::size_t first, std::size_t end, handler& h) {
        h.self = this;
        const std::size_t from = offsets_[first];
        const std::size_t to = end < offsets_.size() ? offsets_[end] : requests.size();
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        iovec iov{requests.data() + from, to - from};
        msghdr mh{};
        mh.msg_name = &kernel;
        mh.msg_namelen = sizeof kernel;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t sent;
        do sent = io_->sendmsg(fd_.get(), &mh, 0);
        while (sent < 0 && errno == EINTR);
        if (sent < 0) {
            const std::error_code ec(errno, std::system_category());
            for (std::size_t i = first; i < end; ++i) ex_.abandon(i, make_status(ec), h);
            return;
        }
        ++stats_.send_calls;
        stats_.requests += end - first;

        bool acks_only = true;
        for (std::size_t i = first; i < end; ++i) acks_only = acks_only && ex_.kind(i) == wire::expect::ack;

        const auto deadline = std::chrono::steady_clock::now() + timeout_;
        auto window_open = [&] {
            for (std::size_t i = first; i < end; ++i)
                if (!ex_.done(i)) return true;
            return false;
        };
        while (window_open()) {
            const std::error_code ec = acks_only ? receive_many(h) : receive_one(h, deadline);
            if (!ec) continue;
            if (ec == std::errc::resource_unavailable_try_again) {
                if (!wait_readable(deadline)) {
                    for (std::size_t i = first; i < end; ++i)
                        ex_.abandon(i, local_status(std::make_error_code(std::errc::timed_out)), h);
                    return;
                }
                continue;
            }
            // ENOBUFS means the kernel dropped answers: those requests may have run,
            // but nobody can say which — report it on every open one.
            const status s = make_status(ec == std::errc::no_buffer_space ? make_error_code(errc::replies_lost) : ec);
            for (std::size_t i = first; i < end; ++i) ex_.abandon(i, s, h);
            return;
        }
    }

    bool wait_readable(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) return false;
            pollfd p{fd_.get(), POLLIN, 0};
            const int r = io_->poll(&p, 1, static_cast<int>(std::min<long long>(left.count() + 1, 1 << 30)));
            if (r > 0) return true;
            if (r == 0) return false;
            if (errno != EINTR) return false;
        }
    }

    void feed(std::span<const std::byte> datagram, handler& h) {
        auto r = ex_.feed(datagram, h);
        stats_.stale_messages += r.ignored;
        if (r.malformed) {
            // Cannot tell whose answer was cut: fail what this datagram could have answered.
            for (std::size_t i = 0; i < ex_.size(); ++i)
                if (!ex_.done(i) && ex_.kind(i) != wire::expect::dump) ex_.abandon(i, make_status(errc::malformed_reply), h);
        }
    }

    /// ACK-only windows: up to `slots` datagrams per syscall, non-blocking.
    std::error_code receive_many(handler& h) {
        static constexpr unsigned slots = 64;
        static constexpr std::size_t slot_size = 4096;
        if (mm_.capacity() < sizeof(mmsg_area)) mm_.reserve(sizeof(mmsg_area));
        auto& a = *reinterpret_cast<mmsg_area*>(mm_.data());  // trivial type in fresh storage (see mm_)
        for (unsigned k = 0; k < slots; ++k) {
            a.iov[k] = {a.data + k * slot_size, slot_size};
            a.msgs[k].msg_hdr = msghdr{};
            a.msgs[k].msg_hdr.msg_name = &a.addr[k];
            a.msgs[k].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
            a.msgs[k].msg_hdr.msg_iov = &a.iov[k];
            a.msgs[k].msg_hdr.msg_iovlen = 1;
        }
        const int got = io_->recvmmsg(fd_.get(), a.msgs, slots, MSG_DONTWAIT);
        if (got < 0) return errno == EINTR ? std::error_code{} : std::error_code(errno, std::system_category());
        ++stats_.receive_calls;
        for (int k = 0; k < got; ++k) {
            const msghdr& mh = a.msgs[k].msg_hdr;
            if (!detail::from_kernel(mh)) {
                ++stats_.foreign_datagrams;
                continue;
            }
            std::span<const std::byte> d(a.data + static_cast<std::size_t>(k) * slot_size,
                                         std::min<std::size_t>(a.msgs[k].msg_len, slot_size));
            if (mh.msg_flags & MSG_TRUNC) {
                // An ACK that does not fit 4 KiB cannot happen with CAP_ACK; never parse a cut one.
                wire::message_view m(d);
                if (d.size() >= NLMSG_HDRLEN) {
                    const std::size_t i = m.seq() - ex_.seq_of(0);
                    if (i < ex_.size()) ex_.abandon(i, make_status(errc::truncated_reply), h);
                }
                continue;
            }
            feed(d, h);
        }
        return {};
    }

    /// Replies and dumps: peek to size the read, then read exactly one datagram.
    std::error_code receive_one(handler& h, std::chrono::steady_clock::time_point) {
        const auto d = detail::receive_whole(fd_.get(), rx_, {}, *io_);
        if (d.error) return d.error == EINTR ? std::error_code{} : std::error_code(d.error, std::system_category());
        ++stats_.receive_calls;
        if (!d.from_kernel) {
            ++stats_.foreign_datagrams;
            return {};
        }
        if (d.truncated) return errc::truncated_reply;  // cannot happen after the peek
        feed(d.bytes, h);
        return {};
    }

    struct mmsg_area {
        mmsghdr msgs[64];
        iovec iov[64];
        sockaddr_nl addr[64];
        alignas(16) std::byte data[64 * 4096];
    };

    descriptor_io* io_ = &descriptor_io::system();
    unique_fd fd_;
    std::uint32_t port_id_ = 0;
    std::uint32_t seq_ = 1;
    pid_t owner_pid_ = 0;
    int rcvbuf_ = 0;
    int sndbuf_ = 0;
    std::chrono::milliseconds timeout_{30000};
    wire::exchange ex_;
    std::vector<std::size_t> offsets_;
    wire::buffer rx_;
    // Holds one mmsg_area once an ACK-only window needs it. A wire::buffer rather
    // than std::unique_ptr<mmsg_area>: storage from new std::byte[] is aligned
    // for it and implicitly holds the trivial struct, and the unique_ptr would be
    // one more class template every including translation unit compiles (issue 11).
    wire::buffer mm_;
    socket_stats stats_;
    status last_;
    bool last_interrupted_ = false;
};

}  // namespace rtnl
