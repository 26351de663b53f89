// tools/ip/route_list.hpp — `rtnl-ip route [show|list]` (iproute2
// ip/iproute.c iproute_list_flush_or_save and print_route): one dump, filtered
// as iproute2 filters it (main table, IPv4 unless -6 or a table/family says
// otherwise), each route printed in text or JSON.
#pragma once

#include <linux/rtnetlink.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "rtnl/route.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/ip/route_command.hpp"

namespace rtnl::ip {

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
