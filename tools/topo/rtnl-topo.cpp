// rtnl-topo — bring declarative topologies up and down.
//
//   rtnl-topo up FILE       create the namespaces, bridges, veth pairs, addresses, routes
//   rtnl-topo down FILE     remove what FILE declares (what is already gone is fine)
//   rtnl-topo show [--dot] FILE   print the topology as text, or as Graphviz DOT
//   rtnl-topo check FILE    ping every declared pair
//   rtnl-topo run FILE      up, check, down — inside a private sandbox
//
// Every veth end is created where it lives (IFLA_NET_NS_FD for both ends), never
// moved. A failed `up` removes what it made. Gateways get IPv4 forwarding on
// their listed links only (over rtnetlink; net.ipv4.ip_forward is not touched);
// egress masquerades a subnet out of an uplink from one nf_tables table of
// rtnl-topo's own (ip rtnl_topo, tagged), and a foreign drop on the forward hook
// that would eat the traffic is reported in words.
#include <fcntl.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "rtnl/nft.hpp"
#include "rtnl/rtnl.hpp"
#include "tools/common/ping.hpp"
#include "tools/common/sandbox.hpp"
#include "tools/topo/model.hpp"

namespace {

using namespace rtnl;

constexpr const char* usage =
    "Usage: rtnl-topo up|down|check|run FILE\n"
    "       rtnl-topo show [--dot] FILE\n";

/// Sockets and namespace descriptors, one per namespace ("" is the host).
class world {
public:
    unique_fd& ns_fd(const std::string& ns) {
        auto& fd = fds_[ns];
        if (!fd) fd = ns.empty() ? unique_fd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) : netns::open(ns);
        return fd;
    }
    rtnl::socket& nl(const std::string& ns) {
        auto& s = sockets_[ns];
        if (!s) s = std::make_unique<rtnl::socket>(ns.empty() ? rtnl::socket() : rtnl::socket::in_namespace(ns_fd(ns).get()));
        return *s;
    }
    nft::socket& nf(const std::string& ns) {
        auto& s = nft_[ns];
        if (!s) s = std::make_unique<nft::socket>(ns.empty() ? nft::socket() : nft::socket::in_namespace(ns_fd(ns).get()));
        return *s;
    }
    void adopt(const std::string& ns, unique_fd fd) { fds_[ns] = std::move(fd); }

private:
    std::map<std::string, unique_fd> fds_;
    std::map<std::string, std::unique_ptr<rtnl::socket>> sockets_;
    std::map<std::string, std::unique_ptr<nft::socket>> nft_;
};

/// rtnl-topo's nf_tables table (one per namespace that has egress).
constexpr const char* egress_table = "rtnl_topo";

/// Says what will drop forwarded traffic in namespace `ns`, if anything. Returns the count.
int report_forward_drops(world& w, const std::string& ns, const std::optional<ip_prefix>& subnet) {
    auto drops = nft::foreign_forward_drops(w.nf(ns).list(), nft::egress::tag);
    for (auto& d : drops) std::fprintf(stderr, "rtnl-topo: warning: %s: %s\n", ns.empty() ? "host" : ns.c_str(), d.explain(subnet).c_str());
    return static_cast<int>(drops.size());
}

void egress_up(world& w, const topo::topology& t) {
    std::map<std::string, std::vector<const topo::egress_def*>> by_ns;
    for (auto& e : t.egress) by_ns[e.ns].push_back(&e);
    for (auto& [ns, list] : by_ns) {
        nft::batch b;
        b.add_table({.fam = nft::family::ipv4, .name = egress_table, .flags = 0, .comment = std::string(nft::egress::tag)});
        b.add_chain({nft::family::ipv4, egress_table, "postrouting",
                     nft::base_hook{"nat", nft::hook::postrouting, 100, nft::verdict_code::accept}});
        for (auto* e : list) {
            auto r = nft::match::ip_saddr(e->masquerade);
            nft::match::append(r, nft::match::oifname(e->out));
            r.push_back(nft::masq{});
            b.add_rule(nft::family::ipv4, egress_table, "postrouting", r, "rtnl-topo");
        }
        w.nf(ns).apply(b);
        report_forward_drops(w, ns, list.front()->masquerade);
    }
}

