// rtnl/nft/expr.hpp — nf_tables expressions: what a rule is made of.
//
// Each expression is a plain struct; a rule is a list of them:
//
//     std::vector<nft::expression> r = nft::match::ip_saddr(src);   // payload + cmp
//     nft::match::append(r, nft::match::oifname_ne("br0"));          // meta + cmp
//     r.push_back(nft::masq{});
//
// `encode` writes one expression exactly as libnftnl 1.2.4 (nft 1.0.6) does —
// attribute order, NLA_F_NESTED, empty DATA nests — so a rule built here is
// byte-identical to nft's for the same text. `decode` reads the kernel's dump
// form back; an expression rtnl does not model (xt `match`, `fib`, …) is kept
// as `unknown` with its raw attribute bytes, and re-encodes to the same bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/nft/schema.hpp"

namespace rtnl::nft {

/// Registers in nft's classic numbering: 0 is the verdict register, 1..4 hold 16 bytes.
inline constexpr std::uint32_t reg_verdict = NFT_REG_VERDICT;
inline constexpr std::uint32_t reg_1 = NFT_REG_1;
inline constexpr std::uint32_t reg_2 = NFT_REG_2;

/// A constant (NFTA_DATA_VALUE): up to 64 bytes, stored inline (no allocation).
struct data {
    std::array<std::byte, NFT_DATA_VALUE_MAXLEN> bytes{};
    std::uint8_t size = 0;

    data() = default;
    explicit data(std::span<const std::byte> b) noexcept
        : size(static_cast<std::uint8_t>(std::min(b.size(), bytes.size()))) {
        std::copy_n(b.begin(), size, bytes.begin());
    }
    std::span<const std::byte> view() const noexcept { return {bytes.data(), size}; }
    friend bool operator==(const data& a, const data& b) noexcept {
        return std::ranges::equal(a.view(), b.view());
    }

