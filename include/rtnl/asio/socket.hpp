// rtnl/asio/socket.hpp — an asynchronous, pipelining NETLINK_ROUTE socket on Boost.Asio.
//
//     boost::asio::io_context io;
//     rtnl::asio::socket nl(io);
//     rtnl::wire::buffer b; rtnl::wire::writer w(b);
//     (void)rtnl::link::set(w, "eth0", {.mtu = 1400});
//     rtnl::asio::reply r = co_await nl.async_request(std::move(b), boost::asio::use_awaitable);
//     if (!r.ok()) std::puts(r.status.describe().c_str());   // "Error: <extack>."
//
// How it works (one io_context thread can drive thousands of these):
//   * every operation is a *transaction* of one or more requests. Its requests
//     get sequence numbers when it starts and wait in a FIFO send queue;
//   * a pump, posted once per turn of the executor, sends everything queued in
//     one sendmsg — so requests issued while the previous send was being made
//     go out together. They are gathered into one block first: a small memcpy
//     each is cheaper than the kernel importing and walking an iovec each;
//   * the kernel runs a sendmsg synchronously and queues its answers on our
//     receive buffer; past the buffer it DROPS them (ENOBUFS) although the
//     requests ran. So requests go out only while the answers of everything in
//     flight fit the buffer (an ACK costs ~1 KiB of it, a reply 8 KiB, a dump
//     64 KiB); raise the buffer with socket_options::receive_buffer
//     (SO_RCVBUFFORCE when permitted) to widen the window;
//   * right after a send the pump reads what is ready without waiting (the
//     answers usually are), ACK-only traffic many datagrams per recvmmsg, and
//     replies sized with MSG_PEEK|MSG_TRUNC; it arms an async wait only when
//     answers are still due, so io_context::run() returns when nothing is;
//   * answers are matched by sequence number (wire::exchange) and only from
//     the kernel (sender nl_pid 0): a datagram anyone else unicasts is dropped;
//   * dumps go out one at a time (the kernel answers EBUSY to a second one);
//     the queue is FIFO, so what was issued after a dump waits behind it;
//   * a transaction can be cancelled (socket::cancel, a cancel_signal, or an
//     Asio cancellation slot on Boost >= 1.77) or time out: its open requests
//     complete with ECANCELED / ETIMEDOUT and their sequence numbers are
//     retired, so a late answer can never complete another request. A request
//     cancelled before it was sent is never sent; one already sent may still
//     have run (the kernel cannot be told to forget it).
//
// Completion signatures, in Asio's form (every operation takes any completion
// token — callbacks, use_awaitable, use_future, deferred, as_tuple,
// redirect_error, experimental::parallel_group, awaitable operators):
//   async_request  void(boost::system::error_code, reply)               one request
//   async_dump     void(boost::system::error_code, reply)               one dump, all parts
//   async_batch    void(boost::system::error_code, std::vector<status>) one status per request
// async_request/async_dump: the error_code is the request's outcome (kernel
// errno, timeout, cancellation — rtnl/asio/error.hpp), and reply::status holds
// it in full (extack text and offset). async_batch keeps one status per
// request, as rtnl::socket::batch does; its error_code is set only when the
// batch could not be issued at all (socket closed, malformed buffer, a request
// an encoder refused: then nothing of it is sent). Local failures (timeout,
// cancellation, refusal) are statuses with `local` set: never worded
// "RTNETLINK answers".
//
// Threading: like every Asio I/O object, one socket is not thread-safe. Its
// handlers run on its executor; give it a strand when the io_context has many
// threads. Operations may be *initiated* from any thread (they are dispatched
// to the executor). Everything else — cancel(), close(), destruction,
// cancel_signal::emit() — belongs on the executor.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_executor.hpp>
#if __has_include(<boost/asio/associated_cancellation_slot.hpp>)
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#define RTNL_ASIO_HAS_CANCELLATION_SLOT 1
#else
#define RTNL_ASIO_HAS_CANCELLATION_SLOT 0
#endif

#include "rtnl/asio/error.hpp"
#include "rtnl/detail/netlink_fd.hpp"
#include "rtnl/error.hpp"
#include "rtnl/netns.hpp"
#include "rtnl/socket_options.hpp"
#include "rtnl/wire/buffer.hpp"
#include "rtnl/wire/exchange.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl::asio {

namespace net = ::boost::asio;

/// The same options as the blocking socket's (timeout, receive_buffer,
/// send_buffer); here the timeout runs per operation, from the moment it is issued.
using socket_options = ::rtnl::socket_options;

/// What a socket has done (for tests, benchmarks and curious users).
/// The blocking socket's counters, and what only an asynchronous socket has.
struct socket_stats : ::rtnl::socket_stats {
    std::uint64_t timeouts = 0;           ///< operations that timed out
    std::uint64_t cancellations = 0;      ///< operations cancelled
    std::uint64_t replies_lost = 0;       ///< ENOBUFS on the request socket (should stay 0)
    std::uint64_t max_batch = 0;          ///< most requests one sendmsg carried
    std::size_t max_in_flight = 0;        ///< most requests awaiting answers at once
};

/// The outcome of one request or dump, with owned copies of the data messages
/// the kernel sent (reply messages, or every part of a dump) back to back.
struct reply {
    ::rtnl::status status;      ///< code, extack text, offset (ok() on success)
    wire::buffer data;          ///< the data messages, each 4-byte aligned
    bool interrupted = false;   ///< NLM_F_DUMP_INTR: the dump may be inconsistent

    bool ok() const noexcept { return status.ok(); }
    /// The data messages (zero-copy views into `data`).
    wire::message_range messages() const noexcept { return wire::message_range(data.bytes()); }
    /// The first data message (a GET's reply); empty view if none.
    wire::message_view message() const noexcept {
        for (wire::message_view m : messages()) return m;
        return {};
    }
};

class cancel_signal;

/// Per-operation settings.
struct op_options {
    /// 0: the socket's timeout.
    std::chrono::milliseconds timeout{0};
    /// emit() on it cancels this operation (portable to Boost 1.74, which has no
    /// cancellation slots). Must outlive the operation or be emitted/destroyed on
    /// the socket's executor.
    cancel_signal* cancel = nullptr;
    /// For read-only operations: run again while the kernel flags a dump as
    /// interrupted (NLM_F_DUMP_INTR), at most this many times in all.
    int attempts = 1;
    /// If set, receives the operation's full status (extack text and offset,
    /// iproute2's wording) before the handler runs — what an error_code cannot
    /// carry. Must outlive the operation.
    status* details = nullptr;
};

