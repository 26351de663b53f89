// tools/bridge/link_show.hpp — `rtnl-bridge link [show] [dev DEV]` (iproute2
// bridge/link.c): one AF_BRIDGE link dump, each bridge port printed with its
// STP state, priority and cost (and with -d the port switches), text or JSON.
#pragma once

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <string>

#include "rtnl/bridge.hpp"
#include "tools/common/link_format.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"

namespace rtnl::bridge_tool {

using namespace rtnl::tools;

namespace detail {

inline void print_protinfo(session& s, const link_view& v) {
    printer& o = s.out;
    bridge_port_view p(v);
    if (!p.nested()) {
        if (auto st = p.state()) {
            if (auto n = brport::state_name(*st)) o.string(to::any, "state", "state %s ", std::string(*n));
            else o.uinteger(to::any, "state", "state (%d) ", *st);
        }
        return;
    }
    if (auto st = p.state()) {
        if (auto n = brport::state_name(*st)) o.string(to::any, "state", "state %s ", std::string(*n));
        else o.uinteger(to::any, "state", "state (%d) ", *st);
    }
    if (auto pr = p.priority()) o.uinteger(to::any, "priority", "priority %u ", *pr);
    if (auto c = p.cost()) o.uinteger(to::any, "cost", "cost %u ", *c);
    if (!s.opt.details) return;
    if (!o.json()) o.string(to::text, nullptr, "%s    ", o.sl());
    auto on_off = [&](auto attr, const char* key, const char* fmt) {
        if (auto x = p.get(attr)) o.on_off(to::any, key, fmt, *x != 0);
    };
    on_off(brport::hairpin, "hairpin", "hairpin %s ");
    on_off(brport::guard, "guard", "guard %s ");
    on_off(brport::root_block, "root_block", "root_block %s ");
    on_off(brport::fast_leave, "fastleave", "fastleave %s ");
    on_off(brport::learning, "learning", "learning %s ");
    on_off(brport::learning_sync, "learning_sync", "learning_sync %s ");
    on_off(brport::unicast_flood, "flood", "flood %s ");
    on_off(brport::mcast_flood, "mcast_flood", "mcast_flood %s ");
    on_off(brport::bcast_flood, "bcast_flood", "bcast_flood %s ");
    if (auto r = p.get(brport::multicast_router)) o.uinteger(to::any, "mcast_router", "mcast_router %u ", *r);
    on_off(brport::mcast_to_ucast, "mcast_to_unicast", "mcast_to_unicast %s ");
    on_off(brport::neigh_suppress, "neigh_suppress", "neigh_suppress %s ");
    on_off(brport::vlan_tunnel, "vlan_tunnel", "vlan_tunnel %s ");
    if (auto b = p.get(brport::backup_port))
        o.string(to::any, "backup_port", "backup_port %s ", s.links.name(static_cast<int>(*b)));
    on_off(brport::isolated, "isolated", "isolated %s ");
    on_off(brport::locked, "locked", "locked %s ");
}

/// bridge/link.c print_linkinfo.
inline void print_port(session& s, const link_view& v, int only_index) {
    printer& o = s.out;
    if (v.family() != AF_BRIDGE && v.family() != AF_UNSPEC) return;
    if (only_index && v.index() != only_index) return;
    if (v.name().empty() || !plausible_ifname(v.name())) return;
    o.open_object();
    if (v.message().type() == RTM_DELLINK) o.boolean(to::any, "deleted", "Deleted ", true);
    o.integer(to::any, "ifindex", "%d: ", v.index());
    const bool mdown = print_name_and_link(o, s.links, "%s: ", v);
    print_link_flags(o, v.flags(), mdown);
    if (auto mtu = v.mtu()) o.integer(to::any, "mtu", "mtu %u ", static_cast<int>(*mtu));
    if (auto m = v.master()) o.string(to::any, "master", "master %s ", s.links.name(*m));
    if (v.attr(IFLA_PROTINFO)) print_protinfo(s, v);
    if (auto af = v.attr(IFLA_AF_SPEC))
        if (auto mode = af.nested().find(IFLA_BRIDGE_MODE).as<std::uint16_t>()) {
            if (*mode >= 2) o.hex0x(to::any, "hwmode", "hwmode %#llx ", *mode);
            else o.string(to::any, "hwmode", "hwmode %s ", *mode ? "VEPA" : "VEB");
        }
    o.string(to::text, nullptr, "%s", "\n");
    o.close_object();
}

}  // namespace detail

inline int link_show(session& s, arg_list args) {
    s.sync();
    std::string dev;
    while (!args.empty()) {
        if (args.peek() == "dev") {
            const std::string& v = args.next_value();
            if (!dev.empty()) duplicate_argument("dev", v);
            dev = v;
        }
        args.advance();  // iproute2 ignores other words here
    }
    // iproute2 loads its name cache from a full link dump first (ll_init_map)
    s.links.load_all();
    int only = 0;
    if (!dev.empty()) {
        only = s.links.index(dev);
        if (!only) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 255;  // bridge returns nodev()'s -1 as its exit status
        }
    }
    wire::buffer req;
    wire::writer w(req);
    (void)brport::dump(w);
    std::error_code ec;
    auto ports = dump_messages(s.nl(), req, RTM_NEWLINK, ec);
    if (ec) {
        s.complain("Dump terminated\n");
        throw exit_now{1, {}};
    }
    s.out.begin();
    for (auto& m : ports) detail::print_port(s, link_view(m.view()), only);
    s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::bridge_tool
