// rtnl/nft/socket.hpp — a NETLINK_NETFILTER socket that commits nf_tables batches.
//
//     nft::socket nf;                        // keep it: closing after a delete blocks ~10 ms
//     nft::batch b;  …                       // see batch.hpp
//     nf.apply(b);                           // throws rtnl::error worded like nft
//     auto r = nf.commit(b);                 // or: inspect the outcome
//
// Commit semantics (nftables.md §2.3): a batch is all or nothing. Any NLMSG_ERROR
// with error ≠ 0 means the kernel aborted the whole batch — even when the other
// messages were ACKed with 0. A stale NFNL_BATCH_GENID is answered by one
// -ERESTART carrying BATCH_BEGIN's sequence number, and nothing is applied.
// The kernel runs the whole batch inside sendmsg and queues every answer before
// sendmsg returns, so by default (nft's way) no ACKs are requested and a
// non-blocking drain afterwards is conclusive: nothing to read is success. With
// `ack_each` every message is ACKed and the socket waits for all of them (what
// the tests use to show the abort semantics). Error replies are mapped back to
// the message (by sequence number) and to the attribute (by extack offset) of
// our own request, and worded as nft words them:
//     Error: Could not process rule: No such file or directory
//     add rule ip rtnl nosuchchain: NFTA_RULE_CHAIN
//
// Dumps (`list`, `elements`) read the generation before and after and retry
// when it moved or the kernel flagged NLM_F_DUMP_INTR.
#pragma once

#include <linux/capability.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/detail/netlink_fd.hpp"
#include "rtnl/error.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"
#include "rtnl/nft/batch.hpp"
#include "rtnl/nft/decode.hpp"
#include "rtnl/nft/schema.hpp"
#include "rtnl/socket.hpp"
#include "rtnl/wire/ack.hpp"
#include "rtnl/wire/reader.hpp"

namespace rtnl::nft {

struct commit_options {
    bool ack_each = false;  ///< NLM_F_ACK on every message and wait for all answers
};

/// The outcome of one batch.
struct commit_result {
    status error;                        ///< the first failure (code, kernel text, extack offset); ok() on success
    std::optional<std::size_t> failed{};   ///< entry index of that failure; nullopt for a batch-level failure
    std::string attribute{};               ///< the attribute the extack offset points at ("NFTA_RULE_CHAIN")
    std::string text{};                    ///< what a person reads (nft's wording)
    std::size_t errors = 0;              ///< replies with error ≠ 0
    std::size_t acks = 0;                ///< replies with error 0 (ACKs; not a sign of success on their own)
    std::vector<std::uint64_t> handles{};  ///< per entry, with batch::echo(true): the new object's handle, else 0
    std::optional<std::uint32_t> generation{};  ///< the generation the commit made (echo only)

