// tools/ip/link_vxlan.hpp — `type vxlan` options: read as iproute2 6.1 reads
// them (ip/iplink_vxlan.c vxlan_parse_opt: same words and abbreviations, same
// duplicate checks, attributes in the same order, the same warnings and
// errors), and printed by `ip -d link show` as vxlan_print_opt prints them.
#pragma once

#include <arpa/inet.h>
#include <linux/if_link.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/ip/link_parse.hpp"

namespace rtnl::ip {

namespace kind_usage {
inline constexpr const char* vxlan =
    "Usage: ... vxlan id VNI\n"
    "		[ { group | remote } IP_ADDRESS ]\n"
    "		[ local ADDR ]\n"
    "		[ ttl TTL ]\n"
    "		[ tos TOS ]\n"
    "		[ df DF ]\n"
    "		[ flowlabel LABEL ]\n"
    "		[ dev PHYS_DEV ]\n"
    "		[ dstport PORT ]\n"
    "		[ srcport MIN MAX ]\n"
    "		[ [no]learning ]\n"
    "		[ [no]proxy ]\n"
    "		[ [no]rsc ]\n"
    "		[ [no]l2miss ]\n"
    "		[ [no]l3miss ]\n"
    "		[ ageing SECONDS ]\n"
    "		[ maxaddress NUMBER ]\n"
    "		[ [no]udpcsum ]\n"
    "		[ [no]udp6zerocsumtx ]\n"
    "		[ [no]udp6zerocsumrx ]\n"
    "		[ [no]remcsumtx ] [ [no]remcsumrx ]\n"
    "		[ [no]external ] [ gbp ] [ gpe ]\n"
    "		[ [no]vnifilter ]\n"
    "\n"
    "Where:	VNI	:= 0-16777215\n"
    "	ADDR	:= { IP_ADDRESS | any }\n"
    "	TOS	:= { NUMBER | inherit }\n"
    "	TTL	:= { 1..255 | auto | inherit }\n"
    "	DF	:= { unset | set | inherit }\n"
    "	LABEL := 0-1048575\n";
}  // namespace kind_usage

namespace vxlan_detail {

/// An address as get_addr reads it, with "any"/"all"/"default" as the zero
/// address (AF_INET unless a family is known).
inline inet_arg vxlan_addr(const std::string& text, int family) {
    if (text == "any" || text == "all" || text == "default") {
        inet_arg a;
        a.family = family == AF_UNSPEC ? AF_INET : family;
        a.address = a.family == AF_INET6 ? *ip_address::parse("::") : *ip_address::parse("0.0.0.0");
        return a;
    }
    return get_addr(text, family);
}

inline bool multicast(const inet_arg& a) {
    if (a.family == AF_UNSPEC || a.address.empty()) return false;
    return a.family == AF_INET ? (a.address.data()[0] & 0xf0) == 0xe0 : a.address.data()[0] == 0xff;
}
inline bool unicast(const inet_arg& a) { return a.family != AF_UNSPEC && !multicast(a); }

template <class T>
void put(wire::writer& w, std::uint16_t type, T v) {
    w.put_raw(type, std::as_bytes(std::span<const T>(&v, 1)));
}

}  // namespace vxlan_detail

/// vxlan_parse_opt. `set_op`: `ip link set|change` (no NLM_F_CREATE).
inline void parse_vxlan_options(session& s, wire::writer& w, arg_list& args, bool set_op) {
    using namespace vxlan_detail;
    inet_arg saddr, daddr;
    std::uint32_t vni = 0;
    std::uint8_t learning = 1, metadata = 0, vnifilter = 0;
    std::uint16_t dstport = 0;
    std::uint64_t attrs = 0;
    auto dup = [&](int type, const std::string& key, const std::string& arg) {
        if (attrs & (1ull << type)) duplicate_or_garbage(key, arg);
        attrs |= 1ull << type;
    };
    auto has = [&](int type) { return (attrs & (1ull << type)) != 0; };
    struct toggle {
        const char* off;
        const char* on;
        std::uint16_t type;
        bool on_first;  ///< iproute2 tests "udpcsum" before "noudpcsum" for these
    };
    static constexpr toggle toggles[] = {
        {"noproxy", "proxy", IFLA_VXLAN_PROXY, false},
        {"norsc", "rsc", IFLA_VXLAN_RSC, false},
        {"nol2miss", "l2miss", IFLA_VXLAN_L2MISS, false},
        {"nol3miss", "l3miss", IFLA_VXLAN_L3MISS, false},
        {"noudpcsum", "udpcsum", IFLA_VXLAN_UDP_CSUM, true},
        {"noudp6zerocsumtx", "udp6zerocsumtx", IFLA_VXLAN_UDP_ZERO_CSUM6_TX, true},
        {"noudp6zerocsumrx", "udp6zerocsumrx", IFLA_VXLAN_UDP_ZERO_CSUM6_RX, true},
        {"noremcsumtx", "remcsumtx", IFLA_VXLAN_REMCSUM_TX, true},
        {"noremcsumrx", "remcsumrx", IFLA_VXLAN_REMCSUM_RX, true}};
    while (!args.empty()) {
        const std::string a = args.current();
        bool toggled = false;
        // the words up to "dstport" come first in iproute2's chain; the toggles after learning
        auto try_toggles = [&] {
            for (const toggle& t : toggles) {
                const char* first = t.on_first ? t.on : t.off;
                const char* second = t.on_first ? t.off : t.on;
                for (const char* word : {first, second}) {
                    if (!matches(a, word)) continue;
                    dup(t.type, a, a);
                    put<std::uint8_t>(w, t.type, word == t.on ? 1 : 0);
                    return true;
                }
            }
            return false;
        };
        if (matches(a, "id") || matches(a, "vni")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_ID, "id", v);
            auto n = parse_number<std::uint32_t>(v);
            if (!n || *n >= (1u << 24)) invalid_argument("invalid id", v);
            vni = *n;
        } else if (matches(a, "group")) {
            if (unicast(daddr)) throw link_detail::soft_error{"vxlan: both group and remote cannot be specified\n"};
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_GROUP, "group", v);
            daddr = vxlan_addr(v, saddr.family);
            if (!multicast(daddr)) invalid_argument("invalid group address", v);
        } else if (matches(a, "remote")) {
            if (multicast(daddr)) throw link_detail::soft_error{"vxlan: both group and remote cannot be specified\n"};
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_GROUP, "remote", v);
            daddr = vxlan_addr(v, saddr.family);
            if (!unicast(daddr)) invalid_argument("invalid remote address", v);
        } else if (matches(a, "local")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_LOCAL, "local", v);
            saddr = vxlan_addr(v, daddr.family);
            if (!unicast(saddr)) invalid_argument("invalid local address", v);
        } else if (matches(a, "dev")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_LINK, "dev", v);
            const int link = s.links.index(v);
            if (!link) fail_usage("Cannot find device \"" + v + "\"\n");
            put<std::uint32_t>(w, IFLA_VXLAN_LINK, static_cast<std::uint32_t>(link));
        } else if (matches(a, "ttl") || matches(a, "hoplimit")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_TTL, "ttl", v);
            if (v == "inherit") {
                w.put_raw(IFLA_VXLAN_TTL_INHERIT, {});
            } else if (v == "auto") {
                put<std::uint8_t>(w, IFLA_VXLAN_TTL, 0);
            } else {
                auto n = parse_number<unsigned>(v);
                if (!n) invalid_argument("invalid TTL", v);
                if (*n > 255) invalid_argument("TTL must be <= 255", v);
                put<std::uint8_t>(w, IFLA_VXLAN_TTL, static_cast<std::uint8_t>(*n));
            }
        } else if (matches(a, "tos") || matches(a, "dsfield")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_TOS, "tos", v);
            std::uint8_t tos = 1;
            if (v != "inherit") {
                // rtnl_dsfield_a2n: hexadecimal, at most 255
                char* end = nullptr;
                const unsigned long n = std::strtoul(v.c_str(), &end, 16);
                if (v.empty() || *end || n > 255) invalid_argument("bad TOS value", v);
                tos = static_cast<std::uint8_t>(n);
            }
            put<std::uint8_t>(w, IFLA_VXLAN_TOS, tos);
        } else if (matches(a, "df")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_DF, "df", v);
            std::uint8_t df;
            if (v == "unset") df = VXLAN_DF_UNSET;
            else if (v == "set") df = VXLAN_DF_SET;
            else if (v == "inherit") df = VXLAN_DF_INHERIT;
            else invalid_argument("DF must be 'unset', 'set' or 'inherit'", v);
            put<std::uint8_t>(w, IFLA_VXLAN_DF, df);
        } else if (matches(a, "label") || matches(a, "flowlabel")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_LABEL, "flowlabel", v);
            auto n = parse_number<std::uint32_t>(v);
            if (!n || (*n & ~0xFFFFFu)) invalid_argument("invalid flowlabel", v);
            put<std::uint32_t>(w, IFLA_VXLAN_LABEL, htonl(*n));
        } else if (matches(a, "ageing")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_AGEING, "ageing", v);
            std::uint32_t age = 0;
            if (v != "none") {
                auto n = parse_number<std::uint32_t>(v);
                if (!n) invalid_argument("ageing timer", v);
                age = *n;
            }
            put<std::uint32_t>(w, IFLA_VXLAN_AGEING, age);
        } else if (matches(a, "maxaddress")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_LIMIT, "maxaddress", v);
            std::uint32_t max = 0;
            if (v != "unlimited") {
                auto n = parse_number<std::uint32_t>(v);
                if (!n) invalid_argument("max addresses", v);
                max = *n;
            }
            put<std::uint32_t>(w, IFLA_VXLAN_LIMIT, max);
        } else if (matches(a, "port") || matches(a, "srcport")) {
            const std::string& lo = args.next_value();
            dup(IFLA_VXLAN_PORT_RANGE, "srcport", lo);
            auto l = parse_number<std::uint16_t>(lo);
            if (!l) invalid_argument("min port", lo);
            const std::string& hi = args.next_value();
            auto h = parse_number<std::uint16_t>(hi);
            if (!h) invalid_argument("max port", hi);
            if (*l || *h) {
                ifla_vxlan_port_range r{htons(*l), htons(*h)};
                put(w, IFLA_VXLAN_PORT_RANGE, r);
            }
        } else if (matches(a, "dstport")) {
            const std::string& v = args.next_value();
            dup(IFLA_VXLAN_PORT, "dstport", v);
            auto n = parse_number<std::uint16_t>(v);
            if (!n) invalid_argument("dst port", v);
            dstport = *n;
        } else if (matches(a, "nolearning")) {
            dup(IFLA_VXLAN_LEARNING, a, a);
            learning = 0;
        } else if (matches(a, "learning")) {
            dup(IFLA_VXLAN_LEARNING, a, a);
            learning = 1;
        } else if ((toggled = try_toggles())) {
        } else if (matches(a, "external")) {
            dup(IFLA_VXLAN_COLLECT_METADATA, a, a);
            metadata = 1;
            learning = 0;
            put<std::uint8_t>(w, IFLA_VXLAN_COLLECT_METADATA, 1);
        } else if (matches(a, "noexternal")) {
            dup(IFLA_VXLAN_COLLECT_METADATA, a, a);
            metadata = 0;
            put<std::uint8_t>(w, IFLA_VXLAN_COLLECT_METADATA, 0);
        } else if (matches(a, "gbp")) {
            dup(IFLA_VXLAN_GBP, a, a);
            w.put_raw(IFLA_VXLAN_GBP, {});
        } else if (matches(a, "gpe")) {
            dup(IFLA_VXLAN_GPE, a, a);
            w.put_raw(IFLA_VXLAN_GPE, {});
        } else if (a == "vnifilter") {
            dup(IFLA_VXLAN_VNIFILTER, a, a);
            put<std::uint8_t>(w, IFLA_VXLAN_VNIFILTER, 1);
            vnifilter = 1;
        } else if (a == "novnifilter") {
            dup(IFLA_VXLAN_VNIFILTER, a, a);
            put<std::uint8_t>(w, IFLA_VXLAN_VNIFILTER, 0);
        } else if (matches(a, "help")) {
            throw link_detail::soft_error{kind_usage::vxlan};
        } else {
            throw link_detail::soft_error{"vxlan: unknown command \"" + a + "\"?\n" + kind_usage::vxlan};
        }
        args.advance();
    }
    if (!metadata && vnifilter) throw link_detail::soft_error{"vxlan: vnifilter is valid only when 'external' is set\n"};
    if (metadata && has(IFLA_VXLAN_ID))
        throw link_detail::soft_error{"vxlan: both 'external' and vni cannot be specified\n"};
    if (!metadata && !vnifilter && !has(IFLA_VXLAN_ID) && !set_op)
        throw link_detail::soft_error{"vxlan: missing virtual network identifier\n"};
    if (multicast(daddr) && !has(IFLA_VXLAN_LINK))
        throw link_detail::soft_error{"vxlan: 'group' requires 'dev' to be specified\n"};
    if (!has(IFLA_VXLAN_PORT) && has(IFLA_VXLAN_GPE)) {
        dstport = 4790;
    } else if (!has(IFLA_VXLAN_PORT) && !set_op) {
        s.complain("vxlan: destination port not specified\n"
                   "Will use Linux kernel default (non-standard value)\n"
                   "Use 'dstport 4789' to get the IANA assigned value\n"
                   "Use 'dstport 0' to get default and quiet this message\n");
    }
    if (has(IFLA_VXLAN_ID)) put<std::uint32_t>(w, IFLA_VXLAN_ID, vni);
    bool selected_family = false;
    if (saddr.family != AF_UNSPEC) {
        w.put_raw(saddr.family == AF_INET ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, saddr.address.bytes());
        selected_family = true;
    }
    if (daddr.family != AF_UNSPEC) {
        w.put_raw(daddr.family == AF_INET ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, daddr.address.bytes());
        selected_family = true;
    }
    if (!selected_family) {
        if (s.opt.family == AF_INET) w.put_raw(IFLA_VXLAN_GROUP, ip_address::parse("0.0.0.0")->bytes());
        else if (s.opt.family == AF_INET6) w.put_raw(IFLA_VXLAN_GROUP6, ip_address::parse("::")->bytes());
    }
    if (!set_op || has(IFLA_VXLAN_LEARNING)) put<std::uint8_t>(w, IFLA_VXLAN_LEARNING, learning);
    if (dstport) put<std::uint16_t>(w, IFLA_VXLAN_PORT, htons(dstport));
}

