// rtnl/nft/batch.hpp — one nf_tables transaction: BATCH_BEGIN, changes, BATCH_END.
//
//     nft::batch b;
//     b.add_table({.name = "rtnl"});
//     b.add_chain({.table = "rtnl", .name = "postrouting",
//                  .hook = nft::base_hook{.type = "nat", .num = nft::hook::postrouting, .priority = 100}});
//     b.add_rule({.table = "rtnl", .chain = "postrouting", .exprs = {...}});
//     sock.apply(b);                          // all or nothing
//
// The bytes are nft 1.0.6's for the same commands (flags, attribute order, seq
// 0 for BEGIN and 1.. for the rest): the socket renumbers sequence numbers and
// adds acknowledgement flags in place when it commits, so tests can compare a
// built batch with nft's capture byte for byte. Every message is remembered
// (`entries()`), so a reply that names a sequence number or an extack offset is
// mapped back to "add rule ip rtnl postrouting" and the attribute it points at.
// Names are checked here (empty, over 255 bytes): a batch never carries a
// request the kernel would half-apply; it carries none at all (`ok()` is false).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/nft/expr.hpp"
#include "rtnl/nft/schema.hpp"
#include "rtnl/wire/buffer.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl::nft {

/// nft's set key types (datatype ids) for what containers need.
inline constexpr std::uint32_t type_ipv4_addr = 7;
inline constexpr std::uint32_t type_ipv6_addr = 8;
inline constexpr std::uint32_t type_ifname = 41;

struct table {
    family fam = family::ipv4;
    std::string name{};
    std::uint32_t flags = 0;   ///< NFT_TABLE_F_DORMANT, NFT_TABLE_F_OWNER
    std::string comment{};       ///< nft's `comment "…"` (NFTA_TABLE_USERDATA); rtnl tags its tables with it
};

/// What makes a chain a base chain: its hook.
struct base_hook {
    std::string type = "filter";  ///< "filter", "nat", "route"
    hook num = hook::forward;
    std::int32_t priority = 0;
    verdict_code policy = verdict_code::accept;
};

struct chain {
    family fam = family::ipv4;
    std::string table{};
    std::string name{};
    std::optional<base_hook> hook{};  ///< none: a regular chain (a jump target)
};

struct rule {
    family fam = family::ipv4;
    std::string table{};
    std::string chain{};
    std::vector<expression> exprs{};
    std::string comment{};  ///< nft's `comment "…"` (NFTA_RULE_USERDATA)
};

struct set {
    family fam = family::ipv4;
    std::string table{};
    std::string name{};
    std::uint32_t key_type = type_ipv4_addr;
    std::uint32_t key_len = 4;
    std::uint32_t flags = 0;  ///< NFT_SET_INTERVAL, NFT_SET_TIMEOUT …
};

/// What one message of a batch does, for error messages and echo handles.
enum class object : std::uint8_t { table, chain, rule, set, element };
enum class verb : std::uint8_t { add, create, remove, destroy, flush };

struct entry {
    std::size_t offset = 0;  ///< where the message starts in the batch buffer
    object what = object::table;
    verb how = verb::add;
    family fam = family::ipv4;
    std::string table{};
    std::string name{};  ///< chain, set, or "" (table)
};

/// nft's words for a message: "add rule ip rtnl postrouting".
inline std::string describe(const entry& e) {
    static constexpr std::string_view verbs[] = {"add", "create", "delete", "destroy", "flush"};
    static constexpr std::string_view objects[] = {"table", "chain", "rule", "set", "element"};
    std::string s(verbs[static_cast<int>(e.how)]);
    s += ' ';
    s += e.how == verb::flush ? std::string_view("chain") : objects[static_cast<int>(e.what)];
    s += ' ';
    s += family_name(e.fam);
    s += ' ';
    s += e.table;
    if (!e.name.empty()) s += ' ' + e.name;
    return s;
}

/// Why a name is refused, or "" when it is fine (the kernel takes 1..255 bytes, no NUL).
inline std::string name_problem(std::string_view what, std::string_view name) {
    if (name.empty()) return std::string(what) + " name is empty";
    if (name.size() > max_name_length)
        return std::string(what) + " name \"" + std::string(name.substr(0, 32)) + "…\" is too long (" +
               std::to_string(name.size()) + " bytes, at most " + std::to_string(max_name_length) + ")";
    if (name.find('\0') != std::string_view::npos) return std::string(what) + " name contains a NUL byte";
    return {};
}

