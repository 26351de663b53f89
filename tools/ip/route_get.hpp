// tools/ip/route_get.hpp — `rtnl-ip route get ADDRESS [from A] [iif D] [oif D]
// [mark N] [uid N] [tos T] [fibmatch] [connected] [notify] [sport P] [dport P]
// [ipproto P]` (iproute2 6.1 ip/iproute.c iproute_get): one RTM_GETROUTE, the
// answer printed by print_route (text, or -j as a one-element array).
#pragma once

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netdb.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/ip/route_list.hpp"

namespace rtnl::ip {

inline int route_get(session& s, arg_list args) {
    using namespace route_detail;
    s.sync();
    rtmsg r{};
    r.rtm_family = static_cast<std::uint8_t>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
    wire::buffer attrs_buf;  // attributes in the order typed, as iproute2 appends them
    wire::writer attrs(attrs_buf);
    auto put = [&](std::uint16_t t, std::span<const std::byte> b) { attrs.put_raw(t, b); };
    auto put32 = [&](std::uint16_t t, std::uint32_t v) { put(t, std::as_bytes(std::span(&v, 1))); };
    std::string idev, odev;
    bool connected = false, fib_match = false, from_ok = false, address_found = false;
    std::uint32_t mark = 0;
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "tos" || matches(a, "dsfield")) {
            const std::string& v = args.next_value();
            char* end = nullptr;
            const unsigned long n = std::strtoul(v.c_str(), &end, 16);
            if (v.empty() || *end || n > 255) invalid_argument("TOS value is invalid\n", v);
            r.rtm_tos = static_cast<std::uint8_t>(n);
        } else if (matches(a, "from")) {
            const std::string& v = args.next_value();
            if (matches(v, "help")) usage();
            from_ok = true;
            const inet_arg p = get_prefix(v, r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            if (p.bytelen()) put(RTA_SRC, p.address.bytes());
            r.rtm_src_len = static_cast<std::uint8_t>(p.bitlen);
        } else if (matches(a, "iif")) {
            idev = args.next_value();
        } else if (matches(a, "mark")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n) invalid_argument("invalid mark value", v);
            mark = *n;
        } else if (matches(a, "oif") || a == "dev") {
            odev = args.next_value();
        } else if (matches(a, "notify")) {
            r.rtm_flags |= RTM_F_NOTIFY;
        } else if (matches(a, "connected")) {
            connected = true;
        } else if (matches(a, "vrf")) {
            refuse("rtnl-ip: \"vrf\" is not supported; use ip(8) for it\n");
        } else if (matches(a, "uid")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n) invalid_argument("invalid UID\n", v);
            put32(RTA_UID, *n);
        } else if (matches(a, "fibmatch")) {
            fib_match = true;
        } else if (a == "as") {
            std::string v = args.next_value();
            if (v == "to") v = args.next_value();
            const inet_arg p = get_addr(v, r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            put(RTA_NEWDST, p.address.bytes());
        } else if (matches(a, "sport") || matches(a, "dport")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint16_t>(v);
            if (!n) invalid_argument(matches(a, "sport") ? "invalid sport\n" : "invalid dport\n", v);
            const std::uint16_t be = htons(*n);
            put(matches(a, "sport") ? RTA_SPORT : RTA_DPORT, std::as_bytes(std::span(&be, 1)));
        } else if (matches(a, "ipproto")) {
            const std::string& v = args.next_value();
            int proto = -1;
            if (auto n = parse_number<std::uint8_t>(v)) proto = *n;
            else if (const protoent* pe = ::getprotobyname(v.c_str())) proto = pe->p_proto;
            if (proto < 0) invalid_argument("Invalid \"ipproto\" value\n", v);
            const auto p8 = static_cast<std::uint8_t>(proto);
            put(RTA_IP_PROTO, std::as_bytes(std::span(&p8, 1)));
        } else {
            std::string v = a;
            if (v == "to") v = args.next_value();
            if (matches(v, "help")) usage();
            const inet_arg p = get_prefix(v, r.rtm_family);
            if (r.rtm_family == AF_UNSPEC) r.rtm_family = static_cast<std::uint8_t>(p.family);
            if (p.bytelen()) put(RTA_DST, p.address.bytes());
            if (r.rtm_family == AF_INET && p.bitlen != 32) {
                s.complain("Warning: /" + std::to_string(p.bitlen) + " as prefix is invalid, only /32 (or none) is supported.\n");
                r.rtm_dst_len = 32;
            } else if (r.rtm_family == AF_INET6 && p.bitlen != 128) {
                s.complain("Warning: /" + std::to_string(p.bitlen) +
                           " as prefix is invalid, only /128 (or none) is supported.\n");
                r.rtm_dst_len = 128;
            } else {
                r.rtm_dst_len = static_cast<std::uint8_t>(p.bitlen);
            }
            address_found = true;
        }
        args.advance();
    }
    if (!address_found) {
        s.complain("need at least a destination address\n");
        return 1;
    }
    for (const std::string* dev : {&idev, &odev}) {
        if (dev->empty()) continue;
        const int idx = s.links.index(*dev);
        if (!idx) {
            s.complain("Cannot find device \"" + *dev + "\"\n");
            return 1;
        }
        put32(dev == &idev ? RTA_IIF : RTA_OIF, static_cast<std::uint32_t>(idx));
    }
    if (mark) put32(RTA_MARK, mark);
    if (r.rtm_family == AF_UNSPEC) r.rtm_family = AF_INET;
    if (r.rtm_family == AF_INET) r.rtm_flags |= RTM_F_LOOKUP_TABLE;
    if (fib_match) r.rtm_flags |= RTM_F_FIB_MATCH;

    auto ask = [&](const rtmsg& hdr, std::span<const std::byte> body, std::vector<stored_message>& out) {
        wire::buffer req;
        wire::writer w(req);
        {
            auto msg = w.begin(RTM_GETROUTE, NLM_F_REQUEST);
            w.header(hdr);
            if (!body.empty()) req.append(body.data(), body.size());
        }
        std::error_code ec;
        out = get_message(s.nl(), req, ec);
        if (ec) {
            std::fflush(stdout);
            std::fprintf(stderr, "%s\n", s.nl().last_status().describe().c_str());
            return false;
        }
        return true;
    };
    std::vector<stored_message> answer;
    if (!ask(r, attrs_buf.bytes(), answer)) return 2;
    route_print_options po;
    po.show_table = true;
    if (connected && !from_ok && !answer.empty()) {
        // iproute2 prints the route, checks it has a source, then sends the
        // same request again (its rewrite of the answer's attributes never
        // reaches the request) and prints that answer too
        s.out.begin();
        print_route(s, route_view(answer.front().view()), answer.front().view(), po);
        s.out.end();
        const route_view first(answer.front().view());
        if (!first.prefsrc() && !first.attributes().find(RTA_SRC)) {
            s.complain("Failed to connect the route\n");
            return 1;
        }
        if (!ask(r, attrs_buf.bytes(), answer)) return 2;
    }
    // after the connected round iproute2 prints outside any JSON document (text even with -j)
    const bool document = !(connected && !from_ok);
    if (document) s.out.begin();
    for (auto& m : answer) {
        route_view rv(m.view());
        if (rv.valid()) print_route(s, rv, m.view(), po);
    }
    if (document) s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::ip
