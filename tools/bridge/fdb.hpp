// tools/bridge/fdb.hpp — `rtnl-bridge fdb add|append|replace|del|show` (iproute2
// 6.1 bridge/fdb.c fdb_modify, fdb_show, print_fdb), on rtnl/neigh.hpp.
//
// Changes are one RTM_NEWNEIGH/RTM_DELNEIGH of family AF_BRIDGE each (queued, so
// -force -batch sends many per sendmsg); every failure exits 255 as bridge's
// do. show is one AF_BRIDGE neighbour dump filtered by the kernel (strict
// checking: port in ndm_ifindex, bridge in NDA_MASTER), printed text or -j.
// `fdb get` and `fdb flush` are refused.
#pragma once

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rtnl/neigh.hpp"
#include "tools/bridge/link_set.hpp"
#include "tools/common/link_format.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/inet_args.hpp"

namespace rtnl::bridge_tool {

inline constexpr const char* fdb_usage_text =
    "Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n"
    "              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]\n"
    "              [ sticky ] [ local | static | dynamic ] [ vlan VID ]\n"
    "              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }\n"
    "	       [ via DEV ] [ src_vni VNI ]\n"
    "       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]\n"
    "              [ state STATE ] [ dynamic ] ]\n"
    "       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV\n"
    "              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]\n"
    "       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]\n"
    "              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]\n"
    "              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]\n"
    "              [ [no]offloaded ]\n";

namespace fdb_detail {

/// strtoul with iproute2's checks: the whole word, base 0.
inline std::optional<unsigned long> whole_ulong(const std::string& v) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v.c_str(), &end, 0);
    if (end && *end) return std::nullopt;
    return n;
}

/// state_a2n
inline std::optional<unsigned> state_a2n(const std::string& a) {
    if (matches(a, "permanent")) return NUD_PERMANENT;
    if (matches(a, "static") || matches(a, "temp")) return NUD_NOARP;
    if (matches(a, "stale")) return NUD_STALE;
    if (matches(a, "reachable") || matches(a, "dynamic")) return NUD_REACHABLE;
    if (a == "all") return ~0u;
    return parse_number<unsigned>(a);
}

/// state_n2a
inline std::string state_n2a(unsigned st, bool json) {
    if (st & NUD_PERMANENT) return "permanent";
    if (st & NUD_NOARP) return "static";
    if (st & NUD_STALE) return "stale";
    if (st & NUD_REACHABLE) return "";
    char b[32];
    std::snprintf(b, sizeof b, json ? "%#x" : "state=%#x", st);
    return b;
}

}  // namespace fdb_detail