std::string where(const std::string& ns) { return ns.empty() ? "host" : ns; }

/// Removes what `t` declares; ENODEV/ENOENT are fine. Returns the number of problems.
int down(const topo::topology& t, bool quiet = false) {
    int problems = 0;
    rtnl::socket host;
    std::error_code ec;
    for (auto& e : t.egress) {  // our table only; gone already is fine
        try {
            if (!e.ns.empty() && !netns::exists(e.ns)) continue;
            nft::socket nf = e.ns.empty() ? nft::socket() : nft::socket::in_namespace(netns::open(e.ns).get());
            nft::batch b;
            b.destroy_table(nft::family::ipv4, egress_table);
            auto r = nf.commit(b);
            if (!r.ok()) {
                std::fprintf(stderr, "rtnl-topo: egress of %s: %s\n", where(e.ns).c_str(), r.text.c_str());
                ++problems;
            }
        } catch (const std::exception& x) {
            std::fprintf(stderr, "rtnl-topo: egress of %s: %s\n", where(e.ns).c_str(), x.what());
            ++problems;
        }
    }
    // host-side links first (a veth goes with its peer; namespaces take theirs along)
    for (auto& v : t.veths)
        for (auto* e : {&v.a, &v.b})
            if (e->ns.empty()) {
                link::del(host, e->name, ec);
                if (ec && ec != std::errc::no_such_device && ec != errc::no_such_device) {
                    std::fprintf(stderr, "rtnl-topo: link del %s: %s\n", e->name.c_str(), host.last_status().describe().c_str());
                    ++problems;
                }
            }
    for (auto& b : t.bridges)
        if (b.self.ns.empty()) {
            link::del(host, b.self.name, ec);
            if (ec && ec != std::errc::no_such_device && ec != errc::no_such_device) {
                std::fprintf(stderr, "rtnl-topo: link del %s: %s\n", b.self.name.c_str(), host.last_status().describe().c_str());
                ++problems;
            }
        }
    for (auto& n : t.namespaces) {
        auto f = netns::default_registry().try_remove(n);
        if (f && f.code != std::errc::no_such_file_or_directory) {
            std::fprintf(stderr, "rtnl-topo: %s\n", f.what.c_str());
            ++problems;
        }
    }
    if (!quiet) std::printf("down: %s\n", problems ? "with problems" : "done");
    return problems;
}

void bring_up_ends(world& w, const topo::link_end& e) {
    auto& nl = w.nl(e.ns);
    link::set(nl, e.name, {.up = true});
    for (auto& a : e.addresses) {
        address_spec s{.index = link::index(nl, e.name), .prefix = a};
        if (a.address.is_v6()) s.flags = IFA_F_NODAD;  // declared addresses are unique: usable at once
        addr::add(nl, s);
    }
}

