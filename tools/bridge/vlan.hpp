// tools/bridge/vlan.hpp — `rtnl-bridge vlan add|del|show` (iproute2 6.1
// bridge/vlan.c vlan_modify, vlan_show, print_vlan_info).
//
// add/del: one RTM_SETLINK / RTM_DELLINK of family AF_BRIDGE naming the port by
// ifindex, with IFLA_BRIDGE_FLAGS (self/master) and IFLA_BRIDGE_VLAN_INFO (two
// for a range) or IFLA_BRIDGE_VLAN_TUNNEL_INFO in IFLA_AF_SPEC — the bytes
// bridge sends, quirks kept (vid read with atoi into a short). show: one
// AF_BRIDGE link dump with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN(_COMPRESSED), each
// port's VLANs printed as bridge prints them, text or -j. `-d vlan show` asks
// for the RTM_GETVLAN dump as bridge does; its detailed printer is not
// implemented (refused when the kernel answers). `set`, `global`, `tunnelshow`
// and `-s` are refused.
#pragma once

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>

#include "rtnl/wire/writer.hpp"
#include "tools/bridge/link_set.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"

namespace rtnl::bridge_tool {

inline constexpr const char* vlan_usage_text =
    "Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ tunnel_info id TUNNEL_ID ]\n"
    "                                                     [ pvid ] [ untagged ]\n"
    "                                                     [ self ] [ master ]\n"
    "       bridge vlan { set } vid VLAN_ID dev DEV [ state STP_STATE ]\n"
    "                                               [ mcast_router MULTICAST_ROUTER ]\n"
    "       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]\n"
    "       bridge vlan { tunnelshow } [ dev DEV ] [ vid VLAN_ID ]\n"
    "       bridge vlan global { set } vid VLAN_ID dev DEV\n"
    "                      [ mcast_snooping MULTICAST_SNOOPING ]\n"
    "                      [ mcast_querier MULTICAST_QUERIER ]\n"
    "                      [ mcast_igmp_version IGMP_VERSION ]\n"
    "                      [ mcast_mld_version MLD_VERSION ]\n"
    "                      [ mcast_last_member_count LAST_MEMBER_COUNT ]\n"
    "                      [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]\n"
    "                      [ mcast_startup_query_count STARTUP_QUERY_COUNT ]\n"
    "                      [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]\n"
    "                      [ mcast_membership_interval MEMBERSHIP_INTERVAL ]\n"
    "                      [ mcast_querier_interval QUERIER_INTERVAL ]\n"
    "                      [ mcast_query_interval QUERY_INTERVAL ]\n"
    "                      [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]\n"
    "       bridge vlan global { show } [ dev DEV ] [ vid VLAN_ID ]\n";

namespace vlan_detail {

template <class T>
void put(wire::writer& w, std::uint16_t type, T v) {
    w.put_raw(type, std::as_bytes(std::span<const T>(&v, 1)));
}

/// parse_tunnel_info: `tunnel_info id ID[-ID]` (ids below 2^24).
inline void tunnel_ids(arg_list& args, std::uint32_t& start, std::uint32_t& end) {
    args.next_value();
    if (!matches(args.current(), "id")) invalid_argument("tunnel id expected", args.current());
    const std::string v = args.next_value();
    const auto dash = v.find('-');
    const std::string first = v.substr(0, dash);
    auto a = parse_number<std::uint32_t>(first);
    if (!a || *a >= (1u << 24)) invalid_argument("invalid tun id", first);
    start = *a;
    if (dash != std::string::npos) {
        auto b = parse_number<std::uint32_t>(v.substr(dash + 1));
        if (!b || *b >= (1u << 24)) invalid_argument("invalid tun id", first);
        end = *b;
    }
}

inline void tunnel_info(wire::writer& w, std::uint16_t vid, std::uint32_t id, std::uint16_t flags) {
    auto t = w.nest(IFLA_BRIDGE_VLAN_TUNNEL_INFO);
    put<std::uint32_t>(w, IFLA_BRIDGE_VLAN_TUNNEL_ID, id);
    put<std::uint16_t>(w, IFLA_BRIDGE_VLAN_TUNNEL_VID, vid);
    put<std::uint16_t>(w, IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, flags);
}

}  // namespace vlan_detail

/// vlan_modify for `add` (RTM_SETLINK) and `del` (RTM_DELLINK).
inline int vlan_modify(session& s, arg_list args, std::uint16_t type) {
    using namespace vlan_detail;
    std::string dev;
    bool have_dev = false;
    std::int16_t vid = -1, vid_end = -1;
    bridge_vlan_info vinfo{};
    bool tunnel = false;
    std::uint16_t flags = 0;
    std::uint32_t tun_start = 0, tun_end = 0;
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "dev") {
            dev = args.next_value();
            have_dev = true;
        } else if (a == "vid") {
            const std::string& v = args.next_value();
            if (auto dash = v.find('-'); dash != std::string::npos) {
                vid = static_cast<std::int16_t>(std::atoi(v.substr(0, dash).c_str()));
                vid_end = static_cast<std::int16_t>(std::atoi(v.c_str() + dash + 1));
                vinfo.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
            } else {
                vid = static_cast<std::int16_t>(std::atoi(v.c_str()));
            }
        } else if (a == "self") {
            flags |= BRIDGE_FLAGS_SELF;
        } else if (a == "master") {
            flags |= BRIDGE_FLAGS_MASTER;
        } else if (a == "pvid") {
            vinfo.flags |= BRIDGE_VLAN_INFO_PVID;
        } else if (a == "untagged") {
            vinfo.flags |= BRIDGE_VLAN_INFO_UNTAGGED;
        } else if (a == "tunnel_info") {
            tunnel_ids(args, tun_start, tun_end);
            tunnel = true;
        } else if (matches(a, "help")) {
            args.next_value();  // bridge skips the word after "help"
        }
        args.advance();  // other words are ignored, as bridge ignores them
    }
    auto soft = [&](const std::string& msg) {
        s.complain(msg);
        return 255;
    };
    if (!have_dev || vid == -1) return soft("Device and VLAN ID are required arguments.\n");
    const int index = s.links.index(dev);
    if (!index) return soft("Cannot find bridge device \"" + dev + "\"\n");
    char b[96];
    if (vid >= 4096) {
        std::snprintf(b, sizeof b, "Invalid VLAN ID \"%hu\"\n", static_cast<unsigned short>(vid));
        return soft(b);
    }
    if (vinfo.flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) {
        if (vid_end == -1 || vid_end >= 4096 || vid >= vid_end) {
            std::snprintf(b, sizeof b, "Invalid VLAN range \"%hu-%hu\"\n", static_cast<unsigned short>(vid),
                          static_cast<unsigned short>(vid_end));
            return soft(b);
        }
        if (vinfo.flags & BRIDGE_VLAN_INFO_PVID) return soft("pvid cannot be configured for a vlan range\n");
    }

    wire::buffer request;
    wire::writer w(request);
    {
        auto msg = w.begin(type, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg ifm{};
        ifm.ifi_family = AF_BRIDGE;
        ifm.ifi_index = index;
        w.header(ifm);
        auto af = w.nest(IFLA_AF_SPEC);
        if (flags) put<std::uint16_t>(w, IFLA_BRIDGE_FLAGS, flags);
        const auto start = static_cast<std::uint16_t>(vid);
        if (tunnel) {
            if (vid_end != -1 && vid_end - vid > 0) {
                tunnel_info(w, start, tun_start, BRIDGE_VLAN_INFO_RANGE_BEGIN);
                tunnel_info(w, static_cast<std::uint16_t>(vid_end), tun_end, BRIDGE_VLAN_INFO_RANGE_END);
            } else {
                tunnel_info(w, start, tun_start, 0);
            }
        } else {
            vinfo.vid = start;
            put(w, IFLA_BRIDGE_VLAN_INFO, vinfo);
            if (vid_end != -1) {
                vinfo.flags &= static_cast<std::uint16_t>(~BRIDGE_VLAN_INFO_RANGE_BEGIN);
                vinfo.flags |= BRIDGE_VLAN_INFO_RANGE_END;
                vinfo.vid = static_cast<std::uint16_t>(vid_end);
                put(w, IFLA_BRIDGE_VLAN_INFO, vinfo);
            }
        }
    }
    s.pipe.queue(request, s.line, report_bridge);
    return queued;
}

