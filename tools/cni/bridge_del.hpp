// tools/cni/bridge_del.hpp — DEL and GC.
//
// DEL never fails on what is already gone: without CNI_NETNS, or when the netns
// has vanished, or after an ADD killed half-way, it removes what is left (the
// host veth is found by its derived name) and releases the lease. The bridge is
// never removed (other containers use it), as in the reference.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <string>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/host_local.hpp"
#include "tools/cni/ipam.hpp"
#include "tools/cni/links.hpp"
#include "tools/cni/masq.hpp"
#include "tools/cni/result.hpp"
#include "tools/cni/timing.hpp"
#include "tools/cni/unlisted_delete.hpp"

namespace rtnl::cni {

namespace del_detail {

/// Deletes host veths by name when they are veths enslaved to the bridge; one batch.
inline void delete_host_veths(socket& host, const std::string& bridge, const std::vector<std::string>& names) {
    if (names.empty()) return;
    wire::buffer b;
    {
        wire::writer w(b);
        (void)link::get(w, bridge);
        for (auto& n : names) (void)link::get(w, n);
    }
    int br = 0;
    std::vector<int> doomed;
    run_batch(host, b, [&](std::size_t i, const wire::message_view& m) {
        link_view v(m);
        if (!v.valid() || m.type() != RTM_NEWLINK) return;
        if (i == 0) br = v.kind() == "bridge" ? v.index() : -1;
        else if (v.kind() == "veth" && br > 0 && v.master() == br) doomed.push_back(v.index());
    });
    (void)delete_links_unlisted(host, doomed);  // ENODEV: gone meanwhile, fine
}

}  // namespace del_detail

inline void cmd_del(const net_config& c, const environment& env) {
    if (!c.ipam.type.empty()) require_valid_name(c);
    step_timer timer;
    bool removed = false;
    std::vector<ip_address> masqueraded;  // ipMasq: the addresses to unlist (prevResult, interface, lease)
    if (c.ip_masq && c.prev_result.is_object())
        for (auto& ip : from_json(c.prev_result).ips) masqueraded.push_back(ip.address.address);
    if (!env.netns.empty()) {
        unique_fd fd(::open(env.netns.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd && !netns::verify(fd.get())) {
            std::error_code ec;
            auto guard = netns::enter(fd.get(), ec);
            if (!ec) {
                socket cont;
                const int idx = link::index(cont, env.ifname, ec);
                if (c.ip_masq && idx > 0) {
                    std::error_code lec;
                    for (auto& a : addr::list(cont, AF_INET, idx, lec)) masqueraded.push_back(a.prefix.address);
                }
                // returns when the kernel has unlisted it, not after its RCU grace period
                if (!ec) ec = delete_link_unlisted(cont, idx);
                if (ec && ec != std::errc::no_such_device && ec != errc::no_such_device)
                    fail(generic, "failed to delete \"" + env.ifname + "\": " + ec.message());
                removed = true;
            }
        }
        timer.mark("container veth delete");
    }
    if (!removed) {
        // no netns (or it is gone): the host end, if it still exists, takes the pair with it
        socket host;
        del_detail::delete_host_veths(host, c.bridge, {host_veth_name(c.name, env.container_id, env.ifname, 0)});
        timer.mark("host veth delete");
    }
    if (c.ip_masq && builtin_ipam(c)) {
        for (auto& a : host_local_del(c, env.container_id, env.ifname)) masqueraded.push_back(a);
    } else if (!c.ipam.type.empty()) {
        ipam_del(c, env);
    }
    timer.mark("ipam");
    if (c.ip_masq) {
        masq_del(c, masqueraded);
        timer.mark("ipMasq");
    }
}

/// GC (1.1.0): releases the leases of attachments not listed in
/// cni.dev/valid-attachments and removes their host veths.
inline void cmd_gc(const net_config& c, const environment& env) {
    if (c.ipam.type.empty()) return;
    require_valid_name(c);
    if (builtin_ipam(c)) {
        std::vector<std::string> names;
        std::vector<ip_address> released;
        {
            lease_store store(c.ipam.data_dir, c.name);
            for (auto& l : store.leases()) {
                bool valid = false;
                for (auto& a : c.valid_attachments)
                    valid = valid || (a.container_id == l.id && (l.ifname.empty() || a.ifname == l.ifname));
                if (valid) continue;
                if (!l.ifname.empty()) names.push_back(host_veth_name(c.name, l.id, l.ifname, 0));
                if (c.ip_masq) released.push_back(l.ip);
                store.remove(l);
            }
        }
        socket host;
        del_detail::delete_host_veths(host, c.bridge, names);
        if (c.ip_masq) masq_del(c, released);
    } else {
        ipam_forward(c, env, "GC");
    }
}

}  // namespace rtnl::cni
