// tools/ip/route_command.hpp — `rtnl-ip route add|del|change|replace…`
// (iproute2 ip/iproute.c iproute_modify) for unicast-style routes:
// destination or default, via, dev, src, metric, table, protocol, scope, type,
// onlink, IPv4 over an IPv6 next hop (`via inet6`, RTA_VIA) and multipath
// (`nexthop via … dev … weight …`). Encapsulation and metrics are left to ip(8)
// with a clear message. The route listing is in route_list.hpp.
#pragma once

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "rtnl/route.hpp"
#include "rtnl/wire/writer.hpp"
#include "tools/common/messages.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/usage.hpp"

namespace rtnl::ip {

namespace route_detail {

[[noreturn]] inline void usage() { fail_usage(usage_text::route); }

inline int read_family(std::string_view w) {
    if (w == "inet") return AF_INET;
    if (w == "inet6") return AF_INET6;
    if (w == "link") return AF_PACKET;
    if (w == "mpls") return AF_MPLS;
    if (w == "bridge") return AF_BRIDGE;
    return AF_UNSPEC;
}

[[noreturn]] inline void unsupported(const std::string& what) {
    refuse("rtnl-ip: route option \"" + what + "\" is not supported; use ip(8) for it\n");
}

/// A next hop: RTA_GATEWAY in the route's family, else RTA_VIA (a struct
/// rtvia: family, then the address — IPv4 over an IPv6 next hop).
inline void put_gateway(wire::writer& w, const inet_arg& p, int route_family) {
    if (p.family == route_family) {
        w.put_raw(RTA_GATEWAY, p.address.bytes());
        return;
    }
    std::byte via[2 + 16];
    const auto fam = static_cast<std::uint16_t>(p.family);
    std::memcpy(via, &fam, 2);
    std::memcpy(via + 2, p.address.data(), p.address.size());
    w.put_raw(RTA_VIA, std::span<const std::byte>(via, 2 + p.address.size()));
}

}  // namespace route_detail

/// iproute_modify for add / del (and change / replace / append / prepend / test).
inline int route_modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    using namespace route_detail;
    wire::buffer request;
    wire::writer w(request);
    auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags));
    const std::size_t hdr_at = w.size();
    rtmsg r{};
    r.rtm_family = static_cast<std::uint8_t>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_scope = RT_SCOPE_NOWHERE;
    if (type != RTM_DELROUTE) {
        r.rtm_protocol = RTPROT_BOOT;
        r.rtm_scope = RT_SCOPE_UNIVERSE;
        r.rtm_type = RTN_UNICAST;
    }
    w.header(r);
    std::string dev;
    bool gw_ok = false, dst_ok = false, scope_ok = false, table_ok = false, nhs_ok = false;
    auto put_u32 = [&](std::uint16_t t, std::uint32_t v) { w.put_raw(t, std::as_bytes(std::span(&v, 1))); };

    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "src") {
            auto p = get_addr(args.next_value(), r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            w.put_raw(RTA_PREFSRC, p.address.bytes());
        } else if (a == "via") {
            if (gw_ok) invalid_argument("use nexthop syntax to specify multiple via\n", a);
            gw_ok = true;
            std::string v = args.next_value();
            int family = read_family(v);
            if (family == AF_UNSPEC) family = r.rtm_family;
            else v = args.next_value();
            auto p = get_addr(v, family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            put_gateway(w, p, r.rtm_family);
        } else if (matches(a, "metric") || matches(a, "priority") || a == "preference") {
            const std::string& v = args.next_value();
            auto m = parse_number<std::uint32_t>(v);
            if (!m) invalid_argument("\"metric\" value is invalid\n", v);
            put_u32(RTA_PRIORITY, *m);
        } else if (a == "scope") {
            const std::string& v = args.next_value();
            auto sc = s.tables.scopes.id(v);
            if (!sc || *sc > 255) invalid_argument("invalid \"scope\" value\n", v);
            r.rtm_scope = static_cast<std::uint8_t>(*sc);
            scope_ok = true;
        } else if (a == "onlink") {
            r.rtm_flags |= RTNH_F_ONLINK;
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) invalid_argument("\"protocol\" value is invalid\n", v);
            r.rtm_protocol = static_cast<std::uint8_t>(*p);
        } else if (matches(a, "table")) {
            const std::string& v = args.next_value();
            auto t = s.tables.tables.id(v);
            if (!t) invalid_argument("\"table\" value is invalid\n", v);
            if (*t < 256) {
                r.rtm_table = static_cast<std::uint8_t>(*t);
            } else {
                r.rtm_table = RT_TABLE_UNSPEC;
                put_u32(RTA_TABLE, *t);
            }
            table_ok = true;
        } else if (a == "dev" || a == "oif") {
            dev = args.next_value();
        } else if (a == "nexthop") {
            nhs_ok = true;  // the rest of the line is next hops
            break;
        } else if (a == "from" || a == "as" || a == "tos" || matches(a, "dsfield") || a == "expires" || a == "mtu" ||
                   a == "hoplimit" || a == "advmss" || matches(a, "reordering") || a == "rtt" || a == "rto_min" ||
                   matches(a, "window") || matches(a, "cwnd") || matches(a, "initcwnd") || matches(a, "initrwnd") ||
                   matches(a, "features") || matches(a, "quickack") || matches(a, "congctl") ||
                   matches(a, "rttvar") || matches(a, "ssthresh") || matches(a, "realms") ||
                   a == "nhid" || matches(a, "vrf") || matches(a, "pref") || a == "encap" || a == "ttl-propagate" ||
                   matches(a, "fastopen_no_cookie")) {
            unsupported(a);
        } else {
            std::string v = a;
            if (v == "to") v = args.next_value();
            if ((v.empty() || v[0] < '0' || v[0] > '9') && v != "default" && v != "any" && v != "all") {
                if (auto t = s.tables.types.id(v); t && *t < 256 && !parse_number<unsigned>(v)) {
                    v = args.next_value();
                    r.rtm_type = static_cast<std::uint8_t>(*t);
                }
            }
            if (matches(v, "help")) usage();
            if (dst_ok) duplicate_or_garbage("to", v);
            auto d = get_prefix(v, r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(d.family);
            r.rtm_dst_len = static_cast<std::uint8_t>(d.bitlen);
            dst_ok = true;
            if (d.bytelen()) w.put_raw(RTA_DST, d.address.bytes());
        }
        args.advance();
    }
    if (!dst_ok) usage();
    if (!dev.empty()) {
        const int idx = s.links.index(dev);
        if (!idx) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
        put_u32(RTA_OIF, static_cast<std::uint32_t>(idx));
    }
    if (nhs_ok) {
        // parse_nexthops: RTA_MULTIPATH, one struct rtnexthop (+ its attributes) per hop
        auto mp = w.nest(RTA_MULTIPATH);
        while (!args.empty()) {
            if (args.current() != "nexthop")
                fail_usage("Error: \"nexthop\" or end of line is expected instead of \"" + args.current() + "\"\n");
            if (args.size() <= 1) fail_usage("Error: unexpected end of line after \"nexthop\"\n");
            const std::size_t at = w.size();
            rtnexthop nh{};
            w.header(nh);
            args.advance();
            while (!args.empty()) {
                const std::string a = args.current();
                if (a == "via") {
                    std::string v = args.next_value();
                    int family = read_family(v);
                    if (family == AF_UNSPEC) family = r.rtm_family;
                    else v = args.next_value();
                    auto p = get_addr(v, family);
                    if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
                    put_gateway(w, p, r.rtm_family);
                } else if (a == "dev") {
                    const std::string& v = args.next_value();
                    nh.rtnh_ifindex = s.links.index(v);
                    if (!nh.rtnh_ifindex)
                        fail_usage("Cannot find device \"" + v + "\"\nError: cannot parse nexthop\n");
                } else if (a == "weight") {
                    const std::string& v = args.next_value();
                    auto n = parse_number<unsigned>(v);
                    if (!n || *n == 0 || *n > 256) invalid_argument("\"weight\" is invalid\n", v);
                    nh.rtnh_hops = static_cast<unsigned char>(*n - 1);
                } else if (a == "onlink") {
                    nh.rtnh_flags |= RTNH_F_ONLINK;
                } else if (matches(a, "realms") || a == "encap" || a == "as") {
                    unsupported("nexthop " + a);
                } else {
                    break;
                }
                args.advance();
            }
            nh.rtnh_len = static_cast<unsigned short>(w.size() - at);
            std::memcpy(request.data() + at, &nh, sizeof nh);
        }
    }
    if (r.rtm_family == AF_UNSPEC) r.rtm_family = AF_INET;
    if (!table_ok && (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_BROADCAST || r.rtm_type == RTN_NAT ||
                      r.rtm_type == RTN_ANYCAST))
        r.rtm_table = RT_TABLE_LOCAL;
    if (!scope_ok) {
        if (r.rtm_family == AF_INET6 || r.rtm_family == AF_MPLS) r.rtm_scope = RT_SCOPE_UNIVERSE;
        else if (r.rtm_type == RTN_LOCAL || r.rtm_type == RTN_NAT) r.rtm_scope = RT_SCOPE_HOST;
        else if (r.rtm_type == RTN_BROADCAST || r.rtm_type == RTN_MULTICAST || r.rtm_type == RTN_ANYCAST)
            r.rtm_scope = RT_SCOPE_LINK;
        else if (r.rtm_type == RTN_UNICAST || r.rtm_type == RTN_UNSPEC) {
            if (type == RTM_DELROUTE) r.rtm_scope = RT_SCOPE_NOWHERE;
            else if (!gw_ok && !nhs_ok) r.rtm_scope = RT_SCOPE_LINK;
        }
    }
    std::memcpy(request.data() + hdr_at, &r, sizeof r);
    msg.close();
    s.pipe.queue(request, s.line, [](const status& st) { return report(st); });
    return queued;
}

}  // namespace rtnl::ip