void up(const topo::topology& t) {
    world w;
    // namespaces, each with lo up
    for (auto& n : t.namespaces)
        if (netns::exists(n)) throw std::runtime_error("namespace \"" + n + "\" already exists (rtnl-topo down first?)");
    std::vector<unique_fd> fds;
    if (auto f = netns::default_registry().create_many(t.namespaces, fds)) throw error(make_status(f.code), f.what);
    for (std::size_t i = 0; i < fds.size(); ++i) {
        w.adopt(t.namespaces[i], std::move(fds[i]));
        link::set(w.nl(t.namespaces[i]), "lo", {.up = true});
    }
    // bridges, created where they live
    for (auto& b : t.bridges) {
        link::add(w.nl(b.self.ns), bridge{.name = b.self.name, .address = b.self.address, .mtu = b.self.mtu});
        bring_up_ends(w, b.self);
    }
    // veth pairs: both ends born in their namespaces, from the host socket
    for (auto& v : t.veths) {
        veth spec{.name = v.a.name, .address = v.a.address, .mtu = v.a.mtu,
                  .peer = {.name = v.b.name, .address = v.b.address, .mtu = v.b.mtu}};
        if (!v.a.ns.empty()) spec.netns = w.ns_fd(v.a.ns);
        if (!v.b.ns.empty()) spec.peer.netns = w.ns_fd(v.b.ns);
        link::add(w.nl(""), spec);
        for (auto* e : {&v.a, &v.b}) {
            if (!e->master.empty()) link::set(w.nl(e->ns), e->name, {.master = link::index(w.nl(e->ns), e->master)});
            bring_up_ends(w, *e);
        }
    }
    for (auto& r : t.routes) {
        auto& nl = w.nl(r.ns);
        route_spec s{.dst = r.to, .gateway = r.via};
        if (!r.dev.empty()) s.oif = link::index(nl, r.dev);
        route::add(nl, s);
    }
    for (auto& g : t.gateways)
        for (auto& name : g.forward) link::set(w.nl(g.ns), name, {.ipv4_forwarding = true});
    egress_up(w, t);
    std::printf("up: %zu namespaces, %zu bridges, %zu veth pairs, %zu routes", t.namespaces.size(), t.bridges.size(),
                t.veths.size(), t.routes.size());
    if (!t.gateways.empty() || !t.egress.empty()) std::printf(", %zu gateways, %zu egress", t.gateways.size(), t.egress.size());
    std::printf("\n");
}

int check(const topo::topology& t) {
    world w;
    int failed = 0;
    for (auto& p : t.pings) {
        const bool ok = tools::ping(w.ns_fd(p.from).get(), p.to);
        std::printf("%s -> %s: %s\n", where(p.from).c_str(), p.to.to_string().c_str(), ok ? "ok" : "FAILED");
        failed += !ok;
    }
    std::printf("check: %zu pings, %d failed\n", t.pings.size(), failed);
    if (failed) {  // say why forwarded traffic may have been dropped
        std::set<std::string> gw;
        for (auto& g : t.gateways) gw.insert(g.ns);
        for (auto& ns : gw) {
            std::optional<ip_prefix> subnet;
            for (auto& e : t.egress)
                if (e.ns == ns) subnet = e.masquerade;
            try {
                report_forward_drops(w, ns, subnet);
            } catch (const std::exception&) {
            }
        }
    }
    return failed ? 1 : 0;
}

std::string addrs(const topo::link_end& e) {
    std::string s;
    for (auto& a : e.addresses) s += " " + a.to_string();
    return s;
}

void show_text(const topo::topology& t) {
    std::printf("namespaces:");
    for (auto& n : t.namespaces) std::printf(" %s", n.c_str());
    std::printf("\n");
    if (!t.bridges.empty()) std::printf("bridges:\n");
    for (auto& b : t.bridges) std::printf("  %s (%s)%s\n", b.self.name.c_str(), where(b.self.ns).c_str(), addrs(b.self).c_str());
    if (!t.veths.empty()) std::printf("veths:\n");
    for (auto& v : t.veths)
        std::printf("  %s (%s)%s%s <-> %s (%s)%s%s\n", v.a.name.c_str(), where(v.a.ns).c_str(),
                    v.a.master.empty() ? "" : (" master " + v.a.master).c_str(), addrs(v.a).c_str(), v.b.name.c_str(),
                    where(v.b.ns).c_str(), v.b.master.empty() ? "" : (" master " + v.b.master).c_str(), addrs(v.b).c_str());
    if (!t.routes.empty()) std::printf("routes:\n");
    for (auto& r : t.routes)
        std::printf("  %s: %s%s%s\n", where(r.ns).c_str(), r.to ? r.to->to_string().c_str() : "default",
                    r.via ? (" via " + r.via->to_string()).c_str() : "", r.dev.empty() ? "" : (" dev " + r.dev).c_str());
    if (!t.pings.empty()) std::printf("ping:\n");
    for (auto& p : t.pings) std::printf("  %s -> %s\n", where(p.from).c_str(), p.to.to_string().c_str());
    if (!t.gateways.empty()) std::printf("gateways:\n");
    for (auto& g : t.gateways) {
        std::printf("  %s: forward on", where(g.ns).c_str());
        for (auto& l : g.forward) std::printf(" %s", l.c_str());
        std::printf("\n");
    }
    if (!t.egress.empty()) std::printf("egress:\n");
    for (auto& e : t.egress)
        std::printf("  %s: masquerade %s out %s\n", where(e.ns).c_str(), e.masquerade.to_string().c_str(), e.out.c_str());
}

