// tools/common/link_format.hpp — pieces of iproute2's link output shared by
// rtnl-ip and rtnl-bridge: the <FLAGS> list, "name@peer", link-layer types and
// addresses (lib/utils.c print_name_and_link, ip/ipaddress.c print_link_flags,
// lib/ll_types.c, lib/ll_addr.c).
#pragma once

#include <linux/if.h>
#include <linux/if_arp.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "rtnl/link.hpp"
#include "tools/common/link_names.hpp"
#include "tools/common/printer.hpp"

namespace rtnl::tools {

/// <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> (and ",M-DOWN" when the peer is down).
inline void print_link_flags(printer& o, unsigned flags, bool mdown) {
    o.open_array(to::any, o.json() ? "flags" : "<");
    if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) o.string(to::any, nullptr, flags ? "%s," : "%s", "NO-CARRIER");
    flags &= ~static_cast<unsigned>(IFF_RUNNING);
    static constexpr std::pair<unsigned, const char*> names[] = {
        {IFF_LOOPBACK, "LOOPBACK"}, {IFF_BROADCAST, "BROADCAST"}, {IFF_POINTOPOINT, "POINTOPOINT"},
        {IFF_MULTICAST, "MULTICAST"}, {IFF_NOARP, "NOARP"}, {IFF_ALLMULTI, "ALLMULTI"},
        {IFF_PROMISC, "PROMISC"}, {IFF_MASTER, "MASTER"}, {IFF_SLAVE, "SLAVE"},
        {IFF_DEBUG, "DEBUG"}, {IFF_DYNAMIC, "DYNAMIC"}, {IFF_AUTOMEDIA, "AUTOMEDIA"},
        {IFF_PORTSEL, "PORTSEL"}, {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_UP, "UP"},
        {IFF_LOWER_UP, "LOWER_UP"}, {IFF_DORMANT, "DORMANT"}, {IFF_ECHO, "ECHO"}};
    for (auto [bit, name] : names) {
        if (!(flags & bit)) continue;
        flags &= ~bit;
        o.string(to::any, nullptr, flags ? "%s," : "%s", name);
    }
    if (flags) o.hex(to::any, nullptr, "%x", flags);
    if (mdown) o.string(to::any, nullptr, ",%s", "M-DOWN");
    o.close_array(to::any, "> ");
}

/// "NAME@PEER: " (text) or "link"/"link_index" + "ifname" (JSON). Returns
/// iproute2's m_flag: the peer is in our namespace, known, and down.
inline bool print_name_and_link(printer& o, link_names& names, const char* fmt, const link_view& v) {
    std::string shown(v.name());
    bool mdown = false;
    if (auto link = v.link()) {
        const int iflink = *link;
        std::string peer;
        if (iflink) {
            if (v.link_netnsid()) {
                if (o.json()) o.integer(to::json, "link_index", nullptr, iflink);
                else peer = "if" + std::to_string(static_cast<unsigned>(iflink));
            } else {
                peer = names.name(iflink);
                if (o.json()) {
                    o.string(to::json, "link", nullptr, peer);
                    peer.clear();
                }
                auto f = names.flags(iflink);
                mdown = f && !(*f & IFF_UP);
            }
        } else {
            if (o.json()) o.null(to::json, "link", nullptr, nullptr);
            else peer = "NONE";
        }
        if (!peer.empty()) shown += "@" + peer;
    }
    o.string(to::any, "ifname", fmt, shown);
    return mdown;
}

