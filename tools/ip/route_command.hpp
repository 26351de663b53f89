// tools/ip/route_command.hpp — `rtnl-ip route add|del|show` (iproute2
// ip/iproute.c iproute_modify, iproute_list_flush_or_save, print_route) for
// unicast-style routes: destination or default, via, dev, src, metric, table,
// protocol, scope, type, onlink. Multipath, encapsulation and metrics are left
// to ip(8) with a clear message.
#pragma once

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "rtnl/route.hpp"
#include "rtnl/wire/writer.hpp"
#include "tools/common/messages.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

namespace route_detail {

[[noreturn]] inline void usage() {
    fail_usage(
        "Usage: ip route { list | flush } SELECTOR\n"
        "       ip route { add | del | change | append | replace } ROUTE\n"
        "SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]\n"
        "            [ table TABLE_ID ] [ proto RTPROTO ]\n"
        "            [ type TYPE ] [ scope SCOPE ]\n"
        "ROUTE := NODE_SPEC [ INFO_SPEC ]\n"
        "NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]\n"
        "             [ table TABLE_ID ] [ proto RTPROTO ]\n"
        "             [ scope SCOPE ] [ metric METRIC ]\n"
        "INFO_SPEC := NH OPTIONS FLAGS [ nexthop NH ]...\n"
        "NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS\n"
        "FAMILY := [ inet | inet6 | mpls | bridge | link ]\n"
        "TABLE_ID := [ local | main | default | all | NUMBER ]\n"
        "SCOPE := [ host | link | global | NUMBER ]\n"
        "NHFLAGS := [ onlink | pervasive ]\n"
        "RTPROTO := [ kernel | boot | static | NUMBER ]\n");
}

inline int read_family(std::string_view w) {
    if (w == "inet") return AF_INET;
    if (w == "inet6") return AF_INET6;
    if (w == "link") return AF_PACKET;
    if (w == "mpls") return AF_MPLS;
    if (w == "bridge") return AF_BRIDGE;
    return AF_UNSPEC;
}

[[noreturn]] inline void unsupported(const std::string& what) {
    fail_usage("rtnl-ip: route option \"" + what + "\" is not supported; use ip(8) for it\n");
}

}  // namespace route_detail