namespace detail {

struct transaction;

/// What a transaction and a cancel_signal need of the socket's engine, without
/// knowing its executor type (the engine is a template, instantiated only when
/// a socket is used: including this header instantiates nothing).
class engine_base {
public:
    /// Cancels one transaction. A transaction with requests already sent honours
    /// only terminal or partial cancellation (the kernel may have run them).
    virtual void cancel(transaction& t, bool sent_ok = true) = 0;

protected:
    ~engine_base() = default;
};

template <class Executor>
class engine;

/// A first-in first-out queue on a vector: what the engine needs of std::deque
/// (push_back, front, pop_front, iteration), at a fraction of its compile cost
/// (std::deque's members are instantiated wherever a header uses them).
template <class T>
class fifo {
public:
    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }
    T& front() noexcept { return items_[head_]; }
    const T& front() const noexcept { return items_[head_]; }
    void push_back(T v) { items_.push_back(std::move(v)); }
    void pop_front() {
        items_[head_++] = T{};
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ >= 64 && head_ * 2 >= items_.size()) {  // amortised O(1)
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }
    auto begin() const noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() const noexcept { return items_.end(); }

private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

/// A vector whose first element lives inline: most transactions hold one
/// request, so most never allocate for these. What the engine needs of
/// boost::container::small_vector (push_back, resize, indexing, iteration) at a
/// fraction of its compile cost (Boost.Container is not otherwise included).
template <class T>
class one_inline_vector {
public:
    one_inline_vector() noexcept = default;
    one_inline_vector(const one_inline_vector&) = delete;
    one_inline_vector& operator=(const one_inline_vector&) = delete;
    ~one_inline_vector() {
        destroy_all();
        if (heap_) ::operator delete(heap_, std::align_val_t(alignof(T)));
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + size_; }
    const T* begin() const noexcept { return data(); }
    const T* end() const noexcept { return data() + size_; }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    T& front() noexcept { return data()[0]; }

    void push_back(T v) {
        if (size_ == capacity_) grow(capacity_ * 2);
        ::new (static_cast<void*>(raw() + size_)) T(std::move(v));
        ++size_;
    }
    void resize(std::size_t n) {
        if (n > capacity_) grow(n);
        for (; size_ < n; ++size_) ::new (static_cast<void*>(raw() + size_)) T();
        while (size_ > n) data()[--size_].~T();
    }

private:
    T* raw() noexcept { return heap_ ? heap_ : reinterpret_cast<T*>(inline_); }
    T* data() noexcept { return std::launder(raw()); }
    const T* data() const noexcept {
        return std::launder(heap_ ? heap_ : reinterpret_cast<const T*>(inline_));
    }
    void destroy_all() noexcept {
        while (size_ > 0) data()[--size_].~T();
    }
    void grow(std::size_t n) {
        T* p = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
        T* old = data();
        std::size_t i = 0;
        for (; i < size_; ++i) ::new (static_cast<void*>(p + i)) T(std::move(old[i]));  // T's moves do not throw here
        const std::size_t n_old = size_;
        destroy_all();
        if (heap_) ::operator delete(heap_, std::align_val_t(alignof(T)));
        heap_ = p;
        size_ = n_old;
        capacity_ = n;
    }

    alignas(T) unsigned char inline_[sizeof(T)];
    T* heap_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 1;
};

/// One operation in flight: its requests, their outcomes and (in the derived
/// `completion`, same allocation) its handler.
struct transaction {
    struct request {
        std::uint32_t offset;  ///< where the message starts in `requests`
        std::uint32_t length;
        wire::expect kind;
    };
    template <class T>
    using small = one_inline_vector<T>;  // most transactions hold one request

    virtual ~transaction() = default;
    /// Computes the results and hands them to the handler: dispatched (may run
    /// inline, we are on the executor) or posted (never inline).
    virtual void complete(bool post) = 0;
    /// Connects the handler's Asio cancellation slot (if any) to this transaction.
    virtual void bind_cancellation(const std::shared_ptr<transaction>&) {}

    engine_base* owner = nullptr;
    wire::buffer requests;                 ///< the messages, sequence numbers patched in place
    small<request> reqs;
    small<status> results;
    std::uint32_t first_seq = 0;           ///< sequence number of request 0 (this attempt)
    std::size_t sent = 0;                  ///< requests [0, sent) went out (this attempt)
    std::size_t open = 0;                  ///< requests not yet complete (this attempt)
    bool capture = false;                  ///< keep data messages (requests, dumps)
    wire::buffer data;
    bool interrupted = false;
    int attempts_left = 1;
    bool aborted = false;                  ///< cancelled or timed out: no retry
    bool cancel_requested = false;         ///< a cancellation slot fired before the transaction started
    bool finished = false;                 ///< the handler has been given its results
    status failure;                        ///< could not be issued at all (not ok() then)
    status* details = nullptr;             ///< op_options::details
    std::chrono::steady_clock::time_point deadline{};

    std::size_t size() const noexcept { return reqs.size(); }
    bool failed() const noexcept { return !failure.ok(); }
    /// Hands `s` to op_options::details (if asked) and returns its error_code.
    error_code report(const status& s) const {
        if (details) *details = s;
        return to_error_code(s.code);
    }
};

/// Builds the arguments of a handler from a finished transaction. A finisher
/// is a small value type: `signature`, `capture`, and `operator()(transaction&)`.
struct reply_finisher {
    using signature = void(error_code, reply);
    static constexpr bool capture = true;
    template <class Transaction>  // templates: compiled only where the operation is used
    std::tuple<error_code, reply> operator()(Transaction& t) const {
        reply r;
        if (t.failed()) r.status = t.failure;
        else if (!t.results.empty()) r.status = std::move(t.results.front());
        r.data = std::move(t.data);
        r.interrupted = t.interrupted;
        auto ec = t.report(r.status);
        return {ec, std::move(r)};
    }
};

struct batch_finisher {
    using signature = void(error_code, std::vector<status>);
    static constexpr bool capture = false;
    template <class Transaction>
    std::tuple<error_code, std::vector<status>> operator()(Transaction& t) const {
        if (t.failed()) return {t.report(t.failure), {}};
        if (t.details) *t.details = status{};
        return {error_code{}, std::vector<status>(std::make_move_iterator(t.results.begin()),
                                                  std::make_move_iterator(t.results.end()))};
    }
};

template <class Signature>
struct signature_args;
template <class... Args>
struct signature_args<void(Args...)> {
    using tuple = std::tuple<std::decay_t<Args>...>;
};

/// True for handlers that bring their own executor (coroutines, strands,
/// bind_executor); plain callbacks run on the socket's.
template <class Handler>
concept has_own_executor = requires { typename Handler::executor_type; };

/// A transaction with its handler: one allocation per operation.
template <class Handler, class Finisher, class IoExecutor>
class completion final : public transaction {
public:
    completion(Handler&& h, Finisher f, const IoExecutor& io)
        : handler_(std::move(h)), finisher_(std::move(f)), io_(io), work_(make_work(handler_, io)) {}

