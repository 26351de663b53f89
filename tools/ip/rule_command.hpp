// tools/ip/rule_command.hpp — `rtnl-ip rule add|del|show|flush` (iproute2 6.1
// ip/iprule.c): policy-routing rules, the same words, bytes, text and -j output
// and messages as ip. Changes are queued (-force -batch sends many per
// sendmsg); a kernel refusal exits 2 as ip's does. `save`, `restore`, `nat` and
// `tun_id` are refused.
#pragma once

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netdb.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/address_print.hpp"
#include "tools/ip/inet_args.hpp"

namespace rtnl::ip {

namespace rule_detail {

inline constexpr const char* usage_text =
    "Usage: ip rule { add | del } SELECTOR ACTION\n"
    "       ip rule { flush | save | restore }\n"
    "       ip rule [ list [ SELECTOR ]]\n"
    "SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]\n"
    "            [ fwmark FWMARK[/MASK] ]\n"
    "            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]\n"
    "            [ uidrange NUMBER-NUMBER ]\n"
    "            [ ipproto PROTOCOL ]\n"
    "            [ sport [ NUMBER | NUMBER-NUMBER ]\n"
    "            [ dport [ NUMBER | NUMBER-NUMBER ] ]\n"
    "ACTION := [ table TABLE_ID ]\n"
    "          [ protocol PROTO ]\n"
    "          [ nat ADDRESS ]\n"
    "          [ realms [SRCREALM/]DSTREALM ]\n"
    "          [ goto NUMBER ]\n"
    "          SUPPRESSOR\n"
    "SUPPRESSOR := [ suppress_prefixlength NUMBER ]\n"
    "              [ suppress_ifgroup DEVGROUP ]\n"
    "TABLE_ID := [ local | main | default | NUMBER ]\n";

[[noreturn]] inline void usage() { fail_usage(usage_text); }

template <class T>
void put(wire::writer& w, std::uint16_t type, T v) {
    w.put_raw(type, std::as_bytes(std::span<const T>(&v, 1)));
}

/// rtnl_dsfield_a2n: hexadecimal, at most 255.
inline std::optional<std::uint8_t> dsfield(const std::string& v) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v.c_str(), &end, 16);
    if (v.empty() || *end || n > 255) return std::nullopt;
    return static_cast<std::uint8_t>(n);
}

/// inet_proto_a2n: a protocol name or number.
inline int ipproto(const std::string& v) {
    if (auto n = parse_number<std::uint8_t>(v)) return *n;
    if (const protoent* pe = ::getprotobyname(v.c_str())) return pe->p_proto;
    return -1;
}

/// "N" or "N-M" (sscanf "%hu-%hu").
inline std::optional<fib_rule_port_range> port_range(const std::string& v) {
    fib_rule_port_range r{};
    const int n = std::sscanf(v.c_str(), "%hu-%hu", &r.start, &r.end);
    if (n == 1) r.end = r.start;
    else if (n != 2) return std::nullopt;
    return r;
}

inline std::uint32_t rule_table(const fib_rule_hdr& h, wire::attr_range a) {
    if (auto t = a.find(FRA_TABLE).as<std::uint32_t>()) return *t;
    return h.table;
}

struct rule_filter {
    std::optional<std::uint32_t> pref;
    bool invert = false;
    std::optional<std::uint8_t> tos;
    std::uint32_t fwmark = 0, fwmask = 0;
    std::optional<std::string> iif, oif;
    bool l3mdev = false;
    std::optional<fib_rule_uid_range> uidrange;
    int ipproto = 0;
    fib_rule_port_range sport{}, dport{};
    std::uint32_t table = 0;
    std::optional<inet_arg> src, dst;
    std::uint8_t protocol = 0;
    bool protocol_given = false;
};