class batch {
public:
    /// Starts a batch. With `genid`, the kernel applies it only if the ruleset is
    /// still at that generation (NFNL_BATCH_GENID): compare-and-swap after a dump.
    explicit batch(std::optional<std::uint32_t> genid = std::nullopt) { start(genid); }
    // The writer points into the buffer: a move re-aims it, a copy is not offered.
    batch(batch&& o) noexcept
        : buf_(std::move(o.buf_)), entries_(std::move(o.entries_)), seq_(o.seq_), set_ids_(o.set_ids_), echo_(o.echo_),
          ended_(o.ended_), write_failed_(o.write_failed_ || !o.w_.ok()), problem_(std::move(o.problem_)) {}
    batch(const batch&) = delete;
    batch& operator=(const batch&) = delete;

    /// Asks the kernel to echo each created object back with its handle.
    void echo(bool on) noexcept { echo_ = on; }

    // ---- tables ----
    /// `add table` (exists already: fine) or, with exclusive, `create table` (EEXIST).
    std::size_t add_table(const table& t, bool exclusive = false) {
        check("table", t.name);
        auto& w = open(NFT_MSG_NEWTABLE, NLM_F_REQUEST | (exclusive ? NLM_F_EXCL : 0) | echo_flag(), t.fam,
                       {0, object::table, exclusive ? verb::create : verb::add, t.fam, t.name, {}});
        put_str<NFTA_TABLE_NAME>(w, t.name);
        put_be32<NFTA_TABLE_FLAGS>(w, t.flags);
        if (!t.comment.empty()) put_comment(NFTA_TABLE_USERDATA, t.comment);
        return close();
    }
    std::size_t delete_table(family f, std::string_view name) { return table_only(NFT_MSG_DELTABLE, verb::remove, f, name); }
    /// Deletes the table if it exists; not an error if it does not (kernel 6.3+).
    std::size_t destroy_table(family f, std::string_view name) { return table_only(msg_destroytable, verb::destroy, f, name); }

    // ---- chains ----
    std::size_t add_chain(const chain& c) {
        check("table", c.table);
        check("chain", c.name);
        auto& w = open(NFT_MSG_NEWCHAIN, NLM_F_REQUEST | NLM_F_CREATE | echo_flag(), c.fam,
                       {0, object::chain, verb::add, c.fam, c.table, c.name});
        put_str<NFTA_CHAIN_TABLE>(w, c.table);
        put_str<NFTA_CHAIN_NAME>(w, c.name);
        if (c.hook) {
            put_str<NFTA_CHAIN_TYPE>(w, c.hook->type);
            put_be32<NFTA_CHAIN_POLICY>(w, static_cast<std::uint32_t>(c.hook->policy));
            auto h = nest(w, NFTA_CHAIN_HOOK);
            put_be32<NFTA_HOOK_HOOKNUM>(w, static_cast<std::uint32_t>(c.hook->num));
            put_be32<NFTA_HOOK_PRIORITY>(w, static_cast<std::uint32_t>(c.hook->priority));
        }
        return close();
    }
    std::size_t delete_chain(family f, std::string_view table, std::string_view name) {
        check("table", table);
        check("chain", name);
        auto& w = open(NFT_MSG_DELCHAIN, NLM_F_REQUEST, f, {0, object::chain, verb::remove, f, std::string(table), std::string(name)});
        put_str<NFTA_CHAIN_TABLE>(w, table);
        put_str<NFTA_CHAIN_NAME>(w, name);
        return close();
    }