/// fdb_modify.
inline int fdb_modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    using namespace fdb_detail;
    fdb_spec f;
    f.state = NUD_NOARP;
    std::string dev, addr;
    bool have_dev = false, have_addr = false, dst_ok = false;
    unsigned long port = 0, vni = ~0ul, src_vni = ~0ul;
    int via = 0;
    int vid = -1;
    std::uint32_t nhid = 0;
    while (!args.empty()) {
        const std::string_view a = args.peek();  // compared with literals: length first, no memcmp per keyword
        if (a == "dev") {
            dev = args.next_value();
            have_dev = true;
        } else if (a == "dst") {
            const std::string& v = args.next_value();
            if (dst_ok) duplicate_or_garbage("dst", v);
            f.dst = ip::get_addr(v, s.opt.family).address;
            dst_ok = true;
        } else if (a == "nhid") {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n) invalid_argument("\"id\" value is invalid\n", v);
            nhid = *n;
        } else if (a == "port") {
            const std::string& v = args.next_value();
            if (auto n = whole_ulong(v)) {
                if (*n > 0xffff) invalid_argument("invalid port\n", v);
                port = *n;
            } else {
                const servent* se = ::getservbyname(v.c_str(), "udp");
                if (!se) invalid_argument("invalid port\n", v);
                port = ntohs(static_cast<std::uint16_t>(se->s_port));
            }
        } else if (a == "vni" || a == "src_vni") {
            const std::string& v = args.next_value();
            auto n = whole_ulong(v);
            if (!n || (*n >> 24) || *n == ULONG_MAX) invalid_argument(a == "vni" ? "invalid VNI\n" : "invalid src VNI\n", v);
            (a == "vni" ? vni : src_vni) = *n;
        } else if (a == "via") {
            const std::string& v = args.next_value();
            via = s.links.index(v);
            if (!via) fail_usage("Cannot find device \"" + v + "\"\n");
        } else if (a == "self") {
            f.flags |= NTF_SELF;
        } else if (matches(a, "master")) {
            f.flags |= NTF_MASTER;
        } else if (matches(a, "router")) {
            f.flags |= NTF_ROUTER;
        } else if (matches(a, "local") || matches(a, "permanent")) {
            f.state |= NUD_PERMANENT;
        } else if (matches(a, "temp") || matches(a, "static")) {
            f.state |= NUD_REACHABLE;
        } else if (matches(a, "dynamic")) {
            f.state |= NUD_REACHABLE;
            f.state &= static_cast<std::uint16_t>(~NUD_NOARP);
        } else if (matches(a, "vlan")) {
            if (vid >= 0) duplicate_or_garbage("vlan", a);
            vid = static_cast<std::int16_t>(std::atoi(args.next_value().c_str()));
        } else if (matches(a, "use")) {
            f.flags |= NTF_USE;
        } else if (matches(a, "extern_learn")) {
            f.flags |= NTF_EXT_LEARNED;
        } else if (matches(a, "sticky")) {
            f.flags |= NTF_STICKY;
        } else {
            if (a == "to") args.next_value();
            if (matches(args.current(), "help")) fail_usage(fdb_usage_text);
            if (have_addr) duplicate_or_garbage("to", args.current());
            addr = args.current();
            have_addr = true;
        }
        args.advance();
    }
    auto soft = [&](const std::string& msg) {
        s.complain(msg);
        return 255;
    };
    if (!have_dev || !have_addr) return soft("Device and address are required arguments.\n");
    if (nhid && (dst_ok || port || vni != ~0ul)) return soft("dst, port, vni are mutually exclusive with nhid\n");
    if (!(f.flags & (NTF_SELF | NTF_MASTER))) f.flags |= NTF_SELF;
    if (!(f.state & (NUD_PERMANENT | NUD_REACHABLE))) f.state |= NUD_PERMANENT;
    unsigned char mac[6];
    if (std::sscanf(addr.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
                    &mac[5]) != 6)
        return soft("Invalid mac address " + addr + "\n");
    std::memcpy(f.lladdr.bytes.data(), mac, 6);
    if (vid >= 0) f.vlan = static_cast<std::uint16_t>(vid);
    if (nhid > 0) f.nh_id = nhid;
    if (port) f.port = static_cast<std::uint16_t>(port);
    if (vni != ~0ul) f.vni = static_cast<std::uint32_t>(vni);
    if (src_vni != ~0ul) f.src_vni = static_cast<std::uint32_t>(src_vni);
    if (via) f.via = via;
    f.index = s.links.index(dev);
    if (!f.index) return soft("Cannot find device \"" + dev + "\"\n");
    wire::buffer request;
    wire::writer w(request);
    (void)fdb::request(w, type, flags, f);
    s.pipe.queue(request, s.line, report_bridge);
    return queued;
}

/// print_fdb
inline void print_fdb(session& s, const neighbour_view& n, int filter_index) {
    printer& o = s.out;
    o.open_object();
    if (n.message().type() == RTM_DELNEIGH) o.boolean(to::any, "deleted", "Deleted ", true);
    if (auto ll = n.lladdr()) o.string(to::any, "mac", "%s ", link_address(*ll, ARPHRD_ETHER));
    if (!filter_index && n.index()) {
        o.string(to::text, nullptr, "dev ", nullptr);
        o.string(to::any, "ifname", "%s ", s.links.name(n.index()));
    }
    if (auto d = n.attr(NDA_DST)) {
        if (auto a = ip_address::from_bytes(d.payload())) {
            o.string(to::text, nullptr, "dst ", nullptr);
            o.string(to::any, "dst", "%s ", a->to_string());
        }
    }
    if (auto vid = n.attr(NDA_VLAN).as<std::uint16_t>(); vid && *vid) o.uinteger(to::any, "vlan", "vlan %hu ", *vid);
    if (auto p = n.attr(NDA_PORT).as<std::uint16_t>()) o.uinteger(to::any, "port", "port %u ", ntohs(*p));
    if (auto v = n.attr(NDA_VNI).as<std::uint32_t>()) o.uinteger(to::any, "vni", "vni %u ", *v);
    if (auto v = n.attr(NDA_SRC_VNI).as<std::uint32_t>()) o.uinteger(to::any, "src_vni", "src_vni %u ", *v);
    const auto netnsid = n.attr(NDA_LINK_NETNSID).as<std::uint32_t>();
    if (auto v = n.attr(NDA_IFINDEX).as<std::uint32_t>()) {
        if (netnsid) o.uinteger(to::any, "viaIfIndex", "via ifindex %u ", *v);
        else o.string(to::any, "viaIf", "via %s ", s.links.name(static_cast<int>(*v)));
    }
    if (auto v = n.attr(NDA_NH_ID).as<std::uint32_t>()) o.uinteger(to::any, "nhid", "nhid %u ", *v);
    if (netnsid) o.uinteger(to::any, "linkNetNsId", "link-netnsid %d ", *netnsid);
    if (s.opt.stats)
        if (auto ci = n.cacheinfo()) {
            static const long hz = ::sysconf(_SC_CLK_TCK);
            const auto h = static_cast<unsigned>(hz > 0 ? hz : 100);
            if (o.json()) {
                o.uinteger(to::json, "used", nullptr, ci->ndm_used / h);
                o.uinteger(to::json, "updated", nullptr, ci->ndm_updated / h);
            } else {
                std::fprintf(o.stream(), "used %d/%d ", static_cast<int>(ci->ndm_used / h),
                             static_cast<int>(ci->ndm_updated / h));
            }
        }
    o.open_array(to::json, "flags");
    const unsigned fl = n.flags();
    if (fl & NTF_SELF) o.string(to::any, nullptr, "%s ", "self");
    if (fl & NTF_ROUTER) o.string(to::any, nullptr, "%s ", "router");
    if (fl & NTF_EXT_LEARNED) o.string(to::any, nullptr, "%s ", "extern_learn");
    if (fl & NTF_OFFLOADED) o.string(to::any, nullptr, "%s ", "offload");
    if (fl & NTF_MASTER) o.string(to::any, nullptr, "%s ", "master");
    if (fl & NTF_STICKY) o.string(to::any, nullptr, "%s ", "sticky");
    o.close_array(to::json, nullptr);
    if (auto m = n.attr(NDA_MASTER).as<std::uint32_t>())
        o.string(to::any, "master", "master %s ", s.links.name(static_cast<int>(*m)));
    o.string(to::any, "state", "%s\n", fdb_detail::state_n2a(n.state(), o.json()));
    o.close_object();
}

