// rtnl/nft/match.hpp — nft's canonical expression sequences for common matches.
//
// nft turns one selector into several expressions, and how it does so is part of
// being byte-identical with it (measured on nft 1.0.6, nftables.md §2.2):
//   ip saddr 10.88.0.0/16    payload nh+12 len 2, cmp eq 0a58          (byte-aligned: no bitwise)
//   ip saddr 10.88.16.0/20   payload nh+12 len 4, bitwise fffff000, cmp eq 0a581000
//   oifname != "br0"         meta oifname, cmp neq "br0" + 13 NULs     (IFNAMSIZ bytes)
//   oifname "br*"            meta oifname, cmp eq "br"                 (prefix compare)
//   ct state established,related   ct state, bitwise 06000000, cmp neq 0   (host byte order)
#pragma once

#include <linux/netfilter/nf_conntrack_common.h>

#include <string_view>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/nft/expr.hpp"

namespace rtnl::nft::match {

using rule_exprs = std::vector<expression>;

inline void append(rule_exprs& to, rule_exprs&& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

/// ct state bits (host byte order in the register, as the kernel computes them).
inline constexpr std::uint32_t ct_invalid = NF_CT_STATE_INVALID_BIT;
inline constexpr std::uint32_t ct_established = NF_CT_STATE_BIT(IP_CT_ESTABLISHED);
inline constexpr std::uint32_t ct_related = NF_CT_STATE_BIT(IP_CT_RELATED);
inline constexpr std::uint32_t ct_new = NF_CT_STATE_BIT(IP_CT_NEW);

namespace detail {
/// IPv4 header offsets of the source and destination address.
inline constexpr std::uint32_t ipv4_saddr = 12;
inline constexpr std::uint32_t ipv4_daddr = 16;
inline constexpr std::uint32_t ipv6_saddr = 8;
inline constexpr std::uint32_t ipv6_daddr = 24;

inline rule_exprs address(std::uint32_t offset, const ip_prefix& p, cmp_op op) {
    const ip_address net = p.network();
    const std::size_t size = net.size();
    rule_exprs out;
    if (p.length == 0) return out;  // matches every packet: nft emits nothing either
    if (p.length % 8 == 0) {
        const std::uint32_t n = p.length / 8;
        out.push_back(payload{payload_base::network, offset, n});
        out.push_back(cmp{op, data(net.bytes().first(n))});
        return out;
    }
    out.push_back(payload{payload_base::network, offset, static_cast<std::uint32_t>(size)});
    data mask, zero;
    mask.size = zero.size = static_cast<std::uint8_t>(size);
    for (unsigned bit = 0; bit < p.length; ++bit)
        mask.bytes[bit / 8] |= static_cast<std::byte>(0x80u >> (bit % 8));
    out.push_back(bitwise{static_cast<std::uint32_t>(size), mask, zero});
    out.push_back(cmp{op, data(net.bytes())});
    return out;
}

inline rule_exprs ifname(std::uint32_t key, std::string_view name, cmp_op op) {
    rule_exprs out;
    out.push_back(meta{key});
    if (!name.empty() && name.back() == '*')
        out.push_back(cmp{op, data::text(name.substr(0, name.size() - 1))});
    else
        out.push_back(cmp{op, data::ifname(name)});
    return out;
}
}  // namespace detail

/// `ip saddr <prefix>` / `ip saddr != <prefix>` (or ip6 for an IPv6 prefix).
inline rule_exprs ip_saddr(const ip_prefix& p, cmp_op op = cmp_op::eq) {
    return detail::address(p.address.is_v6() ? detail::ipv6_saddr : detail::ipv4_saddr, p, op);
}
inline rule_exprs ip_daddr(const ip_prefix& p, cmp_op op = cmp_op::eq) {
    return detail::address(p.address.is_v6() ? detail::ipv6_daddr : detail::ipv4_daddr, p, op);
}
/// `ip saddr @set` (IPv4 source address in a named set; invert: `!= @set`).
inline rule_exprs ip_saddr_in(std::string_view set, bool invert = false) {
    return {payload{payload_base::network, detail::ipv4_saddr, 4}, lookup{std::string(set), std::nullopt, reg_1, invert}};
}
/// `ip6 saddr @set` (IPv6 source address in a named set, in an ip6 table).
inline rule_exprs ip6_saddr_in(std::string_view set, bool invert = false) {
    return {payload{payload_base::network, detail::ipv6_saddr, 16}, lookup{std::string(set), std::nullopt, reg_1, invert}};
}
/// `iifname "x"` / `oifname != "x"`; a trailing '*' compares a prefix.
inline rule_exprs iifname(std::string_view name, cmp_op op = cmp_op::eq) {
    return detail::ifname(NFT_META_IIFNAME, name, op);
}
inline rule_exprs oifname(std::string_view name, cmp_op op = cmp_op::eq) {
    return detail::ifname(NFT_META_OIFNAME, name, op);
}
/// `meta nfproto ipv4` — what nft puts before an ip match in an inet table.
inline rule_exprs nfproto(family f) {
    const std::byte b{static_cast<std::uint8_t>(f)};
    return {meta{NFT_META_NFPROTO}, cmp{cmp_op::eq, data(std::span(&b, 1))}};
}
/// `ct state <bits>`: any of the bits set.
inline rule_exprs ct_state(std::uint32_t bits) {
    data zero = data::host32(0);
    return {ct{NFT_CT_STATE}, bitwise{4, data::host32(bits), zero}, cmp{cmp_op::neq, zero}};
}

// ---- statements --------------------------------------------------------------

inline expression verdict(verdict_code c) { return immediate{reg_verdict, c, {}, {}}; }
inline expression accept() { return verdict(verdict_code::accept); }
inline expression drop() { return verdict(verdict_code::drop); }
inline expression jump(std::string_view chain) { return immediate{reg_verdict, verdict_code::jump, std::string(chain), {}}; }
inline expression go_to(std::string_view chain) { return immediate{reg_verdict, verdict_code::go_to, std::string(chain), {}}; }
inline expression masquerade() { return masq{}; }
inline expression count() { return counter{}; }
/// `snat to <address>`: the address into register 1, then nat.
inline rule_exprs snat_to(const ip_address& a) {
    return {immediate{reg_1, verdict_code::accept, {}, data::address(a)},
            nat{NFT_NAT_SNAT, a.is_v6() ? family::ipv6 : family::ipv4, reg_1, 0, 0, 0, 0}};
}

}  // namespace rtnl::nft::match