    bool ok() const noexcept { return error.ok(); }
    explicit operator bool() const noexcept { return ok(); }
    /// The batch carried a generation id that was no longer current: nothing applied, dump and retry.
    bool stale_generation() const noexcept { return error.code.value() == ERESTART && !failed; }
};

namespace detail {
/// nf_tables attribute names for the top level of each message kind (extack paths).
inline std::string_view top_attr_name(object what, std::uint16_t type) noexcept {
    static constexpr std::string_view table_names[] = {"", "NFTA_TABLE_NAME", "NFTA_TABLE_FLAGS", "NFTA_TABLE_USE",
                                                       "NFTA_TABLE_HANDLE", "NFTA_TABLE_PAD", "NFTA_TABLE_USERDATA"};
    static constexpr std::string_view chain_names[] = {"", "NFTA_CHAIN_TABLE", "NFTA_CHAIN_HANDLE", "NFTA_CHAIN_NAME",
                                                       "NFTA_CHAIN_HOOK", "NFTA_CHAIN_POLICY", "NFTA_CHAIN_USE",
                                                       "NFTA_CHAIN_TYPE", "NFTA_CHAIN_COUNTERS"};
    static constexpr std::string_view rule_names[] = {"", "NFTA_RULE_TABLE", "NFTA_RULE_CHAIN", "NFTA_RULE_HANDLE",
                                                      "NFTA_RULE_EXPRESSIONS", "NFTA_RULE_COMPAT", "NFTA_RULE_POSITION",
                                                      "NFTA_RULE_USERDATA"};
    static constexpr std::string_view set_names[] = {"", "NFTA_SET_TABLE", "NFTA_SET_NAME", "NFTA_SET_FLAGS",
                                                     "NFTA_SET_KEY_TYPE", "NFTA_SET_KEY_LEN", "NFTA_SET_DATA_TYPE",
                                                     "NFTA_SET_DATA_LEN", "NFTA_SET_POLICY", "NFTA_SET_DESC",
                                                     "NFTA_SET_ID"};
    static constexpr std::string_view elem_names[] = {"", "NFTA_SET_ELEM_LIST_TABLE", "NFTA_SET_ELEM_LIST_SET",
                                                      "NFTA_SET_ELEM_LIST_ELEMENTS"};
    auto pick = [&](auto& names) -> std::string_view { return type < std::size(names) ? names[type] : std::string_view(); };
    switch (what) {
        case object::table: return pick(table_names);
        case object::chain: return pick(chain_names);
        case object::rule: return pick(rule_names);
        case object::set: return pick(set_names);
        case object::element: return pick(elem_names);
    }
    return {};
}

/// Walks our own request to the attribute starting at `offset` (from the
/// nlmsghdr) and names the path: "NFTA_RULE_EXPRESSIONS › expression 2 (cmp) › attribute 3".
inline std::string attribute_path(std::span<const std::byte> msg, object what, std::uint32_t offset) {
    if (offset < NLMSG_HDRLEN + sizeof(nfgenmsg) || offset >= msg.size()) return {};
    std::string path{};
    wire::attr_range level(msg.subspan(NLMSG_HDRLEN + sizeof(nfgenmsg)));
    for (int depth = 0; depth < 8; ++depth) {
        wire::attr_view hit;
        std::size_t index = 0, i = 0;
        for (wire::attr_view a : level) {
            const auto start = static_cast<std::size_t>(a.data() - msg.data());
            if (offset >= start && offset < start + a.length()) {
                hit = a;
                index = i;
                break;
            }
            ++i;
        }
        if (!hit) break;
        if (!path.empty()) path += " › ";
        std::string_view name = depth == 0 ? top_attr_name(what, hit.type()) : std::string_view();
        if (!name.empty()) {
            path += name;
        } else if (hit.type() == NFTA_LIST_ELEM && depth == 1) {
            path += "expression " + std::to_string(index + 1);
            if (auto n = get_str(hit.nested().find(NFTA_EXPR_NAME))) path += " (" + std::string(*n) + ")";
        } else {
            path += "attribute " + std::to_string(hit.type());
        }
        const auto start = static_cast<std::size_t>(hit.data() - msg.data());
        if (start == offset || !(hit.raw_type() & NLA_F_NESTED)) break;
        level = hit.nested();
    }
    return path;
}

/// Folds one answer to a committed batch into `r`: ACKs and errors (mapped to
/// the entry and attribute they name), echoed objects' handles, the new
/// generation. `base` is the sequence number BEGIN was sent with. Pure over
/// bytes, so it is fuzzed on its own (tests/fuzz/fuzz_nft.cpp).
inline void absorb(const batch& b, std::uint32_t base, const wire::message_view& m, commit_result& r, bool& batch_level) {
    const std::uint32_t local = m.seq() - base;  // wraps for foreign numbers: then out of range
    if (r.handles.size() < b.size()) r.handles.resize(b.size(), 0);
    if (m.type() == NLMSG_ERROR) {
        auto a = wire::parse_error(m);
        status s = a ? wire::to_status(*a) : make_status(errc::malformed_reply);
        if (s.ok()) {
            ++r.acks;
            return;
        }
        ++r.errors;
        if (!r.error.ok()) return;  // keep the first failure
        r.error = std::move(s);
        if (local == 0 || local > b.size()) {
            batch_level = true;  // ERESTART (stale generation), ENOMEM …: the whole batch
            return;
        }
        r.failed = local - 1;
        const entry& e = b.entries()[*r.failed];
        const auto bytes = b.bytes();
        const std::size_t end = *r.failed + 1 < b.size() ? b.entries()[*r.failed + 1].offset : bytes.size();
        if (e.offset <= end && end <= bytes.size())
            r.attribute = attribute_path(bytes.subspan(e.offset, end - e.offset), e.what, r.error.offset);
        return;
    }
    if (auto g = parse_generation(m)) {
        r.generation = *g;
        return;
    }
    if (local >= 1 && local <= b.size())
        if (auto h = parse_handle(m)) r.handles[local - 1] = h;
}

inline std::string nft_wording(const status& s) {
    std::string out = "Error: ";
    if (!s.message.empty()) return out + s.message;
    return out + "Could not process rule: " + s.code.message();
}
}  // namespace detail

class socket {
public:
    /// Opens a NETLINK_NETFILTER socket in the calling thread's network namespace.
    explicit socket(const socket_options& opts = {}) {
        if (auto ec = open(opts)) {
            status s = make_status(ec);
            s.hint = capability_hint(ec, CAP_NET_ADMIN);
            throw error(s, "Cannot open netfilter netlink socket: " + ec.message());
        }
    }
    socket(const socket_options& opts, std::error_code& ec) noexcept { ec = open(opts); }
    /// Opens the socket inside the namespace behind `ns_fd` (the calling thread stays put).
    static socket in_namespace(int ns_fd, const socket_options& opts = {}) {
        return netns::run_in(ns_fd, [&] { return socket(opts); });
    }
    socket(socket&&) noexcept = default;
    socket& operator=(socket&&) noexcept = default;

