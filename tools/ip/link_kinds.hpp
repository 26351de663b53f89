// tools/ip/link_kinds.hpp — the -d lines of `ip link show` that depend on the
// link kind (iproute2 ip/ipaddress.c print_linktype, ip/iplink_bridge.c and
// ip/iplink_bridge_slave.c print_opt). veth has no options of its own (iproute2
// prints just "veth"); bridges and bridge ports print their IFLA_BR_* /
// IFLA_BRPORT_* values. Other kinds print their name only.
#pragma once

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rtnl/bridge.hpp"
#include "rtnl/wire/reader.hpp"
#include "tools/common/link_format.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/link_macvlan.hpp"
#include "tools/ip/link_vlan.hpp"
#include "tools/ip/link_vxlan.hpp"

namespace rtnl::ip {

namespace kinds_detail {

/// br_dump_bridge_id: "8000.aa:bb:…" with glibc ether_ntoa's unpadded hex.
inline std::string bridge_id(const ifla_bridge_id& id) {
    char b[48];
    std::snprintf(b, sizeof b, "%.2x%.2x.%x:%x:%x:%x:%x:%x", id.prio[0], id.prio[1], id.addr[0], id.addr[1], id.addr[2],
                  id.addr[3], id.addr[4], id.addr[5]);
    return b;
}

/// Jiffies (USER_HZ 100) as "S.CC": "%4i.%.2i " in text, bare number in JSON.
inline void print_timer(session& s, const char* key, std::uint64_t jiffies) {
    const unsigned long long usec = 10000ULL * jiffies;
    const int sec = static_cast<int>(usec / 1000000);
    const int cs = static_cast<int>((usec % 1000000) / 10000);
    if (s.out.json()) {
        char b[32];
        std::snprintf(b, sizeof b, "%i.%.2i", sec, cs);
        s.out.number_text(key, b);
    } else {
        std::fprintf(s.out.stream(), "%s %4i.%.2i ", key, sec, cs);
    }
}

template <class T>
std::optional<T> value(wire::attr_range r, std::uint16_t type) {
    return r.find(type).as<T>();
}

inline void bridge_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    auto u32 = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint32_t>(d, t)) o.uinteger(to::any, key, fmt, *x);
    };
    auto u16 = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint16_t>(d, t)) o.uinteger(to::any, key, fmt, *x);
    };
    auto u8 = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint8_t>(d, t)) o.uinteger(to::any, key, fmt, *x);
    };
    auto u64 = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint64_t>(d, t)) o.lluint(to::any, key, fmt, *x);
    };
    u32(IFLA_BR_FORWARD_DELAY, "forward_delay", "forward_delay %u ");
    u32(IFLA_BR_HELLO_TIME, "hello_time", "hello_time %u ");
    u32(IFLA_BR_MAX_AGE, "max_age", "max_age %u ");
    u32(IFLA_BR_AGEING_TIME, "ageing_time", "ageing_time %u ");
    u32(IFLA_BR_STP_STATE, "stp_state", "stp_state %u ");
    u16(IFLA_BR_PRIORITY, "priority", "priority %u ");
    u8(IFLA_BR_VLAN_FILTERING, "vlan_filtering", "vlan_filtering %u ");
    if (auto p = value<std::uint16_t>(d, IFLA_BR_VLAN_PROTOCOL)) {
        const unsigned id = ntohs(*p);
        std::string name = id == 0x8100 ? "802.1Q" : id == 0x88a8 ? "802.1ad" : "[" + std::to_string(id) + "]";
        o.string(to::any, "vlan_protocol", "vlan_protocol %s ", name);
    }
    if (auto id = value<ifla_bridge_id>(d, IFLA_BR_BRIDGE_ID)) o.string(to::any, "bridge_id", "bridge_id %s ", bridge_id(*id));
    // iproute2 6.1 prints the bridge id under the root-id label (a bug we keep)
    if (d.find(IFLA_BR_ROOT_ID))
        if (auto id = value<ifla_bridge_id>(d, IFLA_BR_BRIDGE_ID))
            o.string(to::any, "root_id", "designated_root %s ", bridge_id(*id));
    u16(IFLA_BR_ROOT_PORT, "root_port", "root_port %u ");
    u32(IFLA_BR_ROOT_PATH_COST, "root_path_cost", "root_path_cost %u ");
    u8(IFLA_BR_TOPOLOGY_CHANGE, "topology_change", "topology_change %u ");
    u8(IFLA_BR_TOPOLOGY_CHANGE_DETECTED, "topology_change_detected", "topology_change_detected %u ");
    if (auto t = value<std::uint64_t>(d, IFLA_BR_HELLO_TIMER)) print_timer(s, "hello_timer", *t);
    if (auto t = value<std::uint64_t>(d, IFLA_BR_TCN_TIMER)) print_timer(s, "tcn_timer", *t);
    if (auto t = value<std::uint64_t>(d, IFLA_BR_TOPOLOGY_CHANGE_TIMER)) print_timer(s, "topology_change_timer", *t);
    if (auto t = value<std::uint64_t>(d, IFLA_BR_GC_TIMER)) print_timer(s, "gc_timer", *t);
    u16(IFLA_BR_VLAN_DEFAULT_PVID, "vlan_default_pvid", "vlan_default_pvid %u ");
    u8(IFLA_BR_VLAN_STATS_ENABLED, "vlan_stats_enabled", "vlan_stats_enabled %u ");
    u8(IFLA_BR_VLAN_STATS_PER_PORT, "vlan_stats_per_port", "vlan_stats_per_port %u ");
    if (auto m = value<std::uint16_t>(d, IFLA_BR_GROUP_FWD_MASK))
        o.hex0x(to::any, "group_fwd_mask", "group_fwd_mask %#llx ", *m);
    if (auto a = d.find(IFLA_BR_GROUP_ADDR))
        o.string(to::any, "group_addr", "group_address %s ", link_address(a.payload(), 1));
    u8(IFLA_BR_MCAST_SNOOPING, "mcast_snooping", "mcast_snooping %u ");
    if (auto bm = value<br_boolopt_multi>(d, IFLA_BR_MULTI_BOOLOPT)) {
        const std::uint32_t mcvl = 1u << BR_BOOLOPT_MCAST_VLAN_SNOOPING;
        const std::uint32_t no_ll = 1u << BR_BOOLOPT_NO_LL_LEARN;
        if (bm->optmask & no_ll)
            o.uinteger(to::any, "no_linklocal_learn", "no_linklocal_learn %u ", (bm->optval & no_ll) ? 1 : 0);
        if (bm->optmask & mcvl)
            o.uinteger(to::any, "mcast_vlan_snooping", "mcast_vlan_snooping %u ", (bm->optval & mcvl) ? 1 : 0);
    }
    u8(IFLA_BR_MCAST_ROUTER, "mcast_router", "mcast_router %u ");
    u8(IFLA_BR_MCAST_QUERY_USE_IFADDR, "mcast_query_use_ifaddr", "mcast_query_use_ifaddr %u ");
    u8(IFLA_BR_MCAST_QUERIER, "mcast_querier", "mcast_querier %u ");
    u32(IFLA_BR_MCAST_HASH_ELASTICITY, "mcast_hash_elasticity", "mcast_hash_elasticity %u ");
    u32(IFLA_BR_MCAST_HASH_MAX, "mcast_hash_max", "mcast_hash_max %u ");
    u32(IFLA_BR_MCAST_LAST_MEMBER_CNT, "mcast_last_member_cnt", "mcast_last_member_count %u ");
    u32(IFLA_BR_MCAST_STARTUP_QUERY_CNT, "mcast_startup_query_cnt", "mcast_startup_query_count %u ");
    u64(IFLA_BR_MCAST_LAST_MEMBER_INTVL, "mcast_last_member_intvl", "mcast_last_member_interval %llu ");
    u64(IFLA_BR_MCAST_MEMBERSHIP_INTVL, "mcast_membership_intvl", "mcast_membership_interval %llu ");
    u64(IFLA_BR_MCAST_QUERIER_INTVL, "mcast_querier_intvl", "mcast_querier_interval %llu ");
    u64(IFLA_BR_MCAST_QUERY_INTVL, "mcast_query_intvl", "mcast_query_interval %llu ");
    u64(IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, "mcast_query_response_intvl", "mcast_query_response_interval %llu ");
    u64(IFLA_BR_MCAST_STARTUP_QUERY_INTVL, "mcast_startup_query_intvl", "mcast_startup_query_interval %llu ");
    u8(IFLA_BR_MCAST_STATS_ENABLED, "mcast_stats_enabled", "mcast_stats_enabled %u ");
    u8(IFLA_BR_MCAST_IGMP_VERSION, "mcast_igmp_version", "mcast_igmp_version %u ");
    u8(IFLA_BR_MCAST_MLD_VERSION, "mcast_mld_version", "mcast_mld_version %u ");
    u8(IFLA_BR_NF_CALL_IPTABLES, "nf_call_iptables", "nf_call_iptables %u ");
    u8(IFLA_BR_NF_CALL_IP6TABLES, "nf_call_ip6tables", "nf_call_ip6tables %u ");
    u8(IFLA_BR_NF_CALL_ARPTABLES, "nf_call_arptables", "nf_call_arptables %u ");
}