    // ---- rules ----
    std::size_t add_rule(const rule& r) { return add_rule(r.fam, r.table, r.chain, r.exprs, r.comment); }
    /// The fast path: no rule object, the expressions from any contiguous storage.
    std::size_t add_rule(family f, std::string_view table, std::string_view chain, std::span<const expression> exprs,
                         std::string_view comment = {}) {
        check("table", table);
        check("chain", chain);
        auto& w = open(NFT_MSG_NEWRULE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND | echo_flag(), f,
                       {0, object::rule, verb::add, f, std::string(table), std::string(chain)});
        put_str<NFTA_RULE_TABLE>(w, table);
        put_str<NFTA_RULE_CHAIN>(w, chain);
        {
            auto list = nest(w, NFTA_RULE_EXPRESSIONS);
            for (const auto& e : exprs) encode(w, e);
        }
        if (!comment.empty()) put_comment(NFTA_RULE_USERDATA, comment);
        return close();
    }
    std::size_t delete_rule(family f, std::string_view table, std::string_view chain, std::uint64_t handle) {
        auto& w = open(NFT_MSG_DELRULE, NLM_F_REQUEST, f, {0, object::rule, verb::remove, f, std::string(table), std::string(chain)});
        put_str<NFTA_RULE_TABLE>(w, table);
        put_str<NFTA_RULE_CHAIN>(w, chain);
        put_be64<NFTA_RULE_HANDLE>(w, handle);
        return close();
    }
    /// `flush chain`: every rule of one chain (DELRULE without a handle).
    std::size_t flush_chain(family f, std::string_view table, std::string_view chain) {
        check("table", table);
        check("chain", chain);
        auto& w = open(NFT_MSG_DELRULE, NLM_F_REQUEST, f, {0, object::rule, verb::flush, f, std::string(table), std::string(chain)});
        put_str<NFTA_RULE_TABLE>(w, table);
        put_str<NFTA_RULE_CHAIN>(w, chain);
        return close();
    }

    // ---- sets and their elements ----
    std::size_t add_set(const set& s) {
        check("table", s.table);
        check("set", s.name);
        auto& w = open(NFT_MSG_NEWSET, NLM_F_REQUEST | NLM_F_CREATE | echo_flag(), s.fam,
                       {0, object::set, verb::add, s.fam, s.table, s.name});
        put_str<NFTA_SET_TABLE>(w, s.table);
        put_str<NFTA_SET_NAME>(w, s.name);
        put_be32<NFTA_SET_FLAGS>(w, s.flags);
        put_be32<NFTA_SET_KEY_TYPE>(w, s.key_type);
        put_be32<NFTA_SET_KEY_LEN>(w, s.key_len);
        put_be32<NFTA_SET_ID>(w, ++set_ids_);
        return close();
    }
    std::size_t delete_set(family f, std::string_view table, std::string_view name) {
        check("table", table);
        check("set", name);
        auto& w = open(NFT_MSG_DELSET, NLM_F_REQUEST, f, {0, object::set, verb::remove, f, std::string(table), std::string(name)});
        put_str<NFTA_SET_TABLE>(w, table);
        put_str<NFTA_SET_NAME>(w, name);
        return close();
    }
    /// `add element`: existing elements are fine (no NLM_F_EXCL), so re-adding is idempotent.
    std::size_t add_elements(family f, std::string_view table, std::string_view set, std::span<const data> keys) {
        return elements(NFT_MSG_NEWSETELEM, NLM_F_CREATE, verb::add, f, table, set, keys);
    }
    /// `delete element`: ENOENT for an element that is not there.
    std::size_t delete_elements(family f, std::string_view table, std::string_view set, std::span<const data> keys) {
        return elements(NFT_MSG_DELSETELEM, 0, verb::remove, f, table, set, keys);
    }
    /// `destroy element`: absent elements are not an error (kernel 6.3+).
    std::size_t destroy_elements(family f, std::string_view table, std::string_view set, std::span<const data> keys) {
        return elements(msg_destroysetelem, 0, verb::destroy, f, table, set, keys);
    }

    // ---- the whole ----
    /// Appends BATCH_END (once) and returns the bytes to send.
    wire::buffer& finish() {
        if (!ended_) {
            auto m = w_.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq_);
            w_.header(nfgenmsg{AF_UNSPEC, NFNETLINK_V0, htons_(NFNL_SUBSYS_NFTABLES)});
            ended_ = true;
        }
        return buf_;
    }
    /// Starts over (keeps the buffer's memory).
    void clear(std::optional<std::uint32_t> genid = std::nullopt) {
        buf_.clear();
        w_ = wire::writer(buf_);
        entries_.clear();
        ended_ = false;
        write_failed_ = false;
        problem_.clear();
        set_ids_ = 0;
        start(genid);
    }

    /// False when a name was refused or the writer overflowed; `problem()` says why.
    bool ok() const noexcept { return problem_.empty() && w_.ok() && !write_failed_; }
    const std::string& problem() const noexcept { return problem_; }
    bool empty() const noexcept { return entries_.empty(); }
    std::span<const entry> entries() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }
    bool echoes() const noexcept { return echo_; }
    /// The batch's bytes (call finish() first to include BATCH_END).
    std::span<const std::byte> bytes() const noexcept { return buf_.bytes(); }
    wire::buffer& buffer() noexcept { return buf_; }

    /// Entry index of the message with this batch-local sequence number (BEGIN is 0).
    std::optional<std::size_t> index_of_seq(std::uint32_t local_seq) const noexcept {
        if (local_seq == 0 || local_seq > entries_.size()) return std::nullopt;
        return local_seq - 1;
    }

