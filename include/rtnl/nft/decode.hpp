// rtnl/nft/decode.hpp — reading nf_tables objects out of dump and echo messages.
//
// Each `parse_*` takes one message (NEWTABLE, NEWCHAIN, NEWRULE, NEWSET,
// NEWSETELEM, NEWGEN) and returns std::nullopt when it is not that kind of
// message or lacks what identifies the object (a name, its table). Lengths are
// checked by the wire reader; the kernel's dumps do not set NLA_F_NESTED and
// nothing here relies on it. Expressions rtnl does not model stay raw bytes
// (expr.hpp), so a rule written by iptables-nft (xt `match`, `target`) or by a
// newer nft is still read whole and can be told apart from ours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtnl/nft/batch.hpp"
#include "rtnl/nft/expr.hpp"
#include "rtnl/nft/schema.hpp"
#include "rtnl/wire/reader.hpp"

namespace rtnl::nft {

struct table_info {
    family fam = family::unspec;
    std::string name{};
    std::uint64_t handle = 0;
    std::uint32_t flags = 0;
    std::uint32_t use = 0;  ///< chains + sets + … inside
    std::string comment{};
};

struct chain_info {
    family fam = family::unspec;
    std::string table{};
    std::string name{};
    std::uint64_t handle = 0;
    std::optional<base_hook> hook{};  ///< set for base chains
    std::uint32_t use = 0;          ///< rules + references
};

struct rule_info {
    family fam = family::unspec;
    std::string table{};
    std::string chain{};
    std::uint64_t handle = 0;
    std::uint64_t position = 0;  ///< handle of the rule before it (0: first)
    std::vector<expression> exprs{};
    std::string comment{};
    bool complete = true;        ///< false: the expression list did not parse whole
};

struct set_info {
    family fam = family::unspec;
    std::string table{};
    std::string name{};
    std::uint64_t handle = 0;
    std::uint32_t flags = 0;
    std::uint32_t key_type = 0;
    std::uint32_t key_len = 0;
};

/// A consistent snapshot: everything read at one generation.
struct ruleset {
    std::uint32_t generation = 0;
    std::vector<table_info> tables{};
    std::vector<chain_info> chains{};
    std::vector<rule_info> rules{};
    std::vector<set_info> sets{};
};

namespace detail {
inline std::optional<nfgenmsg> nfgen(const wire::message_view& m) noexcept { return m.header<nfgenmsg>(); }
inline std::string str_or_empty(const wire::attr_range& r, std::uint16_t type) {
    return std::string(get_str(r.find(type)).value_or(""));
}
inline std::string comment_attr(const wire::attr_range& r, std::uint16_t type) {
    auto a = r.find(type);
    return a ? std::string(comment_of(a.payload())) : std::string();
}
}  // namespace detail

inline std::optional<table_info> parse_table(const wire::message_view& m) {
    auto g = detail::nfgen(m);
    if (!g || nft_msg_of(m.type()) != NFT_MSG_NEWTABLE) return std::nullopt;
    auto a = m.attributes<nfgenmsg>();
    table_info t;
    t.fam = static_cast<family>(g->nfgen_family);
    auto name = get_str(a.find(NFTA_TABLE_NAME));
    if (!name) return std::nullopt;
    t.name = *name;
    t.handle = get_be64(a.find(NFTA_TABLE_HANDLE)).value_or(0);
    t.flags = get_be32(a.find(NFTA_TABLE_FLAGS)).value_or(0);
    t.use = get_be32(a.find(NFTA_TABLE_USE)).value_or(0);
    t.comment = detail::comment_attr(a, NFTA_TABLE_USERDATA);
    return t;
}

inline std::optional<chain_info> parse_chain(const wire::message_view& m) {
    auto g = detail::nfgen(m);
    if (!g || nft_msg_of(m.type()) != NFT_MSG_NEWCHAIN) return std::nullopt;
    auto a = m.attributes<nfgenmsg>();
    chain_info c;
    c.fam = static_cast<family>(g->nfgen_family);
    auto table = get_str(a.find(NFTA_CHAIN_TABLE));
    auto name = get_str(a.find(NFTA_CHAIN_NAME));
    if (!table || !name) return std::nullopt;
    c.table = *table;
    c.name = *name;
    c.handle = get_be64(a.find(NFTA_CHAIN_HANDLE)).value_or(0);
    c.use = get_be32(a.find(NFTA_CHAIN_USE)).value_or(0);
    if (auto h = a.find(NFTA_CHAIN_HOOK)) {
        auto hr = h.nested();
        base_hook b;
        b.num = static_cast<hook>(get_be32(hr.find(NFTA_HOOK_HOOKNUM)).value_or(0));
        b.priority = static_cast<std::int32_t>(get_be32(hr.find(NFTA_HOOK_PRIORITY)).value_or(0));
        b.type = detail::str_or_empty(a, NFTA_CHAIN_TYPE);
        b.policy = static_cast<verdict_code>(static_cast<std::int32_t>(get_be32(a.find(NFTA_CHAIN_POLICY)).value_or(NF_ACCEPT)));
        c.hook = b;
    }
    return c;
}

inline std::optional<rule_info> parse_rule(const wire::message_view& m) {
    auto g = detail::nfgen(m);
    if (!g || nft_msg_of(m.type()) != NFT_MSG_NEWRULE) return std::nullopt;
    auto a = m.attributes<nfgenmsg>();
    rule_info r;
    r.fam = static_cast<family>(g->nfgen_family);
    auto table = get_str(a.find(NFTA_RULE_TABLE));
    auto chain = get_str(a.find(NFTA_RULE_CHAIN));
    if (!table || !chain) return std::nullopt;
    r.table = *table;
    r.chain = *chain;
    r.handle = get_be64(a.find(NFTA_RULE_HANDLE)).value_or(0);
    r.position = get_be64(a.find(NFTA_RULE_POSITION)).value_or(0);
    if (auto e = a.find(NFTA_RULE_EXPRESSIONS)) r.complete = decode_expressions(e, r.exprs);
    r.comment = detail::comment_attr(a, NFTA_RULE_USERDATA);
    if (a.malformed()) r.complete = false;
    return r;
}

inline std::optional<set_info> parse_set(const wire::message_view& m) {
    auto g = detail::nfgen(m);
    if (!g || nft_msg_of(m.type()) != NFT_MSG_NEWSET) return std::nullopt;
    auto a = m.attributes<nfgenmsg>();
    set_info s;
    s.fam = static_cast<family>(g->nfgen_family);
    auto table = get_str(a.find(NFTA_SET_TABLE));
    auto name = get_str(a.find(NFTA_SET_NAME));
    if (!table || !name) return std::nullopt;
    s.table = *table;
    s.name = *name;
    s.handle = get_be64(a.find(NFTA_SET_HANDLE)).value_or(0);
    s.flags = get_be32(a.find(NFTA_SET_FLAGS)).value_or(0);
    s.key_type = get_be32(a.find(NFTA_SET_KEY_TYPE)).value_or(0);
    s.key_len = get_be32(a.find(NFTA_SET_KEY_LEN)).value_or(0);
    return s;
}

/// Appends the keys of a NEWSETELEM message to `out`; false if it is not one.
inline bool parse_elements(const wire::message_view& m, std::vector<data>& out) {
    if (nft_msg_of(m.type()) != NFT_MSG_NEWSETELEM || !detail::nfgen(m)) return false;
    auto list = m.attributes<nfgenmsg>().find(NFTA_SET_ELEM_LIST_ELEMENTS);
    for (wire::attr_view el : list.nested()) {
        auto key = el.nested().find(NFTA_SET_ELEM_KEY);
        auto v = key.nested().find(NFTA_DATA_VALUE);
        if (v && v.payload().size() <= NFT_DATA_VALUE_MAXLEN) out.emplace_back(v.payload());
    }
    return true;
}

/// NFTA_GEN_ID of a NEWGEN message.
inline std::optional<std::uint32_t> parse_generation(const wire::message_view& m) {
    if (nft_msg_of(m.type()) != NFT_MSG_NEWGEN || !detail::nfgen(m)) return std::nullopt;
    return get_be32(m.attributes<nfgenmsg>().find(NFTA_GEN_ID));
}

/// The handle an echoed NEW* message carries (0 if none).
inline std::uint64_t parse_handle(const wire::message_view& m) {
    if (!detail::nfgen(m)) return 0;
    auto a = m.attributes<nfgenmsg>();
    switch (nft_msg_of(m.type())) {
        case NFT_MSG_NEWTABLE: return get_be64(a.find(NFTA_TABLE_HANDLE)).value_or(0);
        case NFT_MSG_NEWCHAIN: return get_be64(a.find(NFTA_CHAIN_HANDLE)).value_or(0);
        case NFT_MSG_NEWRULE: return get_be64(a.find(NFTA_RULE_HANDLE)).value_or(0);
        case NFT_MSG_NEWSET: return get_be64(a.find(NFTA_SET_HANDLE)).value_or(0);
        default: return 0;
    }
}

/// Adds whatever object `m` holds to the snapshot (ignores other messages).
inline void collect(const wire::message_view& m, ruleset& into) {
    switch (nft_msg_of(m.type())) {
        case NFT_MSG_NEWTABLE:
            if (auto t = parse_table(m)) into.tables.push_back(std::move(*t));
            break;
        case NFT_MSG_NEWCHAIN:
            if (auto c = parse_chain(m)) into.chains.push_back(std::move(*c));
            break;
        case NFT_MSG_NEWRULE:
            if (auto r = parse_rule(m)) into.rules.push_back(std::move(*r));
            break;
        case NFT_MSG_NEWSET:
            if (auto s = parse_set(m)) into.sets.push_back(std::move(*s));
            break;
        default: break;
    }
}

}  // namespace rtnl::nft