    void complete(bool post) override {
        auto args = finisher_(*this);
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
        auto slot = net::get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) slot.clear();
#endif
        if constexpr (!has_own_executor<Handler>) {
            // The handler's executor is the socket's, and a dispatch (not post)
            // happens only from the socket's own handlers, i.e. inside that
            // executor: call it directly, sparing the type-erased dispatch.
            if (!post) {
                std::apply(std::move(handler_), std::move(args));
                return;
            }
            net::post(io_, [h = std::move(handler_), a = std::move(args)]() mutable { std::apply(std::move(h), std::move(a)); });
        } else {
            auto work = std::move(*work_);
            auto fn = [h = std::move(handler_), a = std::move(args)]() mutable { std::apply(std::move(h), std::move(a)); };
            if (post) net::post(work.get_executor(), std::move(fn));
            else net::dispatch(work.get_executor(), std::move(fn));
        }
    }

#if RTNL_ASIO_HAS_CANCELLATION_SLOT
    void bind_cancellation(const std::shared_ptr<transaction>& t) override;
#endif

private:
    using work_guard = net::executor_work_guard<typename net::associated_executor<Handler, IoExecutor>::type>;
    /// Work is counted on a handler's own executor (it may be another context);
    /// on the socket's executor the socket's own pending work keeps it running.
    static std::optional<work_guard> make_work(const Handler& h, const IoExecutor& io) {
        if constexpr (has_own_executor<Handler>) return work_guard(net::get_associated_executor(h, io));
        else return std::nullopt;
    }

    Handler handler_;
    Finisher finisher_;
    IoExecutor io_;
    std::optional<work_guard> work_;
};

}  // namespace detail

/// Cancels the operations it was given in op_options::cancel. Reusable: each
/// emit() cancels what is pending at that moment. Use it on the sockets' executor.
class cancel_signal {
public:
    cancel_signal() = default;
    cancel_signal(const cancel_signal&) = delete;
    cancel_signal& operator=(const cancel_signal&) = delete;
    /// Cancels every pending operation bound to this signal.
    inline void emit();

private:
    template <class>
    friend class detail::engine;
    void attach(const std::shared_ptr<detail::transaction>& t) {
        if (ops_.size() >= 16 && (ops_.size() & (ops_.size() - 1)) == 0)
            std::erase_if(ops_, [](const auto& w) { return w.expired(); });
        ops_.push_back(t);
    }
    std::vector<std::weak_ptr<detail::transaction>> ops_;
};

namespace detail {

/// Cost of an answer in the receive buffer (skb truesize, measured on 6.x: an
/// ACK with an extack message stays under 1 KiB, a GETLINK reply under 8 KiB, a
/// running dump holds at most one ~32 KiB datagram queued at a time).
inline std::size_t answer_cost(wire::expect k) noexcept {
    switch (k) {
        case wire::expect::ack: return 1024;
        case wire::expect::dump: return 65536;
        default: return 8192;
    }
}

/// Receive scratch space shared by every socket on a thread: answers are copied
/// out before a pump returns, so thousands of sockets need no buffer each.
struct receive_area {
    static constexpr unsigned slots = 128;
    static constexpr std::size_t slot_size = 4096;  // an ACK (CAP_ACK) with extack fits easily
    mmsghdr msgs[slots];
    iovec iov[slots];
    sockaddr_nl addr[slots];
    alignas(16) std::byte data[slots * slot_size];
    wire::buffer big;  // one peeked-and-sized datagram (replies, dumps)

    static receive_area& for_this_thread() {
        thread_local std::unique_ptr<receive_area> a;
        if (!a) a = std::make_unique<receive_area>();
        return *a;
    }
};

template <class Executor>
class engine final : public engine_base, public std::enable_shared_from_this<engine<Executor>> {
public:
    using executor_type = Executor;

    engine(const executor_type& ex, ::rtnl::detail::netlink_fd nfd, const socket_options& o, descriptor_io& io)
        : ex_(ex), fd_(std::move(nfd.fd)), sock_(ex), timer_(ex), port_id_(nfd.port_id), rcvbuf_(nfd.receive_buffer),
          sndbuf_(nfd.send_buffer), timeout_(o.timeout), io_(&io) {
        ex_table_.reset(next_seq_);
    }
    ~engine() { close_now(); }

    const executor_type& executor() const noexcept { return ex_; }
    int native_handle() noexcept { return fd_.get(); }
    std::uint32_t port_id() const noexcept { return port_id_; }
    int receive_buffer() const noexcept { return rcvbuf_; }
    std::size_t window() const noexcept { return static_cast<std::size_t>(std::max(rcvbuf_, 4096)); }
    std::uint32_t next_sequence() const noexcept { return next_seq_ == 0 ? 1 : next_seq_; }
    const socket_stats& stats() const noexcept { return stats_; }
    bool is_open() const noexcept { return !closed_; }

