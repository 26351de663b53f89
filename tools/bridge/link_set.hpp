// tools/bridge/link_set.hpp — `rtnl-bridge link set dev DEV …` (iproute2 6.1
// bridge/link.c brlink_modify): one RTM_SETLINK of family AF_BRIDGE with the
// port options in an IFLA_PROTINFO nest (in iproute2's fixed order, not the
// order typed) and, for hwmode/self/master, an IFLA_AF_SPEC nest. Numbers are
// read with atoi as bridge reads them; failures exit 255 as bridge's do (a bad
// on/off value 234, bridge's -EINVAL).
#pragma once

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"

namespace rtnl::bridge_tool {

using namespace rtnl::tools;

inline constexpr const char* link_usage_text =
    "Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]\n"
    "                               [ guard {on | off} ]\n"
    "                               [ hairpin {on | off} ]\n"
    "                               [ fastleave {on | off} ]\n"
    "                               [ root_block {on | off} ]\n"
    "                               [ learning {on | off} ]\n"
    "                               [ learning_sync {on | off} ]\n"
    "                               [ flood {on | off} ]\n"
    "                               [ mcast_router MULTICAST_ROUTER ]\n"
    "                               [ mcast_flood {on | off} ]\n"
    "                               [ bcast_flood {on | off} ]\n"
    "                               [ mcast_to_unicast {on | off} ]\n"
    "                               [ neigh_suppress {on | off} ]\n"
    "                               [ vlan_tunnel {on | off} ]\n"
    "                               [ isolated {on | off} ]\n"
    "                               [ locked {on | off} ]\n"
    "                               [ hwmode {vepa | veb} ]\n"
    "                               [ backup_port DEVICE ] [ nobackup_port ]\n"
    "                               [ self ] [ master ]\n"
    "       bridge link show [dev DEV]\n";

/// A kernel answer as bridge reports it: the message, and 255 for any failure.
inline int report_bridge(const status& st) {
    if (st.ok()) {
        if (!st.message.empty()) std::fprintf(stderr, "%s\n", st.describe().c_str());
        return 0;
    }
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", st.describe().c_str());
    return 255;
}

inline int link_set(session& s, arg_list args) {
    // -1: not given (iproute2's __s8/__s16 sentinels)
    struct port_switch {
        const char* name;
        std::uint16_t type;
        int value = -1;
    };
    // the order brlink_modify writes them
    port_switch sw[] = {{"guard", IFLA_BRPORT_GUARD},           {"hairpin", IFLA_BRPORT_MODE},
                        {"fastleave", IFLA_BRPORT_FAST_LEAVE},   {"root_block", IFLA_BRPORT_PROTECT},
                        {"flood", IFLA_BRPORT_UNICAST_FLOOD},    {"mcast_router", IFLA_BRPORT_MULTICAST_ROUTER},
                        {"mcast_flood", IFLA_BRPORT_MCAST_FLOOD}, {"bcast_flood", IFLA_BRPORT_BCAST_FLOOD},
                        {"mcast_to_unicast", IFLA_BRPORT_MCAST_TO_UCAST}, {"learning", IFLA_BRPORT_LEARNING},
                        {"learning_sync", IFLA_BRPORT_LEARNING_SYNC}};
    port_switch late[] = {{"neigh_suppress", IFLA_BRPORT_NEIGH_SUPPRESS}, {"vlan_tunnel", IFLA_BRPORT_VLAN_TUNNEL},
                          {"isolated", IFLA_BRPORT_ISOLATED}, {"locked", IFLA_BRPORT_LOCKED}};
    std::string dev;
    bool have_dev = false;
    std::uint32_t cost = 0;
    int priority = -1, state = -1, mode = -1, backup = -1;
    std::uint16_t flags = 0;
    auto soft = [&](const std::string& msg) {
        s.complain(msg);
        return 255;
    };
    while (!args.empty()) {
        const std::string a = args.current();
        bool done = false;
        for (auto* table : {static_cast<port_switch*>(sw), static_cast<port_switch*>(late)}) {
            const std::size_t n = table == sw ? std::size(sw) : std::size(late);
            for (std::size_t i = 0; i < n && !done; ++i) {
                if (a != table[i].name) continue;
                const std::string& v = args.next_value();
                done = true;
                if (table[i].type == IFLA_BRPORT_MULTICAST_ROUTER) {
                    table[i].value = static_cast<std::int8_t>(std::atoi(v.c_str()));
                } else if (matches(v, "off")) {
                    table[i].value = 0;
                } else if (matches(v, "on")) {
                    table[i].value = 1;
                } else {
                    // parse_on_off's -EINVAL is returned as the exit status (234)
                    s.complain("Error: argument of \"" + a + "\" must be one of \"off\", \"on\", not \"" + v + "\"\n");
                    return 256 - EINVAL;
                }
            }
        }
        if (done) {
        } else if (a == "dev") {
            dev = args.next_value();
            have_dev = true;
        } else if (a == "cost") {
            cost = static_cast<std::uint32_t>(std::atoi(args.next_value().c_str()));
        } else if (a == "priority") {
            priority = static_cast<std::int16_t>(std::atoi(args.next_value().c_str()));
        } else if (a == "state") {
            const std::string& v = args.next_value();
            char* end = nullptr;
            const long n = std::strtol(v.c_str(), &end, 10);
            if (!v.empty() && *end == '\0') {
                state = static_cast<std::int8_t>(n);
            } else {
                static const char* names[] = {"disabled", "listening", "learning", "forwarding", "blocking"};
                state = -1;
                for (int i = 0; i < 5; ++i)
                    if (v == names[i]) state = i;
                if (state == -1) return soft("Error: invalid STP port state\n");
            }
        } else if (a == "hwmode") {
            const std::string& v = args.next_value();
            flags = BRIDGE_FLAGS_SELF;
            if (v == "vepa") mode = BRIDGE_MODE_VEPA;
            else if (v == "veb") mode = BRIDGE_MODE_VEB;
            else return soft("Mode argument must be \"vepa\" or \"veb\".\n");
        } else if (a == "self") {
            flags |= BRIDGE_FLAGS_SELF;
        } else if (a == "master") {
            flags |= BRIDGE_FLAGS_MASTER;
        } else if (a == "backup_port") {
            const std::string& v = args.next_value();
            backup = s.links.index(v);
            if (!backup) return soft("Error: device " + v + " does not exist\n");
        } else if (a == "nobackup_port") {
            backup = 0;
        } else {
            fail_usage(link_usage_text);
        }
        args.advance();
    }
    if (!have_dev) return soft("Device is a required argument.\n");
    const int index = s.links.index(dev);
    if (!index) return soft("Cannot find bridge device \"" + dev + "\"\n");

    wire::buffer request;
    wire::writer w(request);
    auto put8 = [&](std::uint16_t t, int v) {
        const auto b = static_cast<std::uint8_t>(v);
        w.put_raw(t, std::as_bytes(std::span(&b, 1)));
    };
    {
        auto msg = w.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg ifm{};
        ifm.ifi_family = AF_BRIDGE;
        ifm.ifi_index = index;
        w.header(ifm);
        {
            auto nest = w.nest(IFLA_PROTINFO | NLA_F_NESTED);
            for (auto& x : sw)
                if (x.value >= 0) put8(x.type, x.value);
            if (cost > 0) w.put_raw(IFLA_BRPORT_COST, std::as_bytes(std::span(&cost, 1)));
            if (priority >= 0) {
                const auto p = static_cast<std::uint16_t>(priority);
                w.put_raw(IFLA_BRPORT_PRIORITY, std::as_bytes(std::span(&p, 1)));
            }
            if (state >= 0) put8(IFLA_BRPORT_STATE, state);
            for (auto& x : late)
                if (x.value != -1) put8(x.type, x.value);
            if (backup != -1) {
                const auto b = static_cast<std::uint32_t>(backup);
                w.put_raw(IFLA_BRPORT_BACKUP_PORT, std::as_bytes(std::span(&b, 1)));
            }
        }
        if (mode >= 0 || flags > 0) {
            auto nest = w.nest(IFLA_AF_SPEC);
            if (flags > 0) w.put_raw(IFLA_BRIDGE_FLAGS, std::as_bytes(std::span(&flags, 1)));
            if (mode >= 0) {
                const auto m = static_cast<std::uint16_t>(mode);
                w.put_raw(IFLA_BRIDGE_MODE, std::as_bytes(std::span(&m, 1)));
            }
        }
    }
    s.pipe.queue(request, s.line, report_bridge);
    return queued;
}

}  // namespace rtnl::bridge_tool
