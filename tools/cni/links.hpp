// tools/cni/links.hpp — the few rtnetlink requests the plugin needs beyond the
// library's link/addr/route encoders (promiscuity and hairpin), the host veth
// name, and a batch runner that keeps replies.
#pragma once

#include <fcntl.h>
#include <linux/if_link.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/bridge.hpp"
#include "rtnl/link.hpp"
#include "rtnl/socket.hpp"

namespace rtnl::cni {

/// `ip link set DEV promisc on`: IFF_PROMISC through ifi_change.
template <class S>
void put_promisc(wire::basic_writer<S>& w, int index, bool on) {
    auto msg = w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifinfomsg h{};
    h.ifi_index = index;
    h.ifi_flags = on ? IFF_PROMISC : 0;
    h.ifi_change = IFF_PROMISC;
    w.header(h);
    msg.close();
}

/// `ip link set DEV type bridge_slave hairpin on` (the port must be enslaved already).
template <class S>
void put_hairpin(wire::basic_writer<S>& w, std::string_view port, bool on) {
    auto msg = w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    w.header(ifinfomsg{});
    w.put(ifla::ifname, port);
    {
        auto info = w.nest(ifla::linkinfo);
        w.put(ifla_info::slave_kind, std::string_view("bridge"));
        auto data = w.nest(ifla_info::slave_data);
        w.put(brport::hairpin, static_cast<std::uint8_t>(on ? 1 : 0));
    }
    msg.close();
}

/// Host veth name: "veth" + 8 hex digits, as the reference names it, but derived
/// from (network, container, ifname) instead of drawn at random, so DEL without a
/// netns and GC can find the host end. `attempt` > 0 salts it after a collision.
inline std::string host_veth_name(std::string_view network, std::string_view id, std::string_view ifname, unsigned attempt) {
    std::uint32_t h = 2166136261u;  // FNV-1a
    auto mix = [&](std::string_view s) {
        for (unsigned char c : s) h = (h ^ c) * 16777619u;
        h = (h ^ 0u) * 16777619u;
    };
    mix(network);
    mix(id);
    mix(ifname);
    for (unsigned i = 0; i < attempt; ++i) h = (h ^ 0x9e3779b9u) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "veth%08x", h);
    return buf;
}

/// A locally administered unicast MAC from the kernel's random pool.
inline mac_address random_mac() {
    mac_address m;
    if (::getrandom(m.bytes.data(), m.bytes.size(), 0) != static_cast<ssize_t>(m.bytes.size()))
        for (auto& b : m.bytes) b = static_cast<std::uint8_t>(::getpid() ^ reinterpret_cast<std::uintptr_t>(&b));
    m.bytes[0] = static_cast<std::uint8_t>((m.bytes[0] & 0xfe) | 0x02);
    return m;
}

/// One sendmsg-pipelined batch; `on_reply(index, message)` sees GET replies and dump parts.
inline std::vector<status> run_batch(socket& nl, wire::buffer& b,
                                     const std::function<void(std::size_t, const wire::message_view&)>& on_reply = {}) {
    std::vector<status> results;
    auto ec = nl.transact(b, results, [&](std::size_t i, const wire::message_view& m) {
        if (on_reply) on_reply(i, m);
    });
    if (ec) results.assign(results.empty() ? 1 : results.size(), make_status(ec));
    return results;
}

}  // namespace rtnl::cni
