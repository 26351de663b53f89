// tools/cni/config.hpp — the network configuration: every key of the reference
// `bridge` plugin, with its defaults, plus the host-local IPAM section.
//
// Unknown keys are ignored (SPEC.md). A key of the wrong JSON type is an invalid
// configuration (code 7); text that is not JSON is a decoding failure (code 6).
#pragma once

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/address.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/version.hpp"

namespace rtnl::cni {

/// One host-local range: subnet, first and last address to hand out, gateway.
struct ip_range {
    ip_prefix subnet;
    ip_address start;  // inclusive
    ip_address end;    // inclusive
    ip_address gateway;
};
using range_set = std::vector<ip_range>;  // one address per set

struct ipam_config {
    std::string type;                    // "" = layer 2 only
    std::vector<range_set> ranges;       // host-local, canonicalised
    std::vector<std::pair<ip_prefix, std::optional<ip_address>>> routes;
    std::string data_dir = "/var/lib/cni/networks";
    std::string resolv_conf;
    std::vector<ip_address> requested;   // CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips
};

struct attachment {
    std::string container_id;
    std::string ifname;
};

struct net_config {
    std::string cni_version;
    std::string name;
    std::string type;
    std::string bridge = "cni0";
    bool is_gateway = false;
    bool is_default_gateway = false;
    bool force_address = false;
    bool ip_masq = false;
    int mtu = 0;
    bool hairpin = false;
    bool promisc = false;
    int vlan = 0;
    bool mac_spoof_check = false;
    bool enable_dad = false;
    std::string mac;                     // runtimeConfig.mac > args.cni.mac > CNI_ARGS MAC
    ipam_config ipam;
    nlohmann::json dns = nlohmann::json::object();
    nlohmann::json prev_result;          // null when absent
    std::vector<attachment> valid_attachments;  // GC: cni.dev/valid-attachments
    std::string raw;                     // stdin, passed on to a delegated IPAM plugin
};

namespace config_detail {

template <class T>
T get(const nlohmann::json& o, const char* key, T fallback) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return fallback;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // a float or an out-of-range integer is the wrong type, not a value to truncate
        const bool fits = it->is_number_unsigned()
                              ? it->template get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                              : it->is_number_integer() && it->template get<std::int64_t>() >= std::numeric_limits<T>::min() &&
                                    it->template get<std::int64_t>() <= std::numeric_limits<T>::max();
        if (!fits) fail(invalid_config, std::string("invalid network config: \"") + key + "\" has the wrong type");
    }
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        fail(invalid_config, std::string("invalid network config: \"") + key + "\" has the wrong type");
    }
}

inline ip_address parse_address(const std::string& text, const char* what) {
    auto a = ip_address::parse(text);
    if (!a) fail(invalid_config, std::string("invalid ") + what + " \"" + text + "\"");
    return *a;
}

/// "10.1.2.3" or "10.1.2.3/24" (host-local accepts both for a requested IP).
inline ip_address parse_requested(const std::string& text) {
    auto slash = text.find('/');
    return parse_address(text.substr(0, slash), "requested IP");
}

inline ip_address next(ip_address a, int delta = 1) {
    auto raw = a.bytes();
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < raw.size(); ++i) b[i] = static_cast<std::uint8_t>(raw[i]);
    for (std::size_t i = raw.size(); i-- > 0;) {
        const int v = b[i] + delta;
        b[i] = static_cast<std::uint8_t>(v & 0xff);
        if (v >= 0 && v <= 0xff) break;
        delta = v < 0 ? -1 : 1;
    }
    return a.is_v4() ? ip_address::v4({b[0], b[1], b[2], b[3]}) : ip_address::v6(b);
}