inline void bridge_port_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    auto on_off = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint8_t>(d, t)) o.on_off(to::any, key, fmt, *x != 0);
    };
    auto u8 = [&](std::uint16_t t, const char* key, const char* fmt) {
        if (auto x = value<std::uint8_t>(d, t)) o.uinteger(to::any, key, fmt, *x);
    };
    if (auto st = value<std::uint8_t>(d, IFLA_BRPORT_STATE)) {
        if (auto name = brport::state_name(*st)) o.string(to::any, "state", "state %s ", std::string(*name));
        else o.integer(to::any, "state_index", "state (%d) ", *st);
    }
    if (auto p = value<std::uint16_t>(d, IFLA_BRPORT_PRIORITY)) o.integer(to::any, "priority", "priority %d ", *p);
    if (auto c = value<std::uint32_t>(d, IFLA_BRPORT_COST)) o.integer(to::any, "cost", "cost %d ", static_cast<int>(*c));
    on_off(IFLA_BRPORT_MODE, "hairpin", "hairpin %s ");
    on_off(IFLA_BRPORT_GUARD, "guard", "guard %s ");
    on_off(IFLA_BRPORT_PROTECT, "root_block", "root_block %s ");
    on_off(IFLA_BRPORT_FAST_LEAVE, "fastleave", "fastleave %s ");
    on_off(IFLA_BRPORT_LEARNING, "learning", "learning %s ");
    on_off(IFLA_BRPORT_UNICAST_FLOOD, "flood", "flood %s ");
    if (auto x = value<std::uint16_t>(d, IFLA_BRPORT_ID)) o.hex0x(to::any, "id", "port_id %#llx ", *x);
    if (auto x = value<std::uint16_t>(d, IFLA_BRPORT_NO)) o.hex0x(to::any, "no", "port_no %#llx ", *x);
    if (auto x = value<std::uint16_t>(d, IFLA_BRPORT_DESIGNATED_PORT))
        o.uinteger(to::any, "designated_port", "designated_port %u ", *x);
    if (auto x = value<std::uint16_t>(d, IFLA_BRPORT_DESIGNATED_COST))
        o.uinteger(to::any, "designated_cost", "designated_cost %u ", *x);
    if (auto id = value<ifla_bridge_id>(d, IFLA_BRPORT_BRIDGE_ID))
        o.string(to::any, "bridge_id", "designated_bridge %s ", bridge_id(*id));
    if (auto id = value<ifla_bridge_id>(d, IFLA_BRPORT_ROOT_ID))
        o.string(to::any, "root_id", "designated_root %s ", bridge_id(*id));
    if (auto t = value<std::uint64_t>(d, IFLA_BRPORT_HOLD_TIMER)) print_timer(s, "hold_timer", *t);
    if (auto t = value<std::uint64_t>(d, IFLA_BRPORT_MESSAGE_AGE_TIMER)) print_timer(s, "message_age_timer", *t);
    if (auto t = value<std::uint64_t>(d, IFLA_BRPORT_FORWARD_DELAY_TIMER)) print_timer(s, "forward_delay_timer", *t);
    u8(IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, "topology_change_ack", "topology_change_ack %u ");
    u8(IFLA_BRPORT_CONFIG_PENDING, "config_pending", "config_pending %u ");
    on_off(IFLA_BRPORT_PROXYARP, "proxy_arp", "proxy_arp %s ");
    on_off(IFLA_BRPORT_PROXYARP_WIFI, "proxy_arp_wifi", "proxy_arp_wifi %s ");
    u8(IFLA_BRPORT_MULTICAST_ROUTER, "multicast_router", "mcast_router %u ");
    if (auto x = value<std::uint8_t>(d, IFLA_BRPORT_FAST_LEAVE))
        o.string(to::text, nullptr, "mcast_fast_leave %s ", *x ? "on" : "off");
    on_off(IFLA_BRPORT_MCAST_FLOOD, "mcast_flood", "mcast_flood %s ");
    on_off(IFLA_BRPORT_BCAST_FLOOD, "bcast_flood", "bcast_flood %s ");
    on_off(IFLA_BRPORT_MCAST_TO_UCAST, "mcast_to_unicast", "mcast_to_unicast %s ");
    on_off(IFLA_BRPORT_NEIGH_SUPPRESS, "neigh_suppress", "neigh_suppress %s ");
    if (auto m = value<std::uint16_t>(d, IFLA_BRPORT_GROUP_FWD_MASK)) {
        o.hex0x(to::any, "group_fwd_mask", "group_fwd_mask %#llx ", *m);
        static const char* names[16] = {"stp", nullptr, "lacp", nullptr, nullptr, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "lldp", nullptr};
        std::string str;
        unsigned bits = *m;
        for (int i = 0; bits; ++i, bits >>= 1) {
            if (!(bits & 1)) continue;
            if (names[i]) str += std::string(names[i]) + ",";
            else {
                char b[16];
                std::snprintf(b, sizeof b, "0x%x,", 1u << i);
                str += b;
            }
        }
        if (str.empty()) str = "0x0";
        else str.pop_back();
        o.string(to::any, "group_fwd_mask_str", "group_fwd_mask_str %s ", str);
    }
    on_off(IFLA_BRPORT_VLAN_TUNNEL, "vlan_tunnel", "vlan_tunnel %s ");
    on_off(IFLA_BRPORT_ISOLATED, "isolated", "isolated %s ");
    on_off(IFLA_BRPORT_LOCKED, "locked", "locked %s ");
    if (auto b = value<std::uint32_t>(d, IFLA_BRPORT_BACKUP_PORT))
        o.string(to::any, "backup_port", "backup_port %s ", s.links.name(static_cast<int>(*b)));
}

