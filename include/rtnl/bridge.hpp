// rtnl/bridge.hpp — bridge ports as the bridge itself reports them.
//
// An RTM_GETLINK dump with family AF_BRIDGE (what `bridge link` sends) asks the
// bridge driver for its ports: one RTM_NEWLINK per port, with the port's own
// IFLA_* attributes plus IFLA_PROTINFO, a nest of IFLA_BRPORT_* values (STP
// state, priority, cost, flooding and learning switches …).
//
//     for (auto& p : rtnl::brport::list(nl))
//         std::printf("%s cost %u\n", p.name.c_str(), p.cost.value_or(0));
//
// `bridge_port_view` reads any IFLA_BRPORT_* attribute of one such message
// (zero-copy, over a link_view); `bridge_port_info` owns the common fields.
#pragma once

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/link.hpp"
#include "rtnl/ops.hpp"
#include "rtnl/socket.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// IFLA_BRPORT_* schema (the payload of IFLA_PROTINFO in AF_BRIDGE link
/// messages, and of IFLA_INFO_SLAVE_DATA for kind "bridge"), and the bridge-port
/// verbs (`rtnl::bridge` is the bridge link spec, so they live here).
namespace brport {
using wire::attr;
inline constexpr attr<IFLA_BRPORT_STATE, std::uint8_t> state{};
inline constexpr attr<IFLA_BRPORT_PRIORITY, std::uint16_t> priority{};
inline constexpr attr<IFLA_BRPORT_COST, std::uint32_t> cost{};
inline constexpr attr<IFLA_BRPORT_MODE, std::uint8_t> hairpin{};
inline constexpr attr<IFLA_BRPORT_GUARD, std::uint8_t> guard{};
inline constexpr attr<IFLA_BRPORT_PROTECT, std::uint8_t> root_block{};
inline constexpr attr<IFLA_BRPORT_FAST_LEAVE, std::uint8_t> fast_leave{};
inline constexpr attr<IFLA_BRPORT_LEARNING, std::uint8_t> learning{};
inline constexpr attr<IFLA_BRPORT_UNICAST_FLOOD, std::uint8_t> unicast_flood{};
inline constexpr attr<IFLA_BRPORT_PROXYARP, std::uint8_t> proxyarp{};
inline constexpr attr<IFLA_BRPORT_LEARNING_SYNC, std::uint8_t> learning_sync{};
inline constexpr attr<IFLA_BRPORT_PROXYARP_WIFI, std::uint8_t> proxyarp_wifi{};
inline constexpr attr<IFLA_BRPORT_ROOT_ID, ifla_bridge_id> root_id{};
inline constexpr attr<IFLA_BRPORT_BRIDGE_ID, ifla_bridge_id> bridge_id{};
inline constexpr attr<IFLA_BRPORT_DESIGNATED_PORT, std::uint16_t> designated_port{};
inline constexpr attr<IFLA_BRPORT_DESIGNATED_COST, std::uint16_t> designated_cost{};
inline constexpr attr<IFLA_BRPORT_ID, std::uint16_t> id{};
inline constexpr attr<IFLA_BRPORT_NO, std::uint16_t> no{};
inline constexpr attr<IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, std::uint8_t> topology_change_ack{};
inline constexpr attr<IFLA_BRPORT_CONFIG_PENDING, std::uint8_t> config_pending{};
inline constexpr attr<IFLA_BRPORT_MESSAGE_AGE_TIMER, std::uint64_t> message_age_timer{};
inline constexpr attr<IFLA_BRPORT_FORWARD_DELAY_TIMER, std::uint64_t> forward_delay_timer{};
inline constexpr attr<IFLA_BRPORT_HOLD_TIMER, std::uint64_t> hold_timer{};
inline constexpr attr<IFLA_BRPORT_MULTICAST_ROUTER, std::uint8_t> multicast_router{};
inline constexpr attr<IFLA_BRPORT_MCAST_FLOOD, std::uint8_t> mcast_flood{};
inline constexpr attr<IFLA_BRPORT_MCAST_TO_UCAST, std::uint8_t> mcast_to_ucast{};
inline constexpr attr<IFLA_BRPORT_VLAN_TUNNEL, std::uint8_t> vlan_tunnel{};
inline constexpr attr<IFLA_BRPORT_BCAST_FLOOD, std::uint8_t> bcast_flood{};
inline constexpr attr<IFLA_BRPORT_GROUP_FWD_MASK, std::uint16_t> group_fwd_mask{};
inline constexpr attr<IFLA_BRPORT_NEIGH_SUPPRESS, std::uint8_t> neigh_suppress{};
inline constexpr attr<IFLA_BRPORT_ISOLATED, std::uint8_t> isolated{};
inline constexpr attr<IFLA_BRPORT_BACKUP_PORT, std::uint32_t> backup_port{};
inline constexpr attr<IFLA_BRPORT_LOCKED, std::uint8_t> locked{};

/// The names `bridge link` prints for BR_STATE_* (nullopt past "blocking").
inline std::optional<std::string_view> state_name(std::uint8_t stp_state) noexcept {
    static constexpr std::array<std::string_view, 5> names{"disabled", "listening", "learning", "forwarding",
                                                           "blocking"};
    if (stp_state < names.size()) return names[stp_state];
    return std::nullopt;
}

/// RTM_GETLINK dump with family AF_BRIDGE (`bridge link show`): one message per
/// bridge port, each carrying IFLA_PROTINFO.
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w) {
    return link::dump(w, {}, AF_BRIDGE);
}

}  // namespace brport

