// tools/topo/model.hpp — a topology file, parsed and checked.
//
//     namespaces: [ns0, ns1]
//     bridges:
//       - name: br0
//     veths:
//       - name: veth0              # this end (in the host unless `namespace:` says)
//         master: br0
//         peer: {name: eth0, namespace: ns0, addresses: [10.0.1.1/24]}
//     routes:
//       - {namespace: ns0, to: default, via: 10.0.1.254}
//     ping:
//       - {from: ns0, to: 10.0.1.2}
//     gateways:                           # IPv4 forwarding on these links only
//       - {forward: [br0, up0]}           # (net.ipv4.ip_forward stays as it is)
//     egress:                             # masquerade a subnet out of an uplink
//       - {masquerade: 10.0.1.0/24, out: up0}
//
// YAML or JSON (JSON is YAML). Any string may hold one brace range `{1..100}`;
// an entry whose strings hold ranges stands for one entry per value, all ranges
// of the entry advancing together (so `c{1..100}` pairs with `10.0.0.{1..100}/16`).
// Every error names the file, the line and the field.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/link.hpp"
#include "rtnl/netns.hpp"

namespace rtnl::topo {

/// A problem in the file: "FILE:LINE: FIELD: what".
struct file_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct link_end {
    std::string name;
    std::string ns;  ///< empty: the host (the namespace rtnl-topo runs in)
    std::string master;
    std::optional<std::uint32_t> mtu;
    std::optional<mac_address> address;
    std::vector<ip_prefix> addresses;
    int line = 0;
};

struct veth_pair {
    link_end a, b;
};

struct bridge_def {
    link_end self;  ///< name, namespace, addresses, mtu
};

struct route_def {
    std::string ns;
    std::optional<ip_prefix> to;  ///< unset: default
    std::optional<ip_address> via;
    std::string dev;
    int line = 0;
};

struct ping_def {
    std::string from;  ///< namespace ("" = host)
    ip_address to;
    int line = 0;
};

/// Per-link IPv4 forwarding in one namespace.
struct gateway_def {
    std::string ns;
    std::vector<std::string> forward;
    int line = 0;
};

/// Source NAT for a subnet leaving through one link (nf_tables, rtnl's own table).
struct egress_def {
    std::string ns;
    ip_prefix masquerade;
    std::string out;
    int line = 0;
};

struct topology {
    std::string file;
    std::vector<std::string> namespaces;
    std::vector<bridge_def> bridges;
    std::vector<veth_pair> veths;
    std::vector<route_def> routes;
    std::vector<ping_def> pings;
    std::vector<gateway_def> gateways;
    std::vector<egress_def> egress;
};

namespace detail {

struct context {
    const std::string& file;
    [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& what) const {
        throw file_error(file + ":" + std::to_string(n.Mark().line + 1) + ": " + field + ": " + what);
    }
};

/// One brace range in a string: prefix{lo..hi}suffix.
struct range {
    std::string prefix, suffix;
    long lo = 0, hi = 0;
    std::size_t count() const { return static_cast<std::size_t>(hi - lo + 1); }
    std::string at(std::size_t i) const { return prefix + std::to_string(lo + static_cast<long>(i)) + suffix; }
};

inline std::optional<range> find_range(const std::string& s) {
    const auto open = s.find('{');
    if (open == std::string::npos) return std::nullopt;
    const auto dots = s.find("..", open);
    const auto close = s.find('}', open);
    if (dots == std::string::npos || close == std::string::npos || dots > close) return std::nullopt;
    range r;
    auto num = [](std::string_view t, long& out) {
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
        return !t.empty() && ec == std::errc{} && end == t.data() + t.size();
    };
    if (!num(std::string_view(s).substr(open + 1, dots - open - 1), r.lo) ||
        !num(std::string_view(s).substr(dots + 2, close - dots - 2), r.hi) || r.hi < r.lo || r.hi - r.lo > 100000)
        return std::nullopt;
    r.prefix = s.substr(0, open);
    r.suffix = s.substr(close + 1);
    return r;
}

/// How many copies a YAML entry stands for: 1, or the common length of its ranges.
inline std::size_t copies(const YAML::Node& n, const context& cx, const std::string& field, std::size_t found = 0) {
    if (n.IsScalar()) {
        if (auto r = find_range(n.Scalar())) {
            if (found && found != r->count())
                cx.fail(n, field, "brace ranges of one entry must have the same length (" + std::to_string(found) +
                                      " and " + std::to_string(r->count()) + ")");
            return r->count();
        }
        return found;
    }
    if (n.IsSequence() || n.IsMap())
        for (auto it = n.begin(); it != n.end(); ++it) found = copies(n.IsMap() ? it->second : *it, cx, field, found);
    return found;
}

/// The value of a scalar in copy `i` of its entry.
inline std::string expand(const YAML::Node& n, std::size_t i) {
    const std::string s = n.Scalar();
    if (auto r = find_range(s)) return r->at(i);
    return s;
}

inline std::string str(const YAML::Node& n, const context& cx, const std::string& field, std::size_t i) {
    if (!n.IsScalar()) cx.fail(n, field, "expected a string");
    return expand(n, i);
}

inline void allow_keys(const YAML::Node& n, const context& cx, const std::string& field, std::set<std::string> keys) {
    if (!n.IsMap()) cx.fail(n, field, "expected a mapping");
    for (auto it = n.begin(); it != n.end(); ++it)
        if (!keys.count(it->first.Scalar()))
            cx.fail(it->first, field + "." + it->first.Scalar(), "unknown field");
}

inline std::string ifname(const YAML::Node& n, const context& cx, const std::string& field, std::size_t i) {
    std::string s = str(n, cx, field, i);
    if (auto ec = validate_ifname(s)) cx.fail(n, field, "\"" + s + "\" is not a valid interface name: " + ec.message());
    return s;
}

inline link_end parse_end(const YAML::Node& n, const context& cx, const std::string& field, std::size_t i,
                          bool has_peer = false) {
    std::set<std::string> keys{"name", "namespace", "master", "mtu", "mac", "addresses"};
    if (has_peer) keys.insert("peer");
    allow_keys(n, cx, field, keys);
    link_end e;
    e.line = n.Mark().line + 1;
    if (!n["name"]) cx.fail(n, field + ".name", "missing");
    e.name = ifname(n["name"], cx, field + ".name", i);
    if (n["namespace"]) e.ns = str(n["namespace"], cx, field + ".namespace", i);
    if (n["master"]) e.master = ifname(n["master"], cx, field + ".master", i);
    if (auto m = n["mtu"]) {
        std::uint32_t v = 0;
        const std::string s = str(m, cx, field + ".mtu", i);
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 68) cx.fail(m, field + ".mtu", "expected a number ≥ 68");
        e.mtu = v;
    }
    if (auto m = n["mac"]) {
        e.address = mac_address::parse(str(m, cx, field + ".mac", i));
        if (!e.address) cx.fail(m, field + ".mac", "expected a MAC address like 02:00:00:00:00:01");
    }
    if (auto a = n["addresses"]) {
        if (!a.IsSequence()) cx.fail(a, field + ".addresses", "expected a list of prefixes");
        for (std::size_t k = 0; k < a.size(); ++k) {
            const std::string f = field + ".addresses[" + std::to_string(k) + "]";
            auto p = ip_prefix::parse(str(a[k], cx, f, i));
            if (!p) cx.fail(a[k], f, "expected an address with prefix length, like 10.0.1.1/24");
            e.addresses.push_back(*p);
        }
    }
    return e;
}

}  // namespace detail