/// filter_nlmsg
inline bool selected(session& s, const wire::message_view& m, const rule_filter& f, int family) {
    auto h = m.header<fib_rule_hdr>();
    if (!h) return false;
    auto a = m.attributes<fib_rule_hdr>();
    if (family != AF_UNSPEC && h->family != family) return false;
    if (f.pref && *f.pref != a.find(FRA_PRIORITY).as<std::uint32_t>().value_or(0)) return false;
    if (f.invert && !(h->flags & FIB_RULE_INVERT)) return false;
    auto prefix_ok = [&](const std::optional<inet_arg>& p, std::uint16_t type, unsigned len) {
        if (!p || p->family == AF_UNSPEC) return true;
        if (p->family != h->family || p->bitlen > len) return false;
        if (p->bitlen == 0) return true;
        auto at = a.find(type);
        if (!at) return true;  // inet_addr_match_rta: no attribute matches
        auto addr = ip_address::from_bytes(at.payload());
        return addr_detail::prefix_matches(ip_prefix{p->address, p->bitlen}, addr);
    };
    if (!prefix_ok(f.src, FRA_SRC, h->src_len) || !prefix_ok(f.dst, FRA_DST, h->dst_len)) return false;
    if (f.tos && *f.tos != h->tos) return false;
    if (f.fwmark && f.fwmark != a.find(FRA_FWMARK).as<std::uint32_t>().value_or(0)) return false;
    if (f.fwmask && f.fwmask != a.find(FRA_FWMASK).as<std::uint32_t>().value_or(0)) return false;
    if (f.iif && a.find(FRA_IFNAME).as<wire::cstring>().value_or("\x01") != *f.iif) return false;
    if (f.oif && a.find(FRA_OIFNAME).as<wire::cstring>().value_or("\x01") != *f.oif) return false;
    if (f.l3mdev && !a.find(FRA_L3MDEV).as<std::uint8_t>().value_or(0)) return false;
    if (f.uidrange) {
        auto r = a.find(FRA_UID_RANGE).as<fib_rule_uid_range>();
        if (!r || r->start != f.uidrange->start || r->end != f.uidrange->end) return false;
    }
    if (f.ipproto && f.ipproto != a.find(FRA_IP_PROTO).as<std::uint8_t>().value_or(0)) return false;
    for (auto [want, type] : {std::pair{f.sport, FRA_SPORT_RANGE}, std::pair{f.dport, FRA_DPORT_RANGE}}) {
        if (!want.start) continue;
        auto r = a.find(type).as<fib_rule_port_range>();
        if (!r || r->start != want.start || r->end != want.end) return false;
    }
    if (f.table && f.table != rule_table(*h, a)) return false;
    (void)s;
    return true;
}

