// tools/ip/link_vlan.hpp — `type vlan` (802.1Q/802.1ad) options (iproute2 6.1
// ip/iplink_vlan.c): id, protocol, the flag switches and the QoS maps, parsed
// and printed as ip does. This kernel has no 8021q: the requests are checked
// byte for byte against ip's with strace (tests/tools/link_kinds_test.cpp).
#pragma once

#include <linux/if_link.h>
#include <linux/if_vlan.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/link_bridge_options.hpp"
#include "tools/ip/link_parse.hpp"

namespace rtnl::ip {

namespace kind_usage {
inline constexpr const char* vlan =
    "Usage: ... vlan id VLANID\n"
    "		[ protocol VLANPROTO ]\n"
    "		[ reorder_hdr { on | off } ]\n"
    "		[ gvrp { on | off } ]\n"
    "		[ mvrp { on | off } ]\n"
    "		[ loose_binding { on | off } ]\n"
    "		[ bridge_binding { on | off } ]\n"
    "		[ ingress-qos-map QOS-MAP ]\n"
    "		[ egress-qos-map QOS-MAP ]\n"
    "\n"
    "VLANID := 0-4095\n"
    "VLANPROTO: [ 802.1Q | 802.1ad ]\n"
    "QOS-MAP := [ QOS-MAP ] QOS-MAPPING\n"
    "QOS-MAPPING := FROM:TO\n";
}  // namespace kind_usage

/// vlan_parse_opt
inline void parse_vlan_options(wire::writer& w, arg_list& args) {
    using link_detail::soft_error;
    ifla_vlan_flags flags{};
    static constexpr std::pair<const char*, std::uint32_t> switches[] = {
        {"reorder_hdr", VLAN_FLAG_REORDER_HDR}, {"gvrp", VLAN_FLAG_GVRP}, {"mvrp", VLAN_FLAG_MVRP},
        {"loose_binding", VLAN_FLAG_LOOSE_BINDING}, {"bridge_binding", VLAN_FLAG_BRIDGE_BINDING}};
    while (!args.empty()) {
        const std::string a = args.current();
        bool done = false;
        if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = kind_detail::ll_proto(v);
            if (!p) invalid_argument("protocol is invalid", v);
            link_detail::put_value<std::uint16_t>(w, IFLA_VLAN_PROTOCOL, *p);  // network order already
            done = true;
        } else if (matches(a, "id")) {
            kind_detail::put_number<std::uint16_t>(w, IFLA_VLAN_ID, args.next_value(), "id is invalid");
            done = true;
        }
        for (auto [name, bit] : switches) {
            if (done || !matches(a, name)) continue;
            const std::string& v = args.next_value();
            flags.mask |= bit;
            if (v == "on") flags.flags |= bit;
            else if (v == "off") flags.flags &= ~bit;
            else throw soft_error{std::string("Error: argument of \"") + name + "\" must be \"on\" or \"off\", not \"" + v + "\"\n"};
            done = true;
        }
        if (done) {
        } else if (matches(a, "ingress-qos-map") || matches(a, "egress-qos-map")) {
            // parse_mapping: FROM:TO words until one without ':'
            const bool ingress = matches(a, "ingress-qos-map");
            args.next_value();
            auto nest = w.nest(ingress ? IFLA_VLAN_INGRESS_QOS : IFLA_VLAN_EGRESS_QOS);
            while (!args.empty()) {
                const std::string m = args.current();
                const auto colon = m.find(':');
                if (colon == std::string::npos) break;
                auto from = parse_number<std::uint32_t>(m.substr(0, colon));
                auto to_v = parse_number<std::uint32_t>(m.substr(colon + 1));
                // ip cut the word at ':' before complaining, so it names the FROM part
                if (!from || !to_v) invalid_argument(ingress ? "invalid ingress-qos-map" : "invalid egress-qos-map", m.substr(0, colon));
                ifla_vlan_qos_mapping q{*from, *to_v};
                w.put_raw(IFLA_VLAN_QOS_MAPPING, std::as_bytes(std::span(&q, 1)));
                args.advance();
            }
            continue;
        } else if (matches(a, "help")) {
            throw soft_error{kind_usage::vlan};
        } else {
            throw soft_error{"vlan: unknown command \"" + a + "\"?\n" + kind_usage::vlan};
        }
        args.advance();
    }
    if (flags.mask) w.put_raw(IFLA_VLAN_FLAGS, std::as_bytes(std::span(&flags, 1)));
}

/// vlan_print_opt
inline void print_vlan_options(session& s, wire::attr_range d) {
    printer& o = s.out;
    auto proto = d.find(IFLA_VLAN_PROTOCOL);
    if (proto && proto.payload().size() < 2) return;
    auto id = d.find(IFLA_VLAN_ID).as<std::uint16_t>();
    if (!id) return;
    if (auto p = proto.as<std::uint16_t>()) {
        const unsigned v = ntohs(*p);
        o.string(to::any, "protocol", "protocol %s ",
                 v == 0x8100 ? std::string("802.1Q") : v == 0x88a8 ? std::string("802.1ad") : "[" + std::to_string(v) + "]");
    } else {
        o.string(to::any, "protocol", "protocol %s ", "802.1q");
    }
    o.uinteger(to::any, "id", "id %u ", *id);
    if (auto f = d.find(IFLA_VLAN_FLAGS)) {
        auto fl = f.as<ifla_vlan_flags>();
        if (!fl) return;
        std::uint32_t flags = fl->flags;
        o.open_array(to::any, o.json() ? "flags" : "<");
        static constexpr std::pair<std::uint32_t, const char*> names[] = {
            {VLAN_FLAG_REORDER_HDR, "REORDER_HDR"}, {VLAN_FLAG_GVRP, "GVRP"}, {VLAN_FLAG_MVRP, "MVRP"},
            {VLAN_FLAG_LOOSE_BINDING, "LOOSE_BINDING"}, {VLAN_FLAG_BRIDGE_BINDING, "BRIDGE_BINDING"}};
        for (auto [bit, name] : names) {
            if (!(flags & bit)) continue;
            flags &= ~bit;
            o.string(to::any, nullptr, flags ? "%s," : "%s", name);
        }
        if (flags) o.hex(to::any, nullptr, "%x", flags);
        o.close_array(to::any, "> ");
    }
    for (auto [type, json_name, text_name] : {std::tuple{IFLA_VLAN_INGRESS_QOS, "ingress_qos", "ingress-qos-map"},
                                              std::tuple{IFLA_VLAN_EGRESS_QOS, "egress_qos", "egress-qos-map"}}) {
        auto map = d.find(type);
        if (!map) continue;
        o.open_array(to::json, json_name);
        o.nl();
        o.string(to::text, nullptr, "      %s { ", text_name);
        for (wire::attr_view m : map.nested()) {
            auto q = m.as<ifla_vlan_qos_mapping>();
            if (!q) continue;
            if (o.json()) {
                o.open_object();
                o.uinteger(to::json, "from", nullptr, q->from);
                o.uinteger(to::json, "to", nullptr, q->to);
                o.close_object();
            } else {
                std::fprintf(o.stream(), "%u:%u ", q->from, q->to);
            }
        }
        o.close_array(to::json, nullptr);
        o.string(to::text, nullptr, "%s ", "}");
    }
}

}  // namespace rtnl::ip
