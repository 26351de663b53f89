// tools/ip/link_parse.hpp — the words of `ip link add|set|delete`, read
// exactly as iproute2 6.1 reads them (ip/iplink.c iplink_parse): same
// keywords, same abbreviations (`ip link add a …` reads "a" as "address"),
// same checks and messages. Each attribute is appended in the order it was
// typed, as iproute2 does.
#pragma once

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <strings.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/usage.hpp"

namespace rtnl::ip {

namespace link_detail {

[[noreturn]] inline void usage() { fail_usage(std::string(usage_text::link) + usage_text::link_types); }

/// A failure iproute2 reports with `return -1` (exit status 1, the batch goes on).
struct soft_error {
    std::string message;
};

/// iproute2's ll_addr_a2n: "aa:bb:…" hex bytes, or a dotted IPv4 address.
inline std::vector<std::uint8_t> parse_lladdr(const std::string& text) {
    std::vector<std::uint8_t> out;
    if (text.find('.') != std::string::npos) {
        in_addr a{};
        if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw soft_error{"\"" + text + "\" is invalid lladdr.\n"};
        const auto* p = reinterpret_cast<const std::uint8_t*>(&a);
        out.assign(p, p + 4);
        return out;
    }
    std::size_t start = 0;
    for (int i = 0; i < 32; ++i) {
        const auto colon = text.find(':', start);
        const std::string part = text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        unsigned v = 0;
        if (std::sscanf(part.c_str(), "%x", &v) != 1 || v > 255) throw soft_error{"\"" + part + "\" is invalid lladdr.\n"};
        out.push_back(static_cast<std::uint8_t>(v));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return out;
}

inline bool on_off(const std::string& what, const std::string& value) {
    if (value == "on") return true;
    if (value == "off") return false;
    throw soft_error{"Error: argument of \"" + what + "\" must be \"on\" or \"off\", not \"" + value + "\"\n"};
}

template <class T>
void put_value(wire::writer& w, std::uint16_t type, T v) {
    w.put_raw(type, std::as_bytes(std::span<const T>(&v, 1)));
}

/// One ifinfomsg header inside the buffer (patched once the words are read).
struct header_slot {
    std::size_t offset;
    ifinfomsg value{};
    void store(wire::buffer& b) const { std::memcpy(b.data() + offset, &value, sizeof value); }
};

/// What iplink_parse learns besides the attributes it appends.
struct parsed {
    std::string dev;
    std::string name;
    bool dev_is_name = false;  ///< iproute2's `dev == name` (dev came from "name")
    bool has_dev = false;
    bool has_name = false;
    std::string link;
    std::string type;  ///< "" when no "type" was given
    int index = 0;
    bool group = false;
    bool move_netns = false;
};

/// iproute2's iplink_parse: reads words up to and including "type TYPE",
/// appending attributes to `w` and flags to `hdr`.
inline parsed parse(session& s, wire::writer& w, arg_list& args, ifinfomsg& hdr, bool create) {
    parsed p;
    bool have_qlen = false, have_mtu = false, have_netns = false, have_group = false, have_tx = false,
         have_rx = false;
    auto flag = [&](unsigned bit, bool set) {
        hdr.ifi_change |= bit;
        if (set) hdr.ifi_flags |= bit;
        else hdr.ifi_flags &= ~bit;
    };
    while (!args.empty()) {
        const std::string_view a = args.peek();  // compared with literals: length first, no memcmp per keyword
        if (a == "up") {
            flag(IFF_UP, true);
        } else if (a == "down") {
            flag(IFF_UP, false);
        } else if (a == "name") {
            const std::string& v = args.next_value();
            if (p.has_name) duplicate_argument("name", v);
            if (!plausible_ifname(v)) invalid_argument("\"name\" not a valid ifname", v);
            p.name = v;
            p.has_name = true;
            if (!p.has_dev) {
                p.dev = v;
                p.has_dev = true;
                p.dev_is_name = true;
            }
        } else if (a == "index") {
            const std::string& v = args.next_value();
            if (p.index) duplicate_argument("index", v);
            p.index = std::atoi(v.c_str());
            if (p.index <= 0) invalid_argument("Invalid \"index\" value", v);
        } else if (matches(a, "link")) {
            p.link = args.next_value();
        } else if (matches(a, "address")) {
            auto bytes = parse_lladdr(args.next_value());
            w.put_raw(IFLA_ADDRESS, std::as_bytes(std::span(bytes)));
        } else if (matches(a, "broadcast") || a == "brd") {
            auto bytes = parse_lladdr(args.next_value());
            w.put_raw(IFLA_BROADCAST, std::as_bytes(std::span(bytes)));
        } else if (matches(a, "txqueuelen") || a == "qlen" || matches(a, "txqlen")) {
            const std::string& v = args.next_value();
            if (have_qlen) duplicate_argument("txqueuelen", v);
            auto n = parse_number<int>(v);
            if (!n) invalid_argument("Invalid \"txqueuelen\" value\n", v);
            put_value<std::int32_t>(w, IFLA_TXQLEN, *n);
            have_qlen = true;
        } else if (a == "mtu") {
            const std::string& v = args.next_value();
            if (have_mtu) duplicate_argument("mtu", v);
            auto n = parse_number<int>(v);
            if (!n) invalid_argument("Invalid \"mtu\" value\n", v);
            put_value<std::int32_t>(w, IFLA_MTU, *n);
            have_mtu = true;
        } else if (a == "netns") {
            const std::string& v = args.next_value();
            if (have_netns) duplicate_argument("netns", v);
            const int fd = s.netns_fd(v);
            if (fd >= 0) put_value<std::uint32_t>(w, IFLA_NET_NS_FD, static_cast<std::uint32_t>(fd));
            else if (auto pid = parse_number<int>(v)) put_value<std::int32_t>(w, IFLA_NET_NS_PID, *pid);
            else invalid_argument("Invalid \"netns\" value\n", v);
            have_netns = true;
            p.move_netns = true;
        } else if (a == "multicast") {
            flag(IFF_MULTICAST, on_off("multicast", args.next_value()));
        } else if (a == "allmulticast") {
            flag(IFF_ALLMULTI, on_off("allmulticast", args.next_value()));
        } else if (a == "promisc") {
            flag(IFF_PROMISC, on_off("promisc", args.next_value()));
        } else if (a == "trailers") {
            flag(IFF_NOTRAILERS, !on_off("trailers", args.next_value()));
        } else if (a == "arp") {
            flag(IFF_NOARP, !on_off("arp", args.next_value()));
        } else if (a == "carrier") {
            const std::string& v = args.next_value();
            std::uint8_t c = 0;
            if (matches(v, "off")) c = 0;
            else if (matches(v, "on")) c = 1;
            else throw soft_error{"Error: argument of \"carrier\" must be one of \"off\", \"on\", not \"" + v + "\"\n"};
            put_value<std::uint8_t>(w, IFLA_CARRIER, c);
        } else if (matches(a, "master")) {
            const std::string& v = args.next_value();
            const int idx = s.links.index(v);
            if (!idx) invalid_argument("Device does not exist\n", v);
            put_value<std::int32_t>(w, IFLA_MASTER, idx);
        } else if (matches(a, "nomaster")) {
            put_value<std::int32_t>(w, IFLA_MASTER, 0);
        } else if (matches(a, "dynamic")) {
            flag(IFF_DYNAMIC, on_off("dynamic", args.next_value()));
        } else if (matches(a, "type")) {
            p.type = args.next_value();
            if (p.type.empty()) invalid_argument("empty link type", p.type);
            args.advance();
            break;
        } else if (matches(a, "alias")) {
            const std::string& v = args.next_value();
            if (v.size() >= IFALIASZ) invalid_argument("alias too long\n", v);
            w.put_raw(IFLA_IFALIAS, std::as_bytes(std::span(v.data(), v.size())));
        } else if (a == "group") {
            const std::string& v = args.next_value();
            if (have_group) duplicate_argument("group", v);
            auto g = s.tables.groups.id(v);
            if (!g || static_cast<std::int32_t>(*g) < 0) invalid_argument("Invalid \"group\" value\n", v);
            put_value<std::uint32_t>(w, IFLA_GROUP, *g);
            have_group = true;
            p.group = true;
        } else if (a == "mode") {
            const std::string& v = args.next_value();
            std::uint8_t mode;
            if (strcasecmp(v.c_str(), "default") == 0) mode = IF_LINK_MODE_DEFAULT;
            else if (strcasecmp(v.c_str(), "dormant") == 0) mode = IF_LINK_MODE_DORMANT;
            else invalid_argument("Invalid link mode\n", v);
            put_value<std::uint8_t>(w, IFLA_LINKMODE, mode);
        } else if (a == "state") {
            const std::string& v = args.next_value();
            static const char* states[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
            int st = -1;
            for (int i = 0; i < 7; ++i)
                if (strcasecmp(v.c_str(), states[i]) == 0) st = i;
            if (st < 0) invalid_argument("Invalid operstate\n", v);
            put_value<std::uint8_t>(w, IFLA_OPERSTATE, static_cast<std::uint8_t>(st));
        } else if (matches(a, "numtxqueues")) {
            const std::string& v = args.next_value();
            if (have_tx) duplicate_argument("numtxqueues", v);
            auto n = parse_number<int>(v);
            if (!n) invalid_argument("Invalid \"numtxqueues\" value\n", v);
            put_value<std::int32_t>(w, IFLA_NUM_TX_QUEUES, *n);
            have_tx = true;
        } else if (matches(a, "numrxqueues")) {
            const std::string& v = args.next_value();
            if (have_rx) duplicate_argument("numrxqueues", v);
            auto n = parse_number<int>(v);
            if (!n) invalid_argument("Invalid \"numrxqueues\" value\n", v);
            put_value<std::int32_t>(w, IFLA_NUM_RX_QUEUES, *n);
            have_rx = true;
        } else if (matches(a, "addrgenmode")) {
            const std::string& v = args.next_value();
            int mode = -1;
            if (strcasecmp(v.c_str(), "eui64") == 0) mode = IN6_ADDR_GEN_MODE_EUI64;
            else if (strcasecmp(v.c_str(), "none") == 0) mode = IN6_ADDR_GEN_MODE_NONE;
            else if (strcasecmp(v.c_str(), "stable_secret") == 0) mode = IN6_ADDR_GEN_MODE_STABLE_PRIVACY;
            else if (strcasecmp(v.c_str(), "random") == 0) mode = IN6_ADDR_GEN_MODE_RANDOM;
            else invalid_argument("Invalid address generation mode\n", v);
            auto af = w.nest(IFLA_AF_SPEC);
            auto in6 = w.nest(AF_INET6);
            put_value<std::uint8_t>(w, IFLA_INET6_ADDR_GEN_MODE, static_cast<std::uint8_t>(mode));
        } else if (a == "gso_max_size" || a == "gso_max_segs" || a == "gro_max_size") {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n || (a == "gso_max_segs" && *n > 65535)) invalid_argument("Invalid \"" + std::string(a) + "\" value\n", v);
            put_value<std::uint32_t>(w, a == "gso_max_size" ? IFLA_GSO_MAX_SIZE : a == "gso_max_segs" ? IFLA_GSO_MAX_SEGS
                                                                                                      : IFLA_GRO_MAX_SIZE,
                                     *n);
        } else if (a == "xdp" || a == "xdpgeneric" || a == "xdpdrv" || a == "xdpoffload" || a == "vf" || a == "vrf" ||
                   matches(a, "link-netns") || matches(a, "link-netnsid") || a == "protodown" ||
                   a == "protodown_reason" || a == "parentdev") {
            refuse("rtnl-ip: \"" + std::string(a) + "\" is not supported; use ip(8) for it\n");
        } else {
            if (matches(a, "help")) usage();
            if (a == "dev") args.next_value();
            const std::string& v = args.current();
            if (p.has_dev && !p.dev_is_name) duplicate_or_garbage("dev", v);
            if (v.empty() || v.find_first_of("/ \t\n\v\f\r") != std::string::npos)
                invalid_argument("\"dev\" not a valid ifname", v);
            p.dev = v;
            p.has_dev = true;
            p.dev_is_name = false;
        }
        args.advance();
    }
    // "ip link add dev X" and "ip link add name X" mean the same
    if (!p.has_name && p.has_dev) {
        p.name = p.dev;
        p.has_name = true;
        p.dev_is_name = true;
    } else if (p.has_name && !p.has_dev) {
        p.dev = p.name;
        p.has_dev = true;
        p.dev_is_name = true;
    } else if (p.has_name && p.name == p.dev) {
        p.dev_is_name = true;
    }
    if (p.index && !create && !p.move_netns)
        fail_usage("index can be used only when creating devices or when moving device to another netns.\n");
    return p;
}

}  // namespace link_detail

}  // namespace rtnl::ip