    /// A u32 in host byte order (ct state, meta mark …).
    static data host32(std::uint32_t v) noexcept { return data(std::as_bytes(std::span(&v, 1))); }
    /// A u32 in network byte order (ports, addresses as numbers).
    static data be32(std::uint32_t v) noexcept {
        const std::uint32_t be = __builtin_bswap32(v);
        return data(std::as_bytes(std::span(&be, 1)));
    }
    /// An address's bytes (4 or 16).
    static data address(const ip_address& a) noexcept {
        return data(std::span(reinterpret_cast<const std::byte*>(a.data()), a.size()));
    }
    /// Text without its NUL (prefix match for "br*").
    static data text(std::string_view s) noexcept { return data(std::as_bytes(std::span(s.data(), s.size()))); }
    /// An interface name as nft compares it: IFNAMSIZ bytes, NUL padded.
    static data ifname(std::string_view s) noexcept {
        data d;
        d.size = ifname_size;
        std::copy_n(reinterpret_cast<const std::byte*>(s.data()), std::min(s.size(), ifname_size - 1), d.bytes.begin());
        return d;
    }
};

enum class payload_base : std::uint32_t {
    link = NFT_PAYLOAD_LL_HEADER,
    network = NFT_PAYLOAD_NETWORK_HEADER,
    transport = NFT_PAYLOAD_TRANSPORT_HEADER,
};
enum class cmp_op : std::uint32_t {
    eq = NFT_CMP_EQ, neq = NFT_CMP_NEQ, lt = NFT_CMP_LT, lte = NFT_CMP_LTE, gt = NFT_CMP_GT, gte = NFT_CMP_GTE,
};

/// Loads `len` bytes at `offset` of a header into a register.
struct payload {
    payload_base base = payload_base::network;
    std::uint32_t offset = 0;
    std::uint32_t len = 0;
    std::uint32_t dreg = reg_1;
    friend bool operator==(const payload&, const payload&) = default;
};
/// Compares a register with a constant; the rule stops when false.
struct cmp {
    cmp_op op = cmp_op::eq;
    data value{};
    std::uint32_t sreg = reg_1;
    friend bool operator==(const cmp&, const cmp&) = default;
};
/// reg = (reg & mask) ^ xor, over `len` bytes.
struct bitwise {
    std::uint32_t len = 0;
    data mask{};
    data xor_{};
    std::uint32_t sreg = reg_1;
    std::uint32_t dreg = reg_1;
    friend bool operator==(const bitwise&, const bitwise&) = default;
};
/// Loads packet metadata (NFT_META_IIFNAME, OIFNAME, NFPROTO, MARK …).
struct meta {
    std::uint32_t key = 0;
    std::uint32_t dreg = reg_1;
    friend bool operator==(const meta&, const meta&) = default;
};
/// Loads conntrack state (NFT_CT_STATE, STATUS, MARK …).
struct ct {
    std::uint32_t key = NFT_CT_STATE;
    std::uint32_t dreg = reg_1;
    friend bool operator==(const ct&, const ct&) = default;
};
/// A verdict (dreg 0: accept, drop, jump "chain" …) or a constant into a data register.
struct immediate {
    std::uint32_t dreg = reg_verdict;
    verdict_code code = verdict_code::accept;  ///< when dreg == 0
    std::string chain{};                         ///< jump/goto target
    data value{};                                ///< when dreg != 0
    friend bool operator==(const immediate&, const immediate&) = default;
};
/// Set membership of a register: `ip saddr @set` (invert: `!= @set`).
struct lookup {
    std::string set{};
    std::optional<std::uint32_t> set_id{};  ///< for a set created in the same batch (nft sends both)
    std::uint32_t sreg = reg_1;
    bool invert = false;
    friend bool operator==(const lookup& a, const lookup& b) noexcept {
        return a.set == b.set && a.sreg == b.sreg && a.invert == b.invert;  // set_id lives only inside a batch
    }
};
/// Source NAT to the outgoing interface's address.
struct masq {
    std::uint32_t flags = 0;
    friend bool operator==(const masq&, const masq&) = default;
};
/// snat/dnat to the address (and port) held in registers.
struct nat {
    std::uint32_t type = NFT_NAT_SNAT;
    family addr_family = family::ipv4;
    std::uint32_t reg_addr_min = 0;  ///< 0: absent
    std::uint32_t reg_addr_max = 0;
    std::uint32_t reg_proto_min = 0;
    std::uint32_t reg_proto_max = 0;
    std::uint32_t flags = 0;
    friend bool operator==(const nat&, const nat&) = default;
};
/// Packet/byte counter (the values are read back from dumps; ignored when comparing).
struct counter {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    friend bool operator==(const counter&, const counter&) noexcept { return true; }
};
/// An expression rtnl does not model: its name and the raw NFTA_EXPR_DATA payload.
struct unknown {
    std::string name{};
    std::vector<std::byte> data{};
    friend bool operator==(const unknown&, const unknown&) = default;
};

using expression = std::variant<payload, cmp, bitwise, meta, ct, immediate, lookup, masq, nat, counter, unknown>;

/// nft's name of an expression ("payload", "cmp" …).
inline std::string_view expr_name(const expression& e) noexcept {
    constexpr std::string_view names[] = {"payload", "cmp",    "bitwise", "meta",    "ct", "immediate",
                                          "lookup",  "masq",   "nat",     "counter"};
    if (auto* u = std::get_if<unknown>(&e)) return u->name;
    return names[e.index()];
}

// ---- encoding (libnftnl's attribute order) ----------------------------------

namespace detail {
template <std::uint16_t Type, class W>
inline void put_data(W& w, const data& d) {
    auto n = nest(w, Type);
    w.put_raw(NFTA_DATA_VALUE, d.view());
}
}  // namespace detail

/// Appends one NFTA_LIST_ELEM { NAME, DATA{…} } for `e`.
template <class W>
inline void encode(W& w, const expression& e) {
    auto elem = nest(w, NFTA_LIST_ELEM);
    put_str<NFTA_EXPR_NAME>(w, expr_name(e));
    if (auto* u = std::get_if<unknown>(&e)) {
        w.put_raw(NFTA_EXPR_DATA | NLA_F_NESTED, u->data);
        return;
    }
    auto d = nest(w, NFTA_EXPR_DATA);
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, payload>) {
                put_be32<NFTA_PAYLOAD_DREG>(w, x.dreg);
                put_be32<NFTA_PAYLOAD_BASE>(w, static_cast<std::uint32_t>(x.base));
                put_be32<NFTA_PAYLOAD_OFFSET>(w, x.offset);
                put_be32<NFTA_PAYLOAD_LEN>(w, x.len);
            } else if constexpr (std::is_same_v<T, cmp>) {
                put_be32<NFTA_CMP_SREG>(w, x.sreg);
                put_be32<NFTA_CMP_OP>(w, static_cast<std::uint32_t>(x.op));
                detail::put_data<NFTA_CMP_DATA>(w, x.value);
            } else if constexpr (std::is_same_v<T, bitwise>) {
                put_be32<NFTA_BITWISE_SREG>(w, x.sreg);
                put_be32<NFTA_BITWISE_DREG>(w, x.dreg);
                put_be32<NFTA_BITWISE_LEN>(w, x.len);
                detail::put_data<NFTA_BITWISE_MASK>(w, x.mask);
                detail::put_data<NFTA_BITWISE_XOR>(w, x.xor_);
            } else if constexpr (std::is_same_v<T, meta>) {
                put_be32<NFTA_META_KEY>(w, x.key);
                put_be32<NFTA_META_DREG>(w, x.dreg);
            } else if constexpr (std::is_same_v<T, ct>) {
                put_be32<NFTA_CT_KEY>(w, x.key);
                put_be32<NFTA_CT_DREG>(w, x.dreg);
            } else if constexpr (std::is_same_v<T, immediate>) {
                put_be32<NFTA_IMMEDIATE_DREG>(w, x.dreg);
                auto id = nest(w, NFTA_IMMEDIATE_DATA);
                if (x.dreg == reg_verdict) {
                    auto v = nest(w, NFTA_DATA_VERDICT);
                    put_be32<NFTA_VERDICT_CODE>(w, static_cast<std::uint32_t>(x.code));
                    if (!x.chain.empty()) put_str<NFTA_VERDICT_CHAIN>(w, x.chain);
                } else {
                    w.put_raw(NFTA_DATA_VALUE, x.value.view());
                }
            } else if constexpr (std::is_same_v<T, lookup>) {
                put_be32<NFTA_LOOKUP_SREG>(w, x.sreg);
                put_str<NFTA_LOOKUP_SET>(w, x.set);
                if (x.set_id) put_be32<NFTA_LOOKUP_SET_ID>(w, *x.set_id);
                if (x.invert) put_be32<NFTA_LOOKUP_FLAGS>(w, NFT_LOOKUP_F_INV);
            } else if constexpr (std::is_same_v<T, masq>) {
                if (x.flags) put_be32<NFTA_MASQ_FLAGS>(w, x.flags);
            } else if constexpr (std::is_same_v<T, nat>) {
                put_be32<NFTA_NAT_TYPE>(w, x.type);
                put_be32<NFTA_NAT_FAMILY>(w, static_cast<std::uint32_t>(x.addr_family));
                if (x.reg_addr_min) put_be32<NFTA_NAT_REG_ADDR_MIN>(w, x.reg_addr_min);
                if (x.reg_addr_max) put_be32<NFTA_NAT_REG_ADDR_MAX>(w, x.reg_addr_max);
                if (x.reg_proto_min) put_be32<NFTA_NAT_REG_PROTO_MIN>(w, x.reg_proto_min);
                if (x.reg_proto_max) put_be32<NFTA_NAT_REG_PROTO_MAX>(w, x.reg_proto_max);
                if (x.flags) put_be32<NFTA_NAT_FLAGS>(w, x.flags);
            } else if constexpr (std::is_same_v<T, counter>) {
                // nft sends an empty DATA nest; the kernel starts at zero
            }
        },
        e);
}

