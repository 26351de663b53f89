// tools/ip/address_command.hpp — `rtnl-ip addr add|del` (iproute2
// ip/ipaddress.c ipaddr_modify): same words, checks, messages; attributes in
// the order typed. The device's ifindex comes from the session's name cache
// (no GETLINK per line), and the request is queued in the pipeline.
#pragma once

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "rtnl/wire/writer.hpp"
#include "tools/ip/address_print.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

inline int address_modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    using namespace addr_detail;
    wire::buffer request;
    wire::writer w(request);
    auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags));
    const std::size_t hdr_at = w.size();
    ifaddrmsg hdr{};
    hdr.ifa_family = static_cast<std::uint8_t>(s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family);
    w.header(hdr);

    auto put_ip = [&](std::uint16_t t, const inet_arg& a) { w.put_raw(t, a.address.bytes()); };
    std::string dev;
    std::optional<inet_arg> local, peer;
    std::string local_text;
    int brd = 0;  // 0 none, >0 given, -1 "+", -2 "-"
    bool have_anycast = false, scoped = false;
    std::optional<std::uint32_t> valid_lft, preferred_lft;
    std::string valid_text, preferred_text;
    std::uint32_t ifa_flags = 0;

    while (!args.empty()) {
        const std::string_view a = args.peek();  // compared with literals: length first, no memcmp per keyword
        if (a == "peer" || a == "remote") {
            const std::string& v = args.next_value();
            if (peer) duplicate_argument("peer", v);
            peer = get_prefix(v, hdr.ifa_family);
            if (hdr.ifa_family == AF_UNSPEC) hdr.ifa_family = static_cast<std::uint8_t>(peer->family);
            put_ip(IFA_ADDRESS, *peer);
            hdr.ifa_prefixlen = static_cast<std::uint8_t>(peer->bitlen);
        } else if (matches(a, "broadcast") || a == "brd") {
            const std::string& v = args.next_value();
            if (brd) duplicate_argument("broadcast", v);
            if (v == "+") brd = -1;
            else if (v == "-") brd = -2;
            else {
                auto b = get_addr(v, hdr.ifa_family);
                if (hdr.ifa_family == AF_UNSPEC) hdr.ifa_family = static_cast<std::uint8_t>(b.family);
                put_ip(IFA_BROADCAST, b);
                brd = static_cast<int>(b.bytelen());
            }
        } else if (a == "anycast") {
            const std::string& v = args.next_value();
            if (have_anycast) duplicate_argument("anycast", v);
            auto b = get_addr(v, hdr.ifa_family);
            if (hdr.ifa_family == AF_UNSPEC) hdr.ifa_family = static_cast<std::uint8_t>(b.family);
            put_ip(IFA_ANYCAST, b);
            have_anycast = true;
        } else if (a == "scope") {
            const std::string& v = args.next_value();
            auto sc = s.tables.scopes.id(v);
            if (!sc || *sc > 255) invalid_argument("invalid scope value.", v);
            hdr.ifa_scope = static_cast<std::uint8_t>(*sc);
            scoped = true;
        } else if (a == "dev") {
            dev = args.next_value();
        } else if (a == "label") {
            const std::string& v = args.next_value();
            w.put_raw(IFA_LABEL, std::as_bytes(std::span(v.c_str(), v.size() + 1)));
        } else if (matches(a, "metric") || matches(a, "priority") || matches(a, "preference")) {
            const std::string& v = args.next_value();
            auto m = parse_number<std::uint32_t>(v);
            if (!m) invalid_argument("\"metric\" value is invalid\n", v);
            w.put_raw(IFA_RT_PRIORITY, std::as_bytes(std::span(&*m, 1)));
        } else if (matches(a, "valid_lft") || matches(a, "preferred_lft")) {
            const bool valid = matches(a, "valid_lft");
            if (valid ? valid_lft.has_value() : preferred_lft.has_value())
                duplicate_argument(valid ? "valid_lft" : "preferred_lft", a);
            const std::string& v = args.next_value();
            std::optional<std::uint32_t> t = v == "forever" ? std::optional<std::uint32_t>(infinity_life_time)
                                                            : parse_number<std::uint32_t>(v);
            if (!t) invalid_argument(valid ? "valid_lft value" : "preferred_lft value", v);
            (valid ? valid_lft : preferred_lft) = t;
        } else if (const flag_info* fi = find_flag(a)) {
            if (fi->readonly) {
                s.complain(std::string("Warning: ") + fi->name + " option is not mutable from userspace\n");
            } else if (fi->v6only && hdr.ifa_family != AF_INET6) {
                s.complain(std::string("Warning: ") + fi->name + " option can be set only for IPv6 addresses\n");
            } else {
                ifa_flags |= fi->mask;
            }
        } else {
            if (a == "local") args.next_value();
            if (matches(args.current(), "help")) usage();
            if (local) duplicate_or_garbage("local", args.current());
            local_text = args.current();
            local = get_prefix(local_text, hdr.ifa_family);
            if (hdr.ifa_family == AF_UNSPEC) hdr.ifa_family = static_cast<std::uint8_t>(local->family);
            put_ip(IFA_LOCAL, *local);
        }
        args.advance();
    }
    if (ifa_flags <= 0xff) hdr.ifa_flags = static_cast<std::uint8_t>(ifa_flags);
    else w.put_raw(IFA_FLAGS, std::as_bytes(std::span(&ifa_flags, 1)));

    if (dev.empty()) {
        s.complain("Not enough information: \"dev\" argument is required.\n");
        return 1;
    }
    if (!peer && local) {
        if (type == RTM_DELADDR && local->family == AF_INET && !local->length_given) {
            s.complain("Warning: Executing wildcard deletion to stay compatible with old scripts.\n"
                       "         Explicitly specify the prefix length (" + local_text + "/" + std::to_string(local->bytelen() * 8) +
                       ") to avoid this warning.\n"
                       "         This special behaviour is likely to disappear in further releases,\n"
                       "         fix your scripts!\n");
        } else {
            peer = local;
            put_ip(IFA_ADDRESS, *local);
        }
    }
    if (hdr.ifa_prefixlen == 0 && local) hdr.ifa_prefixlen = static_cast<std::uint8_t>(local->bitlen);
    if (brd < 0 && type != RTM_DELADDR) {
        if (hdr.ifa_family != AF_INET) {
            s.complain("Broadcast can be set only for IPv4 addresses\n");
            return 1;
        }
        inet_arg b = peer ? *peer : inet_arg{};
        if (b.address.is_v4() && b.bitlen <= 30) {
            std::uint32_t v;
            std::memcpy(&v, b.address.data(), 4);
            v = ntohl(v);
            const std::uint32_t host = b.bitlen == 0 ? 0xffffffffu : (1u << (32 - b.bitlen)) - 1;
            v = brd == -1 ? (v | host) : (v & ~host);
            v = htonl(v);
            std::array<std::uint8_t, 4> bytes;
            std::memcpy(bytes.data(), &v, 4);
            w.put_raw(IFA_BROADCAST, ip_address::v4(bytes).bytes());
        }
    }
    if (!scoped && type != RTM_DELADDR)
        hdr.ifa_scope = (local && local->address.is_v4() && local->address.data()[0] == 127) ? RT_SCOPE_HOST : 0;

    const int index = s.links.index(dev);
    if (!index) {
        s.complain("Cannot find device \"" + dev + "\"\n");
        return 1;
    }
    hdr.ifa_index = static_cast<std::uint32_t>(index);

    if (valid_lft || preferred_lft) {
        const std::uint32_t valid = valid_lft.value_or(infinity_life_time);
        const std::uint32_t preferred = preferred_lft.value_or(infinity_life_time);
        if (!valid) {
            s.complain("valid_lft is zero\n");
            return 1;
        }
        if (valid < preferred) {
            s.complain("preferred_lft is greater than valid_lft\n");
            return 1;
        }
        ifa_cacheinfo ci{};
        ci.ifa_prefered = preferred;
        ci.ifa_valid = valid;
        w.put_raw(IFA_CACHEINFO, std::as_bytes(std::span(&ci, 1)));
    }
    if ((ifa_flags & IFA_F_MCAUTOJOIN)) {
        const bool multicast = local && ((local->address.is_v4() && (local->address.data()[0] & 0xf0) == 0xe0) ||
                                         (local->address.is_v6() && local->address.data()[0] == 0xff));
        if (!multicast) {
            s.complain("autojoin needs multicast address\n");
            return 1;
        }
    }
    std::memcpy(request.data() + hdr_at, &hdr, sizeof hdr);
    msg.close();
    s.pipe.queue(request, s.line, [](const status& st) { return report(st); });
    return queued;
}

}  // namespace rtnl::ip