/// lib/ll_types.c: "ether", "loopback" … or "[N]".
inline std::string link_type_name(unsigned type) {
    static constexpr std::pair<unsigned, const char*> names[] = {
        {ARPHRD_NETROM, "netrom"}, {ARPHRD_ETHER, "ether"}, {ARPHRD_EETHER, "eether"}, {ARPHRD_AX25, "ax25"},
        {ARPHRD_PRONET, "pronet"}, {ARPHRD_CHAOS, "chaos"}, {ARPHRD_IEEE802, "ieee802"},
        {ARPHRD_ARCNET, "arcnet"}, {ARPHRD_APPLETLK, "atalk"}, {ARPHRD_DLCI, "dlci"}, {ARPHRD_ATM, "atm"},
        {ARPHRD_METRICOM, "metricom"}, {ARPHRD_IEEE1394, "ieee1394"}, {ARPHRD_INFINIBAND, "infiniband"},
        {ARPHRD_SLIP, "slip"}, {ARPHRD_CSLIP, "cslip"}, {ARPHRD_SLIP6, "slip6"}, {ARPHRD_CSLIP6, "cslip6"},
        {ARPHRD_RSRVD, "rsrvd"}, {ARPHRD_ADAPT, "adapt"}, {ARPHRD_ROSE, "rose"}, {ARPHRD_X25, "x25"},
        {ARPHRD_HWX25, "hwx25"}, {ARPHRD_CAN, "can"}, {ARPHRD_PPP, "ppp"}, {ARPHRD_HDLC, "hdlc"},
        {ARPHRD_LAPB, "lapb"}, {ARPHRD_DDCMP, "ddcmp"}, {ARPHRD_RAWHDLC, "rawhdlc"}, {ARPHRD_TUNNEL, "ipip"},
        {ARPHRD_TUNNEL6, "tunnel6"}, {ARPHRD_FRAD, "frad"}, {ARPHRD_SKIP, "skip"},
        {ARPHRD_LOOPBACK, "loopback"}, {ARPHRD_LOCALTLK, "ltalk"}, {ARPHRD_FDDI, "fddi"},
        {ARPHRD_BIF, "bif"}, {ARPHRD_SIT, "sit"}, {ARPHRD_IPDDP, "ip/ddp"}, {ARPHRD_IPGRE, "gre"},
        {ARPHRD_PIMREG, "pimreg"}, {ARPHRD_HIPPI, "hippi"}, {ARPHRD_ASH, "ash"}, {ARPHRD_ECONET, "econet"},
        {ARPHRD_IRDA, "irda"}, {ARPHRD_FCPP, "fcpp"}, {ARPHRD_FCAL, "fcal"}, {ARPHRD_FCPL, "fcpl"},
        {ARPHRD_FCFABRIC, "fcfb0"}, {ARPHRD_IEEE802_TR, "tr"}, {ARPHRD_IEEE80211, "ieee802.11"},
        {ARPHRD_IEEE80211_PRISM, "ieee802.11/prism"}, {ARPHRD_IEEE80211_RADIOTAP, "ieee802.11/radiotap"},
        {ARPHRD_IEEE802154, "ieee802.15.4"}, {ARPHRD_IEEE802154_MONITOR, "ieee802.15.4/monitor"},
        {ARPHRD_PHONET, "phonet"}, {ARPHRD_PHONET_PIPE, "phonet_pipe"}, {ARPHRD_CAIF, "caif"},
        {ARPHRD_IP6GRE, "gre6"}, {ARPHRD_NETLINK, "netlink"}, {ARPHRD_6LOWPAN, "6lowpan"},
        {ARPHRD_NONE, "none"}, {ARPHRD_VOID, "void"}};
    for (auto [t, n] : names)
        if (t == type) return n;
    if (type > ARPHRD_FCFABRIC && type <= ARPHRD_FCFABRIC + 12) return "fcfb" + std::to_string(type - ARPHRD_FCFABRIC);
    return "[" + std::to_string(type) + "]";
}

/// lib/ll_addr.c ll_addr_n2a: colon hex, or an IP address for IP tunnels.
inline std::string link_address(std::span<const std::byte> a, unsigned type) {
    char buf[64];
    if (a.size() == 4 && (type == ARPHRD_TUNNEL || type == ARPHRD_SIT || type == ARPHRD_IPGRE))
        return inet_ntop(AF_INET, a.data(), buf, sizeof buf) ? buf : "";
    if (a.size() == 16 && (type == ARPHRD_TUNNEL6 || type == ARPHRD_IP6GRE))
        return inet_ntop(AF_INET6, a.data(), buf, sizeof buf) ? buf : "";
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::snprintf(buf, sizeof buf, i ? ":%02x" : "%02x", static_cast<unsigned>(a[i]));
        out += buf;
    }
    return out;
}

}  // namespace rtnl::tools