/// Parses and checks a topology file. Throws file_error.
inline topology parse(const std::string& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        throw file_error(file + ": cannot read the file");
    } catch (const YAML::Exception& e) {
        throw file_error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    detail::context cx{file};
    topology t;
    t.file = file;
    if (!root.IsMap()) throw file_error(file + ": expected a mapping with namespaces, bridges, veths, routes, ping");
    detail::allow_keys(root, cx, "topology", {"namespaces", "bridges", "veths", "routes", "ping", "gateways", "egress", "_comment"});

    auto each = [&](const char* key, auto&& fn) {
        auto list = root[key];
        if (!list) return;
        if (!list.IsSequence()) cx.fail(list, key, "expected a list");
        for (std::size_t k = 0; k < list.size(); ++k) {
            const std::string field = std::string(key) + "[" + std::to_string(k) + "]";
            const std::size_t n = std::max<std::size_t>(detail::copies(list[k], cx, field), 1);
            for (std::size_t i = 0; i < n; ++i) fn(list[k], field, i);
        }
    };

    std::set<std::string> ns_names;
    each("namespaces", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        const std::string name = detail::str(n, cx, field, i);
        if (auto ec = netns::validate_name(name)) cx.fail(n, field, "\"" + name + "\" is not a valid namespace name");
        if (!ns_names.insert(name).second) cx.fail(n, field, "namespace \"" + name + "\" is declared twice");
        t.namespaces.push_back(name);
    });
    std::set<std::pair<std::string, std::string>> links;  // (namespace, name)
    auto check_end = [&](const link_end& e, const YAML::Node& n, const std::string& field) {
        if (!e.ns.empty() && !ns_names.count(e.ns)) cx.fail(n, field + ".namespace", "unknown namespace \"" + e.ns + "\"");
        if (!links.insert({e.ns, e.name}).second)
            cx.fail(n, field + ".name", "link \"" + e.name + "\" is declared twice in " + (e.ns.empty() ? "the host" : e.ns));
    };
    each("bridges", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        bridge_def b{detail::parse_end(n, cx, field, i)};
        check_end(b.self, n, field);
        if (!b.self.master.empty()) cx.fail(n["master"], field + ".master", "a bridge cannot have a master here");
        t.bridges.push_back(std::move(b));
    });
    each("veths", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        if (!n.IsMap()) cx.fail(n, field, "expected a mapping");
        if (!n["peer"]) cx.fail(n, field + ".peer", "missing (a veth has two ends)");
        veth_pair v{detail::parse_end(n, cx, field, i, true), detail::parse_end(n["peer"], cx, field + ".peer", i)};
        check_end(v.a, n, field);
        check_end(v.b, n["peer"], field + ".peer");
        t.veths.push_back(std::move(v));
    });
    // masters must be bridges in the same namespace
    for (auto& v : t.veths)
        for (auto* e : {&v.a, &v.b}) {
            if (e->master.empty()) continue;
            const bool found = std::any_of(t.bridges.begin(), t.bridges.end(), [&](const bridge_def& b) {
                return b.self.name == e->master && b.self.ns == e->ns;
            });
            if (!found)
                throw file_error(file + ":" + std::to_string(e->line) + ": master: no bridge \"" + e->master + "\" in " +
                                 (e->ns.empty() ? "the host" : "namespace " + e->ns));
        }
    each("routes", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        detail::allow_keys(n, cx, field, {"namespace", "to", "via", "dev"});
        route_def r;
        r.line = n.Mark().line + 1;
        if (n["namespace"]) r.ns = detail::str(n["namespace"], cx, field + ".namespace", i);
        if (!r.ns.empty() && !ns_names.count(r.ns)) cx.fail(n["namespace"], field + ".namespace", "unknown namespace \"" + r.ns + "\"");
        const std::string to = n["to"] ? detail::str(n["to"], cx, field + ".to", i) : "default";
        if (to != "default") {
            r.to = ip_prefix::parse(to);
            if (!r.to) cx.fail(n["to"], field + ".to", "expected \"default\" or a prefix like 10.2.0.0/16");
        }
        if (n["via"]) {
            r.via = ip_address::parse(detail::str(n["via"], cx, field + ".via", i));
            if (!r.via) cx.fail(n["via"], field + ".via", "expected an IP address");
        }
        if (n["dev"]) r.dev = detail::ifname(n["dev"], cx, field + ".dev", i);
        if (!r.via && r.dev.empty()) cx.fail(n, field, "needs via, dev or both");
        t.routes.push_back(std::move(r));
    });
    each("ping", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        detail::allow_keys(n, cx, field, {"from", "to"});
        ping_def p;
        p.line = n.Mark().line + 1;
        if (n["from"]) p.from = detail::str(n["from"], cx, field + ".from", i);
        if (!p.from.empty() && !ns_names.count(p.from)) cx.fail(n["from"], field + ".from", "unknown namespace \"" + p.from + "\"");
        if (!n["to"]) cx.fail(n, field + ".to", "missing");
        auto a = ip_address::parse(detail::str(n["to"], cx, field + ".to", i));
        if (!a) cx.fail(n["to"], field + ".to", "expected an IP address");
        p.to = *a;
        t.pings.push_back(std::move(p));
    });
    auto known_link = [&](const std::string& ns, const std::string& name) { return links.count({ns, name}) > 0; };
    auto declared_ns = [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        if (!n["namespace"]) return std::string();
        std::string ns = detail::str(n["namespace"], cx, field + ".namespace", i);
        if (!ns_names.count(ns)) cx.fail(n["namespace"], field + ".namespace", "unknown namespace \"" + ns + "\"");
        return ns;
    };
    each("gateways", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        detail::allow_keys(n, cx, field, {"namespace", "forward"});
        gateway_def g;
        g.line = n.Mark().line + 1;
        g.ns = declared_ns(n, field, i);
        auto f = n["forward"];
        if (!f || !f.IsSequence() || f.size() == 0) cx.fail(n, field + ".forward", "expected a list of links that forward");
        for (std::size_t k = 0; k < f.size(); ++k) {
            const std::string ff = field + ".forward[" + std::to_string(k) + "]";
            const std::string name = detail::ifname(f[k], cx, ff, i);
            if (!known_link(g.ns, name))
                cx.fail(f[k], ff, "no link \"" + name + "\" declared in " + (g.ns.empty() ? "the host" : "namespace " + g.ns));
            g.forward.push_back(name);
        }
        t.gateways.push_back(std::move(g));
    });
    each("egress", [&](const YAML::Node& n, const std::string& field, std::size_t i) {
        detail::allow_keys(n, cx, field, {"namespace", "masquerade", "out"});
        egress_def e;
        e.line = n.Mark().line + 1;
        e.ns = declared_ns(n, field, i);
        if (!n["masquerade"]) cx.fail(n, field + ".masquerade", "missing (the subnet to masquerade, like 10.0.1.0/24)");
        auto p = ip_prefix::parse(detail::str(n["masquerade"], cx, field + ".masquerade", i));
        if (!p || !p->address.is_v4()) cx.fail(n["masquerade"], field + ".masquerade", "expected an IPv4 subnet like 10.0.1.0/24");
        e.masquerade = *p;
        if (!n["out"]) cx.fail(n, field + ".out", "missing (the uplink the traffic leaves through)");
        e.out = detail::ifname(n["out"], cx, field + ".out", i);
        if (!known_link(e.ns, e.out))
            cx.fail(n["out"], field + ".out", "no link \"" + e.out + "\" declared in " + (e.ns.empty() ? "the host" : "namespace " + e.ns));
        t.egress.push_back(std::move(e));
    });
    return t;
}

}  // namespace rtnl::topo
