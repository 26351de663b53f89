// tools/ip/route_list.hpp — `rtnl-ip route [show|list]` (iproute2
// ip/iproute.c iproute_list_flush_or_save and print_route): one dump, filtered
// as iproute2 filters it (main table, IPv4 unless -6 or a table/family says
// otherwise), each route printed in text or JSON.
#pragma once

#include <linux/in_route.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cerrno>
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

namespace route_print_detail {

/// print_rta_via: "via FAMILY ADDR " (JSON: "via":{"family","host"}).
inline void print_via(printer& o, wire::attr_view via) {
    const auto p = via.payload();
    if (p.size() < 2) return;
    std::uint16_t family;
    std::memcpy(&family, p.data(), 2);
    auto a = ip_address::from_bytes(p.subspan(2));
    const std::string host = a ? a->to_string() : "???";
    if (o.json()) {
        o.open_object("via");
        o.string(to::json, "family", nullptr, family_name(family));
        o.string(to::json, "host", nullptr, host);
        o.close_object();
    } else {
        std::fprintf(o.stream(), "via %s %s ", family_name(family), host.c_str());
    }
}

/// print_cache_flags: the RTCF_* bits of a cloned IPv4 route ("cache <local> ").
inline void print_cache_flags(printer& o, std::uint32_t flags) {
    flags &= ~0xFFFFu;
    if (o.json()) {
        o.open_array(to::json, "cache");
    } else {
        std::fprintf(o.stream(), "%s    cache ", o.sl());
        if (flags == 0) return;
        std::fputc('<', o.stream());
    }
    static constexpr std::pair<std::uint32_t, const char*> names[] = {
        {RTCF_LOCAL, "local"},           {RTCF_REJECT, "reject"},       {RTCF_MULTICAST, "mc"},
        {RTCF_BROADCAST, "brd"},         {RTCF_DNAT, "dst-nat"},        {RTCF_SNAT, "src-nat"},
        {RTCF_MASQ, "masq"},             {RTCF_DIRECTDST, "dst-direct"}, {RTCF_DIRECTSRC, "src-direct"},
        {RTCF_REDIRECTED, "redirected"}, {RTCF_DOREDIRECT, "redirect"}, {RTCF_FAST, "fastroute"},
        {RTCF_NOTIFY, "notify"},         {RTCF_TPROXY, "proxy"}};
    for (auto [bit, name] : names) {
        if (!(flags & bit)) continue;
        flags &= ~bit;
        if (o.json()) o.string(to::json, nullptr, nullptr, name);
        else std::fprintf(o.stream(), "%s%s", name, flags ? "," : "> ");
    }
    if (flags) o.hex(to::any, "flags", "%x>", flags);
    if (o.json()) o.close_array(to::json, nullptr);
}

/// print_rta_cacheinfo.
inline void print_cacheinfo(session& s, const rta_cacheinfo& ci) {
    printer& o = s.out;
    const unsigned hz = 100;
    if (ci.rta_expires) o.integer(to::any, "expires", "expires %dsec ", static_cast<int>(ci.rta_expires) / static_cast<int>(hz));
    if (ci.rta_error) o.uinteger(to::any, "error", "error %u ", ci.rta_error);
    if (s.opt.stats) {
        if (ci.rta_clntref) o.uinteger(to::any, "users", "users %u ", ci.rta_clntref);
        if (ci.rta_used) o.uinteger(to::any, "used", "used %u ", ci.rta_used);
        if (ci.rta_lastuse) o.uinteger(to::any, "age", "age %usec ", ci.rta_lastuse / hz);
    }
    if (ci.rta_id) o.hex0x(to::any, "ipid", "ipid 0x%04llx ", ci.rta_id);
    if (ci.rta_ts || ci.rta_tsage) {
        o.hex0x(to::any, "ts", "ts 0x%llx", ci.rta_ts);
        o.uinteger(to::any, "tsage", "tsage %usec ", ci.rta_tsage);
    }
}

inline void print_nh_flags(printer& o, unsigned flags) {
    o.open_array(to::json, o.json() ? "flags" : "");
    static constexpr std::pair<unsigned, const char*> names[] = {
        {RTNH_F_DEAD, "dead"}, {RTNH_F_ONLINK, "onlink"}, {RTNH_F_PERVASIVE, "pervasive"},
        {RTNH_F_OFFLOAD, "offload"}, {RTNH_F_TRAP, "trap"}, {RTM_F_NOTIFY, "notify"},
        {RTNH_F_LINKDOWN, "linkdown"}, {RTNH_F_UNRESOLVED, "unresolved"}, {RTM_F_OFFLOAD, "rt_offload"},
        {RTM_F_TRAP, "rt_trap"}, {RTM_F_OFFLOAD_FAILED, "rt_offload_failed"}};
    for (auto [bit, name] : names)
        if (flags & bit) o.string(to::any, nullptr, "%s ", name);
    o.close_array(to::json, nullptr);
}

/// print_rta_multipath: "\tnexthop via GW dev DEV weight W " per hop.
inline void print_multipath(session& s, const route_view& r, wire::attr_view mp) {
    printer& o = s.out;
    auto p = mp.payload();
    o.open_array(to::json, "nexthops");
    while (p.size() >= sizeof(rtnexthop)) {
        rtnexthop nh;
        std::memcpy(&nh, p.data(), sizeof nh);
        if (nh.rtnh_len > p.size() || nh.rtnh_len < sizeof nh) break;
        o.open_object();
        o.string(to::text, nullptr, "%s\tnexthop ", o.sl());
        if (nh.rtnh_len > sizeof nh) {
            wire::attr_range attrs(p.subspan(sizeof nh, nh.rtnh_len - sizeof nh));
            if (auto gw = attrs.find(RTA_GATEWAY)) {
                if (auto a = ip_address::from_bytes(gw.payload())) {
                    if (o.json()) o.string(to::json, "gateway", nullptr, a->to_string());
                    else std::fprintf(o.stream(), "via %s ", a->to_string().c_str());
                }
            }
            if (auto via = attrs.find(RTA_VIA)) print_via(o, via);
        }
        o.string(to::any, "dev", "dev %s ", s.links.name(nh.rtnh_ifindex));
        if (r.family() != AF_MPLS) o.integer(to::any, "weight", "weight %d ", nh.rtnh_hops + 1);
        print_nh_flags(o, nh.rtnh_flags);
        o.close_object();
        const std::size_t step = NLMSG_ALIGN(nh.rtnh_len);
        if (step >= p.size()) break;
        p = p.subspan(step);
    }
    o.close_array(to::json, nullptr);
}

}  // namespace route_print_detail

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
    if (auto via = r.attributes().find(RTA_VIA)) route_print_detail::print_via(o, via);
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
    if (r.family() == AF_INET && (r.flags() & RTM_F_CLONED)) route_print_detail::print_cache_flags(o, r.flags());
    if (auto ci = r.attributes().find(RTA_CACHEINFO).as<rta_cacheinfo>();
        ci && (r.family() == AF_INET || r.family() == AF_INET6))
        route_print_detail::print_cacheinfo(s, *ci);
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
    if (auto mp = r.attributes().find(RTA_MULTIPATH)) route_print_detail::print_multipath(s, r, mp);
    o.string(to::text, nullptr, "\n", nullptr);
    o.close_object();
}

