// tools/ip/monitor_command.hpp — `rtnl-ip monitor [all | OBJECTS] [label]
// [all-nsid] [dev DEV]` (iproute2 6.1 ip/ipmonitor.c) on the library's event
// stream (rtnl::asio::event_stream): link, address, route, neighbour, rule and
// nsid notifications printed by the same printers `show` uses, with ip's
// "[LINK]"-style labels (`all`, `label`), "[nsid N]" with all-nsid, and -t/-ts
// timestamps. `file`, `mroute`, `netconf`, `nexthop`, `prefix` and `stats` are
// refused. Runs until killed, as ip does.
#pragma once

#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <string>

#include "rtnl/asio/events.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/address_print.hpp"
#include "tools/ip/link_print.hpp"
#include "tools/ip/neigh_command.hpp"
#include "tools/ip/route_list.hpp"
#include "tools/ip/rule_command.hpp"

namespace rtnl::ip {

namespace monitor_detail {

inline constexpr const char* usage_text =
    "Usage: ip monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]\n"
    "                  [ dev DEVICE ]\n"
    "OBJECTS :=  address | link | mroute | neigh | netconf |\n"
    "            nexthop | nsid | prefix | route | rule | stats\n"
    "FILE := file FILENAME\n";

/// print_timestamp (-t, or -ts for the short form)
inline void print_timestamp(std::FILE* fp, bool short_form) {
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    std::tm tm{};
    ::localtime_r(&tv.tv_sec, &tm);
    if (short_form) {
        char b[40];
        std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
        std::fprintf(fp, "[%s.%06ld] ", b, static_cast<long>(tv.tv_usec));
    } else {
        char b[64];
        ::asctime_r(&tm, b);
        std::string t(b);
        if (!t.empty() && t.back() == '\n') t.pop_back();
        std::fprintf(fp, "Timestamp: %s %ld usec\n", t.c_str(), static_cast<long>(tv.tv_usec));
    }
}

/// print_netconf
inline void print_netconf(session& s, const wire::message_view& m, int only) {
    printer& o = s.out;
    auto h = m.header<netconfmsg>();
    if (!h) return;
    auto a = m.attributes<netconfmsg>();
    const int ifindex = a.find(NETCONFA_IFINDEX).as<std::int32_t>().value_or(0);
    if (only && only != ifindex) return;
    o.open_object();
    if (m.type() == RTM_DELNETCONF) o.boolean(to::any, "deleted", "Deleted ", true);
    o.string(to::any, "family", "%s ", family_name(h->ncm_family));
    if (a.find(NETCONFA_IFINDEX)) {
        const std::string dev = ifindex == NETCONFA_IFINDEX_ALL       ? "all"
                                : ifindex == NETCONFA_IFINDEX_DEFAULT ? "default"
                                                                      : s.links.name(ifindex);
        o.string(to::any, "interface", "%s ", dev);
    }
    auto onoff = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto v = a.find(t).as<std::uint32_t>()) o.on_off(to::any, key, fmt, *v != 0);
    };
    onoff(NETCONFA_FORWARDING, "forwarding", "forwarding %s ");
    if (auto rp = a.find(NETCONFA_RP_FILTER).as<std::uint32_t>()) {
        static const char* names[] = {"off", "strict", "loose"};
        if (*rp < 3) o.string(to::any, "rp_filter", "rp_filter %s ", names[*rp]);
        else o.uinteger(to::any, "rp_filter", "rp_filter %u ", *rp);
    }
    onoff(NETCONFA_MC_FORWARDING, "mc_forwarding", "mc_forwarding %s ");
    onoff(NETCONFA_PROXY_NEIGH, "proxy_neigh", "proxy_neigh %s ");
    onoff(NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, "ignore_routes_with_linkdown", "ignore_routes_with_linkdown %s ");
    onoff(NETCONFA_INPUT, "input", "input %s ");
    o.close_object();
    o.string(to::text, nullptr, "\n", nullptr);
}

}  // namespace monitor_detail