/// `[dev DEV] [vid VID]` as bridge's vlan_show and mdb_show read them (other
/// words ignored): {dev, dev given, vid or 0}.
inline std::tuple<std::string, bool, int> read_dev_vid(arg_list& args) {
    std::string dev;
    bool have_dev = false;
    int vid = 0;
    while (!args.empty()) {
        if (args.peek() == "dev") {
            const std::string& v = args.next_value();
            if (have_dev) duplicate_argument("dev", v);
            dev = v;
            have_dev = true;
        } else if (args.peek() == "vid") {
            const std::string& v = args.next_value();
            if (vid) duplicate_argument("vid", v);
            vid = std::atoi(v.c_str());
        }
        args.advance();
    }
    return {dev, have_dev, vid};
}

/// vlan_show (without -s): the ports' VLAN lists from one AF_BRIDGE dump.
inline int vlan_show(session& s, arg_list args) {
    s.sync();
    auto [dev, have_dev, filter_vlan] = read_dev_vid(args);
    if (s.opt.stats) refuse("rtnl-bridge: \"-s vlan show\" is not supported; use bridge(8) for it\n");
    int only = 0;
    if (have_dev) {
        only = s.links.index(dev);
        if (!only) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 255;
        }
    }
    printer& o = s.out;
    o.begin();
    wire::buffer req;
    wire::writer w(req);
    if (s.opt.details) {
        // rtnl_brvlandump_req: RTM_GETVLAN, family PF_BRIDGE
        {
            auto msg = w.begin(RTM_GETVLAN, NLM_F_REQUEST | NLM_F_DUMP);
            br_vlan_msg bvm{};
            bvm.family = AF_BRIDGE;
            w.header(bvm);
        }
        if (!o.json()) std::printf("%-16s  %-9s\n", "port", "vlan-id");
        std::error_code ec;
        auto msgs = dump_messages(s.nl(), req, RTM_NEWVLAN, ec);
        if (ec) {
            std::fflush(stdout);
            std::fprintf(stderr, "%s\n", s.nl().last_status().describe().c_str());
            std::fputs("Dump terminated\n", stderr);
            throw exit_now{1, {}};
        }
        refuse("rtnl-bridge: \"-d vlan show\" is not supported; use bridge(8) for it\n");
    }
    {
        auto msg = w.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
        ifinfomsg ifm{};
        ifm.ifi_family = AF_BRIDGE;
        w.header(ifm);
        const std::uint32_t mask = s.opt.compress_vlans ? RTEXT_FILTER_BRVLAN_COMPRESSED : RTEXT_FILTER_BRVLAN;
        vlan_detail::put(w, IFLA_EXT_MASK, mask);
    }
    if (!o.json()) std::printf("%-16s  %-9s\n", "port", "vlan-id");
    std::error_code ec;
    auto ports = dump_messages(s.nl(), req, RTM_NEWLINK, ec);
    if (ec) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", s.nl().last_status().describe().c_str());
        std::fputs("Dump terminated\n", stderr);
        throw exit_now{1, {}};
    }
    for (auto& m : ports) {
        link_view v(m.view());
        if (v.family() != AF_BRIDGE) continue;
        if (only && v.index() != only) continue;
        wire::attr_view af = v.attr(IFLA_AF_SPEC);
        if (!af) continue;
        // print_vlan_info
        std::uint16_t last_start = 0;
        bool opened = false;
        for (wire::attr_view a : af.nested()) {
            if (a.type() != IFLA_BRIDGE_VLAN_INFO) continue;
            auto vi = a.as<bridge_vlan_info>();
            if (!vi) continue;
            if (!(vi->flags & BRIDGE_VLAN_INFO_RANGE_END)) last_start = vi->vid;
            // filter_vlan_check
            if (filter_vlan && vi->vid > filter_vlan && !(vi->flags & BRIDGE_VLAN_INFO_RANGE_END)) break;
            if ((vi->flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) || vi->vid < filter_vlan) continue;
            if (!opened) {
                o.open_object();
                o.string(to::any, "ifname", "%-16s  ", s.links.name(v.index()));
                o.open_array(to::json, "vlans");
                opened = true;
            } else {
                o.string(to::text, nullptr, "%-16s  ", "");
            }
            o.open_object();
            o.uinteger(to::any, "vlan", "%u", last_start);
            if (last_start != vi->vid) o.uinteger(to::any, "vlanEnd", "-%u", vi->vid);
            if (vi->flags) {
                o.open_array(to::json, "flags");
                if (vi->flags & BRIDGE_VLAN_INFO_PVID) o.string(to::any, nullptr, " %s", "PVID");
                if (vi->flags & BRIDGE_VLAN_INFO_UNTAGGED) o.string(to::any, nullptr, " %s", "Egress Untagged");
                o.close_array(to::json, nullptr);
            }
            o.close_object();
            o.nl();
        }
        if (opened) {
            o.close_array(to::json, nullptr);
            o.close_object();
        }
    }
    o.end();
    o.flush();
    return 0;
}

inline int vlan_command(session& s, arg_list args) {
    if (args.empty()) return vlan_show(s, args);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return vlan_modify(s, args, RTM_SETLINK);
    if (matches(cmd, "delete")) return vlan_modify(s, args, RTM_DELLINK);
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return vlan_show(s, args);
    if (matches(cmd, "tunnelshow") || matches(cmd, "set") || cmd == "global")
        refuse("rtnl-bridge: \"vlan " + cmd + "\" is not supported; use bridge(8) for it\n");
    if (matches(cmd, "help")) fail_usage(vlan_usage_text);
    fail_usage("Command \"" + cmd + "\" is unknown, try \"bridge vlan help\".\n");
}

}  // namespace rtnl::bridge_tool