    int native_handle() const noexcept { return fd_.get(); }

    // ---- transactions ----------------------------------------------------------

    /// Sends the batch (finishing it) and reports what the kernel did. Never throws
    /// for kernel errors; a refused batch (bad name) is not sent at all.
    commit_result commit(batch& b, const commit_options& o = {}) {
        commit_result r;
        r.handles.assign(b.size(), 0);
        if (!b.ok()) {
            r.error = make_status(b.problem().empty() ? std::error_code(errc::message_too_large)
                                                      : std::make_error_code(std::errc::invalid_argument));
            r.text = "Error: " + (b.problem().empty() ? r.error.code.message() : b.problem());
            return r;
        }
        if (b.empty()) return r;
        wire::buffer& buf = b.finish();
        if (::getpid() != owner_pid_) return fail(r, errc::used_after_fork);

        // Renumber in place: BEGIN, the entries, END get consecutive numbers.
        const std::uint32_t base = take_seqs(static_cast<std::uint32_t>(b.size() + 2));
        std::size_t off = 0, i = 0;
        for (wire::message_view m : wire::message_range(buf.bytes())) {
            std::byte* p = buf.data() + off;
            wire::set_seq(p, base + static_cast<std::uint32_t>(i));
            if (o.ack_each && i >= 1 && i <= b.size()) {
                const auto flags = static_cast<std::uint16_t>(m.flags() | NLM_F_ACK);
                std::memcpy(p + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
            }
            off += wire::align4(m.length());
            ++i;
        }
        if (auto ec = ensure_send_buffer(buf.size())) return fail(r, ec);
        if (auto ec = send(buf.bytes())) return fail(r, ec);

        // Answers: all queued during sendmsg. With ack_each, wait for every one.
        const std::size_t expected = o.ack_each ? b.size() : 0;
        bool batch_level = false;
        auto on_message = [&](const wire::message_view& m) { detail::absorb(b, base, m, r, batch_level); };
        if (auto ec = read_answers(on_message, [&] { return batch_level || r.acks + r.errors >= expected; }, expected > 0))
            if (r.error.ok()) return fail(r, ec);

        if (!r.error.ok()) {
            if (r.error.message.empty()) r.error.hint = capability_hint(r.error.code, CAP_NET_ADMIN);
            if (batch_level && r.error.code.value() == ERESTART)
                r.text = "Error: the ruleset changed since it was read (generation id is stale); nothing was applied";
            else
                r.text = detail::nft_wording(r.error);
            if (!r.error.hint.empty()) r.text += " (" + r.error.hint + ")";
            if (r.failed) {
                r.text += "\n" + describe(b.entries()[*r.failed]);
                if (!r.attribute.empty()) r.text += ": " + r.attribute;
            }
        }
        return r;
    }

    /// commit(), throwing rtnl::error with the nft-worded text on failure.
    commit_result apply(batch& b, const commit_options& o = {}) {
        auto r = commit(b, o);
        if (!r.ok()) throw error(r.error, r.text);
        return r;
    }

    // ---- reading -------------------------------------------------------------

    /// The current ruleset generation (NFT_MSG_GETGEN).
    std::uint32_t generation() {
        std::error_code ec;
        auto g = generation(ec);
        if (ec) throw error(make_status(ec), "Cannot read the nf_tables generation: " + ec.message());
        return g;
    }
    std::uint32_t generation(std::error_code& ec) {
        std::optional<std::uint32_t> g;
        ec = request(NFT_MSG_GETGEN, NLM_F_REQUEST, family::unspec, {}, 0, [&](const wire::message_view& m) {
            if (auto v = parse_generation(m)) g = *v;
        });
        if (!ec && !g) ec = errc::unexpected_reply;
        return g.value_or(0);
    }

    /// A consistent snapshot of tables, chains, sets and rules — of one family
    /// and table if given. Retries while the generation moves under the dump.
    ruleset list(family f = family::unspec, std::string_view table = {}) {
        std::error_code ec;
        auto rs = list(f, table, ec);
        if (ec) throw error(make_status(ec), "Cannot list the ruleset: " + ec.message());
        return rs;
    }
    ruleset list(family f, std::string_view table, std::error_code& ec) {
        ruleset rs;
        ec = consistent([&] {
            rs = {};
            for (std::uint16_t msg : {NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETSET, NFT_MSG_GETRULE}) {
                // Only rule and set dumps filter by table in the kernel; the rest is filtered below.
                const bool filter = !table.empty() && (msg == NFT_MSG_GETRULE || msg == NFT_MSG_GETSET);
                auto e = request(msg, NLM_F_REQUEST | NLM_F_DUMP, f, table, filter ? 1 : 0,
                                 [&](const wire::message_view& m) { collect(m, rs); });
                if (e == std::errc::no_such_file_or_directory && filter) continue;  // no such table: nothing in it
                if (e) return e;
            }
            if (!table.empty()) {
                std::erase_if(rs.tables, [&](const table_info& t) { return t.name != table; });
                std::erase_if(rs.chains, [&](const chain_info& c) { return c.table != table; });
                std::erase_if(rs.sets, [&](const set_info& s) { return s.table != table; });
                std::erase_if(rs.rules, [&](const rule_info& r) { return r.table != table; });
            }
            return std::error_code{};
        }, rs.generation);
        return rs;
    }

    /// The elements of a set.
    std::vector<data> elements(family f, std::string_view table, std::string_view set) {
        std::vector<data> out;
        std::uint32_t gen = 0;
        auto ec = consistent([&] {
            out.clear();
            return request_elements(f, table, set, out);
        }, gen);
        if (ec) throw error(make_status(ec), "Cannot list set " + std::string(set) + ": " + ec.message());
        return out;
    }

    /// Looks one table up (nullopt: none by that name in that family).
    std::optional<table_info> find_table(family f, std::string_view name) {
        std::optional<table_info> t;
        auto ec = request(NFT_MSG_GETTABLE, NLM_F_REQUEST, f, name, NFTA_TABLE_NAME,
                          [&](const wire::message_view& m) { t = parse_table(m); });
        if (ec == std::errc::no_such_file_or_directory) return std::nullopt;
        if (ec) throw error(make_status(ec), "Cannot read table " + std::string(name) + ": " + ec.message());
        return t;
    }

private:
    std::error_code open(const socket_options& opts) noexcept {
        unique_fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
        if (!fd) return rtnl::detail::last_error();
        std::error_code ec;
        // Echo and ACK storms of big batches need room: 4 MiB unless told otherwise.
        auto nl = rtnl::detail::configure_netlink(std::move(fd),
                                                  {.receive_buffer = opts.receive_buffer ? opts.receive_buffer : 4 << 20,
                                                   .send_buffer = opts.send_buffer,
                                                   .nonblocking = false},
                                                  ec);
        if (ec) return ec;
        fd_ = std::move(nl.fd);
        sndbuf_ = nl.send_buffer;
        timeout_ = opts.timeout;
        owner_pid_ = ::getpid();
        return {};
    }

    commit_result& fail(commit_result& r, std::error_code ec) {
        r.error = make_status(ec);
        r.text = "Error: " + ec.message();
        return r;
    }

    std::uint32_t take_seqs(std::uint32_t n) noexcept {
        if (seq_ == 0 || seq_ + n < seq_) seq_ = 1;
        const std::uint32_t base = seq_;
        seq_ += n;
        return base;
    }

    /// A batch must fit the send buffer in one sendmsg (else EMSGSIZE): grow it,
    /// forcing past wmem_max as nft does (SO_SNDBUFFORCE needs CAP_NET_ADMIN).
    std::error_code ensure_send_buffer(std::size_t bytes) noexcept {
        if (bytes + 4096 <= static_cast<std::size_t>(sndbuf_ / 2) ) return {};
        int want = static_cast<int>(std::min<std::size_t>(bytes * 2 + 65536, 1u << 30));
        if (::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0)
            ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
        socklen_t len = sizeof sndbuf_;
        ::getsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf_, &len);
        return {};
    }

