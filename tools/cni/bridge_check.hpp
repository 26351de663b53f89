// tools/cni/bridge_check.hpp — CHECK (is the prevResult still true?) and STATUS.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "tools/cni/bridge_add.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/host_local.hpp"
#include "tools/cni/ipam.hpp"
#include "tools/cni/result.hpp"

namespace rtnl::cni {

inline void cmd_check(const net_config& c, const environment& env) {
    if (c.prev_result.is_null()) fail(generic, "Required prevResult missing");
    if (!c.ipam.type.empty()) {
        require_valid_name(c);
        ipam_check(c, env);
    }
    const result prev = from_json(c.prev_result);
    unique_fd nsfd = add_detail::open_netns(env.netns);

    socket host;
    std::error_code ec;
    auto br = link::get(host, c.bridge, ec);
    if (!br) fail(generic, "Interface name " + c.bridge + " not found");
    if (br->kind != "bridge") fail(generic, "Interface " + c.bridge + " does not have link type of bridge");
    const interface_result* cont_if = nullptr;
    for (auto& i : prev.interfaces) {
        if (!i.sandbox.empty()) {
            if (i.name == env.ifname) cont_if = &i;
            continue;
        }
        if (i.name == c.bridge && !i.mac.empty() && br->address && i.mac != br->address->to_string())
            fail(generic, "Bridge interface " + c.bridge + " Mac doesn't match: " + i.mac);
    }
    const bool promisc = (br->flags & IFF_PROMISC) != 0;
    if (promisc != c.promisc)
        fail(generic, "Bridge interface " + c.bridge + " configured Promisc Mode " + (c.promisc ? "true" : "false") +
                          " doesn't match current state: " + (promisc ? "true" : "false") + " ");
    if (!cont_if) fail(generic, "Sandbox interface " + env.ifname + " not found in prevResult");

    int cont_index = 0, peer_index = 0;
    {
        auto guard = netns::enter(nsfd.get(), ec);
        if (ec) fail(generic, "failed to enter netns \"" + env.netns + "\": " + ec.message());
        socket cont;
        auto l = link::get(cont, env.ifname, ec);
        if (!l) fail(generic, "Interface name " + env.ifname + " not found");
        if (l->kind != "veth") fail(generic, "Error: Container interface " + env.ifname + " not of type veth");
        if (!cont_if->mac.empty() && l->address && cont_if->mac != l->address->to_string())
            fail(generic, "Interface " + env.ifname + " Mac " + cont_if->mac + " doesn't match container Mac: " + l->address->to_string());
        cont_index = l->index;
        peer_index = l->link.value_or(0);
        auto addrs = addr::list(cont, AF_UNSPEC, cont_index, ec);
        for (auto& ip : prev.ips) {
            bool found = false;
            for (auto& a : addrs) found = found || a.prefix == ip.address;
            if (!found) fail(generic, "Failed to find IP " + ip.address.to_string() + " on " + env.ifname);
        }
        auto routes4 = route::list(cont, AF_INET, RT_TABLE_MAIN, ec);
        auto routes6 = route::list(cont, AF_INET6, RT_TABLE_MAIN, ec);
        for (auto& rt : prev.routes) {
            bool found = false;
            for (auto* list : {&routes4, &routes6})
                for (auto& r : *list) {
                    const unsigned len = r.dst ? r.dst->length : 0;
                    const ip_address net = r.dst ? r.dst->network() : ip_address{};
                    if (len != rt.dst.length || r.family != rt.dst.address.family()) continue;
                    if (len > 0 && net != rt.dst.network()) continue;
                    if (rt.gw && r.gateway != rt.gw) continue;
                    found = true;
                }
            if (!found) fail(generic, "Failed to match route " + rt.dst.to_string() + " on " + env.ifname);
        }
    }
    // the host end: a veth on the bridge whose peer is the container interface
    bool host_ok = false;
    for (auto& i : prev.interfaces) {
        if (!i.sandbox.empty() || i.name == c.bridge) continue;
        auto h = link::get(host, i.name, ec);
        if (!h) fail(generic, "Interface name " + i.name + " not found");
        if (h->kind != "veth") continue;
        if (h->index == peer_index && h->link == cont_index && h->master == br->index) host_ok = true;
        if (!i.mac.empty() && h->address && i.mac != h->address->to_string())
            fail(generic, "Interface " + i.name + " Mac doesn't match: " + i.mac + " not found");
    }
    if (!host_ok) fail(generic, "CNI veth pair for " + env.ifname + " not found on bridge " + c.bridge);
}

/// STATUS (1.1.0): ready when the lease directory can be used (code 50 if not).
inline void cmd_status(const net_config& c, const environment& env) {
    if (builtin_ipam(c)) {
        require_valid_name(c);
        try {
            lease_store store(c.ipam.data_dir, c.name);
        } catch (const failure& f) {
            fail(not_available, "host-local lease directory unusable: " + f.msg);
        }
    } else {
        ipam_forward(c, env, "STATUS");
    }
}

}  // namespace rtnl::cni