    /// Starts a transaction; runs on the executor (the socket dispatches here).
    void start(std::shared_ptr<transaction> t, wire::buffer requests, const op_options& o, bool capture,
               bool exactly_one, status refused) {
        t->owner = this;
        t->requests = std::move(requests);
        t->capture = capture;
        t->details = o.details;
        t->attempts_left = std::max(1, o.attempts);
        if (!refused.ok()) return fail_now(t, std::move(refused));
        if (t->cancel_requested) {  // cancelled between initiation and start: never sent
            ++stats_.cancellations;
            return fail_now(t, std::error_code(ECANCELED, std::system_category()));
        }
        if (closed_) return fail_now(t, std::make_error_code(std::errc::bad_file_descriptor));
        if (auto ec = t->requests.refused()) return fail_now(t, ec);  // an encoder refused one: none is sent
        if (!index(*t)) return fail_now(t, make_error_code(errc::message_too_large));
        if (exactly_one && t->size() != 1) return fail_now(t, std::make_error_code(std::errc::invalid_argument));
        if (o.cancel) o.cancel->attach(t);
        t->deadline = std::chrono::steady_clock::now() + (o.timeout.count() > 0 ? o.timeout : timeout_);
        if (o.timeout.count() > 0) {
            deadlines_.push_back({t->deadline, t});
            std::push_heap(deadlines_.begin(), deadlines_.end(), later);
        } else {
            default_deadlines_.push_back({t->deadline, t});  // same timeout for all: already in order
        }
        number(t);
        schedule();
    }

    void cancel(transaction& t, bool sent_ok = true) override {
        if (t.finished || t.aborted) return;
        if (t.sent > 0 && !sent_ok) return;
        ++stats_.cancellations;
        abort(t, std::error_code(ECANCELED, std::system_category()));
        schedule();
    }

    /// Cancels every pending operation.
    void cancel_all() {
        for (auto& t : open_transactions()) cancel(*t);
    }

    /// Cancels everything and closes the descriptor; handlers still run (posted).
    void close() {
        if (closed_) return;
        for (auto& t : open_transactions()) {
            ++stats_.cancellations;
            abort(*t, std::error_code(ECANCELED, std::system_category()));
        }
        closed_ = true;
        leave_reactor();
        fd_.reset();
        timer_.cancel();
        // Hand the results over from a fresh turn of the executor (never inline).
        net::post(ex_, [self = this->shared_from_this()] { self->complete_ready(); });
    }

private:
    friend class ::rtnl::asio::cancel_signal;

    struct slot {
        std::shared_ptr<transaction> t;  ///< null for a number burnt at the 32-bit wrap
        std::uint32_t index = 0;         ///< request index inside t
    };
    struct deadline_entry {
        std::chrono::steady_clock::time_point at;
        std::weak_ptr<transaction> t;
    };
    static bool later(const deadline_entry& a, const deadline_entry& b) noexcept { return a.at > b.at; }

    /// wire::exchange's handler: data and completions by table index.
    struct feed_handler {
        engine* e;
        void on_message(std::size_t i, const wire::message_view& m) {
            slot& s = e->slots_[i];
            if (!s.t || !s.t->capture) return;
            const auto b = m.bytes();
            s.t->data.append(b.data(), b.size());
            static constexpr std::byte zero[4]{};
            s.t->data.append(zero, wire::align4(b.size()) - b.size());
        }
        void on_complete(std::size_t i, status st, bool interrupted) {
            slot& s = e->slots_[i];
            if (!s.t) return;
            transaction& t = *s.t;
            const std::size_t r = s.index;
            if (r < t.sent) e->answered(t.reqs[r].kind);
            if (!st.ok() && st.message.empty()) st.hint = capability_hint(st.code, CAP_NET_ADMIN);
            t.results[r] = std::move(st);
            t.interrupted = t.interrupted || interrupted;
            if (--t.open == 0) e->ready_.push_back(s.t);
        }
    };

    // ---- starting -------------------------------------------------------------