/// iproute_modify for add / del (and change / replace / append / prepend / test).
inline int route_modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    using namespace route_detail;
    wire::buffer request;
    wire::writer w(request);
    auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags));
    const std::size_t hdr_at = w.size();
    rtmsg r{};
    r.rtm_family = static_cast<std::uint8_t>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_scope = RT_SCOPE_NOWHERE;
    if (type != RTM_DELROUTE) {
        r.rtm_protocol = RTPROT_BOOT;
        r.rtm_scope = RT_SCOPE_UNIVERSE;
        r.rtm_type = RTN_UNICAST;
    }
    w.header(r);
    std::string dev;
    bool gw_ok = false, dst_ok = false, scope_ok = false, table_ok = false;
    auto put_u32 = [&](std::uint16_t t, std::uint32_t v) { w.put_raw(t, std::as_bytes(std::span(&v, 1))); };

    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "src") {
            auto p = get_addr(args.next_value(), r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            w.put_raw(RTA_PREFSRC, p.address.bytes());
        } else if (a == "via") {
            if (gw_ok) invalid_argument("use nexthop syntax to specify multiple via\n", a);
            gw_ok = true;
            std::string v = args.next_value();
            int family = read_family(v);
            if (family == AF_UNSPEC) family = r.rtm_family;
            else v = args.next_value();
            auto p = get_addr(v, family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            if (p.family != r.rtm_family) unsupported("via " + std::string(family_word(p.family)));
            w.put_raw(RTA_GATEWAY, p.address.bytes());
        } else if (matches(a, "metric") || matches(a, "priority") || a == "preference") {
            const std::string& v = args.next_value();
            auto m = parse_number<std::uint32_t>(v);
            if (!m) invalid_argument("\"metric\" value is invalid\n", v);
            put_u32(RTA_PRIORITY, *m);
        } else if (a == "scope") {
            const std::string& v = args.next_value();
            auto sc = s.tables.scopes.id(v);
            if (!sc || *sc > 255) invalid_argument("invalid \"scope\" value\n", v);
            r.rtm_scope = static_cast<std::uint8_t>(*sc);
            scope_ok = true;
        } else if (a == "onlink") {
            r.rtm_flags |= RTNH_F_ONLINK;
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) invalid_argument("\"protocol\" value is invalid\n", v);
            r.rtm_protocol = static_cast<std::uint8_t>(*p);
        } else if (matches(a, "table")) {
            const std::string& v = args.next_value();
            auto t = s.tables.tables.id(v);
            if (!t) invalid_argument("\"table\" value is invalid\n", v);
            if (*t < 256) {
                r.rtm_table = static_cast<std::uint8_t>(*t);
            } else {
                r.rtm_table = RT_TABLE_UNSPEC;
                put_u32(RTA_TABLE, *t);
            }
            table_ok = true;
        } else if (a == "dev" || a == "oif") {
            dev = args.next_value();
        } else if (a == "from" || a == "as" || a == "tos" || matches(a, "dsfield") || a == "expires" || a == "mtu" ||
                   a == "hoplimit" || a == "advmss" || matches(a, "reordering") || a == "rtt" || a == "rto_min" ||
                   matches(a, "window") || matches(a, "cwnd") || matches(a, "initcwnd") || matches(a, "initrwnd") ||
                   matches(a, "features") || matches(a, "quickack") || matches(a, "congctl") ||
                   matches(a, "rttvar") || matches(a, "ssthresh") || matches(a, "realms") || a == "nexthop" ||
                   a == "nhid" || matches(a, "vrf") || matches(a, "pref") || a == "encap" || a == "ttl-propagate" ||
                   matches(a, "fastopen_no_cookie")) {
            unsupported(a);
        } else {
            std::string v = a;
            if (v == "to") v = args.next_value();
            if ((v.empty() || v[0] < '0' || v[0] > '9') && v != "default" && v != "any" && v != "all") {
                if (auto t = s.tables.types.id(v); t && *t < 256 && !parse_number<unsigned>(v)) {
                    v = args.next_value();
                    r.rtm_type = static_cast<std::uint8_t>(*t);
                }
            }
            if (matches(v, "help")) usage();
            if (dst_ok) duplicate_or_garbage("to", v);
            auto d = get_prefix(v, r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(d.family);
            r.rtm_dst_len = static_cast<std::uint8_t>(d.bitlen);
            dst_ok = true;
            if (d.bytelen()) w.put_raw(RTA_DST, d.address.bytes());
        }
        args.advance();
    }
    if (!dst_ok) usage();
    if (!dev.empty()) {
        const int idx = s.links.index(dev);
        if (!idx) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
        put_u32(RTA_OIF, static_cast<std::uint32_t>(idx));
    }
    if (r.rtm_family == AF_UNSPEC) r.rtm_family = AF_INET;
    if (!table_ok && (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_BROADCAST || r.rtm_type == RTN_NAT ||
                      r.rtm_type == RTN_ANYCAST))
        r.rtm_table = RT_TABLE_LOCAL;
    if (!scope_ok) {
        if (r.rtm_family == AF_INET6 || r.rtm_family == AF_MPLS) r.rtm_scope = RT_SCOPE_UNIVERSE;
        else if (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_NAT) r.rtm_scope = RT_SCOPE_HOST;
        else if (r.rtm_type == RTN_BROADCAST || r.rtm_type == RTN_MULTICAST || r.rtm_type == RTN_ANYCAST)
            r.rtm_scope = RT_SCOPE_LINK;
        else if (r.rtm_type == RTN_UNICAST || r.rtm_type == RTN_UNSPEC) {
            if (type == RTM_DELROUTE) r.rtm_scope = RT_SCOPE_NOWHERE;
            else if (!gw_ok) r.rtm_scope = RT_SCOPE_LINK;
        }
    }
    std::memcpy(request.data() + hdr_at, &r, sizeof r);
    msg.close();
    s.pipe.queue(request, s.line, [](const status& st) { return report(st); });
    return queued;
}

/// What print_route leaves out because the filter fixed it (iproute2 hides a
/// field the user selected on).
struct route_print_options {
    bool show_table = false;  ///< `table all`
    bool hide_dev = false;
    bool hide_protocol = false;
    bool hide_scope = false;
};