    std::error_code send(std::span<const std::byte> bytes) noexcept {
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        iovec iov{const_cast<std::byte*>(bytes.data()), bytes.size()};
        msghdr mh{};
        mh.msg_name = &kernel;
        mh.msg_namelen = sizeof kernel;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        for (;;) {
            const ssize_t n = ::sendmsg(fd_.get(), &mh, 0);
            if (n >= 0) return {};
            if (errno != EINTR) return rtnl::detail::last_error();
        }
    }

    /// Reads datagrams from the kernel into `on_message` until `done()`; when
    /// `wait` is false, only what is already queued (then done() is not needed).
    template <class OnMessage, class Done>
    std::error_code read_answers(OnMessage&& on_message, Done&& done, bool wait) {
        const auto deadline = std::chrono::steady_clock::now() + timeout_;
        bool lost = false;
        for (;;) {
            if (wait && done()) break;
            auto d = rtnl::detail::receive_whole(fd_.get(), rx_);
            if (d.error == EINTR) continue;
            if (d.error == ENOBUFS) {
                lost = true;
                continue;
            }
            if (d.error == EAGAIN || d.error == EWOULDBLOCK) {
                if (!wait) break;
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0) return std::make_error_code(std::errc::timed_out);
                pollfd p{fd_.get(), POLLIN, 0};
                ::poll(&p, 1, static_cast<int>(left.count()));
                continue;
            }
            if (d.error) return {d.error, std::system_category()};
            if (!d.from_kernel) continue;
            wire::message_range msgs(d.bytes);
            for (wire::message_view m : msgs) on_message(m);
            if (msgs.malformed()) return errc::malformed_reply;
        }
        return lost ? std::error_code(errc::replies_lost) : std::error_code{};
    }