/// The bridge-port side of one link message. In AF_BRIDGE dumps IFLA_PROTINFO is
/// a nest (NLA_F_NESTED) of IFLA_BRPORT_*; very old kernels sent a bare u8 state.
class bridge_port_view {
public:
    explicit bridge_port_view(const link_view& l) noexcept {
        wire::attr_view p = l.attr(IFLA_PROTINFO);
        if (!p) return;
        present_ = true;
        if (p.nested_flag()) attrs_ = p.nested();
        else legacy_state_ = p.as<std::uint8_t>();
    }

    /// True when the message carries IFLA_PROTINFO (the link is a bridge port).
    bool present() const noexcept { return present_; }
    /// True for the nested form (every kernel since 2.6.38).
    bool nested() const noexcept { return present_ && !legacy_state_; }

    std::optional<std::uint8_t> state() const noexcept { return legacy_state_ ? legacy_state_ : get(brport::state); }
    std::optional<std::uint16_t> priority() const noexcept { return get(brport::priority); }
    std::optional<std::uint32_t> cost() const noexcept { return get(brport::cost); }

    /// Any IFLA_BRPORT_* value by schema entry: `v.get(brport::learning)`.
    template <class A>
    std::optional<wire::read_t<A>> get(A a) const noexcept {
        return attrs_.get(a);
    }
    wire::attr_range attributes() const noexcept { return attrs_; }

private:
    wire::attr_range attrs_;
    std::optional<std::uint8_t> legacy_state_{};
    bool present_ = false;
};

/// An owning copy of one bridge port as `bridge link` lists it.
struct bridge_port_info {
    int index = 0;
    std::string name;
    unsigned flags = 0;
    std::uint32_t mtu = 0;
    std::optional<int> master{};
    std::optional<int> link{};
    std::optional<int> link_netnsid{};
    std::optional<std::uint8_t> state{};
    std::optional<std::uint16_t> priority{};
    std::optional<std::uint32_t> cost{};

    static bridge_port_info from(const link_view& v) {
        bridge_port_info i;
        i.index = v.index();
        i.name = std::string(v.name());
        i.flags = v.flags();
        i.mtu = v.mtu().value_or(0);
        i.master = v.master();
        i.link = v.link();
        i.link_netnsid = v.link_netnsid();
        bridge_port_view p(v);
        i.state = p.state();
        i.priority = p.priority();
        i.cost = p.cost();
        return i;
    }
};

namespace brport {

/// Every bridge port in the socket's namespace (one AF_BRIDGE dump). A template
/// for the reason the rtnl/ops.hpp verbs are (compiled only where called).
template <class = void>
std::vector<bridge_port_info> list(socket& nl, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<bridge_port_info> out;
    if ((ec = dump(w))) return out;
    nl.dump_with_retry(b, [&] { out.clear(); }, [&](const wire::message_view& m) {
        if (m.type() != RTM_NEWLINK) return;
        link_view v(m);
        if (!v.valid() || (v.family() != AF_BRIDGE && v.family() != AF_UNSPEC)) return;
        out.push_back(bridge_port_info::from(v));
    }, ec);
    return out;
}
template <class = void>
std::vector<bridge_port_info> list(socket& nl) {
    std::vector<bridge_port_info> out;
    ops_detail::throwing(nl, [&](std::error_code& ec) { out = list(nl, ec); });
    return out;
}

}  // namespace brport

}  // namespace rtnl