    /// Splits the buffer into messages; false when it is empty or malformed.
    static bool index(transaction& t) {
        wire::message_range msgs(t.requests.bytes());
        if (msgs.malformed()) return false;
        for (wire::message_view m : msgs) {
            std::byte* p = t.requests.data() + (m.bytes().data() - t.requests.data());
            std::uint16_t flags = m.flags();
            const auto kind = expect_for(m.type(), flags);
            if ((kind == wire::expect::ack || kind == wire::expect::reply_and_ack) && !(flags & NLM_F_ACK)) {
                flags |= NLM_F_ACK;  // every request must be answered, or it could only time out
                std::memcpy(p + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
            }
            t.reqs.push_back({static_cast<std::uint32_t>(p - t.requests.data()), m.length(), kind});
        }
        t.results.resize(t.size());
        return t.size() > 0;
    }

    /// Gives every request of `t` a sequence number and queues it for sending.
    void number(const std::shared_ptr<transaction>& tp) {
        transaction& t = *tp;
        const std::size_t n = t.size();
        // Never hand out 0 (notifications carry it) and keep one transaction's
        // numbers contiguous: burn the numbers up to and including the wrap.
        if (next_seq_ == 0 || static_cast<std::uint32_t>(next_seq_ + n) < next_seq_) {
            feed_handler h{this};
            do {
                slots_.push_back({});
                ex_table_.abandon(ex_table_.add(wire::expect::ack), status{}, h);
            } while (next_seq_++ != 0);
        }
        t.first_seq = next_seq_;
        for (std::size_t i = 0; i < n; ++i) {
            ex_table_.add(t.reqs[i].kind);
            slots_.push_back({tp, static_cast<std::uint32_t>(i)});
            wire::set_seq(t.requests.data() + t.reqs[i].offset, next_seq_ + static_cast<std::uint32_t>(i));
        }
        next_seq_ += static_cast<std::uint32_t>(n);
        t.sent = 0;
        t.open = n;
        send_queue_.push_back(tp);
    }

    void fail_now(const std::shared_ptr<transaction>& t, std::error_code ec) { fail_now(t, local_status(ec)); }
    void fail_now(const std::shared_ptr<transaction>& t, status why) {
        t->failure = std::move(why);
        t->finished = true;
        t->complete(/*post=*/true);
    }

    std::size_t table_index(std::uint32_t seq) const noexcept { return seq - ex_table_.seq_of(0); }

    // ---- the pump ----------------------------------------------------------------

    /// Runs the pump on a later turn of the executor (once, however often asked).
    void schedule() {
        if (pump_posted_ || in_pump_) return;
        pump_posted_ = true;
        net::post(ex_, [self = this->shared_from_this()] {
            self->pump_posted_ = false;
            self->pump();
        });
    }

    /// Send what the window allows, read what is ready, complete what is done;
    /// repeat while that makes progress (completions often issue new requests).
    void pump() {
        if (closed_) {
            complete_ready();
            return;
        }
        auto keep = this->shared_from_this();  // a handler may drop the last socket handle
        struct pumping {
            bool& flag;
            explicit pumping(bool& f) : flag(f) { flag = true; }
            ~pumping() { flag = false; }
        } guard(in_pump_);
        for (int round = 0; round < 64 && !closed_; ++round) {
            bool progress = send_some();
            progress = drain() || progress;
            progress = complete_ready() || progress;
            if (!progress) break;
        }
        if (closed_) return;
        if (can_send()) schedule_after_pump();
        if (in_flight_ > 0) arm_wait();
        else if (waiting_) {
            boost::system::error_code ignored;
            sock_.cancel(ignored);  // nothing is due: let io_context::run() return
        }
        arm_timer();
    }
    void schedule_after_pump() {
        in_pump_ = false;
        schedule();
        in_pump_ = true;
    }

    bool can_send() const noexcept {
        for (const auto& t : send_queue_) {
            if (t->finished || t->sent == t->size()) continue;
            const auto k = t->reqs[t->sent].kind;
            if (k == wire::expect::dump && dump_running_) return false;
            return in_flight_ == 0 || in_flight_cost_ + answer_cost(k) <= window();
        }
        return false;
    }

    void answered(wire::expect k) noexcept {
        --in_flight_;
        in_flight_cost_ -= answer_cost(k);
        if (k != wire::expect::ack) --in_flight_data_;
        if (k == wire::expect::dump) dump_running_ = false;
    }

    /// One sendmsg with as many queued requests as the window, IOV_MAX and the
    /// send buffer allow. Returns true if it sent anything.
    bool send_some() {
        iov_.clear();
        sending_.clear();
        const std::size_t byte_budget = static_cast<std::size_t>(std::max(sndbuf_ - 64, 4096));
        std::size_t bytes = 0;
        bool stop = false;
        while (!send_queue_.empty() && !stop) {
            transaction& t = *send_queue_.front();
            while (!t.finished && t.sent < t.size()) {
                const std::size_t i = t.sent;
                if (ex_table_.done(table_index(t.first_seq + static_cast<std::uint32_t>(i)))) {
                    ++t.sent;  // cancelled before it went out: never sent
                    continue;
                }
                const auto k = t.reqs[i].kind;
                const std::size_t cost = answer_cost(k);
                const bool room = (in_flight_ == 0 && iov_.empty()) || in_flight_cost_ + cost <= window();
                if (!room || (k == wire::expect::dump && dump_running_) || iov_.size() == IOV_MAX ||
                    (!iov_.empty() && bytes + t.reqs[i].length > byte_budget)) {
                    stop = true;
                    break;
                }
                iov_.push_back({t.requests.data() + t.reqs[i].offset, t.reqs[i].length});
                sending_.push_back({send_queue_.front().get(), i});
                bytes += t.reqs[i].length;
                ++t.sent;
                ++in_flight_;
                in_flight_cost_ += cost;
                if (k != wire::expect::ack) ++in_flight_data_;
                if (k == wire::expect::dump) dump_running_ = true;
            }
            if (!stop) send_queue_.pop_front();
        }
        if (iov_.empty()) return false;

        // Gather the requests into one contiguous block: a memcpy of a few dozen
        // bytes each costs less than the kernel importing and walking one iovec
        // per request.
        const std::size_t count = iov_.size();
        if (count > 1) {
            send_buf_.clear();
            for (const iovec& v : iov_) send_buf_.append(v.iov_base, v.iov_len);
            iov_.assign(1, iovec{send_buf_.data(), send_buf_.size()});
        }
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        msghdr mh{};
        mh.msg_name = &kernel;
        mh.msg_namelen = sizeof kernel;
        mh.msg_iov = iov_.data();
        mh.msg_iovlen = iov_.size();
        ssize_t n;
        do n = io_->sendmsg(fd_.get(), &mh, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            const status s = make_status(::rtnl::detail::last_error());
            feed_handler h{this};
            for (auto& [t, i] : sending_)
                ex_table_.abandon(table_index(t->first_seq + static_cast<std::uint32_t>(i)), s, h);
            return true;
        }
        ++stats_.send_calls;
        stats_.requests += count;
        stats_.max_batch = std::max<std::uint64_t>(stats_.max_batch, count);
        stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_);
        return true;
    }

    /// Reads every datagram that is ready (bounded, to stay fair to other work
    /// on the executor). Returns true if it read anything.
    bool drain() {
        bool any = false;
        for (int calls = 0; calls < 16 && !closed_ && in_flight_ > 0; ++calls) {
            const int got = in_flight_data_ > 0 ? receive_one() : receive_many();
            if (got <= 0) break;
            any = true;
        }
        maybe_compact();
        return any;
    }

    /// Returns datagrams read, 0 when none was ready, -1 after an error was handled.
    int receive_errno(int e) {
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) return 0;
        // ENOBUFS: the kernel dropped answers; those requests may have run, but
        // nobody can say which — report it on every request in flight.
        const status s = make_status(e == ENOBUFS ? make_error_code(errc::replies_lost)
                                                  : std::error_code(e, std::system_category()));
        if (e == ENOBUFS) ++stats_.replies_lost;
        fail_in_flight(s);
        return e == ENOBUFS ? 1 : -1;  // after ENOBUFS the socket reads on
    }

    void fail_in_flight(const status& s) {
        feed_handler h{this};
        for (std::size_t i = 0; i < ex_table_.size(); ++i) {
            const slot& sl = slots_[i];
            if (!ex_table_.done(i) && sl.t && sl.index < sl.t->sent) ex_table_.abandon(i, s, h);
        }
    }

    void feed(std::span<const std::byte> datagram) {
        feed_handler h{this};
        auto r = ex_table_.feed(datagram, h);
        stats_.stale_messages += r.ignored;
        if (r.malformed) {
            // Cannot tell whose answer was cut: fail what this datagram could have answered.
            for (std::size_t i = 0; i < ex_table_.size(); ++i) {
                const slot& sl = slots_[i];
                if (!ex_table_.done(i) && sl.t && sl.index < sl.t->sent && ex_table_.kind(i) != wire::expect::dump)
                    ex_table_.abandon(i, make_status(errc::malformed_reply), h);
            }
        }
    }