inline int compare(const ip_address& a, const ip_address& b) {
    auto x = a.bytes(), y = b.bytes();
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

inline bool in_subnet(const ip_prefix& subnet, const ip_address& a) {
    return a.family() == subnet.address.family() && ip_prefix{a, subnet.length}.network() == subnet.address;
}

/// The last address of a subnet: broadcast - 1 for IPv4, all-ones for IPv6 (host-local's lastIP).
inline ip_address last_address(const ip_prefix& s) {
    auto raw = s.address.bytes();
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < raw.size(); ++i) b[i] = static_cast<std::uint8_t>(raw[i]);
    for (std::size_t bit = s.length; bit < raw.size() * 8; ++bit) b[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    ip_address last = s.address.is_v4() ? ip_address::v4({b[0], b[1], b[2], b[3]}) : ip_address::v6(b);
    return s.address.is_v4() ? next(last, -1) : last;
}

inline ip_range parse_range(const nlohmann::json& r, std::size_t set) {
    if (!r.is_object()) fail(invalid_config, "invalid range set " + std::to_string(set) + ": not an object");
    const std::string subnet_text = get<std::string>(r, "subnet", "");
    auto subnet = ip_prefix::parse(subnet_text);
    if (!subnet || subnet_text.find('/') == std::string::npos)
        fail(invalid_config, "invalid range set " + std::to_string(set) + ": invalid subnet \"" + subnet_text + "\"");
    if (subnet->length + 2 > subnet->address.bits())
        fail(invalid_config, "invalid range set " + std::to_string(set) + ": Network " + subnet_text + " too small to allocate from");
    if (subnet->network() != subnet->address)
        fail(invalid_config, "invalid range set " + std::to_string(set) + ": Network has host bits set. For a subnet mask of length " +
                                 std::to_string(subnet->length) + " the network address is " + subnet->network().to_string());
    ip_range out{*subnet, next(subnet->address), last_address(*subnet), next(subnet->address)};
    auto within = [&](const char* key, ip_address& into) {
        const std::string t = get<std::string>(r, key, "");
        if (t.empty()) return;
        into = parse_address(t, key);
        if (!in_subnet(*subnet, into))
            fail(invalid_config, "invalid range set " + std::to_string(set) + ": " + (key[5] == 'S' ? "RangeStart " : "RangeEnd ") + t +
                                     " not in network " + subnet_text);
    };
    if (auto g = get<std::string>(r, "gateway", ""); !g.empty()) out.gateway = parse_address(g, "gateway");
    within("rangeStart", out.start);
    within("rangeEnd", out.end);
    return out;
}

}  // namespace config_detail

inline bool range_contains(const ip_range& r, const ip_address& a) {
    using namespace config_detail;
    return in_subnet(r.subnet, a) && compare(a, r.start) >= 0 && compare(a, r.end) <= 0;
}
inline bool set_contains(const range_set& s, const ip_address& a) {
    for (auto& r : s)
        if (range_contains(r, a)) return true;
    return false;
}