/// print_route for one RTM_NEWROUTE (the filters were applied by the caller).
inline void print_route(session& s, const route_view& r, const wire::message_view& m, const route_print_options& po) {
    printer& o = s.out;
    const unsigned host_len = r.family() == AF_INET6 ? 128 : 32;
    o.open_object();
    if (m.type() == RTM_DELROUTE) o.boolean(to::any, "deleted", "Deleted ", true);
    if (r.type() != RTN_UNICAST || s.opt.details) o.string(to::any, "type", "%s ", s.tables.types.name(r.type()));
    std::string dst;
    if (auto d = r.dst()) {
        dst = d->to_string();
        if (r.dst_length() != host_len) dst += "/" + std::to_string(r.dst_length());
    } else if (r.dst_length()) {
        dst = "0/" + std::to_string(r.dst_length()) + " ";
    } else {
        dst = "default";
    }
    o.string(to::any, "dst", "%s ", dst);
    if (auto src = r.attributes().find(RTA_SRC).as<wire::ip>()) {
        std::string from = src->to_string();
        const unsigned src_len = m.header<rtmsg>()->rtm_src_len;
        if (src_len != host_len) from += "/" + std::to_string(src_len);
        o.string(to::any, "from", "from %s ", from);
    }
    if (auto nh = r.attributes().find(RTA_NH_ID).as<std::uint32_t>()) o.uinteger(to::any, "nhid", "nhid %u ", *nh);
    if (auto gw = r.gateway()) {
        if (o.json()) o.string(to::json, "gateway", nullptr, gw->to_string());
        else std::fprintf(o.stream(), "via %s ", gw->to_string().c_str());
    }
    if (auto oif = r.oif(); oif && !po.hide_dev) {
        const std::string name = s.links.name(*oif);
        if (o.json()) o.string(to::json, "dev", nullptr, name);
        else std::fprintf(o.stream(), "dev %s ", name.c_str());
    }
    const std::uint32_t table = r.table();
    if (table && (table != RT_TABLE_MAIN || s.opt.details) && po.show_table) o.string(to::any, "table", "table %s ", s.tables.tables.name(table));
    if (!(r.flags() & RTM_F_CLONED)) {
        if ((r.protocol() != RTPROT_BOOT || s.opt.details) && !po.hide_protocol)
            o.string(to::any, "protocol", "proto %s ", s.tables.protocols.name(r.protocol()));
        if ((r.scope() != RT_SCOPE_UNIVERSE || s.opt.details) && !po.hide_scope)
            o.string(to::any, "scope", "scope %s ", s.tables.scopes.name(r.scope()));
    }
    if (auto p = r.prefsrc()) {
        if (o.json()) o.string(to::json, "prefsrc", nullptr, p->to_string());
        else std::fprintf(o.stream(), "src %s ", p->to_string().c_str());
    }
    if (auto m2 = r.priority()) o.uinteger(to::any, "metric", "metric %u ", *m2);
    // print_rt_flags
    o.open_array(to::json, o.json() ? "flags" : "");
    static constexpr std::pair<unsigned, const char*> flag_names[] = {
        {RTNH_F_DEAD, "dead"}, {RTNH_F_ONLINK, "onlink"}, {RTNH_F_PERVASIVE, "pervasive"},
        {RTNH_F_OFFLOAD, "offload"}, {RTNH_F_TRAP, "trap"}, {RTM_F_NOTIFY, "notify"},
        {RTNH_F_LINKDOWN, "linkdown"}, {RTNH_F_UNRESOLVED, "unresolved"}, {RTM_F_OFFLOAD, "rt_offload"},
        {RTM_F_TRAP, "rt_trap"}, {RTM_F_OFFLOAD_FAILED, "rt_offload_failed"}};
    for (auto [bit, name] : flag_names)
        if (r.flags() & bit) o.string(to::any, nullptr, "%s ", name);
    o.close_array(to::json, nullptr);
    if (auto mark = r.attributes().find(RTA_MARK).as<std::uint32_t>(); mark && *mark) {
        if (o.json()) o.uinteger(to::json, "mark", nullptr, *mark);
        else if (*mark >= 16) o.hex0x(to::text, nullptr, "mark 0x%llx ", *mark);
        else o.uinteger(to::text, nullptr, "mark %u ", *mark);
    }
    if (auto uid = r.attributes().find(RTA_UID).as<std::uint32_t>()) o.uinteger(to::any, "uid", "uid %u ", *uid);
    if (auto ci = r.attributes().find(RTA_CACHEINFO).as<rta_cacheinfo>();
        ci && (r.family() == AF_INET || r.family() == AF_INET6)) {
        const long hz = 100;
        if (ci->rta_expires) o.integer(to::any, "expires", "expires %dsec ", static_cast<int>(ci->rta_expires / hz));
        if (ci->rta_error) o.uinteger(to::any, "error", "error %u ", ci->rta_error);
        if (ci->rta_id) o.hex0x(to::any, "ipid", "ipid 0x%04llx ", ci->rta_id);
    }
    if (auto iif = r.attributes().find(RTA_IIF).as<std::uint32_t>()) {
        const std::string name = s.links.name(static_cast<int>(*iif));
        if (o.json()) o.string(to::json, "iif", nullptr, name);
        else std::fprintf(o.stream(), "iif %s ", name.c_str());
    }
    if (auto pref = r.attributes().find(RTA_PREF).as<std::uint8_t>()) {
        switch (*pref) {
            case 3: o.string(to::any, "pref", "pref %s", "low"); break;
            case 0: o.string(to::any, "pref", "pref %s", "medium"); break;
            case 1: o.string(to::any, "pref", "pref %s", "high"); break;
            default: o.uinteger(to::any, "pref", "%u", *pref);
        }
    }
    o.string(to::text, nullptr, "\n", nullptr);
    o.close_object();
}

