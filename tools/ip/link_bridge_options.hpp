// tools/ip/link_bridge_options.hpp — the words after `type bridge` and
// `type bridge_slave` in `ip link add|set` (iproute2 6.1 ip/iplink_bridge.c
// bridge_parse_opt, ip/iplink_bridge_slave.c bridge_slave_parse_opt): the same
// keywords in the same order (so abbreviations resolve as in ip: "mcast_q" is
// mcast_query_use_ifaddr), the same attribute widths, the same messages.
//
// Errors, as iproute2: a malformed number is invarg (exit 255, ends a batch); an
// unknown word prints "bridge: unknown command …" and the usage (exit 1); a bad
// on/off value of a port option exits 1 at once.
#pragma once

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <strings.h>

#include <cstdint>
#include <string>

#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/link_parse.hpp"

namespace rtnl::ip {

namespace kind_usage {

inline constexpr const char* bridge =
    "Usage: ... bridge [ fdb_flush ]\n"
    "		  [ forward_delay FORWARD_DELAY ]\n"
    "		  [ hello_time HELLO_TIME ]\n"
    "		  [ max_age MAX_AGE ]\n"
    "		  [ ageing_time AGEING_TIME ]\n"
    "		  [ stp_state STP_STATE ]\n"
    "		  [ priority PRIORITY ]\n"
    "		  [ group_fwd_mask MASK ]\n"
    "		  [ group_address ADDRESS ]\n"
    "		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]\n"
    "		  [ vlan_filtering VLAN_FILTERING ]\n"
    "		  [ vlan_protocol VLAN_PROTOCOL ]\n"
    "		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]\n"
    "		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]\n"
    "		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]\n"
    "		  [ mcast_snooping MULTICAST_SNOOPING ]\n"
    "		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]\n"
    "		  [ mcast_router MULTICAST_ROUTER ]\n"
    "		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]\n"
    "		  [ mcast_querier MULTICAST_QUERIER ]\n"
    "		  [ mcast_hash_elasticity HASH_ELASTICITY ]\n"
    "		  [ mcast_hash_max HASH_MAX ]\n"
    "		  [ mcast_last_member_count LAST_MEMBER_COUNT ]\n"
    "		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]\n"
    "		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]\n"
    "		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]\n"
    "		  [ mcast_querier_interval QUERIER_INTERVAL ]\n"
    "		  [ mcast_query_interval QUERY_INTERVAL ]\n"
    "		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]\n"
    "		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]\n"
    "		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]\n"
    "		  [ mcast_igmp_version IGMP_VERSION ]\n"
    "		  [ mcast_mld_version MLD_VERSION ]\n"
    "		  [ nf_call_iptables NF_CALL_IPTABLES ]\n"
    "		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]\n"
    "		  [ nf_call_arptables NF_CALL_ARPTABLES ]\n"
    "\n"
    "Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }\n";

inline constexpr const char* bridge_slave =
    "Usage: ... bridge_slave [ fdb_flush ]\n"
    "			[ state STATE ]\n"
    "			[ priority PRIO ]\n"
    "			[ cost COST ]\n"
    "			[ guard {on | off} ]\n"
    "			[ hairpin {on | off} ]\n"
    "			[ fastleave {on | off} ]\n"
    "			[ root_block {on | off} ]\n"
    "			[ learning {on | off} ]\n"
    "			[ flood {on | off} ]\n"
    "			[ proxy_arp {on | off} ]\n"
    "			[ proxy_arp_wifi {on | off} ]\n"
    "			[ mcast_router MULTICAST_ROUTER ]\n"
    "			[ mcast_fast_leave {on | off} ]\n"
    "			[ mcast_flood {on | off} ]\n"
    "			[ bcast_flood {on | off} ]\n"
    "			[ mcast_to_unicast {on | off} ]\n"
    "			[ group_fwd_mask MASK ]\n"
    "			[ neigh_suppress {on | off} ]\n"
    "			[ vlan_tunnel {on | off} ]\n"
    "			[ isolated {on | off} ]\n"
    "			[ locked {on | off} ]\n"
    "			[ backup_port DEVICE ] [ nobackup_port ]\n";

}  // namespace kind_usage

namespace kind_detail {

/// get_u8/get_u16/get_u32/get_u64 then addattrN, or invarg(`msg`).
template <class T>
void put_number(wire::writer& w, std::uint16_t type, const std::string& v, const std::string& msg) {
    auto n = parse_number<T>(v);
    if (!n) invalid_argument(msg, v);
    link_detail::put_value<T>(w, type, *n);
}

/// lib/ll_proto.c ll_proto_a2n: a protocol name (case-insensitive) or a number;
/// network byte order.
inline std::optional<std::uint16_t> ll_proto(const std::string& v) {
    static constexpr std::pair<const char*, std::uint16_t> names[] = {
        {"loop", 0x0060}, {"ip", 0x0800}, {"arp", 0x0806}, {"rarp", 0x8035}, {"ipv6", 0x86DD},
        {"all", 0x0003},  {"802.1Q", 0x8100}, {"802.1ad", 0x88A8}, {"mpls_uc", 0x8847}, {"mpls_mc", 0x8848}};
    for (auto [name, id] : names)
        if (strcasecmp(name, v.c_str()) == 0) return htons(id);
    if (auto n = parse_number<std::uint16_t>(v)) return htons(*n);
    return std::nullopt;
}

/// lib/utils.c parse_on_off: "off"/"on" by prefix, else the message and exit(1).
inline std::uint8_t port_on_off(const char* what, const std::string& v) {
    if (matches(v, "off")) return 0;
    if (matches(v, "on")) return 1;
    throw exit_now{1, std::string("Error: argument of \"") + what + "\" must be one of \"off\", \"on\", not \"" + v +
                          "\"\n"};
}

}  // namespace kind_detail

/// bridge_parse_opt: IFLA_BR_* into the open IFLA_INFO_DATA nest.
inline void parse_bridge_options(wire::writer& w, arg_list& args) {
    using namespace kind_detail;
    enum class width { u8, u16, u32, u64 };
    struct option {
        const char* name;
        std::uint16_t type;
        width size;
    };
    // iproute2's order; the words matched by prefix
    static constexpr option numbers_before[] = {
        {"forward_delay", IFLA_BR_FORWARD_DELAY, width::u32}, {"hello_time", IFLA_BR_HELLO_TIME, width::u32},
        {"max_age", IFLA_BR_MAX_AGE, width::u32},             {"ageing_time", IFLA_BR_AGEING_TIME, width::u32},
        {"stp_state", IFLA_BR_STP_STATE, width::u32},         {"priority", IFLA_BR_PRIORITY, width::u16},
        {"vlan_filtering", IFLA_BR_VLAN_FILTERING, width::u8}};
    static constexpr option pvid_to_snooping[] = {
        {"vlan_default_pvid", IFLA_BR_VLAN_DEFAULT_PVID, width::u16},
        {"vlan_stats_enabled", IFLA_BR_VLAN_STATS_ENABLED, width::u8},
        {"vlan_stats_per_port", IFLA_BR_VLAN_STATS_PER_PORT, width::u8},
        {"mcast_router", IFLA_BR_MCAST_ROUTER, width::u8},
        {"mcast_snooping", IFLA_BR_MCAST_SNOOPING, width::u8}};
    static constexpr option after_vlan_snooping[] = {
        {"mcast_query_use_ifaddr", IFLA_BR_MCAST_QUERY_USE_IFADDR, width::u8},
        {"mcast_querier", IFLA_BR_MCAST_QUERIER, width::u8},
        {"mcast_hash_elasticity", IFLA_BR_MCAST_HASH_ELASTICITY, width::u32},
        {"mcast_hash_max", IFLA_BR_MCAST_HASH_MAX, width::u32},
        {"mcast_last_member_count", IFLA_BR_MCAST_LAST_MEMBER_CNT, width::u32},
        {"mcast_startup_query_count", IFLA_BR_MCAST_STARTUP_QUERY_CNT, width::u32},
        {"mcast_last_member_interval", IFLA_BR_MCAST_LAST_MEMBER_INTVL, width::u64},
        {"mcast_membership_interval", IFLA_BR_MCAST_MEMBERSHIP_INTVL, width::u64},
        {"mcast_querier_interval", IFLA_BR_MCAST_QUERIER_INTVL, width::u64},
        {"mcast_query_interval", IFLA_BR_MCAST_QUERY_INTVL, width::u64},
        {"mcast_query_response_interval", IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, width::u64},
        {"mcast_startup_query_interval", IFLA_BR_MCAST_STARTUP_QUERY_INTVL, width::u64},
        {"mcast_stats_enabled", IFLA_BR_MCAST_STATS_ENABLED, width::u8},
        {"mcast_igmp_version", IFLA_BR_MCAST_IGMP_VERSION, width::u8},
        {"mcast_mld_version", IFLA_BR_MCAST_MLD_VERSION, width::u8},
        {"nf_call_iptables", IFLA_BR_NF_CALL_IPTABLES, width::u8},
        {"nf_call_ip6tables", IFLA_BR_NF_CALL_IP6TABLES, width::u8},
        {"nf_call_arptables", IFLA_BR_NF_CALL_ARPTABLES, width::u8}};
    auto try_numbers = [&](const std::string& a, std::span<const option> table) {
        for (const option& o : table) {
            if (!matches(a, o.name)) continue;
            const std::string& v = args.next_value();
            const std::string msg = std::string("invalid ") + o.name;
            switch (o.size) {
                case width::u8: put_number<std::uint8_t>(w, o.type, v, msg); break;
                case width::u16: put_number<std::uint16_t>(w, o.type, v, msg); break;
                case width::u32: put_number<std::uint32_t>(w, o.type, v, msg); break;
                case width::u64: put_number<std::uint64_t>(w, o.type, v, msg); break;
            }
            return true;
        }
        return false;
    };
    br_boolopt_multi bm{};
    auto boolopt = [&](int bit, const char* name) {
        const std::string& v = args.next_value();
        auto n = parse_number<std::uint8_t>(v);
        if (!n) invalid_argument(std::string("invalid ") + name, v);
        bm.optmask |= 1u << bit;
        if (*n) bm.optval |= 1u << bit;
        else bm.optval &= ~(1u << bit);
    };
    while (!args.empty()) {
        const std::string a = args.current();
        if (try_numbers(a, numbers_before)) {
        } else if (matches(a, "vlan_protocol")) {
            const std::string& v = args.next_value();
            auto p = ll_proto(v);
            if (!p) invalid_argument("invalid vlan_protocol", v);
            link_detail::put_value<std::uint16_t>(w, IFLA_BR_VLAN_PROTOCOL, *p);
        } else if (matches(a, "group_fwd_mask")) {
            put_number<std::uint16_t>(w, IFLA_BR_GROUP_FWD_MASK, args.next_value(), "invalid group_fwd_mask");
        } else if (matches(a, "group_address")) {
            auto bytes = link_detail::parse_lladdr(args.next_value());
            w.put_raw(IFLA_BR_GROUP_ADDR, std::as_bytes(std::span(bytes)));
        } else if (a == "no_linklocal_learn") {
            boolopt(BR_BOOLOPT_NO_LL_LEARN, "no_linklocal_learn");
        } else if (matches(a, "fdb_flush")) {
            w.put_raw(IFLA_BR_FDB_FLUSH, {});
        } else if (try_numbers(a, pvid_to_snooping)) {
        } else if (a == "mcast_vlan_snooping") {
            boolopt(BR_BOOLOPT_MCAST_VLAN_SNOOPING, "mcast_vlan_snooping");
        } else if (try_numbers(a, after_vlan_snooping)) {
        } else if (matches(a, "help")) {
            throw link_detail::soft_error{kind_usage::bridge};
        } else {
            throw link_detail::soft_error{"bridge: unknown command \"" + a + "\"?\n" + kind_usage::bridge};
        }
        args.advance();
    }
    if (bm.optmask) w.put_raw(IFLA_BR_MULTI_BOOLOPT, std::as_bytes(std::span(&bm, 1)));
}

/// bridge_slave_parse_opt: IFLA_BRPORT_* into the open IFLA_INFO_SLAVE_DATA nest.
inline void parse_bridge_slave_options(session& s, wire::writer& w, arg_list& args) {
    using namespace kind_detail;
    struct switch_option {
        const char* name;
        std::uint16_t type;
    };
    // iproute2's order (prefix matches: "flood" before "mcast_flood" …)
    static constexpr switch_option first[] = {
        {"hairpin", IFLA_BRPORT_MODE},         {"guard", IFLA_BRPORT_GUARD},
        {"root_block", IFLA_BRPORT_PROTECT},   {"fastleave", IFLA_BRPORT_FAST_LEAVE},
        {"learning", IFLA_BRPORT_LEARNING},    {"flood", IFLA_BRPORT_UNICAST_FLOOD},
        {"mcast_flood", IFLA_BRPORT_MCAST_FLOOD}, {"bcast_flood", IFLA_BRPORT_BCAST_FLOOD},
        {"mcast_to_unicast", IFLA_BRPORT_MCAST_TO_UCAST}, {"proxy_arp", IFLA_BRPORT_PROXYARP},
        {"proxy_arp_wifi", IFLA_BRPORT_PROXYARP_WIFI}};
    static constexpr switch_option after_router[] = {
        {"mcast_fast_leave", IFLA_BRPORT_FAST_LEAVE}, {"neigh_suppress", IFLA_BRPORT_NEIGH_SUPPRESS}};
    static constexpr switch_option after_mask[] = {
        {"vlan_tunnel", IFLA_BRPORT_VLAN_TUNNEL}, {"isolated", IFLA_BRPORT_ISOLATED}, {"locked", IFLA_BRPORT_LOCKED}};
    auto try_switches = [&](const std::string& a, std::span<const switch_option> table) {
        for (const switch_option& o : table) {
            if (!matches(a, o.name)) continue;
            link_detail::put_value<std::uint8_t>(w, o.type, port_on_off(o.name, args.next_value()));
            return true;
        }
        return false;
    };
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "fdb_flush")) {
            w.put_raw(IFLA_BRPORT_FLUSH, {});
        } else if (matches(a, "state")) {
            put_number<std::uint8_t>(w, IFLA_BRPORT_STATE, args.next_value(), "state is invalid");
        } else if (matches(a, "priority")) {
            put_number<std::uint16_t>(w, IFLA_BRPORT_PRIORITY, args.next_value(), "priority is invalid");
        } else if (matches(a, "cost")) {
            put_number<std::uint32_t>(w, IFLA_BRPORT_COST, args.next_value(), "cost is invalid");
        } else if (try_switches(a, first)) {
        } else if (matches(a, "mcast_router")) {
            put_number<std::uint8_t>(w, IFLA_BRPORT_MULTICAST_ROUTER, args.next_value(), "invalid mcast_router");
        } else if (try_switches(a, after_router)) {
        } else if (matches(a, "group_fwd_mask")) {
            put_number<std::uint16_t>(w, IFLA_BRPORT_GROUP_FWD_MASK, args.next_value(), "invalid group_fwd_mask");
        } else if (try_switches(a, after_mask)) {
        } else if (matches(a, "backup_port")) {
            const std::string& v = args.next_value();
            const int idx = s.links.index(v);
            if (!idx) invalid_argument("Device does not exist\n", v);
            link_detail::put_value<std::uint32_t>(w, IFLA_BRPORT_BACKUP_PORT, static_cast<std::uint32_t>(idx));
        } else if (matches(a, "nobackup_port")) {
            link_detail::put_value<std::uint32_t>(w, IFLA_BRPORT_BACKUP_PORT, 0);
        } else if (matches(a, "help")) {
            throw link_detail::soft_error{kind_usage::bridge_slave};
        } else {
            throw link_detail::soft_error{"bridge_slave: unknown option \"" + a + "\"?\n" + kind_usage::bridge_slave};
        }
        args.advance();
    }
}

}  // namespace rtnl::ip