/// Parses stdin. `env` supplies CNI_ARGS (MAC=, IP=).
inline net_config parse_config(std::string_view text, const environment& env) {
    using namespace config_detail;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) fail(decoding_failure, "error unmarshall network config: not valid JSON");
    if (!j.is_object()) fail(decoding_failure, "error unmarshall network config: not a JSON object");
    net_config c;
    c.raw = std::string(text);
    c.cni_version = get<std::string>(j, "cniVersion", "0.1.0");
    require_supported(c.cni_version);
    c.name = get<std::string>(j, "name", "");
    c.type = get<std::string>(j, "type", "");
    c.bridge = get<std::string>(j, "bridge", "cni0");
    if (c.bridge.empty()) c.bridge = "cni0";
    c.is_gateway = get<bool>(j, "isGateway", false);
    c.is_default_gateway = get<bool>(j, "isDefaultGateway", false);
    if (c.is_default_gateway) c.is_gateway = true;
    c.force_address = get<bool>(j, "forceAddress", false);
    c.ip_masq = get<bool>(j, "ipMasq", false);
    c.mtu = get<int>(j, "mtu", 0);
    c.hairpin = get<bool>(j, "hairpinMode", false);
    c.promisc = get<bool>(j, "promiscMode", false);
    c.vlan = get<int>(j, "vlan", 0);
    c.mac_spoof_check = get<bool>(j, "macspoofchk", false);
    c.enable_dad = get<bool>(j, "enabledad", false);
    if (c.vlan < 0 || c.vlan > 4094)
        fail(invalid_config, "invalid VLAN ID " + std::to_string(c.vlan) + " (must be between 0 and 4094)");
    if (c.mtu < 0 || c.mtu > 65535) fail(invalid_config, "invalid MTU " + std::to_string(c.mtu));
    if (auto d = j.find("dns"); d != j.end() && d->is_object()) c.dns = *d;
    if (auto p = j.find("prevResult"); p != j.end() && p->is_object()) c.prev_result = *p;

    // MAC: CNI_ARGS, then args.cni.mac, then runtimeConfig.mac (the last one wins, as in the reference)
    nlohmann::json args_cni = nlohmann::json::object(), runtime = nlohmann::json::object();
    if (auto a = j.find("args"); a != j.end() && a->is_object())
        if (auto ac = a->find("cni"); ac != a->end() && ac->is_object()) args_cni = *ac;
    if (auto r = j.find("runtimeConfig"); r != j.end() && r->is_object()) runtime = *r;
    if (auto m = cni_arg(env.args, "MAC")) c.mac = *m;
    if (auto m = get<std::string>(args_cni, "mac", ""); !m.empty()) c.mac = m;
    if (auto m = get<std::string>(runtime, "mac", ""); !m.empty()) c.mac = m;
    if (!c.mac.empty() && !mac_address::parse(c.mac))
        fail(invalid_config, "invalid MAC address \"" + c.mac + "\"");

    if (auto g = j.find("cni.dev/valid-attachments"); g != j.end() && g->is_array())
        for (auto& a : *g)
            if (a.is_object())
                c.valid_attachments.push_back({get<std::string>(a, "containerID", ""), get<std::string>(a, "ifname", "")});

    // IPAM
    auto ipam_it = j.find("ipam");
    if (ipam_it != j.end() && ipam_it->is_object()) {
        const auto& ipam = *ipam_it;
        c.ipam.type = get<std::string>(ipam, "type", "");
        c.ipam.data_dir = get<std::string>(ipam, "dataDir", "");
        if (c.ipam.data_dir.empty()) c.ipam.data_dir = "/var/lib/cni/networks";
        c.ipam.resolv_conf = get<std::string>(ipam, "resolvConf", "");
        if (c.ipam.type == "host-local") {
            // requested addresses: CNI_ARGS IP=, then args.cni.ips, then runtimeConfig.ips
            if (auto ip = cni_arg(env.args, "IP"); ip && !ip->empty()) {
                std::string_view rest = *ip;
                while (!rest.empty()) {
                    auto comma = rest.find(',');
                    c.ipam.requested.push_back(parse_requested(std::string(rest.substr(0, comma))));
                    if (comma == std::string_view::npos) break;
                    rest.remove_prefix(comma + 1);
                }
            }
            for (const auto* src : {&args_cni, &runtime})
                if (auto ips = src->find("ips"); ips != src->end() && ips->is_array())
                    for (auto& v : *ips)
                        if (v.is_string()) c.ipam.requested.push_back(parse_requested(v.get<std::string>()));
            // ranges: runtimeConfig.ipRanges first, then the old single-range keys, then "ranges"
            auto add_sets = [&](const nlohmann::json& sets) {
                if (!sets.is_array()) fail(invalid_config, "invalid network config: \"ranges\" is not a list");
                for (auto& s : sets) {
                    if (!s.is_array() || s.empty())
                        fail(invalid_config, "invalid range set " + std::to_string(c.ipam.ranges.size()) + ": empty");
                    range_set rs;
                    for (auto& r : s) rs.push_back(parse_range(r, c.ipam.ranges.size()));
                    c.ipam.ranges.push_back(std::move(rs));
                }
            };
            if (auto rr = runtime.find("ipRanges"); rr != runtime.end()) add_sets(*rr);
            if (ipam.contains("subnet")) c.ipam.ranges.push_back({parse_range(ipam, c.ipam.ranges.size())});
            if (auto rr = ipam.find("ranges"); rr != ipam.end()) add_sets(*rr);
            if (c.ipam.ranges.empty()) fail(invalid_config, "no IP ranges specified");
            for (std::size_t a = 0; a < c.ipam.ranges.size(); ++a)
                for (std::size_t b = a + 1; b < c.ipam.ranges.size(); ++b)
                    for (auto& x : c.ipam.ranges[a])
                        for (auto& y : c.ipam.ranges[b])
                            if (range_contains(x, y.start) || range_contains(x, y.end) || range_contains(y, x.start) ||
                                range_contains(y, x.end))
                                fail(invalid_config, "range set " + std::to_string(a) + " overlaps with " + std::to_string(b));
        }
        if (auto rs = ipam.find("routes"); rs != ipam.end() && rs->is_array())
            for (auto& r : *rs) {
                const std::string dst = r.is_object() ? get<std::string>(r, "dst", "") : "";
                auto p = ip_prefix::parse(dst);
                if (!p) fail(invalid_config, "invalid route dst \"" + dst + "\"");
                std::optional<ip_address> gw;
                if (auto g = get<std::string>(r, "gw", ""); !g.empty()) gw = parse_address(g, "route gw");
                c.ipam.routes.emplace_back(ip_prefix{p->network(), p->length}, gw);
            }
    }
    return c;
}

/// A network name becomes a directory name: the spec's character set only.
inline void require_valid_name(const net_config& c) {
    if (c.name.empty()) fail(invalid_config, "invalid network config: \"name\" is missing");
    bool ok = std::isalnum(static_cast<unsigned char>(c.name[0])) != 0;
    for (char ch : c.name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-');
    if (!ok) fail(invalid_config, "invalid network name \"" + c.name + "\"");
}

}  // namespace rtnl::cni
