// tools/bridge/mdb.hpp — `rtnl-bridge mdb [show] [dev DEV] [vid VID]` (iproute2
// 6.1 bridge/mdb.c mdb_show): two RTM_GETMDB dumps, the multicast group entries
// then the router ports, text or -j (-d adds filter mode, sources and protocol;
// -s the timers). `mdb add|del` are refused.
#pragma once

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tools/common/link_format.hpp"
#include "tools/common/messages.hpp"
#include "tools/bridge/vlan.hpp"
#include "tools/common/session.hpp"

namespace rtnl::bridge_tool {

namespace mdb_detail {

/// format_timer: jiffies (USER_HZ 100) as "S.CC", right-aligned to 4 when `align`.
inline std::string format_timer(std::uint32_t ticks, bool align) {
    const unsigned long usec = 10000UL * ticks;
    char b[32];
    std::snprintf(b, sizeof b, align ? "%4lu.%.2lu" : "%lu.%.2lu", usec / 1000000, (usec % 1000000) / 10000);
    return b;
}

inline void print_entry(session& s, int ifindex, const br_mdb_entry& e, wire::attr_range tb, int filter_vlan) {
    printer& o = s.out;
    if (filter_vlan && e.vid != filter_vlan) return;
    int af;
    std::string addr;
    char buf[INET6_ADDRSTRLEN];
    if (!e.addr.proto) {
        af = AF_PACKET;
        addr = link_address(std::as_bytes(std::span(e.addr.u.mac_addr)), ARPHRD_ETHER);
    } else if (e.addr.proto == htons(ETH_P_IP)) {
        af = AF_INET;
        addr = inet_ntop(AF_INET, &e.addr.u.ip4, buf, sizeof buf);
    } else {
        af = AF_INET6;
        addr = inet_ntop(AF_INET6, &e.addr.u.ip6, buf, sizeof buf);
    }
    o.open_object();
    o.integer(to::json, "index", nullptr, ifindex);
    o.string(to::any, "dev", "dev %s", s.links.name(ifindex));
    o.string(to::any, "port", " port %s", s.links.name(static_cast<int>(e.ifindex)));
    o.string(to::any, "grp", " grp %s", addr);
    if (auto src = tb.find(MDBA_MDB_EATTR_SOURCE)) {
        const char* t = inet_ntop(af, src.payload().data(), buf, sizeof buf);
        o.string(to::any, "src", " src %s", t ? t : "");
    }
    o.string(to::any, "state", " %s", (e.state & MDB_PERMANENT) ? "permanent" : "temp");
    if (s.opt.details) {
        if (auto mode = tb.find(MDBA_MDB_EATTR_GROUP_MODE).as<std::uint8_t>())
            o.string(to::any, "filter_mode", " filter_mode %s", *mode == MCAST_INCLUDE ? "include" : "exclude");
        if (auto list = tb.find(MDBA_MDB_EATTR_SRC_LIST)) {
            o.open_array(to::any, o.json() ? "source_list" : " source_list");
            const char* sep = " ";
            for (wire::attr_view src : list.nested()) {
                auto st = src.nested();
                auto a = st.find(MDBA_MDB_SRCATTR_ADDRESS);
                auto timer = st.find(MDBA_MDB_SRCATTR_TIMER).as<std::uint32_t>();
                if (!a || !timer) continue;
                const char* t = inet_ntop(af, a.payload().data(), buf, sizeof buf);
                if (!t) continue;
                o.open_object();
                o.string(to::text, nullptr, "%s", sep);
                o.string(to::any, "address", "%s", t);
                o.string(to::any, "timer", "/%s", format_timer(*timer, false));
                o.close_object();
                sep = ",";
            }
            o.close_array(to::json, nullptr);
        }
        if (auto p = tb.find(MDBA_MDB_EATTR_RTPROT).as<std::uint8_t>())
            o.string(to::any, "protocol", " proto %s ", s.tables.protocols.name(*p));
    }
    o.open_array(to::json, "flags");
    if (e.flags & MDB_FLAGS_OFFLOAD) o.string(to::any, nullptr, " %s", "offload");
    if (e.flags & MDB_FLAGS_FAST_LEAVE) o.string(to::any, nullptr, " %s", "fast_leave");
    if (e.flags & MDB_FLAGS_STAR_EXCL) o.string(to::any, nullptr, " %s", "added_by_star_ex");
    if (e.flags & MDB_FLAGS_BLOCKED) o.string(to::any, nullptr, " %s", "blocked");
    o.close_array(to::json, nullptr);
    if (e.vid) o.uinteger(to::any, "vid", " vid %u", e.vid);
    if (s.opt.stats)
        if (auto t = tb.find(MDBA_MDB_EATTR_TIMER).as<std::uint32_t>())
            o.string(to::any, "timer", " %s", format_timer(*t, true));
    o.nl();
    o.close_object();
}

}  // namespace mdb_detail

/// mdb_show
inline int mdb_show(session& s, arg_list args) {
    using namespace mdb_detail;
    s.sync();
    auto [dev, have_dev, filter_vlan] = read_dev_vid(args);
    s.links.load_all();
    int only = 0;
    if (have_dev) {
        only = s.links.index(dev);
        if (!only) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 255;
        }
    }
    auto dump = [&](std::error_code& ec) {
        wire::buffer req;
        wire::writer w(req);
        {
            auto msg = w.begin(RTM_GETMDB, NLM_F_REQUEST | NLM_F_DUMP);
            br_port_msg bpm{};
            bpm.family = AF_BRIDGE;
            w.header(bpm);
        }
        return dump_messages(s.nl(), req, RTM_GETMDB, ec);  // the kernel answers mdb dumps as RTM_GETMDB
    };
    printer& o = s.out;
    o.begin();
    o.open_object();
    std::error_code ec;
    auto msgs = dump(ec);
    if (ec) {
        s.complain("Dump terminated\n");
        return 255;
    }
    o.open_array(to::json, "mdb");
    for (auto& m : msgs) {
        auto h = m.view().header<br_port_msg>();
        if (!h || (only && only != static_cast<int>(h->ifindex))) continue;
        auto mdb = m.view().attributes<br_port_msg>().find(MDBA_MDB);
        if (!mdb) continue;
        for (wire::attr_view entry : mdb.nested()) {
            if (entry.type() != MDBA_MDB_ENTRY) continue;
            for (wire::attr_view info : entry.nested()) {
                auto e = info.as<br_mdb_entry>();
                if (!e) continue;
                const std::size_t skip = NLA_ALIGN(sizeof(br_mdb_entry));
                auto rest = info.payload().size() > skip ? info.payload().subspan(skip) : std::span<const std::byte>{};
                print_entry(s, static_cast<int>(h->ifindex), *e, wire::attr_range(rest), filter_vlan);
            }
        }
    }
    o.close_array(to::json, nullptr);
    msgs = dump(ec);
    if (ec) {
        s.complain("Dump terminated\n");
        return 255;
    }
    o.open_object("router");
    for (auto& m : msgs) {
        auto h = m.view().header<br_port_msg>();
        if (!h || (only && only != static_cast<int>(h->ifindex))) continue;
        auto router = m.view().attributes<br_port_msg>().find(MDBA_ROUTER);
        if (!router) continue;
        // print_router_entries for a dumped (RTM_GETMDB) message: br_print_router_ports, with -d only
        if (!s.opt.details) continue;
        const std::string brname = s.links.name(static_cast<int>(h->ifindex));
        if (o.json()) o.open_array(to::json, brname.c_str());
        else if (!s.opt.stats) std::fprintf(o.stream(), "router ports on %s: ", brname.c_str());
        for (wire::attr_view p : router.nested()) {
            if (p.payload().size() < 4) continue;
            std::uint32_t port;
            std::memcpy(&port, p.payload().data(), 4);
            const std::string pname = s.links.name(static_cast<int>(port));
            auto pattrs = wire::attr_range(p.payload().subspan(4));
            auto stats = [&] {
                if (auto t = pattrs.find(MDBA_ROUTER_PATTR_TIMER).as<std::uint32_t>())
                    o.string(to::any, "timer", " %s", format_timer(*t, true));
                if (auto ty = pattrs.find(MDBA_ROUTER_PATTR_TYPE).as<std::uint8_t>())
                    o.string(to::any, "type", " %s",
                             *ty == MDB_RTR_TYPE_TEMP_QUERY || *ty == MDB_RTR_TYPE_TEMP ? "temp" : "permanent");
            };
            if (o.json()) {
                o.open_object();
                o.string(to::json, "port", nullptr, pname);
                if (s.opt.stats) stats();
                o.close_object();
            } else if (s.opt.stats) {
                std::fprintf(o.stream(), "router ports on %s: %s", brname.c_str(), pname.c_str());
                stats();
                std::fputs("\n", o.stream());
            } else {
                std::fprintf(o.stream(), "%s ", pname.c_str());
            }
        }
        if (!s.opt.stats) o.nl();
        o.close_array(to::json, nullptr);
    }
    o.close_object();
    o.close_object();
    o.end();
    o.flush();
    return 0;
}

inline int mdb_command(session& s, arg_list args) {
    if (args.empty()) return mdb_show(s, args);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add") || matches(cmd, "delete"))
        refuse("rtnl-bridge: \"mdb " + cmd + "\" is not supported; use bridge(8) for it\n");
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return mdb_show(s, args);
    if (matches(cmd, "help"))
        fail_usage("Usage: bridge mdb { add | del } dev DEV port PORT grp GROUP [src SOURCE] [permanent | temp] [vid VID]\n"
                   "       bridge mdb {show} [ dev DEV ] [ vid VID ]\n");
    fail_usage("Command \"" + cmd + "\" is unknown, try \"bridge mdb help\".\n");
}

}  // namespace rtnl::bridge_tool