/// print_rule
inline void print_rule(session& s, const wire::message_view& m) {
    printer& o = s.out;
    const fib_rule_hdr h = *m.header<fib_rule_hdr>();
    auto a = m.attributes<fib_rule_hdr>();
    const unsigned host_len = h.family == AF_INET6 ? 128 : h.family == AF_INET ? 32 : ~0u;
    o.open_object();
    if (m.type() == RTM_DELRULE) o.boolean(to::any, "deleted", "Deleted ", true);
    o.uinteger(to::any, "priority", "%u:\t", a.find(FRA_PRIORITY).as<std::uint32_t>().value_or(0));
    if (h.flags & FIB_RULE_INVERT) o.null(to::any, "not", "not ", nullptr);
    auto addr_text = [](wire::attr_view at) {
        auto ad = ip_address::from_bytes(at.payload());
        return ad ? ad->to_string() : std::string("???");
    };
    if (auto src = a.find(FRA_SRC)) {
        o.string(to::text, nullptr, "from ", nullptr);
        o.string(to::any, "src", "%s", addr_text(src));
        if (h.src_len != host_len) o.uinteger(to::any, "srclen", "/%u", h.src_len);
    } else if (h.src_len) {
        o.string(to::any, "src", "from %s", "0");
        o.uinteger(to::any, "srclen", "/%u", h.src_len);
    } else {
        o.string(to::any, "src", "from %s", "all");
    }
    if (auto dst = a.find(FRA_DST)) {
        o.string(to::text, nullptr, " to ", nullptr);
        o.string(to::any, "dst", "%s", addr_text(dst));
        if (h.dst_len != host_len) o.uinteger(to::any, "dstlen", "/%u", h.dst_len);
    } else if (h.dst_len) {
        o.string(to::any, "dst", " to %s", "0");
        o.uinteger(to::any, "dstlen", "/%u", h.dst_len);
    }
    if (h.tos) {
        char b[16];
        std::snprintf(b, sizeof b, "0x%02x", h.tos);
        o.string(to::any, "tos", " tos %s", b);
    }
    auto mark = a.find(FRA_FWMARK).as<std::uint32_t>();
    auto mask = a.find(FRA_FWMASK).as<std::uint32_t>();
    if (mark || mask) {
        o.hex0x(to::any, "fwmark", " fwmark %#llx", mark.value_or(0));
        if (mask && *mask != 0xFFFFFFFF) o.hex0x(to::any, "fwmask", "/%#llx", *mask);
    }
    if (auto iif = a.find(FRA_IFNAME).as<wire::cstring>()) {
        o.text(" iif ");
        o.string(to::any, "iif", "%s", std::string(*iif));
        if (h.flags & FIB_RULE_IIF_DETACHED) o.null(to::any, "iif_detached", " [detached]", nullptr);
    }
    if (auto oif = a.find(FRA_OIFNAME).as<wire::cstring>()) {
        o.text(" oif ");
        o.string(to::any, "oif", "%s", std::string(*oif));
        if (h.flags & FIB_RULE_OIF_DETACHED) o.null(to::any, "oif_detached", " [detached]", nullptr);
    }
    if (auto l3 = a.find(FRA_L3MDEV).as<std::uint8_t>(); l3 && *l3)
        o.null(to::any, "l3mdev", " lookup [l3mdev-table]", nullptr);
    if (auto r = a.find(FRA_UID_RANGE).as<fib_rule_uid_range>()) {
        o.uinteger(to::any, "uid_start", " uidrange %u", r->start);
        o.uinteger(to::any, "uid_end", "-%u", r->end);
    }
    if (auto p = a.find(FRA_IP_PROTO).as<std::uint8_t>()) {
        const protoent* pe = ::getprotobynumber(*p);
        o.string(to::any, "ipproto", " ipproto %s", pe ? std::string(pe->p_name) : "ipproto-" + std::to_string(*p));
    }
    for (auto [type, one, first, last, word] :
         {std::tuple{FRA_SPORT_RANGE, "sport", "sport_start", "sport_end", " sport %u"},
          std::tuple{FRA_DPORT_RANGE, "dport", "dport_start", "dport_end", " dport %u"}}) {
        auto r = a.find(type).as<fib_rule_port_range>();
        if (!r) continue;
        if (r->start == r->end) {
            o.uinteger(to::any, one, word, r->start);
        } else {
            o.uinteger(to::any, first, word, r->start);
            o.uinteger(to::any, last, "-%u", r->end);
        }
    }
    if (const std::uint32_t table = rule_table(h, a)) {
        o.string(to::any, "table", " lookup %s", s.tables.tables.name(table));
        if (auto pl = a.find(FRA_SUPPRESS_PREFIXLEN).as<std::int32_t>(); pl && *pl != -1)
            o.integer(to::any, "suppress_prefixlen", " suppress_prefixlength %d", *pl);
        if (auto g = a.find(FRA_SUPPRESS_IFGROUP).as<std::int32_t>(); g && *g != -1)
            o.string(to::any, "suppress_ifgroup", " suppress_ifgroup %s",
                     s.tables.groups.name(static_cast<std::uint32_t>(*g)));
    }
    if (auto flow = a.find(FRA_FLOW).as<std::uint32_t>()) {
        const unsigned from = *flow >> 16, to_realm = *flow & 0xFFFF;
        if (from) o.string(to::any, "flow_from", " realms %s/", std::to_string(from));
        else o.string(to::text, nullptr, " realms ", nullptr);
        o.string(to::any, "flow_to", "%s", std::to_string(to_realm));
    }
    if (h.action == RTN_NAT) {
        if (auto gw = a.find(RTA_GATEWAY)) o.string(to::any, "nat_gateway", " map-to %s", addr_text(gw));
        else o.null(to::any, "masquerade", " masquerade", nullptr);
    } else if (h.action == FR_ACT_GOTO) {
        if (auto g = a.find(FRA_GOTO).as<std::uint32_t>()) o.uinteger(to::any, "goto", " goto %u", *g);
        else o.string(to::any, "goto", " goto %s", "none");
        if (h.flags & FIB_RULE_UNRESOLVED) o.null(to::any, "unresolved", " [unresolved]", nullptr);
    } else if (h.action == FR_ACT_NOP) {
        o.null(to::any, "nop", " nop", nullptr);
    } else if (h.action != FR_ACT_TO_TBL) {
        o.string(to::any, "action", " %s", s.tables.types.name(h.action));
    }
    if (auto p = a.find(FRA_PROTOCOL).as<std::uint8_t>())
        if ((*p && *p != RTPROT_KERNEL) || s.opt.details)
            o.string(to::any, "protocol", " proto %s", s.tables.protocols.name(*p));
    o.string(to::text, nullptr, "\n", "");
    o.close_object();
}

}  // namespace rule_detail