/// `ip route [show|list] [SELECTOR]`: the main table by default, IPv4 unless -6.
inline int route_list(session& s, arg_list args) {
    using namespace route_detail;
    s.sync();
    int family = s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family;
    std::uint32_t table = RT_TABLE_MAIN;
    std::optional<std::uint8_t> protocol, scope, rtype;
    std::optional<inet_arg> root, match;
    std::string dev;
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "table")) {
            const std::string& v = args.next_value();
            auto t = s.tables.tables.id(v);
            if (!t) {
                if (v == "all") table = 0;
                else if (v == "cache") unsupported("table cache");
                else invalid_argument("table id value is invalid\n", v);
            } else {
                table = *t;
            }
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) {
                if (v != "all") invalid_argument("invalid \"protocol\"\n", v);
            } else {
                protocol = static_cast<std::uint8_t>(*p);
            }
        } else if (matches(a, "scope")) {
            const std::string& v = args.next_value();
            auto sc = s.tables.scopes.id(v);
            if (!sc || *sc > 255) {
                if (v != "all") invalid_argument("invalid \"scope\"\n", v);
            } else {
                scope = static_cast<std::uint8_t>(*sc);
            }
        } else if (matches(a, "type")) {
            const std::string& v = args.next_value();
            auto t = s.tables.types.id(v);
            if (!t || *t > 255) invalid_argument("node type value is invalid\n", v);
            rtype = static_cast<std::uint8_t>(*t);
        } else if (a == "dev" || a == "oif") {
            dev = args.next_value();
        } else if (a == "iif" || a == "mark" || matches(a, "metric") || matches(a, "priority") || a == "preference" ||
                   a == "via" || a == "src" || matches(a, "realms") || matches(a, "from") || matches(a, "cloned") ||
                   matches(a, "cached") || matches(a, "vrf")) {
            unsupported(a);
        } else {
            std::string v = a;
            if (matches(v, "to")) v = args.next_value();
            if (matches(v, "root")) {
                root = get_prefix(args.next_value(), family);
            } else if (matches(v, "match")) {
                match = get_prefix(args.next_value(), family);
            } else {
                if (matches(v, "exact")) v = args.next_value();
                match = get_prefix(v, family);
                root = match;
            }
        }
        args.advance();
    }
    route_print_options po;
    po.show_table = table == 0;
    po.hide_dev = !dev.empty();
    po.hide_protocol = protocol.has_value();
    po.hide_scope = scope.has_value();
    int dump_family = family;
    if (dump_family == AF_UNSPEC && table) dump_family = AF_INET;
    int oif = 0;
    if (!dev.empty()) {
        oif = s.links.index(dev);
        if (!oif) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
    }
    wire::buffer req;
    wire::writer w(req);
    {
        auto msg = w.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
        rtmsg h{};
        h.rtm_family = static_cast<std::uint8_t>(dump_family);
        w.header(h);
    }
    std::error_code ec;
    auto routes = dump_messages(s.nl(), req, RTM_NEWROUTE, ec);
    if (ec) {
        s.complain("Dump terminated\n");
        return 2;
    }
    auto prefix_has = [](const inet_arg& p, const route_view& r, unsigned bits) {
        // inet_addr_match over `bits` of the route's destination
        auto d = r.dst();
        std::array<std::uint8_t, 16> rb{};
        if (d) std::memcpy(rb.data(), d->data(), d->size());
        const std::uint8_t* pb = p.address.data();
        for (unsigned i = 0; i < bits; ++i) {
            const std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (i % 8));
            if ((rb[i / 8] & mask) != (p.is_default ? 0 : (pb[i / 8] & mask))) return false;
        }
        return true;
    };
    s.out.begin();
    for (auto& m : routes) {
        route_view r(m.view());
        if (!r.valid()) continue;
        if (family != AF_UNSPEC && r.family() != family) continue;
        if (r.flags() & RTM_F_CLONED) continue;
        if (table && r.table() != table) continue;
        if (protocol && r.protocol() != *protocol) continue;
        if (scope && r.scope() != *scope) continue;
        if (rtype && r.type() != *rtype) continue;
        if (oif && r.oif().value_or(0) != oif) continue;
        if (root) {
            if ((root->family && r.family() != root->family) || root->bitlen > r.dst_length()) continue;
            if (!prefix_has(*root, r, root->bitlen)) continue;
        }
        if (match) {
            if ((match->family && r.family() != match->family) || match->bitlen < r.dst_length()) continue;
            if (!prefix_has(*match, r, r.dst_length())) continue;
        }
        print_route(s, r, m.view(), po);
    }
    s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::ip
