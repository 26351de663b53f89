// tools/ip/link_print.hpp — one link, printed as `ip link show` / `ip addr show`
// print it (iproute2 ip/ipaddress.c print_linkinfo), text and JSON, with the
// -d details for every kind (linkinfo, af_spec, queues, GSO/TSO/GRO sizes) and
// the kind-specific lines of bridge and bridge ports (link_kinds.hpp).
#pragma once

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rtnl/link.hpp"
#include "tools/common/link_format.hpp"
#include "tools/ip/link_kinds.hpp"
#include "tools/ip/link_stats.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

/// Which links to print (iproute2's struct link_filter, the parts we use).
struct link_filter {
    int ifindex = 0;
    bool up = false;
    int group = -1;
    int master = 0;  ///< >0: only its ports; -1: only links without master
    std::string kind;
    std::string slave_kind;
    int family = AF_UNSPEC;
    bool do_link = false;  ///< `ip link` (mode and alias lines) rather than `ip addr`
    bool show_queue = true;  ///< iproute2's filter.showqueue: set by list commands, not by monitor
};

namespace link_print_detail {

inline std::string link_kind(const link_view& v, bool slave) {
    return std::string(slave ? v.slave_kind() : v.kind());
}

inline void print_operstate(session& s, std::uint8_t state) {
    static const char* names[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
    if (state >= 7) {
        if (s.out.json()) s.out.uinteger(to::json, "operstate_index", nullptr, state);
        else s.out.hex0x(to::text, nullptr, "state %#llx", state);
    } else if (s.opt.brief) {
        s.out.string(to::any, "operstate", "%-14s ", names[state]);
    } else if (s.out.json()) {
        s.out.string(to::json, "operstate", nullptr, names[state]);
    } else {
        s.out.text("state ");
        s.out.string(to::text, nullptr, "%s ", names[state]);
    }
}

inline void print_af_spec(session& s, wire::attr_view af) {
    wire::attr_view in6 = af.nested().find(AF_INET6);
    if (!in6) return;
    auto mode = in6.nested().find(IFLA_INET6_ADDR_GEN_MODE).as<std::uint8_t>();
    if (!mode) return;
    const char* name = nullptr;
    switch (*mode) {
        case IN6_ADDR_GEN_MODE_EUI64: name = "eui64"; break;
        case IN6_ADDR_GEN_MODE_NONE: name = "none"; break;
        case IN6_ADDR_GEN_MODE_STABLE_PRIVACY: name = "stable_secret"; break;
        case IN6_ADDR_GEN_MODE_RANDOM: name = "random"; break;
        default: break;
    }
    char b[16];
    if (!name) {
        std::snprintf(b, sizeof b, "%#.2hhx", *mode);
        name = b;
    }
    s.out.string(to::any, "inet6_addr_gen_mode", "addrgenmode %s ", name);
}

inline void print_u32_detail(session& s, const link_view& v, std::uint16_t type, const char* key, const char* fmt) {
    if (auto x = v.attr(type).as<std::uint32_t>()) s.out.uinteger(to::any, key, fmt, *x);
}

/// The hex strings iproute2 prints for port and switch ids.
inline std::string hexstring(std::span<const std::byte> b) {
    std::string out;
    char c[4];
    for (auto x : b) {
        std::snprintf(c, sizeof c, "%02x", static_cast<unsigned>(x));
        out += c;
    }
    return out;
}

}  // namespace link_print_detail

/// iproute2's print_linkinfo. Returns -1 when the filter rejects the link (then
/// nothing was printed), 1 otherwise.
inline int print_linkinfo(session& s, const link_view& v, const link_filter& f) {
    using namespace link_print_detail;
    printer& o = s.out;
    if (f.ifindex && v.index() != f.ifindex) return -1;
    if (f.up && !(v.flags() & IFF_UP)) return -1;
    if (v.name().empty() || !plausible_ifname(v.name())) return -1;
    if (auto g = v.group(); g && f.group != -1 && static_cast<int>(*g) != f.group) return -1;
    if (auto m = v.master()) {
        if (f.master > 0 && *m != f.master) return -1;
    } else if (f.master > 0) {
        return -1;
    }
    if (!f.kind.empty() && (!v.attr(IFLA_LINKINFO) || link_kind(v, false) != f.kind)) return -1;
    if (!f.slave_kind.empty() && (!v.attr(IFLA_LINKINFO) || link_kind(v, true) != f.slave_kind)) return -1;

    if (v.message().type() == RTM_DELLINK) o.boolean(to::any, "deleted", "Deleted ", true);
    if (s.opt.brief) {
        // print_linkinfo_brief
        const bool mdown = print_name_and_link(o, s.links, "%-16s ", v);
        if (auto st = v.operstate()) print_operstate(s, *st);
        if (f.family == AF_PACKET) {
            if (auto a = v.attr(IFLA_ADDRESS)) o.string(to::any, "address", "%s ", link_address(a.payload(), v.arp_type()));
            print_link_flags(o, v.flags(), mdown);
            o.string(to::text, nullptr, "%s", "\n");
        }
        o.flush();
        return 0;
    }
    o.integer(to::any, "ifindex", "%d: ", v.index());
    const bool mdown = print_name_and_link(o, s.links, "%s: ", v);
    print_link_flags(o, v.flags(), mdown);

    if (auto mtu = v.mtu()) o.integer(to::any, "mtu", "mtu %u ", static_cast<int>(*mtu));
    if (auto q = v.qdisc()) o.string(to::any, "qdisc", "qdisc %s ", std::string(*q));
    if (auto m = v.master()) o.string(to::any, "master", "master %s ", s.links.name(*m));
    if (auto st = v.operstate()) print_operstate(s, *st);
    if (f.do_link)
        if (auto mode = v.linkmode()) {
            if (*mode >= 2) o.integer(to::any, "linkmode_index", "mode %d ", *mode);
            else o.string(to::any, "linkmode", "mode %s ", *mode ? "DORMANT" : "DEFAULT");
        }
    if (auto g = v.group()) o.string(to::any, "group", "group %s ", s.tables.groups.name(*g));
    if (auto q = v.txqlen(); f.show_queue && q && *q) o.integer(to::any, "txqlen", "qlen %d", static_cast<int>(*q));
    if (auto ev = v.attr(IFLA_EVENT).as<std::uint32_t>()) {
        static const char* events[] = {"NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS",
                                       "RESEND IGMP", "BONDING OPTION"};
        if (*ev >= 7) o.integer(to::any, "event", "event %d ", static_cast<int>(*ev));
        else if (*ev) o.string(to::any, "event", "event %s ", events[*ev]);
    }

    if (!f.family || f.family == AF_PACKET || s.opt.details) {
        o.nl();
        o.string(to::any, "link_type", "    link/%s ", link_type_name(v.arp_type()));
        if (auto a = v.attr(IFLA_ADDRESS)) o.string(to::any, "address", "%s", link_address(a.payload(), v.arp_type()));
        if (auto b = v.attr(IFLA_BROADCAST)) {
            if (v.flags() & IFF_POINTOPOINT) {
                o.string(to::text, nullptr, " peer ", nullptr);
                o.boolean(to::json, "link_pointtopoint", nullptr, true);
            } else {
                o.string(to::text, nullptr, " brd ", nullptr);
            }
            o.string(to::any, "broadcast", "%s", link_address(b.payload(), v.arp_type()));
        }
        if (auto perm = v.attr(IFLA_PERM_ADDRESS)) {
            auto a = v.attr(IFLA_ADDRESS);
            const auto pp = perm.payload();
            const auto ap = a.payload();
            if (!a || ap.size() != pp.size() || !std::equal(pp.begin(), pp.end(), ap.begin())) {
                o.string(to::text, nullptr, " permaddr ", nullptr);
                o.string(to::any, "permaddr", "%s", link_address(pp, v.arp_type()));
            }
        }
    }

    if (auto id = v.link_netnsid()) {
        if (o.json()) {
            o.integer(to::json, "link_netnsid", nullptr, *id);
        } else if (*id >= 0) {
            if (auto name = s.netns_name_of(*id)) o.string(to::text, nullptr, " link-netns %s", *name);
            else o.integer(to::text, nullptr, " link-netnsid %d", *id);
        } else {
            o.string(to::text, nullptr, " link-netnsid %s", "unknown");
        }
    }
    if (auto id = v.attr(IFLA_NEW_NETNSID).as<std::int32_t>()) {
        if (auto name = s.netns_name_of(*id)) o.string(to::text, nullptr, " new-netns %s", *name);
        else o.integer(to::text, nullptr, " new-netnsid %d", *id);
    }
    if (auto id = v.attr(IFLA_NEW_IFINDEX).as<std::int32_t>()) o.integer(to::text, nullptr, " new-ifindex %d", *id);
    if (auto pd = v.attr(IFLA_PROTO_DOWN).as<std::uint8_t>(); pd && *pd)
        o.boolean(to::any, "proto_down", " protodown on ", true);

    if (s.opt.details) {
        print_u32_detail(s, v, IFLA_PROMISCUITY, "promiscuity", " promiscuity %u ");
        print_u32_detail(s, v, IFLA_ALLMULTI, "allmulti", " allmulti %u ");
        print_u32_detail(s, v, IFLA_MIN_MTU, "min_mtu", "minmtu %u ");
        print_u32_detail(s, v, IFLA_MAX_MTU, "max_mtu", "maxmtu %u ");
        if (auto li = v.attr(IFLA_LINKINFO)) print_linktype(s, li);
        if (f.do_link)
            if (auto af = v.attr(IFLA_AF_SPEC)) print_af_spec(s, af);
        print_u32_detail(s, v, IFLA_NUM_TX_QUEUES, "num_tx_queues", "numtxqueues %u ");
        print_u32_detail(s, v, IFLA_NUM_RX_QUEUES, "num_rx_queues", "numrxqueues %u ");
        print_u32_detail(s, v, IFLA_GSO_MAX_SIZE, "gso_max_size", "gso_max_size %u ");
        print_u32_detail(s, v, IFLA_GSO_MAX_SEGS, "gso_max_segs", "gso_max_segs %u ");
        print_u32_detail(s, v, IFLA_TSO_MAX_SIZE, "tso_max_size", "tso_max_size %u ");
        print_u32_detail(s, v, IFLA_TSO_MAX_SEGS, "tso_max_segs", "tso_max_segs %u ");
        print_u32_detail(s, v, IFLA_GRO_MAX_SIZE, "gro_max_size", "gro_max_size %u ");
        if (auto n = v.attr(IFLA_PHYS_PORT_NAME).as<wire::cstring>())
            o.string(to::any, "phys_port_name", "portname %s ", std::string(*n));
        if (auto id = v.attr(IFLA_PHYS_PORT_ID)) o.string(to::any, "phys_port_id", "portid %s ", hexstring(id.payload()));
        if (auto id = v.attr(IFLA_PHYS_SWITCH_ID))
            o.string(to::any, "phys_switch_id", "switchid %s ", hexstring(id.payload()));
        if (auto n = v.attr(IFLA_PARENT_DEV_BUS_NAME).as<wire::cstring>())
            o.string(to::any, "parentbus", "parentbus %s ", std::string(*n));
        if (auto n = v.attr(IFLA_PARENT_DEV_NAME).as<wire::cstring>())
            o.string(to::any, "parentdev", "parentdev %s ", std::string(*n));
    }

    if (f.do_link || s.opt.details)
        if (auto alias = v.attr(IFLA_IFALIAS).as<wire::string>()) {
            o.string(to::text, nullptr, "%s    ", o.sl());
            o.string(to::any, "ifalias", "alias %s", std::string(*alias));
        }

    if (f.do_link && s.opt.stats) {
        o.nl();
        print_link_stats(s, v);
    }

    if (auto props = v.attr(IFLA_PROP_LIST)) {
        o.open_array(to::json, "altnames");
        for (wire::attr_view a : props.nested()) {
            if (a.type() != IFLA_ALT_IFNAME) continue;
            o.string(to::text, nullptr, "%s    altname ", o.sl());
            o.string(to::any, nullptr, "%s", std::string(a.as<wire::string>().value_or("")));
        }
        o.close_array(to::json, nullptr);
    }

    o.string(to::text, nullptr, "%s", "\n");
    return 1;
}

}  // namespace rtnl::ip
