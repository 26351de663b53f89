// tools/ip/link_macvlan.hpp — `type macvlan|macvtap` and `type ipvlan|ipvtap`
// options (iproute2 6.1 ip/iplink_macvlan.c, ip/iplink_ipvlan.c): modes, flags,
// source-mode MAC lists and the broadcast queue length, parsed and printed
// (-d, -j) as ip does; errors are ip's (exit 1, the batch goes on).
#pragma once

#include <linux/if_link.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/link_parse.hpp"

namespace rtnl::ip {

namespace kind_usage {
inline std::string macvlan(const std::string& kind) {
    return "Usage: ... " + kind +
           " mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]\n"
           "\n"
           "MODE: private | vepa | bridge | passthru | source\n"
           "MODE_FLAG: null | nopromisc | nodst\n"
           "MODE_OPTS: for mode \"source\":\n"
           "\tmacaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }\n"
           "BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]\n";
}
inline std::string ipvlan(const std::string& kind) {
    return "Usage: ... " + kind +
           " [ mode MODE ] [ FLAGS ]\n"
           "\n"
           "MODE: l3 | l3s | l2\n"
           "FLAGS: bridge | private | vepa\n"
           "(first values are the defaults if nothing is specified).\n";
}
}  // namespace kind_usage

namespace macvlan_detail {
template <class T>
void put(wire::writer& w, std::uint16_t type, T v) {
    w.put_raw(type, std::as_bytes(std::span<const T>(&v, 1)));
}
/// ll_addr_a2n into a 6-byte buffer: exactly six bytes, or a failure.
inline std::optional<std::vector<std::uint8_t>> mac6(const std::string& text) {
    auto b = link_detail::parse_lladdr(text);  // throws soft_error with ip's message
    if (b.size() != 6) return std::nullopt;
    return b;
}
}  // namespace macvlan_detail

/// macvlan_parse_opt (kind "macvlan" or "macvtap").
inline void parse_macvlan_options(wire::writer& w, arg_list& args, const std::string& kind) {
    using namespace macvlan_detail;
    using link_detail::soft_error;
    std::uint32_t mode = 0;
    std::uint16_t flags = 0;
    bool has_flags = false;
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "mode")) {
            const std::string& v = args.next_value();
            if (v == "private") mode = MACVLAN_MODE_PRIVATE;
            else if (v == "vepa") mode = MACVLAN_MODE_VEPA;
            else if (v == "bridge") mode = MACVLAN_MODE_BRIDGE;
            else if (v == "passthru") mode = MACVLAN_MODE_PASSTHRU;
            else if (v == "source") mode = MACVLAN_MODE_SOURCE;
            else
                throw soft_error{"Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or "
                                 "\"source\", not \"" + v + "\"\n"};
        } else if (matches(a, "flag")) {
            const std::string& v = args.next_value();
            if (v == "nopromisc") flags |= MACVLAN_FLAG_NOPROMISC;
            else if (v == "nodst") flags |= MACVLAN_FLAG_NODST;
            else if (v != "null")
                throw soft_error{"Error: argument of \"flag\" must be \"nopromisc\", \"nodst\" or \"null\", not \"" + v +
                                 "\"\n"};
            has_flags = true;
        } else if (matches(a, "macaddr")) {
            const std::string& v = args.next_value();
            std::uint32_t mac_mode;
            if (v == "add") mac_mode = MACVLAN_MACADDR_ADD;
            else if (v == "del") mac_mode = MACVLAN_MACADDR_DEL;
            else if (v == "set") mac_mode = MACVLAN_MACADDR_SET;
            else if (v == "flush") mac_mode = MACVLAN_MACADDR_FLUSH;
            else throw soft_error{kind_usage::macvlan(kind)};
            put<std::uint32_t>(w, IFLA_MACVLAN_MACADDR_MODE, mac_mode);
            if (mac_mode == MACVLAN_MACADDR_ADD || mac_mode == MACVLAN_MACADDR_DEL) {
                auto m = mac6(args.next_value());
                if (!m) throw soft_error{};
                w.put_raw(IFLA_MACVLAN_MACADDR, std::as_bytes(std::span(*m)));
            }
            if (mac_mode == MACVLAN_MACADDR_SET) {
                auto nest = w.nest(IFLA_MACVLAN_MACADDR_DATA);
                // every following word that reads as a MAC address
                while (args.size() > 1) {
                    std::optional<std::vector<std::uint8_t>> m;
                    try {
                        m = mac6(args.rest()[1]);
                    } catch (const soft_error&) {
                    }
                    if (!m) break;
                    args.advance();
                    w.put_raw(IFLA_MACVLAN_MACADDR, std::as_bytes(std::span(*m)));
                }
            }
        } else if (matches(a, "nopromisc")) {
            flags |= MACVLAN_FLAG_NOPROMISC;
            has_flags = true;
        } else if (matches(a, "nodst")) {
            flags |= MACVLAN_FLAG_NODST;
            has_flags = true;
        } else if (matches(a, "bcqueuelen")) {
            const std::string& v = args.next_value();
            auto n = parse_number<std::uint32_t>(v);
            if (!n)
                throw soft_error{"Error: argument of \"bcqueuelen\" must be a positive integer [0-4294967295], not \"" +
                                 v + "\"\n"};
            put<std::uint32_t>(w, IFLA_MACVLAN_BC_QUEUE_LEN, *n);
        } else if (matches(a, "help")) {
            throw soft_error{kind_usage::macvlan(kind)};
        } else {
            throw soft_error{kind + ": unknown option \"" + a + "\"?\n" + kind_usage::macvlan(kind)};
        }
        args.advance();
    }
    if (mode) put<std::uint32_t>(w, IFLA_MACVLAN_MODE, mode);
    if (has_flags) {
        if ((flags & MACVLAN_FLAG_NOPROMISC) && mode != MACVLAN_MODE_PASSTHRU)
            throw soft_error{kind + ": nopromisc flag only valid in passthru mode\n" + kind_usage::macvlan(kind)};
        put<std::uint16_t>(w, IFLA_MACVLAN_FLAGS, flags);
    }
}