    /// One GET (a reply) or dump (parts until DONE), with an optional name filter attribute.
    template <class OnMessage>
    std::error_code request(std::uint16_t msg, std::uint16_t flags, family f, std::string_view name,
                            std::uint16_t name_attr, OnMessage&& on_message, bool* interrupted = nullptr) {
        wire::buffer& req = tx_;
        req.clear();
        wire::writer w(req);
        const std::uint32_t seq = take_seqs(1);
        {
            auto m = w.begin(msg_type(msg), static_cast<std::uint16_t>(flags | NLM_F_ACK), seq);
            w.header(nfgenmsg{static_cast<std::uint8_t>(f), NFNETLINK_V0, 0});
            if (name_attr) put_str<1>(w, name);  // NFTA_TABLE_NAME, NFTA_{CHAIN,SET,RULE}_TABLE: all 1
        }
        return exchange_one(req, seq, (flags & NLM_F_DUMP) == NLM_F_DUMP, on_message, interrupted);
    }

    std::error_code request_elements(family f, std::string_view table, std::string_view set, std::vector<data>& out,
                                     bool* interrupted = nullptr) {
        wire::buffer& req = tx_;
        req.clear();
        wire::writer w(req);
        const std::uint32_t seq = take_seqs(1);
        {
            auto m = w.begin(msg_type(NFT_MSG_GETSETELEM), NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, seq);
            w.header(nfgenmsg{static_cast<std::uint8_t>(f), NFNETLINK_V0, 0});
            put_str<NFTA_SET_ELEM_LIST_TABLE>(w, table);
            put_str<NFTA_SET_ELEM_LIST_SET>(w, set);
        }
        return exchange_one(req, seq, true, [&](const wire::message_view& m) { parse_elements(m, out); }, interrupted);
    }