/// Kinds iproute2 has a print_opt for (it then opens "info_data" even when empty).
inline bool has_options_printer(std::string_view kind) {
    return kind == "bridge" || kind == "bridge_slave" || kind == "vxlan" || kind == "macvlan" || kind == "macvtap" ||
           kind == "ipvlan" || kind == "ipvtap" || kind == "vlan";
}

/// The kind's print_opt.
inline void print_kind_options(session& s, std::string_view kind, wire::attr_range d) {
    if (kind == "bridge") bridge_options(s, d);
    else if (kind == "vxlan") print_vxlan_options(s, d);
    else if (kind == "macvlan" || kind == "macvtap") print_macvlan_options(s, d);
    else if (kind == "ipvlan" || kind == "ipvtap") print_ipvlan_options(s, d);
    else if (kind == "vlan") print_vlan_options(s, d);
}

}  // namespace kinds_detail

/// iproute2's print_linktype: "    KIND [options]" and "    KIND_slave [options]".
inline void print_linktype(session& s, wire::attr_view linkinfo) {
    using namespace kinds_detail;
    printer& o = s.out;
    wire::attr_range info = linkinfo.nested();
    o.open_object("linkinfo");
    if (auto kind = info.find(IFLA_INFO_KIND).as<wire::string>()) {
        const std::string k(*kind);
        o.nl();
        o.string(to::any, "info_kind", "    %s ", k);
        if (has_options_printer(k)) {
            o.open_object("info_data");
            if (auto data = info.find(IFLA_INFO_DATA)) print_kind_options(s, k, data.nested());
            o.close_object();
        }
    }
    if (auto kind = info.find(IFLA_INFO_SLAVE_KIND).as<wire::string>()) {
        const std::string k(*kind);
        o.nl();
        o.string(to::any, "info_slave_kind", "    %s_slave ", k);
        if (has_options_printer(k + "_slave")) {
            o.open_object("info_slave_data");
            if (auto data = info.find(IFLA_INFO_SLAVE_DATA)) bridge_port_options(s, data.nested());
            o.close_object();
        }
    }
    o.close_object();
}

}  // namespace rtnl::ip