private:
    static constexpr std::uint16_t htons_(std::uint16_t v) noexcept { return static_cast<std::uint16_t>((v >> 8) | (v << 8)); }

    void start(std::optional<std::uint32_t> genid) {
        seq_ = 0;
        {
            auto m = w_.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq_++);
            w_.header(nfgenmsg{AF_UNSPEC, NFNETLINK_V0, htons_(NFNL_SUBSYS_NFTABLES)});
            if (genid) put_be32<NFNL_BATCH_GENID>(w_, *genid);
        }
    }

    std::uint16_t echo_flag() const noexcept { return echo_ ? NLM_F_ECHO : 0; }

    void check(std::string_view what, std::string_view name) {
        if (problem_.empty())
            if (auto p = name_problem(what, name); !p.empty()) problem_ = std::move(p);
    }

    wire::writer& open(std::uint16_t msg, int flags, family f, entry e) {
        e.offset = buf_.size();
        entries_.push_back(std::move(e));
        msg_.emplace(w_.begin(msg_type(msg), static_cast<std::uint16_t>(flags), seq_++));
        w_.header(nfgenmsg{static_cast<std::uint8_t>(f), NFNETLINK_V0, 0});
        return w_;
    }
    std::size_t close() {
        msg_->close();
        msg_.reset();
        return entries_.size() - 1;
    }

    std::size_t table_only(std::uint16_t msg, verb how, family f, std::string_view name) {
        check("table", name);
        auto& w = open(msg, NLM_F_REQUEST, f, {0, object::table, how, f, std::string(name), {}});
        put_str<NFTA_TABLE_NAME>(w, name);
        return close();
    }

    std::size_t elements(std::uint16_t msg, int flags, verb how, family f, std::string_view table, std::string_view set,
                         std::span<const data> keys) {
        check("table", table);
        check("set", set);
        auto& w = open(msg, NLM_F_REQUEST | flags, f, {0, object::element, how, f, std::string(table), std::string(set)});
        put_str<NFTA_SET_ELEM_LIST_SET>(w, set);
        put_str<NFTA_SET_ELEM_LIST_TABLE>(w, table);
        {
            auto list = nest(w, NFTA_SET_ELEM_LIST_ELEMENTS);
            for (const data& k : keys) {
                auto el = nest(w, NFTA_LIST_ELEM);
                auto key = nest(w, NFTA_SET_ELEM_KEY);
                w.put_raw(NFTA_DATA_VALUE, k.view());
            }
        }
        return close();
    }

    /// nft's user data: TLV {type 0 = comment, length, text + NUL}.
    void put_comment(std::uint16_t type, std::string_view text) {
        const std::size_t n = std::min<std::size_t>(text.size(), 253);
        std::byte tlv[256];
        tlv[0] = std::byte{0};
        tlv[1] = static_cast<std::byte>(n + 1);
        std::memcpy(tlv + 2, text.data(), n);
        tlv[2 + n] = std::byte{0};
        w_.put_raw(type, std::span<const std::byte>(tlv, n + 3));
    }

    wire::buffer buf_;
    wire::writer w_{buf_};
    std::optional<wire::writer::scope> msg_{};
    std::vector<entry> entries_{};
    std::uint32_t seq_ = 0;
    std::uint32_t set_ids_ = 0;
    bool echo_ = false;
    bool ended_ = false;
    bool write_failed_ = false;
    std::string problem_{};
};

/// Reads nft's comment back out of NFTA_*_USERDATA ("" if there is none).
inline std::string_view comment_of(std::span<const std::byte> udata) noexcept {
    while (udata.size() >= 2) {
        const auto type = static_cast<std::uint8_t>(udata[0]);
        const auto len = static_cast<std::uint8_t>(udata[1]);
        if (udata.size() < 2u + len) return {};
        if (type == 0 && len > 0) {
            std::string_view s(reinterpret_cast<const char*>(udata.data() + 2), len);
            if (auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
            return s;
        }
        udata = udata.subspan(2u + len);
    }
    return {};
}

}  // namespace rtnl::nft