namespace route_print_detail {
/// iproute_flush_cache: the IPv4 routing cache, through /proc.
inline int flush_ipv4_cache() {
    static constexpr const char* path = "/proc/sys/net/ipv4/route/flush";
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "Cannot open \"%s\": %s\n", path, std::strerror(errno));
        return -1;
    }
    const bool ok = ::write(fd, "-1", 2) == 2;
    ::close(fd);
    if (!ok) std::fputs("Cannot flush routing cache\n", stderr);
    return ok ? 0 : -1;
}
}  // namespace route_print_detail

/// `ip route [show|list|flush] [SELECTOR]`: the main table by default, IPv4
/// unless -6; `table cache` (or `cached`/`cloned`) selects the exception cache.
inline int route_list(session& s, arg_list args, bool flush = false) {
    using namespace route_detail;
    s.sync();
    if (flush && args.empty()) {
        s.complain("\"ip route flush\" requires arguments.\n");
        return 1;
    }
    bool cloned = false;
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
                else if (v == "cache") cloned = true;
                else if (v == "help") usage();
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
        } else if (matches(a, "cached") || matches(a, "cloned")) {
            cloned = true;
        } else if (a == "iif" || a == "mark" || matches(a, "metric") || matches(a, "priority") || a == "preference" ||
                   a == "via" || a == "src" || matches(a, "realms") || matches(a, "from") || matches(a, "vrf")) {
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
    auto dump = [&](std::error_code& ec) {
        wire::buffer req;
        wire::writer w(req);
        {
            auto msg = w.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
            rtmsg h{};
            h.rtm_family = static_cast<std::uint8_t>(dump_family);
            if (cloned) h.rtm_flags |= RTM_F_CLONED;
            w.header(h);
        }
        return dump_messages(s.nl(), req, RTM_NEWROUTE, ec);
    };
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
    auto selected = [&](const route_view& r) {
        if (!r.valid()) return false;
        if (family != AF_UNSPEC && r.family() != family) return false;
        if (cloned != ((r.flags() & RTM_F_CLONED) != 0)) return false;
        if (table && r.table() != table) return false;
        if (protocol && r.protocol() != *protocol) return false;
        if (scope && r.scope() != *scope) return false;
        if (rtype && r.type() != *rtype) return false;
        if (oif && r.oif().value_or(0) != oif) return false;
        if (root) {
            if ((root->family && r.family() != root->family) || root->bitlen > r.dst_length()) return false;
            if (!prefix_has(*root, r, root->bitlen)) return false;
        }
        if (match) {
            if ((match->family && r.family() != match->family) || match->bitlen < r.dst_length()) return false;
            if (!prefix_has(*match, r, r.dst_length())) return false;
        }
        return true;
    };
    if (flush) {
        // iproute_flush: the IPv4 cache through /proc; everything else by
        // sending the selected routes back as RTM_DELROUTE, round after round
        if (cloned) {
            if (dump_family != AF_INET6) {
                route_print_detail::flush_ipv4_cache();
                if (s.opt.stats) std::printf("*** IPv4 routing cache is flushed.\n");
            }
            if (dump_family == AF_INET) {
                std::fflush(stdout);
                return 0;
            }
        }
        for (int round = 0;; ++round) {
            std::error_code ec;
            auto routes = dump(ec);
            if (ec) {
                s.complain("Flush terminated\n");
                return 2;
            }
            wire::buffer dels;
            int flushed = 0;
            for (auto& m : routes) {
                if (!selected(route_view(m.view()))) continue;
                append_as(dels, m.view(), RTM_DELROUTE, NLM_F_REQUEST);
                ++flushed;
            }
            if (flushed == 0) {
                if (s.opt.stats) {
                    if (round == 0 && (!cloned || dump_family == AF_INET6)) std::printf("Nothing to flush.\n");
                    else std::printf("*** Flush is complete after %d round%s ***\n", round, round > 1 ? "s" : "");
                }
                std::fflush(stdout);
                return 0;
            }
            (void)s.nl().batch(dels);  // a route gone meanwhile (with its link) is not the flush's error
            if (s.opt.stats) {
                std::printf("\n*** Round %d, deleting %d entries ***\n", round + 1, flushed);
                std::fflush(stdout);
            }
            if (round > 100) return 1;
        }
    }
    std::error_code ec;
    auto routes = dump(ec);
    if (ec) {
        s.complain("Dump terminated\n");
        return 2;
    }
    s.out.begin();
    for (auto& m : routes) {
        route_view r(m.view());
        if (!selected(r)) continue;
        print_route(s, r, m.view(), po);
    }
    s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::ip
