// tools/cni/bridge_add.hpp — ADD: the reference bridge plugin's kernel state,
// reached with few messages:
//
//   host   #1  create bridge (pinned MAC) + get it                             one sendmsg
//         [#1b the addresses of an existing bridge that will carry a gateway]  one sendmsg
//   cont.  #2  create veth: eth0 here, vethXXXXXXXX born in the host netns
//              + get eth0                                                     one sendmsg
//   cont.      sysctls (accept_dad, arp_notify; through our own procfs)
//   cont.  #3  addresses, up, routes                                          one sendmsg
//   host   #4  enslave + up host veth, hairpin, bridge up/promisc, gateway
//              address, MAC pin (if not pinned yet) + get host veth           one sendmsg
//   host       sysctls (accept_ra, ip_forward)
//
// RTNL_CNI_TIMING=1 prints each step's time on stderr (timing.hpp).
//
// IPAM runs first and anything that can be refused is refused before a link
// exists. A failure after that undoes everything this ADD made (the lease, the
// veth pair, a bridge it created that has no ports).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/ipam.hpp"
#include "tools/cni/links.hpp"
#include "tools/cni/masq.hpp"
#include "tools/cni/result.hpp"
#include "tools/cni/own_mounts.hpp"
#include "tools/cni/timing.hpp"

