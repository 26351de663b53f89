// tools/ip/link_command.hpp — `rtnl-ip link add|set|delete` (iproute2
// ip/iplink.c iplink_modify, link_veth.c), on the words link_parse.hpp reads.
//
// One difference, for speed: iproute2 looks every device name up with a
// GETLINK before sending; we name the target with IFLA_IFNAME and let the
// kernel look it up (a rename still needs the ifindex: IFLA_IFNAME then carries
// the new name). An ENODEV answer reads `Cannot find device "X"`, as iproute2
// prints it. The request is queued in the session pipeline; a batch with
// -force sends many per sendmsg.
#pragma once

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/link_bridge_options.hpp"
#include "tools/ip/link_macvlan.hpp"
#include "tools/ip/link_parse.hpp"
#include "tools/ip/link_vlan.hpp"
#include "tools/ip/link_vxlan.hpp"

namespace rtnl::ip {

namespace link_detail {

/// Appends the attribute naming the link to act on: IFLA_IFNAME, or
/// IFLA_ALT_IFNAME for names too long to be a primary name.
inline void put_target(wire::writer& w, const std::string& dev) {
    const std::uint16_t type = dev.size() < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME;
    w.put_raw(type, std::as_bytes(std::span(dev.c_str(), dev.size() + 1)));
}

/// Finishes iplink_parse for one link (outer or veth peer): names, target,
/// IFLA_LINK. Returns the device to name in "Cannot find device" (or "").
inline std::string finish_target(session& s, wire::writer& w, const parsed& p, header_slot& hdr, bool create) {
    if (!create) {
        if (!p.has_dev) fail_usage("Not enough information: \"dev\" argument is required.\n");
        const bool rename = p.has_name && !p.dev_is_name;
        if (p.index) put_value<std::int32_t>(w, IFLA_NEW_IFINDEX, p.index);
        if (rename) {
            // a rename needs the ifindex: IFLA_IFNAME carries the new name
            const int idx = s.links.index(p.dev);
            if (!idx) throw soft_error{"Cannot find device \"" + p.dev + "\"\n"};
            hdr.value.ifi_index = idx;
            w.put_raw(IFLA_IFNAME, std::as_bytes(std::span(p.name.c_str(), p.name.size() + 1)));
            return {};
        }
        put_target(w, p.dev);
        return p.dev;
    }
    if (p.has_name && !p.dev_is_name)
        fail_usage("both \"name\" and \"dev\" cannot be used when creating devices.\n");
    if (!p.link.empty()) {
        const int idx = s.links.index(p.link);
        if (!idx) throw soft_error{"Cannot find device \"" + p.link + "\"\n"};
        put_value<std::int32_t>(w, IFLA_LINK, idx);
    }
    hdr.value.ifi_index = p.index;
    if (p.has_name) w.put_raw(IFLA_IFNAME, std::as_bytes(std::span(p.name.c_str(), p.name.size() + 1)));
    return {};
}

/// link_veth.c: `peer [OPTIONS]` — a full link request of its own.
inline void parse_veth(session& s, wire::writer& w, arg_list& args) {
    if (args.peek() != "peer") {
        // iproute2 prints this usage on stdout and fails the command
        s.sync();
        std::fputs("Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n",
                   stdout);
        throw soft_error{};
    }
    args.advance();
    auto peer = w.nest(VETH_INFO_PEER);
    header_slot hdr{w.size(), {}};
    w.header(ifinfomsg{});
    parsed p = parse(s, w, args, hdr.value, true);
    if (!p.type.empty()) duplicate_argument("type", p.type);
    finish_target(s, w, p, hdr, true);
    hdr.store(w.storage());
}

/// Kinds iproute2 6.1 has a link_util for (it parses their options; we refuse
/// the ones we do not implement rather than call them garbage).
inline bool known_kind(std::string_view k) {
    static constexpr std::string_view kinds[] = {
        "amt", "bareudp", "bond", "bond_slave", "bridge", "bridge_slave", "dsa", "dummy", "erspan", "geneve", "gre",
        "gretap", "gtp", "ifb", "ip6erspan", "ip6gre", "ip6gretap", "ip6tnl", "ipip", "ipoib", "ipvlan", "ipvtap",
        "macsec", "macvlan", "macvtap", "netdevsim", "nlmon", "rmnet", "sit", "team", "team_slave", "vcan", "veth",
        "vlan", "vrf", "vti", "vti6", "vxcan", "vxlan", "wwan", "xfrm", "virt_wifi", "can", "hsr", "lowpan"};
    for (auto x : kinds)
        if (x == k) return true;
    return false;
}

/// iplink_modify for add / set / delete.
inline int modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    const bool create = flags & NLM_F_CREATE;
    wire::buffer request;
    wire::writer w(request);
    std::string device;  // named by IFLA_IFNAME: ENODEV means "Cannot find device"
    bool renames_or_moves = false;
    try {
        auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags));
        header_slot hdr{w.size(), {}};
        hdr.value.ifi_family = static_cast<unsigned char>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
        w.header(hdr.value);
        parsed p = parse(s, w, args, hdr.value, create);