    template <class OnMessage>
    std::error_code exchange_one(wire::buffer& req, std::uint32_t seq, bool dump, OnMessage&& on_message, bool* interrupted) {
        if (::getpid() != owner_pid_) return errc::used_after_fork;
        if (auto ec = send(req.bytes())) return ec;
        bool done = false;
        std::error_code result;
        auto ec = read_answers(
            [&](const wire::message_view& m) {
                if (m.seq() != seq || done) return;
                if (m.flags() & NLM_F_DUMP_INTR) {
                    if (interrupted) *interrupted = true;
                    dump_intr_ = true;
                }
                if (m.type() == NLMSG_ERROR) {
                    auto a = wire::parse_error(m);
                    if (!a) result = errc::malformed_reply;
                    else if (a->error) result = errno_code(a->error);
                    if (!dump || !a || a->error) done = true;  // the ACK ends a GET; a dump ends with DONE
                    return;
                }
                if (m.type() == NLMSG_DONE) {
                    auto a = wire::parse_done(m);
                    if (a && a->error) result = errno_code(a->error);
                    done = true;
                    return;
                }
                if (m.type() >= NLMSG_MIN_TYPE) on_message(m);
            },
            [&] { return done; }, true);
        return ec ? ec : result;
    }

    /// Runs `attempt` until the generation is the same before and after and no
    /// part was flagged NLM_F_DUMP_INTR (at most 8 times).
    template <class Attempt>
    std::error_code consistent(Attempt&& attempt, std::uint32_t& gen_out) {
        for (int i = 0; i < 8; ++i) {
            std::error_code ec;
            const std::uint32_t before = generation(ec);
            if (ec) return ec;
            dump_intr_ = false;
            if (auto e = attempt()) return e;
            const std::uint32_t after = generation(ec);
            if (ec) return ec;
            if (before == after && !dump_intr_) {
                gen_out = after;
                return {};
            }
        }
        return errc::dump_interrupted;
    }

    unique_fd fd_;
    int sndbuf_ = 0;
    std::uint32_t seq_ = 1;
    pid_t owner_pid_ = 0;
    std::chrono::milliseconds timeout_{30000};
    wire::buffer rx_;
    wire::buffer tx_;
    bool dump_intr_ = false;
};

}  // namespace rtnl::nft