void show_dot(const topo::topology& t) {
    auto id = [](const std::string& ns, const std::string& name) { return "\"" + where(ns) + "/" + name + "\""; };
    std::printf("graph topology {\n  node [shape=box, fontname=\"monospace\"];\n");
    std::map<std::string, std::vector<std::string>> nodes;  // namespace -> node lines
    auto node = [&](const topo::link_end& e, const char* shape) {
        std::string label = e.name + addrs(e);
        nodes[e.ns].push_back("    " + id(e.ns, e.name) + " [label=\"" + label + "\", shape=" + shape + "];");
    };
    for (auto& b : t.bridges) node(b.self, "ellipse");
    for (auto& v : t.veths) {
        node(v.a, "box");
        node(v.b, "box");
    }
    int cluster = 0;
    for (auto& [ns, lines] : nodes) {
        std::printf("  subgraph cluster_%d {\n    label=\"%s\";\n", cluster++, where(ns).c_str());
        for (auto& l : lines) std::printf("%s\n", l.c_str());
        std::printf("  }\n");
    }
    for (auto& v : t.veths) {
        std::printf("  %s -- %s [label=\"veth\"];\n", id(v.a.ns, v.a.name).c_str(), id(v.b.ns, v.b.name).c_str());
        for (auto* e : {&v.a, &v.b})
            if (!e->master.empty())
                std::printf("  %s -- %s [style=dashed];\n", id(e->ns, e->name).c_str(), id(e->ns, e->master).c_str());
    }
    std::printf("}\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool dot = false;
    std::erase_if(args, [&](const std::string& a) { return a == "--dot" ? (dot = true) : false; });
    if (args.size() != 2 || (dot && args[0] != "show")) {
        std::fputs(usage, stderr);
        return 2;
    }
    const std::string& cmd = args[0];
    if (cmd != "up" && cmd != "down" && cmd != "show" && cmd != "check" && cmd != "run") {
        std::fprintf(stderr, "rtnl-topo: unknown command \"%s\"\n%s", cmd.c_str(), usage);
        return 2;
    }
    topo::topology t;
    try {
        t = topo::parse(args[1]);
    } catch (const topo::file_error& e) {
        std::fprintf(stderr, "rtnl-topo: %s\n", e.what());
        return 2;
    }
    if (cmd == "show") {
        dot ? show_dot(t) : show_text(t);
        return 0;
    }
    if (cmd == "run") {
        if (auto why = tools::enter_sandbox(); !why.empty()) {
            std::fprintf(stderr, "rtnl-topo: %s\n", why.c_str());
            return 1;
        }
        try {
            rtnl::socket nl;
            link::set(nl, "lo", {.up = true});
        } catch (const std::exception& e) {
            std::fprintf(stderr, "rtnl-topo: %s\n", e.what());
            return 1;
        }
    }
    try {
        if (cmd == "down") return down(t) ? 1 : 0;
        if (cmd == "check") return check(t);
        try {
            up(t);
        } catch (...) {
            down(t, true);  // nothing half-made
            throw;
        }
        if (cmd == "up") return 0;
        const int rc = check(t);
        return down(t) ? 1 : rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rtnl-topo: %s\n", e.what());
        return 1;
    }
}