    /// ACK-only traffic: up to 128 datagrams per recvmmsg.
    int receive_many() {
        auto& a = receive_area::for_this_thread();
        for (unsigned k = 0; k < receive_area::slots; ++k) {
            a.iov[k] = {a.data + k * receive_area::slot_size, receive_area::slot_size};
            a.msgs[k].msg_hdr = msghdr{};
            a.msgs[k].msg_hdr.msg_name = &a.addr[k];
            a.msgs[k].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
            a.msgs[k].msg_hdr.msg_iov = &a.iov[k];
            a.msgs[k].msg_hdr.msg_iovlen = 1;
        }
        const int got = io_->recvmmsg(fd_.get(), a.msgs, receive_area::slots, MSG_DONTWAIT);
        if (got < 0) return receive_errno(errno);
        if (got == 0) return 0;
        ++stats_.receive_calls;
        for (int k = 0; k < got; ++k) {
            const msghdr& mh = a.msgs[k].msg_hdr;
            if (!::rtnl::detail::from_kernel(mh)) {
                ++stats_.foreign_datagrams;
                continue;
            }
            std::span<const std::byte> d(a.data + static_cast<std::size_t>(k) * receive_area::slot_size,
                                         std::min<std::size_t>(a.msgs[k].msg_len, receive_area::slot_size));
            if (mh.msg_flags & MSG_TRUNC) {
                // Only a late, large answer to a retired request can be this big here;
                // never parse a cut datagram — fail its request if it is still open.
                (void)abandon_cut(d);
                continue;
            }
            feed(d);
        }
        return got;
    }

    /// A cut datagram is never parsed: fails the request its header names
    /// (truncated_reply). False when it is too short to name one.
    bool abandon_cut(std::span<const std::byte> d) {
        if (d.size() < NLMSG_HDRLEN) return false;
        feed_handler h{this};
        ex_table_.abandon(table_index(wire::message_view(d).seq()), make_status(errc::truncated_reply), h);
        return true;
    }

    /// Replies and dumps: peek to size the read, then read exactly one datagram.
    int receive_one() {
        const auto d = ::rtnl::detail::receive_whole(fd_.get(), receive_area::for_this_thread().big, {}, *io_);
        if (d.error) return receive_errno(d.error);
        ++stats_.receive_calls;
        if (!d.from_kernel) {
            ++stats_.foreign_datagrams;
            return 1;
        }
        if (d.truncated) {
            // Only if the datagram changed between peek and read. Never parse it,
            // and never let a dump complete without the part it held: fail the
            // request its header names (every one in flight if it has none).
            if (!abandon_cut(d.bytes)) fail_in_flight(make_status(errc::truncated_reply));
            return 1;
        }
        feed(d.bytes);
        return 1;
    }