/// vxlan_print_opt.
inline void print_vxlan_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    auto u8 = [&](std::uint16_t t) { return d.find(t).as<std::uint8_t>(); };
    auto u32 = [&](std::uint16_t t) { return d.find(t).as<std::uint32_t>(); };
    auto host = [](std::span<const std::byte> b) {
        auto a = ip_address::from_bytes(b);
        return a ? a->to_string() : std::string();
    };
    if (auto m = u8(IFLA_VXLAN_COLLECT_METADATA); m && *m) o.boolean(to::any, "external", "external ", true);
    if (auto f = u8(IFLA_VXLAN_VNIFILTER); f && *f) o.boolean(to::any, "vnifilter", "vnifilter", true);
    if (auto id = d.find(IFLA_VXLAN_ID); id && id.payload().size() >= 4) {
        std::uint32_t v;
        std::memcpy(&v, id.payload().data(), 4);
        o.uinteger(to::any, "id", "id %u ", v);
    }
    if (auto g = d.find(IFLA_VXLAN_GROUP); g && g.payload().size() == 4) {
        const auto* b = reinterpret_cast<const unsigned char*>(g.payload().data());
        if (b[0] || b[1] || b[2] || b[3]) {
            if ((b[0] & 0xf0) == 0xe0) o.string(to::any, "group", "group %s ", host(g.payload()));
            else o.string(to::any, "remote", "remote %s ", host(g.payload()));
        }
    } else if (auto g6 = d.find(IFLA_VXLAN_GROUP6); g6 && g6.payload().size() == 16) {
        const auto* b = reinterpret_cast<const unsigned char*>(g6.payload().data());
        bool zero = true;
        for (int i = 0; i < 16; ++i) zero = zero && !b[i];
        if (!zero) {
            if (b[0] == 0xff) o.string(to::any, "group6", "group %s ", host(g6.payload()));
            else o.string(to::any, "remote6", "remote %s ", host(g6.payload()));
        }
    }
    if (auto l = d.find(IFLA_VXLAN_LOCAL); l && l.payload().size() == 4) {
        if (u32(IFLA_VXLAN_LOCAL).value_or(0)) o.string(to::any, "local", "local %s ", host(l.payload()));
    } else if (auto l6 = d.find(IFLA_VXLAN_LOCAL6); l6 && l6.payload().size() == 16) {
        const auto* b = reinterpret_cast<const unsigned char*>(l6.payload().data());
        bool zero = true;
        for (int i = 0; i < 16; ++i) zero = zero && !b[i];
        if (!zero) o.string(to::any, "local6", "local %s ", host(l6.payload()));
    }
    if (auto link = u32(IFLA_VXLAN_LINK); link && *link)
        o.string(to::any, "link", "dev %s ", s.links.name(static_cast<int>(*link)));
    if (auto r = d.find(IFLA_VXLAN_PORT_RANGE).as<ifla_vxlan_port_range>()) {
        if (o.json()) {
            o.open_object("port_range");
            o.uinteger(to::json, "low", nullptr, ntohs(r->low));
            o.uinteger(to::json, "high", nullptr, ntohs(r->high));
            o.close_object();
        } else {
            std::fprintf(o.stream(), "srcport %u %u ", ntohs(r->low), ntohs(r->high));
        }
    }
    if (auto p = d.find(IFLA_VXLAN_PORT).as<std::uint16_t>()) o.uinteger(to::any, "port", "dstport %u ", ntohs(*p));
    if (auto l = u8(IFLA_VXLAN_LEARNING)) {
        o.boolean(to::json, "learning", nullptr, *l != 0);
        if (!*l) o.boolean(to::text, nullptr, "nolearning ", true);
    }
    if (auto x = u8(IFLA_VXLAN_PROXY); x && *x) o.boolean(to::any, "proxy", "proxy ", true);
    if (auto x = u8(IFLA_VXLAN_RSC); x && *x) o.boolean(to::any, "rsc", "rsc ", true);
    if (auto x = u8(IFLA_VXLAN_L2MISS); x && *x) o.boolean(to::any, "l2miss", "l2miss ", true);
    if (auto x = u8(IFLA_VXLAN_L3MISS); x && *x) o.boolean(to::any, "l3miss", "l3miss ", true);
    if (const std::uint8_t tos = u8(IFLA_VXLAN_TOS).value_or(0)) {
        if (o.json() || tos != 1) o.hex0x(to::any, "tos", "tos %#llx ", tos);
        else o.string(to::text, nullptr, "tos %s ", "inherit");
    }
    if (auto ti = u8(IFLA_VXLAN_TTL_INHERIT); ti && *ti) {
        o.string(to::text, nullptr, "ttl %s ", "inherit");
    } else if (auto ttl = u8(IFLA_VXLAN_TTL)) {
        if (o.json() || *ttl) o.uinteger(to::any, "ttl", "ttl %u ", *ttl);
        else o.string(to::text, nullptr, "ttl %s ", "auto");
    }
    if (auto df = u8(IFLA_VXLAN_DF)) {
        if (*df == VXLAN_DF_UNSET) o.string(to::json, "df", "df %s ", "unset");
        else if (*df == VXLAN_DF_SET) o.string(to::any, "df", "df %s ", "set");
        else if (*df == VXLAN_DF_INHERIT) o.string(to::any, "df", "df %s ", "inherit");
    }
    if (auto label = u32(IFLA_VXLAN_LABEL); label && *label) o.hex0x(to::any, "label", "flowlabel %#llx ", ntohl(*label));
    if (auto age = u32(IFLA_VXLAN_AGEING)) {
        if (*age == 0) o.uinteger(to::any, "ageing", "ageing none ", 0);
        else o.uinteger(to::any, "ageing", "ageing %u ", *age);
    }
    if (auto max = u32(IFLA_VXLAN_LIMIT); max && *max) o.uinteger(to::any, "limit", "maxaddr %u ", *max);
    auto csum = [&](std::uint16_t t, const char* key, const char* word) {
        auto v = u8(t);
        if (!v) return;
        if (o.json()) {
            o.boolean(to::json, key, nullptr, *v != 0);
        } else {
            if (!*v) std::fputs("no", o.stream());
            std::fputs(word, o.stream());
        }
    };
    csum(IFLA_VXLAN_UDP_CSUM, "udp_csum", "udpcsum ");
    csum(IFLA_VXLAN_UDP_ZERO_CSUM6_TX, "udp_zero_csum6_tx", "udp6zerocsumtx ");
    csum(IFLA_VXLAN_UDP_ZERO_CSUM6_RX, "udp_zero_csum6_rx", "udp6zerocsumrx ");
    if (auto x = u8(IFLA_VXLAN_REMCSUM_TX); x && *x) o.boolean(to::any, "remcsum_tx", "remcsumtx ", true);
    if (auto x = u8(IFLA_VXLAN_REMCSUM_RX); x && *x) o.boolean(to::any, "remcsum_rx", "remcsumrx ", true);
    if (d.find(IFLA_VXLAN_GBP)) o.boolean(to::any, "gbp", "gbp ", true);
    if (d.find(IFLA_VXLAN_GPE)) o.boolean(to::any, "gpe", "gpe ", true);
}

}  // namespace rtnl::ip