/// ipvlan_parse_opt (kind "ipvlan" or "ipvtap").
inline void parse_ipvlan_options(wire::writer& w, arg_list& args, const std::string& kind) {
    using namespace macvlan_detail;
    using link_detail::soft_error;
    std::uint16_t flags = 0;
    bool mflag_given = false;
    while (!args.empty()) {
        const std::string a = args.current();
        if (matches(a, "mode")) {
            const std::string& v = args.next_value();
            std::uint16_t mode;
            if (v == "l2") mode = IPVLAN_MODE_L2;
            else if (v == "l3") mode = IPVLAN_MODE_L3;
            else if (v == "l3s") mode = IPVLAN_MODE_L3S;
            else throw soft_error{"Error: argument of \"mode\" must be either \"l2\", \"l3\" or \"l3s\"\n"};
            put<std::uint16_t>(w, IFLA_IPVLAN_MODE, mode);
        } else if (matches(a, "private") && !mflag_given) {
            flags |= IPVLAN_F_PRIVATE;
            mflag_given = true;
        } else if (matches(a, "vepa") && !mflag_given) {
            flags |= IPVLAN_F_VEPA;
            mflag_given = true;
        } else if (matches(a, "bridge") && !mflag_given) {
            mflag_given = true;
        } else if (matches(a, "help")) {
            throw soft_error{kind_usage::ipvlan(kind)};
        } else {
            throw soft_error{kind + ": unknown option \"" + a + "\"?\n" + kind_usage::ipvlan(kind)};
        }
        args.advance();
    }
    put<std::uint16_t>(w, IFLA_IPVLAN_FLAGS, flags);
}

/// macvlan_print_opt.
inline void print_macvlan_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    auto mode = d.find(IFLA_MACVLAN_MODE);
    if (!mode || mode.payload().size() < 4) return;
    std::uint32_t m;
    std::memcpy(&m, mode.payload().data(), 4);
    o.string(to::any, "mode", "mode %s ",
             m == MACVLAN_MODE_PRIVATE    ? "private"
             : m == MACVLAN_MODE_VEPA     ? "vepa"
             : m == MACVLAN_MODE_BRIDGE   ? "bridge"
             : m == MACVLAN_MODE_PASSTHRU ? "passthru"
             : m == MACVLAN_MODE_SOURCE   ? "source"
                                          : "unknown");
    std::uint16_t flags = 0;
    if (auto f = d.find(IFLA_MACVLAN_FLAGS); f && f.payload().size() >= 2) std::memcpy(&flags, f.payload().data(), 2);
    if (flags & MACVLAN_FLAG_NOPROMISC) o.boolean(to::any, "nopromisc", "nopromisc ", true);
    if (flags & MACVLAN_FLAG_NODST) o.boolean(to::any, "nodst", "nodst ", true);
    auto u32 = [&](std::uint16_t t) -> std::optional<std::uint32_t> {
        auto a = d.find(t);
        if (!a || a.payload().size() < 4) return std::nullopt;
        std::uint32_t v;
        std::memcpy(&v, a.payload().data(), 4);
        return v;
    };
    if (auto q = u32(IFLA_MACVLAN_BC_QUEUE_LEN)) o.lluint(to::any, "bcqueuelen", "bcqueuelen %llu ", *q);
    if (auto q = u32(IFLA_MACVLAN_BC_QUEUE_LEN_USED)) o.lluint(to::any, "usedbcqueuelen", "usedbcqueuelen %llu ", *q);
    if (m != MACVLAN_MODE_SOURCE) return;
    auto count = u32(IFLA_MACVLAN_MACADDR_COUNT);
    if (!count) return;
    o.integer(to::any, "macaddr_count", "remotes (%d) ", static_cast<int>(*count));
    auto data = d.find(IFLA_MACVLAN_MACADDR_DATA);
    if (!data) return;
    o.open_array(to::json, "macaddr_data");
    for (wire::attr_view a : data.nested()) {
        if (a.type() != IFLA_MACVLAN_MACADDR || a.payload().size() < 6) continue;
        const auto* b = reinterpret_cast<const unsigned char*>(a.payload().data());
        char text[32];
        std::snprintf(text, sizeof text, "%.2x:%.2x:%.2x:%.2x:%.2x:%.2x", b[0], b[1], b[2], b[3], b[4], b[5]);
        if (o.json()) o.string(to::json, nullptr, nullptr, text);
        else std::fprintf(o.stream(), "%s ", text);
    }
    o.close_array(to::json, nullptr);
}

/// ipvlan_print_opt.
inline void print_ipvlan_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    if (auto m = d.find(IFLA_IPVLAN_MODE).as<std::uint16_t>()) {
        o.string(to::any, "mode", " mode %s ",
                 *m == IPVLAN_MODE_L2 ? "l2" : *m == IPVLAN_MODE_L3 ? "l3" : *m == IPVLAN_MODE_L3S ? "l3s" : "unknown");
    }
    if (auto f = d.find(IFLA_IPVLAN_FLAGS).as<std::uint16_t>()) {
        if (*f & IPVLAN_F_PRIVATE) o.boolean(to::any, "private", "private ", true);
        else if (*f & IPVLAN_F_VEPA) o.boolean(to::any, "vepa", "vepa ", true);
        else o.boolean(to::any, "bridge", "bridge ", true);
    }
}

}  // namespace rtnl::ip