/// fdb_show
inline int fdb_show(session& s, arg_list args) {
    using namespace fdb_detail;
    s.sync();
    std::string dev, br;
    bool have_dev = false, have_br = false, dynamic_only = false;
    int filter_vlan = 0;
    unsigned filter_state = 0;
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "brport" || a == "dev") {
            dev = args.next_value();
            have_dev = true;
        } else if (a == "br") {
            br = args.next_value();
            have_br = true;
        } else if (a == "vlan") {
            const std::string& v = args.next_value();
            if (filter_vlan) duplicate_argument("vlan", v);
            filter_vlan = std::atoi(v.c_str());
        } else if (a == "state") {
            const std::string& v = args.next_value();
            auto st = state_a2n(v);
            if (!st) invalid_argument("invalid state", v);
            filter_state |= *st;
        } else if (a == "dynamic") {
            dynamic_only = true;
        } else if (matches(a, "help")) {
            fail_usage(fdb_usage_text);
        }
        args.advance();
    }
    s.links.load_all();  // bridge's ll_init_map
    int master = 0, index = 0;
    if (have_br) {
        master = s.links.index(br);
        if (!master) {
            s.complain("Cannot find bridge device \"" + br + "\"\n");
            return 255;
        }
    }
    if (have_dev) {
        index = s.links.index(dev);
        if (!index) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 255;
        }
    }
    wire::buffer req;
    wire::writer w(req);
    (void)neigh::dump(w, {.family = AF_BRIDGE, .index = index, .master = master, .index_in_header = true});
    std::error_code ec;
    auto msgs = dump_messages(s.nl(), req, RTM_NEWNEIGH, ec);
    if (ec) {
        s.complain("Dump terminated\n");
        throw exit_now{1, {}};
    }
    s.out.begin();
    for (auto& m : msgs) {
        neighbour_view n(m.view());
        if (!n.valid() || n.family() != AF_BRIDGE) continue;
        if (index && index != n.index()) continue;
        if (filter_state && !(n.state() & filter_state)) continue;
        const int vid = n.attr(NDA_VLAN).as<std::uint16_t>().value_or(0);
        if (filter_vlan && filter_vlan != vid) continue;
        if (dynamic_only && (n.state() & NUD_PERMANENT)) continue;
        print_fdb(s, n, index);
    }
    s.out.end();
    s.out.flush();
    return 0;
}

inline int fdb_command(session& s, arg_list args) {
    if (args.empty()) return fdb_show(s, args);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return fdb_modify(s, args, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(cmd, "append")) return fdb_modify(s, args, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND);
    if (matches(cmd, "replace")) return fdb_modify(s, args, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(cmd, "delete")) return fdb_modify(s, args, RTM_DELNEIGH, 0);
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return fdb_show(s, args);
    if (matches(cmd, "get") || cmd == "flush")
        refuse("rtnl-bridge: \"fdb " + cmd + "\" is not supported; use bridge(8) for it\n");
    if (matches(cmd, "help")) fail_usage(fdb_usage_text);
    fail_usage("Command \"" + cmd + "\" is unknown, try \"bridge fdb help\".\n");
}

}  // namespace rtnl::bridge_tool