    /// Forgets completed sequence numbers at the front (amortised O(1)).
    void maybe_compact() {
        if (ex_table_.size() < compact_at_) return;
        const std::size_t n = ex_table_.drop_completed_prefix();
        slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(n));
        compact_at_ = std::max<std::size_t>(1024, 2 * ex_table_.size());
    }

    /// Hands finished transactions their results (retrying interrupted dumps).
    bool complete_ready() {
        bool any = false;
        while (!ready_.empty()) {
            auto t = std::move(ready_.front());
            ready_.pop_front();
            if (t->finished) continue;
            any = true;
            if (!t->aborted && !closed_ && t->interrupted && t->attempts_left > 1 && all_ok(*t)) {
                --t->attempts_left;
                t->interrupted = false;
                t->data.clear();
                for (auto& r : t->results) r = status{};
                number(t);
                continue;
            }
            t->finished = true;
            t->complete(/*post=*/false);  // may run the handler inline
        }
        return any;
    }
    static bool all_ok(const transaction& t) {
        return std::all_of(t.results.begin(), t.results.end(), [](const status& s) { return s.ok(); });
    }

    void abort(transaction& t, std::error_code ec) {
        t.aborted = true;
        feed_handler h{this};
        for (std::size_t i = 0; i < t.size(); ++i)
            ex_table_.abandon(table_index(t.first_seq + static_cast<std::uint32_t>(i)), local_status(ec), h);
    }

    std::vector<std::shared_ptr<transaction>> open_transactions() const {
        std::vector<std::shared_ptr<transaction>> out;
        for (std::size_t i = 0; i < ex_table_.size(); ++i)
            if (!ex_table_.done(i) && slots_[i].t && (out.empty() || out.back() != slots_[i].t))
                out.push_back(slots_[i].t);
        return out;
    }

    // ---- waiting ------------------------------------------------------------------

    /// Waits for answers that were not ready right after the send (rare with
    /// rtnetlink, which answers inside sendmsg: dumps past their first part,
    /// requests that time out). The descriptor joins the reactor only for such a
    /// wait: while it is registered, every datagram the kernel queues also
    /// wakes the epoll entry, a cost on each ACK of a pipelined burst.
    void arm_wait() {
        if (waiting_) return;
        if (!sock_.is_open()) {
            boost::system::error_code ec;
            sock_.assign(net::generic::raw_protocol(AF_NETLINK, NETLINK_ROUTE), fd_.get(), ec);
            if (ec) {
                fail_in_flight(make_status(std::error_code(ec.value(), std::system_category())));
                schedule();
                return;
            }
        }
        waiting_ = true;
        sock_.async_wait(net::socket_base::wait_read, [self = this->shared_from_this()](const boost::system::error_code&) {
            self->waiting_ = false;
            self->pump();  // also after a cancel: answers may be due again by now
            if (!self->waiting_) self->leave_reactor();
        });
    }

    /// Takes the descriptor out of the reactor (it stays open; we own it).
    void leave_reactor() noexcept {
        if (!sock_.is_open()) return;
        boost::system::error_code ignored;
        sock_.release(ignored);
    }

    static bool settled(const deadline_entry& d) {
        auto t = d.t.lock();
        return !t || t->finished || t->aborted;
    }

    void arm_timer() {
        // Drop deadlines of transactions that are already finished.
        while (!deadlines_.empty() && settled(deadlines_.front())) {
            std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
            deadlines_.pop_back();
        }
        while (!default_deadlines_.empty() && settled(default_deadlines_.front())) default_deadlines_.pop_front();
        if (deadlines_.empty() && default_deadlines_.empty()) {
            if (timer_armed_) {
                timer_armed_ = false;
                ++timer_generation_;
                timer_.cancel();  // nothing is due: let io_context::run() return
            }
            return;
        }
        auto next = std::chrono::steady_clock::time_point::max();
        if (!deadlines_.empty()) next = deadlines_.front().at;
        if (!default_deadlines_.empty()) next = std::min(next, default_deadlines_.front().at);
        if (timer_armed_ && timer_at_ <= next) return;
        timer_armed_ = true;
        timer_at_ = next;
        const auto gen = ++timer_generation_;
        timer_.expires_at(next);
        timer_.async_wait([self = this->shared_from_this(), gen](const boost::system::error_code&) {
            if (gen != self->timer_generation_ || self->closed_) return;
            self->timer_armed_ = false;
            self->expire();
        });
    }

    void expire() {
        const auto now = std::chrono::steady_clock::now();
        auto time_out = [this](const deadline_entry& d) {
            if (auto t = d.t.lock(); t && !t->finished && !t->aborted) {
                ++stats_.timeouts;
                abort(*t, std::error_code(ETIMEDOUT, std::system_category()));
            }
        };
        while (!deadlines_.empty() && deadlines_.front().at <= now) {
            auto d = deadlines_.front();
            std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
            deadlines_.pop_back();
            time_out(d);
        }
        while (!default_deadlines_.empty() && default_deadlines_.front().at <= now) {
            time_out(default_deadlines_.front());
            default_deadlines_.pop_front();
        }
        pump();
    }

    void close_now() noexcept {
        closed_ = true;
        leave_reactor();
        fd_.reset();
    }

    executor_type ex_;
    unique_fd fd_;                              ///< the netlink socket (non-blocking)
    net::basic_raw_socket<net::generic::raw_protocol, Executor> sock_;  ///< fd_ registered with the reactor, only while waiting
    net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, Executor> timer_;
    std::uint32_t port_id_ = 0;
    int rcvbuf_ = 0;
    int sndbuf_ = 0;
    std::chrono::milliseconds timeout_;
    descriptor_io* io_;  ///< the traffic's system calls (descriptor_io.hpp): the kernel, or a test's fake

    wire::exchange ex_table_;
    std::vector<slot> slots_;  ///< parallel to ex_table_ entries
    std::uint32_t next_seq_ = 1;
    std::size_t compact_at_ = 1024;

    fifo<std::shared_ptr<transaction>> send_queue_;
    fifo<std::shared_ptr<transaction>> ready_;
    std::vector<deadline_entry> deadlines_;           ///< per-operation timeouts: min-heap by deadline
    fifo<deadline_entry> default_deadlines_;    ///< the socket's timeout: in deadline order
    std::vector<iovec> iov_;
    wire::buffer send_buf_;  // the requests of one sendmsg, gathered
    std::vector<std::pair<transaction*, std::size_t>> sending_;

    std::size_t in_flight_ = 0;       ///< requests sent and not answered
    std::size_t in_flight_cost_ = 0;  ///< receive-buffer bytes their answers may take
    std::size_t in_flight_data_ = 0;  ///< of those, answers with data (replies, dumps)
    bool dump_running_ = false;
    bool pump_posted_ = false;
    bool in_pump_ = false;
    bool waiting_ = false;
    bool timer_armed_ = false;
    std::chrono::steady_clock::time_point timer_at_{};
    std::uint64_t timer_generation_ = 0;
    bool closed_ = false;
    socket_stats stats_;
};

#if RTNL_ASIO_HAS_CANCELLATION_SLOT
template <class Handler, class Finisher, class IoExecutor>
void completion<Handler, Finisher, IoExecutor>::bind_cancellation(const std::shared_ptr<transaction>& t) {
    auto slot = net::get_associated_cancellation_slot(handler_);
    if (!slot.is_connected()) return;
    slot.clear();
    auto on_cancel = [w = std::weak_ptr<transaction>(t)](net::cancellation_type type) {
        auto p = w.lock();
        if (!p) return;
        if (!p->owner) {  // not started yet (initiation dispatched it): it never will be sent
            p->cancel_requested = true;
            return;
        }
        // A request already sent may have run: that is partial (or terminal) cancellation.
        p->owner->cancel(*p, (type & (net::cancellation_type::terminal | net::cancellation_type::partial)) !=
                                 net::cancellation_type::none);
    };
    slot.template emplace<decltype(on_cancel)>(std::move(on_cancel));  // stored in the slot: no std::function
}
#endif

}  // namespace detail

inline void cancel_signal::emit() {
    auto ops = std::move(ops_);
    ops_.clear();
    for (auto& w : ops)
        if (auto t = w.lock(); t && t->owner) t->owner->cancel(*t);
}

/// An asynchronous NETLINK_ROUTE socket (see the file comment). A template on
/// its executor, as Asio's own I/O objects are; `socket` is the usual one.
template <class Executor = net::any_io_executor>
class basic_socket {
public:
    using executor_type = Executor;

    /// A socket that is not open (move another into it).
    basic_socket() = default;

    /// Opens a socket in the calling thread's network namespace.
    explicit basic_socket(const executor_type& ex, const socket_options& o = {})
        : basic_socket(ex, ::rtnl::detail::open_netlink(config(o)), o) {}
    template <class ExecutionContext>
        requires std::is_convertible_v<ExecutionContext&, net::execution_context&>
    explicit basic_socket(ExecutionContext& ctx, const socket_options& o = {}) : basic_socket(ctx.get_executor(), o) {}

    /// Opens a socket inside the namespace behind `ns_fd`: the descriptor is made
    /// on a short-lived helper thread (rtnl::netns::run_in), so neither the caller
    /// nor any io_context thread ever changes namespace. The socket stays bound
    /// to that namespace for its whole life.
    static basic_socket in_namespace(const executor_type& ex, int ns_fd, const socket_options& o = {}) {
        auto fd = netns::run_in(ns_fd, [&] { return ::rtnl::detail::open_netlink(config(o)); });
        return basic_socket(ex, std::move(fd), o);
    }
    /// Opens a socket inside a named namespace (`ip netns` names, /run/netns).
    static basic_socket in_namespace(const executor_type& ex, std::string_view name, const socket_options& o = {},
                               const netns::registry& reg = netns::default_registry()) {
        unique_fd ns = reg.open(name);
        return in_namespace(ex, ns.get(), o);
    }