// ---- decoding (the kernel's dump form) --------------------------------------

namespace detail {
inline std::optional<data> get_data(const wire::attr_view& nest_attr) {
    if (!nest_attr) return std::nullopt;
    auto v = nest_attr.nested().find(NFTA_DATA_VALUE);
    if (!v || v.payload().size() > NFT_DATA_VALUE_MAXLEN) return std::nullopt;
    return data(v.payload());
}
inline std::uint32_t be32_or(const wire::attr_range& r, std::uint16_t type, std::uint32_t dflt = 0) {
    return get_be32(r.find(type)).value_or(dflt);
}
}  // namespace detail

/// Decodes one NFTA_LIST_ELEM. A known name whose attributes do not make sense
/// (missing, wrong size) is kept as `unknown` too: nothing is silently dropped.
inline expression decode_expression(const wire::attr_view& elem) {
    auto attrs = elem.nested();
    const std::string_view name = get_str(attrs.find(NFTA_EXPR_NAME)).value_or("");
    const wire::attr_view dattr = attrs.find(NFTA_EXPR_DATA);
    auto raw = [&] {
        auto p = dattr.payload();
        return unknown{std::string(name), std::vector<std::byte>(p.begin(), p.end())};
    };
    const wire::attr_range d = dattr.nested();
    using namespace detail;
    if (name == "payload") {
        auto base = get_be32(d.find(NFTA_PAYLOAD_BASE));
        auto off = get_be32(d.find(NFTA_PAYLOAD_OFFSET));
        auto len = get_be32(d.find(NFTA_PAYLOAD_LEN));
        auto dreg = get_be32(d.find(NFTA_PAYLOAD_DREG));
        if (!base || !off || !len || !dreg) return raw();  // payload *set* (SREG) is not modelled
        return payload{static_cast<payload_base>(*base), *off, *len, *dreg};
    }
    if (name == "cmp") {
        auto op = get_be32(d.find(NFTA_CMP_OP));
        auto v = get_data(d.find(NFTA_CMP_DATA));
        if (!op || !v) return raw();
        return cmp{static_cast<cmp_op>(*op), *v, be32_or(d, NFTA_CMP_SREG, reg_1)};
    }
    if (name == "bitwise") {
        auto len = get_be32(d.find(NFTA_BITWISE_LEN));
        auto mask = get_data(d.find(NFTA_BITWISE_MASK));
        auto x = get_data(d.find(NFTA_BITWISE_XOR));
        if (!len || !mask || !x || d.find(8 /* NFTA_BITWISE_DATA: shifts */)) return raw();
        if (auto op = get_be32(d.find(6 /* NFTA_BITWISE_OP */)); op && *op != 0) return raw();
        return bitwise{*len, *mask, *x, be32_or(d, NFTA_BITWISE_SREG, reg_1), be32_or(d, NFTA_BITWISE_DREG, reg_1)};
    }
    if (name == "meta") {
        auto key = get_be32(d.find(NFTA_META_KEY));
        auto dreg = get_be32(d.find(NFTA_META_DREG));
        if (!key || !dreg) return raw();  // meta set (SREG) is not modelled
        return meta{*key, *dreg};
    }
    if (name == "ct") {
        auto key = get_be32(d.find(NFTA_CT_KEY));
        auto dreg = get_be32(d.find(NFTA_CT_DREG));
        if (!key || !dreg || d.find(NFTA_CT_DIRECTION)) return raw();
        return ct{*key, *dreg};
    }
    if (name == "immediate") {
        auto dreg = get_be32(d.find(NFTA_IMMEDIATE_DREG));
        auto id = d.find(NFTA_IMMEDIATE_DATA);
        if (!dreg || !id) return raw();
        immediate out{*dreg, verdict_code::accept, {}, {}};
        if (*dreg == reg_verdict) {
            auto v = id.nested().find(NFTA_DATA_VERDICT).nested();
            auto code = get_be32(v.find(NFTA_VERDICT_CODE));
            if (!code) return raw();
            out.code = static_cast<verdict_code>(static_cast<std::int32_t>(*code));
            if (auto c = get_str(v.find(NFTA_VERDICT_CHAIN))) out.chain = *c;
        } else {
            auto v = get_data(id);
            if (!v) return raw();
            out.value = *v;
        }
        return out;
    }
    if (name == "lookup") {
        auto set = get_str(d.find(NFTA_LOOKUP_SET));
        if (!set || d.find(NFTA_LOOKUP_DREG)) return raw();  // maps are not modelled
        lookup out{std::string(*set), std::nullopt, be32_or(d, NFTA_LOOKUP_SREG, reg_1),
                   (be32_or(d, NFTA_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV) != 0};
        if (auto id = get_be32(d.find(NFTA_LOOKUP_SET_ID))) out.set_id = *id;
        return out;
    }
    if (name == "masq") {
        if (d.find(NFTA_MASQ_REG_PROTO_MIN)) return raw();
        return masq{be32_or(d, NFTA_MASQ_FLAGS)};
    }
    if (name == "nat") {
        auto type = get_be32(d.find(NFTA_NAT_TYPE));
        auto fam = get_be32(d.find(NFTA_NAT_FAMILY));
        if (!type || !fam) return raw();
        return nat{*type, static_cast<family>(*fam), be32_or(d, NFTA_NAT_REG_ADDR_MIN), be32_or(d, NFTA_NAT_REG_ADDR_MAX),
                   be32_or(d, NFTA_NAT_REG_PROTO_MIN), be32_or(d, NFTA_NAT_REG_PROTO_MAX), be32_or(d, NFTA_NAT_FLAGS)};
    }
    if (name == "counter") {
        return counter{get_be64(d.find(NFTA_COUNTER_PACKETS)).value_or(0), get_be64(d.find(NFTA_COUNTER_BYTES)).value_or(0)};
    }
    return raw();
}

/// Decodes NFTA_RULE_EXPRESSIONS. Returns false if the list did not parse whole
/// (the expressions before the damage are kept).
inline bool decode_expressions(const wire::attr_view& list, std::vector<expression>& out) {
    auto r = list.nested();
    for (wire::attr_view e : r)
        if (e.type() == NFTA_LIST_ELEM) out.push_back(decode_expression(e));
    return !r.malformed();
}

}  // namespace rtnl::nft