inline int monitor_command(session& s, arg_list args) {
    using namespace monitor_detail;
    enum : unsigned { l_link = 1, l_addr = 2, l_route = 4, l_neigh = 8, l_rule = 16, l_nsid = 32, l_netconf = 64 };
    unsigned lmask = 0;
    bool banner = false, all_nsid = false;
    int ifindex = 0;
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "file") || matches(a, "mroute") || matches(a, "prefix") || matches(a, "nexthop") ||
            a == "stats") {
            refuse("rtnl-ip: \"monitor " + a + "\" is not supported; use ip(8) for it\n");
        } else if (matches(a, "label")) {
            banner = true;
        } else if (matches(a, "link")) {
            lmask |= l_link;
        } else if (matches(a, "address")) {
            lmask |= l_addr;
        } else if (matches(a, "route")) {
            lmask |= l_route;
        } else if (matches(a, "neigh")) {
            lmask |= l_neigh;
        } else if (matches(a, "netconf")) {
            lmask |= l_netconf;
        } else if (matches(a, "rule")) {
            lmask |= l_rule;
        } else if (matches(a, "nsid")) {
            lmask |= l_nsid;
        } else if (a == "all") {
            banner = true;
        } else if (matches(a, "all-nsid")) {
            all_nsid = true;
        } else if (matches(a, "help")) {
            fail_usage(monitor_detail::usage_text);
        } else if (a == "dev") {
            const std::string& v = args.next_value();
            ifindex = s.links.index(v);
            if (!ifindex) invalid_argument("Device does not exist\n", v);
        } else {
            fail_usage("Argument \"" + a + "\" is unknown, try \"ip monitor help\".\n");
        }
        args.advance();
    }
    if (!lmask) lmask = ~0u;
    const int fam = s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family;
    asio::event_options o;
    o.groups.clear();
    o.listen_all_nsid = all_nsid;
    if (lmask & l_link) o.groups.push_back(RTNLGRP_LINK);
    if (lmask & l_addr) {
        if (!fam || fam == AF_INET) o.groups.push_back(RTNLGRP_IPV4_IFADDR);
        if (!fam || fam == AF_INET6) o.groups.push_back(RTNLGRP_IPV6_IFADDR);
    }
    if (lmask & l_route) {
        if (!fam || fam == AF_INET) o.groups.push_back(RTNLGRP_IPV4_ROUTE);
        if (!fam || fam == AF_INET6) o.groups.push_back(RTNLGRP_IPV6_ROUTE);
        if (!fam || fam == AF_MPLS) o.groups.push_back(RTNLGRP_MPLS_ROUTE);
    }
    if (lmask & l_neigh) o.groups.push_back(RTNLGRP_NEIGH);
    if (lmask & l_netconf) {
        if (!fam || fam == AF_INET) o.groups.push_back(RTNLGRP_IPV4_NETCONF);
        if (!fam || fam == AF_INET6) o.groups.push_back(RTNLGRP_IPV6_NETCONF);
        if (!fam || fam == AF_MPLS) o.groups.push_back(RTNLGRP_MPLS_NETCONF);
    }
    if (lmask & l_rule) {
        if (!fam || fam == AF_INET) o.groups.push_back(RTNLGRP_IPV4_RULE);
        if (!fam || fam == AF_INET6) o.groups.push_back(RTNLGRP_IPV6_RULE);
    }
    if (lmask & l_nsid) o.groups.push_back(RTNLGRP_NSID);

    s.sync();
    // ip's netns_map_init: the namespace names known when monitoring starts
    // (a namespace named later is printed by nsid until its RTM_NEWNSID)
    (void)s.netns_name_of(0);
    boost::asio::io_context io;
    asio::event_stream events(io, o);
    std::FILE* fp = s.out.stream();
    auto headers = [&](const char* label, const std::optional<std::int32_t>& nsid) {
        if (s.opt.timestamp) print_timestamp(fp, s.opt.timestamp_short);
        if (all_nsid) {
            if (!nsid || *nsid < 0) std::fputs("[nsid current]", fp);
            else std::fprintf(fp, "[nsid %d]", *nsid);
        }
        if (banner) std::fputs(label, fp);
    };
    link_filter lf;  // ipaddr_reset_filter: everything, no queue length
    lf.ifindex = ifindex;
    lf.show_queue = false;
    neigh_detail::neigh_filter nf;
    nf.index = ifindex;
    bool warned = false;
    std::function<void(asio::error_code, asio::event)> on_event;
    on_event = [&](asio::error_code e, asio::event ev) {
        if (e) return;  // the stream closed
        if (ev.overrun()) {
            std::fflush(stdout);
            std::fprintf(stderr, "netlink receive error %s (%d)\n", std::strerror(ENOBUFS), ENOBUFS);
        } else {
            const wire::message_view m = ev.message();
            switch (m.type()) {
                case RTM_NEWLINK:
                case RTM_DELLINK: {
                    link_view v(m);
                    if (m.type() == RTM_NEWLINK) s.links.remember(v);
                    headers("[LINK]", ev.nsid);
                    print_linkinfo(s, v, lf);
                    if (m.type() == RTM_DELLINK) s.links.forget_index(v.index());
                    break;
                }
                case RTM_NEWADDR:
                case RTM_DELADDR: {
                    address_view a(m);
                    if (ifindex && a.index() != ifindex) break;
                    headers("[ADDR]", ev.nsid);
                    if (m.type() == RTM_DELADDR) s.out.boolean(to::any, "deleted", "Deleted ", true);
                    addr_detail::print_addrinfo(s, a, true);
                    break;
                }
                case RTM_NEWROUTE:
                case RTM_DELROUTE: {
                    route_view r(m);
                    if (!r.valid() || (r.flags() & RTM_F_CLONED)) break;
                    if (r.family() == RTNL_FAMILY_IPMR || r.family() == RTNL_FAMILY_IP6MR) break;
                    if (ifindex && r.oif().value_or(0) != ifindex) break;
                    headers("[ROUTE]", ev.nsid);
                    route_print_options po;
                    po.show_table = true;
                    print_route(s, r, m, po);
                    break;
                }
                case RTM_NEWNEIGH:
                case RTM_DELNEIGH:
                case RTM_GETNEIGH: {
                    neighbour_view n(m);
                    if (fam && n.family() != fam) break;
                    headers("[NEIGH]", ev.nsid);
                    neigh_detail::print_neigh(s, m, nf, warned);
                    break;
                }
                case RTM_NEWNETCONF:
                case RTM_DELNETCONF:
                    headers("[NETCONF]", ev.nsid);
                    monitor_detail::print_netconf(s, m, ifindex);
                    break;
                case RTM_NEWRULE:
                case RTM_DELRULE:
                    headers("[RULE]", ev.nsid);
                    rule_detail::print_rule(s, m);
                    break;
                case RTM_NEWNSID:
                case RTM_DELNSID: {
                    headers("[NSID]", ev.nsid);
                    auto id = m.attributes<rtgenmsg>().find(NETNSA_NSID).as<std::int32_t>();
                    if (m.type() == RTM_DELNSID) std::fputs("Deleted ", fp);
                    std::fprintf(fp, "nsid %u ", static_cast<unsigned>(id.value_or(-1)));
                    auto name = s.netns_name_of(id.value_or(-1));
                    if (!name && m.type() == RTM_NEWNSID) {
                        s.forget_nsid_names();  // netns_map_add: learn the new id's name
                        name = s.netns_name_of(id.value_or(-1));
                    }
                    if (name) std::fprintf(fp, "(iproute2 netns name: %s)", name->c_str());
                    std::fputs("\n", fp);
                    break;
                }
                default:
                    break;
            }
            std::fflush(fp);
        }
        events.async_next(on_event);
    };
    events.async_next(on_event);
    io.run();
    return 0;
}

}  // namespace rtnl::ip