        if (p.group && !p.has_dev) {
            if (!args.empty())
                fail_usage("Garbage instead of arguments \"" + args.current() + " ...\". Try \"ip link help\".\n");
            if (create) fail_usage("group cannot be used when creating devices.\n");
            p.type.clear();
        } else {
            device = finish_target(s, w, p, hdr, create);
        }

        if (!p.type.empty()) {
            auto info = w.nest(IFLA_LINKINFO);
            w.put_raw(IFLA_INFO_KIND, std::as_bytes(std::span(p.type.data(), p.type.size())));
            if (!args.empty()) {
                // iproute2 opens the data nest for any kind it knows, then parses
                if (p.type == "veth") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_veth(s, w, args);
                } else if (p.type == "bridge") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_bridge_options(w, args);
                } else if (p.type == "bridge_slave") {
                    auto data = w.nest(IFLA_INFO_SLAVE_DATA);
                    parse_bridge_slave_options(s, w, args);
                } else if (p.type == "vxlan") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_vxlan_options(s, w, args, type == RTM_NEWLINK && !create);
                } else if (p.type == "macvlan" || p.type == "macvtap") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_macvlan_options(w, args, p.type);
                } else if (p.type == "ipvlan" || p.type == "ipvtap") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_ipvlan_options(w, args, p.type);
                } else if (p.type == "vlan") {
                    auto data = w.nest(IFLA_INFO_DATA);
                    parse_vlan_options(w, args);
                } else if (p.type == "dummy" || p.type == "ifb" || p.type == "nlmon") {
                    // a link_util without parse_opt: ip opens the data nest and ignores the words
                    auto data = w.nest(IFLA_INFO_DATA);
                    while (!args.empty()) args.advance();
                } else if (known_kind(p.type)) {
                    refuse("rtnl-ip: options of link type \"" + p.type + "\" are not supported; use ip(8) for them\n");
                } else if (matches(args.peek(), "help")) {
                    usage();
                } else {
                    throw soft_error{"Garbage instead of arguments \"" + args.current() + " ...\". Try \"ip link help\".\n"};
                }
            }
        } else if (create) {
            throw soft_error{"Not enough information: \"type\" argument is required\n"};
        }
        hdr.store(w.storage());
        msg.close();
        if (!w.ok()) throw soft_error{"Error: the request is too large.\n"};

        renames_or_moves = (p.has_name && !p.dev_is_name) || p.move_netns || (p.group && !p.has_dev);
        // Keep the name cache truthful before the request can change what it says.
        if (create) s.forget_nsid_names();  // a peer born in another namespace gets an nsid
        if (type == RTM_DELLINK) {
            if (p.group && !p.has_dev) s.links.clear();
            else s.links.forget_with_peer(p.dev);
        } else if (!create) {
            if (p.has_name && !p.dev_is_name) {
                s.links.forget(p.dev);
                s.links.forget(p.name);
            }
            if (p.move_netns) {
                s.links.forget_with_peer(p.dev);
                s.forget_nsid_names();
            }
            if (p.group && !p.has_dev) s.links.clear();
        }
    } catch (const soft_error& e) {
        if (!e.message.empty()) s.complain(e.message);
        return 1;
    }
    const bool changes_names = create || type == RTM_DELLINK || renames_or_moves;
    s.pipe.queue(request, s.line, [device](const status& st) { return report(st, device); }, changes_names);
    return queued;
}

}  // namespace link_detail

}  // namespace rtnl::ip