/// iprule_modify
inline int rule_modify(session& s, arg_list args, std::uint16_t type) {
    using namespace rule_detail;
    if (args.empty()) {
        s.complain(type == RTM_NEWRULE ? "\"ip rule add\" requires arguments.\n" : "\"ip rule del\" requires arguments.\n");
        return 1;
    }
    wire::buffer request;
    wire::writer w(request);
    auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK |
                                                        (type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0)));
    const std::size_t hdr_at = w.size();
    fib_rule_hdr h{};
    h.family = static_cast<std::uint8_t>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
    h.action = type == RTM_NEWRULE ? FR_ACT_TO_TBL : FR_ACT_UNSPEC;
    w.header(h);
    bool table_ok = false, l3mdev = false;
    std::uint32_t tid = 0;
    while (!args.empty()) {
        const std::string_view a = args.peek();  // compared with literals: length first, no memcmp per keyword
        if (a == "not") {
            h.flags |= FIB_RULE_INVERT;
        } else if (a == "from" || a == "to") {
            const inet_arg p = get_prefix(args.next_value(), h.family);
            (a == "from" ? h.src_len : h.dst_len) = static_cast<std::uint8_t>(p.bitlen);
            w.put_raw(a == "from" ? FRA_SRC : FRA_DST, p.address.bytes());
        } else if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n) invalid_argument("preference value is invalid\n", v);
            put<std::uint32_t>(w, FRA_PRIORITY, *n);
        } else if (a == "tos" || matches(a, "dsfield")) {
            const std::string& v = args.next_value();
            auto t = dsfield(v);
            if (!t) invalid_argument("TOS value is invalid\n", v);
            h.tos = *t;
        } else if (a == "fwmark") {
            const std::string v = args.next_value();
            const auto slash = v.find('/');
            const std::string markw = v.substr(0, slash);
            auto mark = parse_number<std::uint32_t>(markw);
            if (!mark) invalid_argument("fwmark value is invalid\n", markw);
            put<std::uint32_t>(w, FRA_FWMARK, *mark);
            if (slash != std::string::npos) {
                auto mask = parse_number<std::uint32_t>(v.substr(slash + 1));
                if (!mask) invalid_argument("fwmask value is invalid\n", v.substr(slash + 1));
                put<std::uint32_t>(w, FRA_FWMASK, *mask);
            }
        } else if (matches(a, "realms") || a == "nat" || matches(a, "map-to") || matches(a, "tun_id")) {
            refuse("rtnl-ip: rule option \"" + std::string(a) + "\" is not supported; use ip(8) for it\n");
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) invalid_argument("\"protocol\" value is invalid\n", v);
            put<std::uint8_t>(w, FRA_PROTOCOL, static_cast<std::uint8_t>(*p));
        } else if (matches(a, "table") || a == "lookup") {
            const std::string& v = args.next_value();
            auto t = s.tables.tables.id(v);
            if (!t) invalid_argument("invalid table ID\n", v);
            tid = *t;
            if (tid < 256) {
                h.table = static_cast<std::uint8_t>(tid);
            } else {
                h.table = RT_TABLE_UNSPEC;
                put<std::uint32_t>(w, FRA_TABLE, tid);
            }
            table_ok = true;
        } else if (matches(a, "suppress_prefixlength") || a == "sup_pl") {
            const std::string& v = args.next_value();
            auto n = parse_number<std::int32_t>(v);
            if (!n || *n < 0) invalid_argument("suppress_prefixlength value is invalid\n", v);
            put<std::int32_t>(w, FRA_SUPPRESS_PREFIXLEN, *n);
        } else if (matches(a, "suppress_ifgroup") || a == "sup_group") {
            const std::string& v = args.next_value();
            auto g = s.tables.groups.id(v);
            if (!g) invalid_argument("Invalid \"suppress_ifgroup\" value\n", v);
            put<std::int32_t>(w, FRA_SUPPRESS_IFGROUP, static_cast<std::int32_t>(*g));
        } else if (a == "dev" || a == "iif" || a == "oif") {
            const std::string& v = args.next_value();
            if (!plausible_ifname(v))
                invalid_argument(a == "oif" ? "\"oif\" not a valid ifname" : "\"iif\"/\"dev\" not a valid ifname", v);
            w.put_raw(a == "oif" ? FRA_OIFNAME : FRA_IFNAME, std::as_bytes(std::span(v.c_str(), v.size() + 1)));
        } else if (a == "l3mdev") {
            put<std::uint8_t>(w, FRA_L3MDEV, 1);
            table_ok = l3mdev = true;
        } else if (a == "uidrange") {
            const std::string& v = args.next_value();
            fib_rule_uid_range r{};
            if (std::sscanf(v.c_str(), "%u-%u", &r.start, &r.end) != 2) invalid_argument("invalid UID range\n", v);
            put(w, FRA_UID_RANGE, r);
        } else if (a == "ipproto") {
            const std::string& v = args.next_value();
            const int p = ipproto(v);
            if (p < 0) invalid_argument("Invalid \"ipproto\" value\n", v);
            put<std::uint8_t>(w, FRA_IP_PROTO, static_cast<std::uint8_t>(p));
        } else if (a == "sport" || a == "dport") {
            const std::string& v = args.next_value();
            auto r = port_range(v);
            if (!r) invalid_argument(a == "sport" ? "invalid port range\n" : "invalid dport range\n", v);
            put(w, a == "sport" ? FRA_SPORT_RANGE : FRA_DPORT_RANGE, *r);
        } else {
            std::string v(a);
            if (v == "type") v = args.next_value();
            if (matches(v, "help")) usage();
            std::uint8_t action;
            if (matches(v, "goto")) {
                action = FR_ACT_GOTO;
                const std::string& t = args.next_value();
                auto n = parse_number<std::uint32_t>(t);
                if (!n) invalid_argument("invalid target\n", t);
                put<std::uint32_t>(w, FRA_GOTO, *n);
            } else if (matches(v, "nop")) {
                action = FR_ACT_NOP;
            } else {
                auto t = s.tables.types.id(v);
                if (!t || *t > 255) invalid_argument("Failed to parse rule type", v);
                action = static_cast<std::uint8_t>(*t);
            }
            h.action = action;
            table_ok = true;
        }
        args.advance();
    }
    if (l3mdev && tid != 0) {
        s.complain("table can not be specified for l3mdev rules\n");
        return EINVAL;  // ip returns -EINVAL, do_cmd negates it
    }
    if (h.family == AF_UNSPEC) h.family = AF_INET;
    if (!table_ok && type == RTM_NEWRULE) h.table = RT_TABLE_MAIN;
    std::memcpy(request.data() + hdr_at, &h, sizeof h);
    msg.close();
    s.pipe.queue(request, s.line, [](const status& st) { return report(st); });
    return queued;
}