    /// Adopts a NETLINK_ROUTE descriptor opened elsewhere (configured and bound
    /// here; it keeps the namespace it was opened in). Its traffic goes through
    /// `io` (rtnl/descriptor_io.hpp), the seam tests inject faults at, as
    /// rtnl::socket's; `io` must outlive the socket.
    basic_socket(const executor_type& ex, unique_fd fd, const socket_options& o,
                 descriptor_io& io = descriptor_io::system())
        : impl_(std::make_shared<detail::engine<Executor>>(
              ex, ::rtnl::detail::adopt_netlink(std::move(fd), config(o)), o, io)) {}

    basic_socket(basic_socket&&) noexcept = default;
    basic_socket& operator=(basic_socket&& o) noexcept {
        if (this != &o) {
            close();
            impl_ = std::move(o.impl_);
        }
        return *this;
    }
    basic_socket(const basic_socket&) = delete;
    basic_socket& operator=(const basic_socket&) = delete;
    /// Closes the socket; pending operations complete with ECANCELED.
    ~basic_socket() { close(); }

    executor_type get_executor() const noexcept { return impl_ ? impl_->executor() : executor_type{}; }
    bool is_open() const noexcept { return impl_ && impl_->is_open(); }
    int native_handle() const noexcept { return impl_ ? impl_->native_handle() : -1; }
    std::uint32_t port_id() const noexcept { return impl_ ? impl_->port_id() : 0; }
    /// The receive buffer the kernel granted (SO_RCVBUF).
    int receive_buffer() const noexcept { return impl_ ? impl_->receive_buffer() : 0; }
    /// Bytes of answers allowed in flight (follows the receive buffer).
    std::size_t window() const noexcept { return impl_ ? impl_->window() : 0; }
    /// The sequence number the next request will carry.
    std::uint32_t next_sequence() const noexcept { return impl_ ? impl_->next_sequence() : 0; }
    const socket_stats& stats() const noexcept {
        static const socket_stats none;
        return impl_ ? impl_->stats() : none;
    }

    /// Cancels every pending operation (they complete with ECANCELED statuses).
    void cancel() {
        if (impl_) impl_->cancel_all();
    }
    /// Cancels everything and closes the descriptor.
    void close() {
        if (impl_) impl_->close();
        impl_.reset();
    }

    // ---- operations ---------------------------------------------------------------

    /// One request (one message in `request`); completes with its reply.
    template <class Token>
    auto async_request(wire::buffer request, Token&& token) {
        return async_transact(std::move(request), op_options{}, detail::reply_finisher{}, std::forward<Token>(token),
                              true);
    }
    template <class Token>
    auto async_request(wire::buffer request, const op_options& o, Token&& token) {
        return async_transact(std::move(request), o, detail::reply_finisher{}, std::forward<Token>(token), true);
    }

    /// One dump; completes with every part of it (and the interrupted flag).
    template <class Token>
    auto async_dump(wire::buffer request, Token&& token) {
        return async_transact(std::move(request), op_options{}, detail::reply_finisher{}, std::forward<Token>(token),
                              true);
    }
    template <class Token>
    auto async_dump(wire::buffer request, const op_options& o, Token&& token) {
        return async_transact(std::move(request), o, detail::reply_finisher{}, std::forward<Token>(token), true);
    }

    /// Any number of requests; completes with one status per request, in order.
    template <class Token>
    auto async_batch(wire::buffer requests, Token&& token) {
        return async_transact(std::move(requests), op_options{}, detail::batch_finisher{}, std::forward<Token>(token),
                              false);
    }
    template <class Token>
    auto async_batch(wire::buffer requests, const op_options& o, Token&& token) {
        return async_transact(std::move(requests), o, detail::batch_finisher{}, std::forward<Token>(token), false);
    }

    /// The general form behind every operation: `finisher` turns the finished
    /// transaction into the handler's arguments (see rtnl/asio/ops.hpp). A
    /// `refused` status that is not ok() completes the operation with it, nothing sent.
    template <class Finisher, class Token>
    auto async_transact(wire::buffer requests, const op_options& o, Finisher finisher, Token&& token,
                        bool exactly_one = false, status refused = {}) {
        return net::async_initiate<Token, typename Finisher::signature>(
            // Captures the engine, not `this`: use_awaitable and deferred run the
            // initiation only when the operation is started.
            [impl = impl_](auto handler, wire::buffer reqs, op_options opts, Finisher f, bool one, status why) {
                using H = std::decay_t<decltype(handler)>;
                if (!impl) {
                    // Not open: complete through the handler's own executor.
                    auto t = std::make_shared<detail::completion<H, Finisher, net::system_executor>>(
                        std::move(handler), std::move(f), net::system_executor{});
                    t->failure = why.ok() ? local_status(std::make_error_code(std::errc::bad_file_descriptor))
                                          : std::move(why);
                    t->details = opts.details;
                    t->finished = true;
                    t->complete(/*post=*/true);
                    return;
                }
                std::shared_ptr<detail::transaction> t =
                    std::make_shared<detail::completion<H, Finisher, executor_type>>(std::move(handler), std::move(f),
                                                                                    impl->executor());
                t->bind_cancellation(t);  // connected during initiation, as Asio documents
                net::dispatch(impl->executor(), [e = impl, t = std::move(t), reqs = std::move(reqs), opts, one,
                                                 why = std::move(why)]() mutable {
                    e->start(std::move(t), std::move(reqs), opts, Finisher::capture, one, std::move(why));
                });
            },
            token, std::move(requests), o, std::move(finisher), exactly_one, std::move(refused));
    }

private:
    basic_socket(const executor_type& ex, ::rtnl::detail::netlink_fd fd, const socket_options& o)
        : impl_(std::make_shared<detail::engine<Executor>>(ex, std::move(fd), o, descriptor_io::system())) {}
    static ::rtnl::detail::netlink_fd_config config(const socket_options& o) {
        return {.receive_buffer = o.receive_buffer, .send_buffer = o.send_buffer, .requests = true};
    }

    std::shared_ptr<detail::engine<Executor>> impl_;
};

using socket = basic_socket<>;

}  // namespace rtnl::asio