namespace rtnl::cni {

namespace add_detail {

inline std::string describe(const status& s) {
    if (!s.message.empty()) return s.message;
    return s.code.message();
}

/// The container's network namespace, opened and checked (code 4 if CNI_NETNS is not one).
inline unique_fd open_netns(const std::string& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail(invalid_environment, "failed to open netns \"" + path + "\": " + std::strerror(errno), "CNI_NETNS");
    if (netns::verify(fd.get()))
        fail(invalid_environment, "failed to open netns \"" + path + "\": not a network namespace", "CNI_NETNS");
    return fd;
}

/// Namespaces beside CNI_NETNS from which /proc/sys/net lookups cost more than a procfs of our own.
inline constexpr std::size_t crowded_host = 64;

/// The ADD's sysctl writes; a failure is ignored (as before: a missing sysctl does not fail an ADD).
inline sysctl_writer& sysctls() {
    static sysctl_writer w;
    return w;
}
inline void sysctl(const std::string& key, const char* value) { (void)sysctls().write(key, value); }

inline std::optional<ip_address> broadcast_of(const ip_prefix& p) {
    if (!p.address.is_v4() || p.length >= 31) return std::nullopt;
    const ip_address net = p.network();
    auto b = net.bytes();
    std::array<std::uint8_t, 4> x{};
    for (int i = 0; i < 4; ++i) x[i] = static_cast<std::uint8_t>(b[i]);
    for (unsigned bit = p.length; bit < 32; ++bit) x[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    return ip_address::v4(x);
}

/// The reference's calcGateways: fills gateways (isGateway), ips[].interface and the default routes.
inline std::vector<ip_prefix> gateways(result& r, const net_config& c) {
    std::vector<ip_prefix> gws;
    bool default_found[2] = {false, false};
    for (auto& ip : r.ips) {
        const int fam = ip.address.address.is_v4() ? 0 : 1;
        ip.interface = 2;
        if (!ip.gateway && c.is_gateway) ip.gateway = config_detail::next(ip.address.network());
        if (c.is_default_gateway && !default_found[fam]) {
            for (auto& rt : r.routes)
                if (rt.gw && rt.dst.length == 0 && rt.dst.address.family() == ip.address.address.family()) default_found[fam] = true;
            if (!default_found[fam]) {
                const ip_address zero = fam == 0 ? ip_address::v4({0, 0, 0, 0}) : ip_address::v6({});
                r.routes.push_back({ip_prefix{zero, 0}, ip.gateway});
                default_found[fam] = true;
            }
        }
        if (c.is_gateway && ip.gateway) gws.push_back(ip_prefix{*ip.gateway, ip.address.length});
    }
    return gws;
}

/// Waits (at most 10 s, as the reference) until no IPv6 address of the link is tentative.
inline void settle_addresses(socket& nl, int index) {
    for (int i = 0; i < 200; ++i) {
        std::error_code ec;
        bool tentative = false;
        for (auto& a : addr::list(nl, AF_INET6, index, ec)) tentative = tentative || (a.flags & IFA_F_TENTATIVE);
        if (ec || !tentative) return;
        ::usleep(50000);
    }
}

/// Errors of the container batch (addresses, up, routes); `first` = index of its first message.
inline void check_container_batch(const std::vector<status>& s, const result& res, const environment& env, std::size_t first) {
    const std::size_t n_addr = res.ips.size();
    for (std::size_t k = 0; k < s.size(); ++k) {
        const std::size_t i = k + first;
        if (s[k].ok()) continue;
        if (i < n_addr) fail(generic, "failed to add IP addr " + res.ips[i].address.to_string() + " to \"" + env.ifname + "\": " + describe(s[k]));
        if (i == n_addr) fail(generic, "failed to set \"" + env.ifname + "\" UP: " + describe(s[k]));
        const auto& rt = res.routes[i - n_addr - 1];
        fail(generic, "failed to add route '" + rt.dst.to_string() + "' dev " + env.ifname + ": " + describe(s[k]));
    }
}

/// Undo list for a failing ADD.
struct rollback {
    const net_config& conf;
    const environment& env;
    bool lease = false;
    socket* host = nullptr;
    std::string host_veth{};
    int bridge_created = 0;  // ifindex of a bridge this ADD created
    std::vector<ip_address> masqueraded{};
    bool armed = true;

    ~rollback() {
        if (!armed) return;
        try {
            if (!masqueraded.empty()) masq_del(conf, masqueraded);
        } catch (...) {
        }
        try {
            if (host && !host_veth.empty()) {
                std::error_code ec;
                link::del(*host, host_veth, ec);  // takes the container end with it
            }
            if (host && bridge_created > 0) {
                std::error_code ec;
                auto ports = link::list(*host, {.master = bridge_created}, ec);
                if (!ec && ports.empty()) link::del(*host, bridge_created, ec);
            }
            if (lease) ipam_del(conf, env);
        } catch (...) {
        }
    }
};

}  // namespace add_detail

inline result cmd_add(const net_config& c, const environment& env) {
    using namespace add_detail;
    if (c.hairpin && c.promisc) fail(generic, "cannot set hairpin mode and promiscuous mode at the same time.");
    if (c.vlan != 0)
        fail(generic, "vlan " + std::to_string(c.vlan) + " is not supported by rtnl-cni: bridge VLAN filtering is not available");
    if (c.mac_spoof_check) fail(generic, "macspoofchk is not supported yet by rtnl-cni");
    if (!c.ipam.type.empty()) require_valid_name(c);

    step_timer timer;
    unique_fd nsfd = open_netns(env.netns);
    sysctls().use_own_procfs(netns_siblings(env.netns, crowded_host) >= crowded_host);
    socket host;
    rollback undo{c, env};
    undo.host = &host;

    // ---- IPAM first: a refused lease leaves nothing to undo
    result res;
    std::vector<ip_prefix> gws;
    if (!c.ipam.type.empty()) {
        result ipam = ipam_add(c, env);  // undoes its own partial work when it throws
        undo.lease = true;
        res.ips = std::move(ipam.ips);
        res.routes = std::move(ipam.routes);
        if (res.ips.empty()) fail(generic, "IPAM plugin returned missing IP config");
        gws = gateways(res, c);
    }
    timer.mark("ipam");

    // ---- #1 host: the bridge (created pinned, or found), its addresses when it will carry a gateway
    const mac_address pinned = random_mac();
    wire::buffer b1;
    {
        wire::writer w(b1);
        // up from the start (as the reference brings it up before any port joins:
        // a bridge raised after its first port can miss the port's carrier)
        bridge br{.name = c.bridge, .address = pinned, .up = true};
        if (c.mtu > 0) br.mtu = static_cast<std::uint32_t>(c.mtu);
        if (auto ec = link::add(w, br)) fail(invalid_config, "invalid bridge name \"" + c.bridge + "\": " + ec.message());
        (void)link::set(w, c.bridge, {.up = true});
        (void)link::get(w, c.bridge);
    }
    std::optional<link_info> br;
    std::vector<address_info> br_addrs;
    auto s1 = run_batch(host, b1, [&](std::size_t i, const wire::message_view& m) {
        if (i == 2 && m.type() == RTM_NEWLINK) {
            link_view v(m);
            if (v.valid()) br = link_info::from(v);
        }
    });
    const bool created = s1[0].ok();
    if (!created && s1[0].code != std::errc::file_exists)
        fail(generic, "failed to create bridge \"" + c.bridge + "\": " + describe(s1[0]));
    if (!br) fail(generic, "failed to create bridge \"" + c.bridge + "\": could not look it up: " + describe(s1[2]));
    if (br->kind != "bridge") fail(generic, "failed to create bridge \"" + c.bridge + "\": \"" + c.bridge + "\" already exists but is not a bridge");
    if (created) undo.bridge_created = br->index;
    if (!s1[1].ok()) fail(generic, "failed to create bridge \"" + c.bridge + "\": cannot set it up: " + describe(s1[1]));
    // the addresses of an existing bridge that will carry a gateway: a dump of that
    // one link (strict checking filters by index), not of every address on the host
    if (!gws.empty() && !created) {
        wire::buffer ba;
        {
            wire::writer w(ba);
            (void)addr::dump(w, AF_UNSPEC, br->index);
        }
        auto sa = run_batch(host, ba, [&](std::size_t, const wire::message_view& m) {
            address_view v(m);
            if (m.type() == RTM_NEWADDR && v.valid()) br_addrs.push_back(address_info::from(v));
        });
        if (!sa[0].ok()) fail(generic, "failed to read the addresses of bridge \"" + c.bridge + "\": " + describe(sa[0]));
    }
    std::erase_if(br_addrs, [&](const address_info& a) { return a.index != br->index; });
    timer.mark("bridge");

    // gateway address on the bridge: refuse a different one now, before any veth exists
    std::vector<address_spec> br_del, br_add;
    for (auto& gw : gws) {
        bool present = false;
        for (auto& a : br_addrs) {
            if (a.prefix.address.family() != gw.address.family()) continue;
            if (a.prefix == gw) { present = true; continue; }
            const bool clash = gw.address.is_v4() || config_detail::in_subnet(ip_prefix{a.prefix.network(), a.prefix.length}, gw.address) ||
                               config_detail::in_subnet(ip_prefix{gw.network(), gw.length}, a.prefix.address);
            if (!clash) continue;
            if (!c.force_address)
                fail(generic, "failed to set bridge addr: \"" + c.bridge + "\" already has an IP address different from " + gw.to_string());
            br_del.push_back(a.to_spec());
        }
        if (!present) br_add.push_back({.index = br->index, .prefix = gw, .broadcast = broadcast_of(gw)});
    }

    // ---- #2..#3 in the container
    std::string host_name;
    std::string cont_mac;
    int cont_index = 0;
    std::optional<socket> cont_socket;  // stays bound to the container netns after we leave it
    wire::buffer b3r;                    // routes held back until the addresses settle (DAD on)
    bool settle = false;
    {
        std::error_code ec;
        auto guard = netns::enter(nsfd.get(), ec);
        if (ec) fail(generic, "failed to enter netns \"" + env.netns + "\": " + ec.message());
        socket& cont = cont_socket.emplace();
        std::optional<mac_address> want_mac;
        if (!c.mac.empty()) want_mac = mac_address::parse(c.mac);
        for (unsigned attempt = 0;; ++attempt) {
            host_name = host_veth_name(c.name, env.container_id, env.ifname, attempt);
            wire::buffer b2;
            wire::writer w(b2);
            // txqlen 0 on both ends, as the reference leaves them (noqueue either way)
            veth v{.name = env.ifname, .txqlen = 0, .address = want_mac, .num_tx_queues = 1, .num_rx_queues = 1,
                   .peer = {.name = host_name, .txqlen = 0, .num_tx_queues = 1, .num_rx_queues = 1, .netns = netns_ref::from_fd(guard.home())}};
            if (c.mtu > 0) v.mtu = v.peer.mtu = static_cast<std::uint32_t>(c.mtu);
            if (auto e = link::add(w, v)) fail(generic, "failed to make veth pair: " + e.message());
            (void)link::get(w, env.ifname);
            std::optional<link_info> cl;
            auto s2 = run_batch(cont, b2, [&](std::size_t i, const wire::message_view& m) {
                if (i == 1 && m.type() == RTM_NEWLINK) {
                    link_view lv(m);
                    if (lv.valid()) cl = link_info::from(lv);
                }
            });
            if (s2[0].ok()) {
                undo.host_veth = host_name;
                if (!cl || !cl->address) fail(generic, "failed to look up \"" + env.ifname + "\" after creating it");
                cont_index = cl->index;
                cont_mac = cl->address->to_string();
                break;
            }
            if (s2[0].code == std::errc::file_exists && cl)
                fail(generic, "container veth name provided (" + env.ifname + ") already exists");
            if (s2[0].code != std::errc::file_exists || attempt >= 9) fail(generic, "failed to make veth pair: " + describe(s2[0]));
        }
        timer.mark("veth");
        // sysctls only for a layer-3 network, as the reference (its layer-2 mode leaves them)
        const std::string dev = "net/ipv6/conf/" + env.ifname + "/";
        bool v6 = false;
        for (auto& ip : res.ips) v6 = v6 || ip.address.address.is_v6();
        if (!c.ipam.type.empty()) {
            if (c.enable_dad) {
                sysctl(dev + "enhanced_dad", "1");
                sysctl(dev + "accept_dad", "1");
            } else {
                sysctl(dev + "accept_dad", "0");
            }
            sysctl("net/ipv4/conf/" + env.ifname + "/arp_notify", "1");
            if (v6) {
                sysctl("net/ipv6/conf/lo/disable_ipv6", "0");
                sysctl(dev + "disable_ipv6", "0");
            }
        }

        timer.mark("container sysctls");
        wire::buffer b3;
        wire::writer w(b3);
        std::optional<ip_address> gw4, gw6;
        for (auto& ip : res.ips) {
            (void)addr::add(w, {.index = cont_index, .prefix = ip.address, .broadcast = broadcast_of(ip.address)});
            auto& g = ip.address.address.is_v4() ? gw4 : gw6;
            if (!g && ip.gateway) g = ip.gateway;
        }
        (void)link::set(w, cont_index, {.up = true});
        // with DAD on, the reference waits for the addresses to settle (after the
        // host end is up, so DAD can run) and only then adds the routes
        settle = c.enable_dad && v6 && gw6;
        wire::writer wr(b3r);
        for (auto& rt : res.routes) {
            route_spec r{.dst = rt.dst, .gateway = rt.gw, .oif = cont_index, .scope = RT_SCOPE_UNIVERSE};
            if (!r.gateway) r.gateway = rt.dst.address.is_v4() ? gw4 : gw6;
            if (!r.gateway) r.scope = RT_SCOPE_LINK;
            (void)route::add(settle ? wr : w, r);
        }
        check_container_batch(run_batch(cont, b3), res, env, 0);
        timer.mark("container addresses, up, routes");
    }

    // ---- #4 host: port, bridge, gateway address, MAC pin
    wire::buffer b4;
    std::size_t get_host = 0;
    {
        wire::writer w(b4);
        std::size_t n = 0;
        (void)link::set(w, host_name, {.up = true, .master = br->index}), ++n;
        if (c.hairpin) put_hairpin(w, host_name, true), ++n;
        if (c.promisc) put_promisc(w, br->index, true), ++n;
        for (auto& a : br_del) (void)addr::del(w, a), ++n;
        for (auto& a : br_add) (void)addr::add(w, a), ++n;
        // pin the MAC of a bridge we did not create, unless it is pinned already:
        // setting it, even to the same value, is a NETDEV_CHANGEADDR the kernel
        // answers with work over the whole namespace (an IPv6 route GC walk,
        // neighbour flushes; 2-3 ms with 1000 ports)
        if (!created && br->address && addr_assign_type(c.bridge, br->index, *br->address) != net_addr_set)
            (void)link::set(w, br->index, {.address = *br->address}), ++n;
        (void)link::get(w, host_name);
        get_host = n;
    }
    std::string host_mac;
    auto s4 = run_batch(host, b4, [&](std::size_t i, const wire::message_view& m) {
        if (i == get_host && m.type() == RTM_NEWLINK) {
            link_view v(m);
            if (v.valid() && v.address()) host_mac = v.address()->to_string();
        }
    });
    for (std::size_t i = 0; i < s4.size(); ++i)
        if (!s4[i].ok() && s4[i].code != std::errc::file_exists)
            fail(generic, "failed to connect \"" + host_name + "\" to bridge " + c.bridge + ": " + describe(s4[i]));
    timer.mark("port, bridge, gateway");
    if (settle) {
        settle_addresses(*cont_socket, cont_index);
        check_container_batch(run_batch(*cont_socket, b3r), res, env, res.ips.size() + 1);
    }
    sysctl("net/ipv6/conf/" + host_name + "/accept_ra", "0");
    sysctl("net/ipv6/conf/" + c.bridge + "/accept_ra", "0");
    bool fwd4 = false, fwd6 = false;
    for (auto& g : gws) (g.address.is_v4() ? fwd4 : fwd6) = true;
    if (fwd4) sysctl("net/ipv4/ip_forward", "1");
    if (fwd6) sysctl("net/ipv6/conf/all/forwarding", "1");
    timer.mark("host sysctls");

    if (c.ip_masq && !res.ips.empty()) {
        for (auto& ip : res.ips) undo.masqueraded.push_back(ip.address.address);
        masq_add(c, res);
        timer.mark("ipMasq");
    }

    res.interfaces = {{c.bridge, (created ? pinned : br->address.value_or(pinned)).to_string(), ""},
                      {host_name, host_mac, ""},
                      {env.ifname, cont_mac, env.netns}};
    res.dns = c.dns;
    undo.armed = false;
    return res;
}

}  // namespace rtnl::cni