/// iprule_list_flush_or_save (list and flush)
inline int rule_list(session& s, arg_list args, bool flush) {
    using namespace rule_detail;
    s.sync();
    int af = s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family;
    if (af == AF_UNSPEC) af = AF_INET;
    rule_filter f;
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n) invalid_argument("preference value is invalid\n", v);
            f.pref = *n;
        } else if (a == "not") {
            f.invert = true;
        } else if (a == "tos" || a == "dsfield") {
            const std::string& v = args.next_value();
            f.tos = dsfield(v);
            if (!f.tos) invalid_argument("TOS value is invalid\n", v);
        } else if (a == "fwmark") {
            const std::string v = args.next_value();
            const auto slash = v.find('/');
            auto mark = parse_number<std::uint32_t>(v.substr(0, slash));
            if (!mark) invalid_argument("fwmark value is invalid\n", v.substr(0, slash));
            f.fwmark = *mark;
            if (slash != std::string::npos) {
                auto mask = parse_number<std::uint32_t>(v.substr(slash + 1));
                if (!mask) invalid_argument("fwmask value is invalid\n", v.substr(slash + 1));
                f.fwmask = *mask;
            }
        } else if (a == "dev" || a == "iif" || a == "oif") {
            const std::string& v = args.next_value();
            if (!plausible_ifname(v))
                invalid_argument(a == "oif" ? "\"oif\" not a valid ifname" : "\"iif\"/\"dev\" not a valid ifname", v);
            (a == "oif" ? f.oif : f.iif) = v;
        } else if (a == "l3mdev") {
            f.l3mdev = true;
        } else if (a == "uidrange") {
            const std::string& v = args.next_value();
            fib_rule_uid_range r{};
            if (std::sscanf(v.c_str(), "%u-%u", &r.start, &r.end) != 2) invalid_argument("invalid UID range\n", v);
            f.uidrange = r;
        } else if (matches(a, "tun_id")) {
            refuse("rtnl-ip: rule option \"" + a + "\" is not supported; use ip(8) for it\n");
        } else if (matches(a, "lookup") || matches(a, "table")) {
            const std::string& v = args.next_value();
            auto t = s.tables.tables.id(v);
            if (!t) invalid_argument("table id value is invalid\n", v);
            f.table = *t;
        } else if (matches(a, "from") || matches(a, "src")) {
            f.src = get_prefix(args.next_value(), af);
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            f.protocol_given = true;
            if (!p || *p > 255) {
                if (v != "all") invalid_argument("invalid \"protocol\"\n", v);
                f.protocol_given = false;
                p = 0;
            }
            f.protocol = static_cast<std::uint8_t>(*p);
        } else if (a == "ipproto") {
            const std::string& v = args.next_value();
            f.ipproto = ipproto(v);
            if (f.ipproto < 0) invalid_argument("Invalid \"ipproto\" value\n", v);
        } else if (a == "sport" || a == "dport") {
            const std::string& v = args.next_value();
            auto r = port_range(v);
            if (!r) invalid_argument(a == "sport" ? "invalid port range\n" : "invalid dport range\n", v);
            (a == "sport" ? f.sport : f.dport) = *r;
        } else {
            std::string v = a;
            if (matches(v, "dst") || matches(v, "to")) v = args.next_value();
            f.dst = get_prefix(v, af);
        }
        args.advance();
    }
    wire::buffer req;
    wire::writer w(req);
    {
        auto msg = w.begin(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP);
        fib_rule_hdr h{};
        h.family = static_cast<std::uint8_t>(af);
        w.header(h);
    }
    std::error_code ec;
    auto rules = dump_messages(s.nl(), req, RTM_NEWRULE, ec);
    if (ec) {
        s.complain("Dump terminated\n");
        return 1;
    }
    if (flush) {
        // flush_rule: each selected rule with a priority goes back as RTM_DELRULE
        for (auto& m : rules) {
            if (!selected(s, m.view(), f, s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family)) continue;
            auto a = m.view().attributes<fib_rule_hdr>();
            if (auto p = a.find(FRA_PROTOCOL).as<std::uint8_t>(); p && f.protocol_given && *p != f.protocol) continue;
            if (!a.find(FRA_PRIORITY)) continue;
            wire::buffer del;
            append_as(del, m.view(), RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK);
            for (auto& st : s.nl().batch(del))
                if (!st.ok()) {
                    std::fflush(stdout);
                    std::fprintf(stderr, "%s\n", st.describe().c_str());
                    return 2;
                }
        }
        return 0;
    }
    s.out.begin();
    for (auto& m : rules)
        if (selected(s, m.view(), f, s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family)) print_rule(s, m.view());
    s.out.end();
    s.out.flush();
    return 0;
}

inline int rule_command(session& s, arg_list args) {
    if (args.empty()) return rule_list(s, args, false);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "list") || matches(cmd, "lst") || matches(cmd, "show")) return rule_list(s, args, false);
    if (matches(cmd, "save") || matches(cmd, "restore"))
        refuse("rtnl-ip: \"rule " + cmd + "\" is not supported; use ip(8) for it\n");
    if (matches(cmd, "add")) return rule_modify(s, args, RTM_NEWRULE);
    if (matches(cmd, "delete")) return rule_modify(s, args, RTM_DELRULE);
    if (matches(cmd, "flush")) return rule_list(s, args, true);
    if (matches(cmd, "help")) rule_detail::usage();
    fail_usage("Command \"" + cmd + "\" is unknown, try \"ip rule help\".\n");
}

}  // namespace rtnl::ip
