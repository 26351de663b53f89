// rtnl/wire/exchange.hpp — matching replies to requests (the ACK/dump state machine).
//
// A batch of requests gets consecutive sequence numbers. The kernel answers each
// with, depending on the request:
//   ack            — one NLMSG_ERROR (error 0 is the ACK); data is not expected;
//   reply          — one data message (a GET without NLM_F_ACK), or an NLMSG_ERROR;
//   reply_and_ack  — data message(s), then the NLMSG_ERROR ACK (NLM_F_ACK with a GET
//                    or NLM_F_ECHO);
//   dump           — multipart data across many datagrams, ended by NLMSG_DONE (which
//                    may carry an errno and extack) or cut short by an NLMSG_ERROR.
// `exchange` is pure bookkeeping over bytes — no syscalls — so the blocking socket
// and the Asio socket share it and it can be fuzzed on its own. Messages with a
// sequence number outside the batch, or for a request already complete, are
// counted as ignored (a late answer to an abandoned request never completes
// another one). Every request completes exactly once.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/wire/ack.hpp"
#include "rtnl/wire/reader.hpp"

namespace rtnl::wire {

/// What a request's answer looks like.
enum class expect : std::uint8_t { ack, reply, reply_and_ack, dump };

/// Turns a decoded ACK into a status (copying the extack text out of the datagram).
inline status to_status(const ack_view& a) {
    status s;
    if (a.error) s.code = errno_code(a.error);
    s.message.assign(a.message);
    s.offset = a.offset;
    s.missing_type = a.missing_type;
    return s;
}

/// What one call to feed() saw.
struct feed_result {
    std::size_t delivered = 0;   ///< data messages handed to on_message
    std::size_t completed = 0;   ///< requests completed by this datagram
    std::size_t ignored = 0;     ///< messages for no pending request (stale, duplicate, noise)
    bool malformed = false;      ///< the datagram did not split into whole messages
};

class exchange {
public:
    /// Forget everything; the next request added gets sequence number `first_seq`.
    void reset(std::uint32_t first_seq) {
        first_seq_ = first_seq;
        entries_.clear();
        open_ = 0;
    }

    /// Registers the next request; returns its index (its seq is first_seq + index).
    std::size_t add(expect kind) {
        entries_.push_back(entry{kind});
        ++open_;
        return entries_.size() - 1;
    }

    std::uint32_t seq_of(std::size_t index) const noexcept { return first_seq_ + static_cast<std::uint32_t>(index); }
    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t open() const noexcept { return open_; }
    bool done(std::size_t index) const noexcept { return entries_[index].done; }
    bool interrupted(std::size_t index) const noexcept { return entries_[index].interrupted; }
    expect kind(std::size_t index) const noexcept { return entries_[index].kind; }

    /// Completes a request from outside (timeout, send failure, cancellation).
    /// Returns false if it had already completed.
    template <class Handler>
    bool abandon(std::size_t index, status s, Handler& h) {
        if (index >= entries_.size() || entries_[index].done) return false;
        finish(index, std::move(s), h);
        return true;
    }

    /// Forgets the completed requests at the front of the table, so a long-lived
    /// socket (rtnl::asio) can keep numbering forward without the table growing.
    /// Sequence numbers do not change; indices shift down by the count returned
    /// (the first kept request becomes index 0, seq_of(0) its number).
    std::size_t drop_completed_prefix() {
        std::size_t n = 0;
        while (n < entries_.size() && entries_[n].done) ++n;
        if (n == 0) return 0;
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
        first_seq_ += static_cast<std::uint32_t>(n);
        return n;
    }

    /// Processes one datagram received from the kernel. The handler provides
    ///   void on_message(std::size_t index, const message_view& m);        // reply/dump data
    ///   void on_complete(std::size_t index, status s, bool interrupted);  // exactly once per request
    template <class Handler>
    feed_result feed(std::span<const std::byte> datagram, Handler& h) {
        feed_result r;
        message_range msgs(datagram);
        for (message_view m : msgs) {
            const std::uint32_t index32 = m.seq() - first_seq_;  // wraps: unsigned arithmetic is intended
            if (index32 >= entries_.size() || entries_[index32].done) {
                ++r.ignored;
                continue;
            }
            const std::size_t i = index32;
            entry& e = entries_[i];
            switch (m.type()) {
                case NLMSG_NOOP: break;
                case NLMSG_ERROR: {
                    auto a = parse_error(m);
                    finish(i, a ? to_status(*a) : make_status(errc::malformed_reply), h);
                    ++r.completed;
                    break;
                }
                case NLMSG_DONE: {
                    if (e.kind != expect::dump) {
                        finish(i, make_status(errc::unexpected_reply), h);
                    } else {
                        if (m.flags() & NLM_F_DUMP_INTR) e.interrupted = true;
                        auto a = parse_done(m);
                        finish(i, a ? to_status(*a) : make_status(errc::malformed_reply), h);
                    }
                    ++r.completed;
                    break;
                }
                case NLMSG_OVERRUN:
                    finish(i, make_status(errc::replies_lost), h);
                    ++r.completed;
                    break;
                default:
                    if (m.type() < NLMSG_MIN_TYPE || e.kind == expect::ack) {
                        ++r.ignored;  // not an answer this request can have (e.g. a stray echo)
                        break;
                    }
                    if (m.flags() & NLM_F_DUMP_INTR) e.interrupted = true;
                    h.on_message(i, m);
                    ++r.delivered;
                    if (e.kind == expect::reply && !(m.flags() & NLM_F_MULTI)) {
                        finish(i, status{}, h);  // the reply is the answer
                        ++r.completed;
                    }
                    break;
            }
        }
        r.malformed = msgs.malformed();
        return r;
    }

private:
    struct entry {
        expect kind;
        bool done = false;
        bool interrupted = false;
    };

    template <class Handler>
    void finish(std::size_t i, status s, Handler& h) {
        entries_[i].done = true;
        --open_;
        h.on_complete(i, std::move(s), entries_[i].interrupted);
    }

    std::uint32_t first_seq_ = 1;
    std::vector<entry> entries_;
    std::size_t open_ = 0;
};

}  // namespace rtnl::wire
