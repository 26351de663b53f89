// Interop with the real iproute2: what rtnl creates, `ip -j` reports identically;
// what `ip` creates, rtnl decodes; and the bytes rtnl sends are the bytes `ip`
// sends for the same command (captured live with strace).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/bytes.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::run;
using rtnl::test::to_hex;
using json = nlohmann::json;

json ip_json(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip", "-j", "-d"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out.empty() ? "[]" : r.out);
}

/// Compares one decoded link with the object `ip -j -d link show` prints for it.
void expect_same(const link_info& l, const json& j, const std::map<int, std::string>& names) {
    SCOPED_TRACE(l.name);
    EXPECT_EQ(j.at("ifindex").get<int>(), l.index);
    EXPECT_EQ(j.at("ifname").get<std::string>(), l.name);
    EXPECT_EQ(j.at("mtu").get<std::uint32_t>(), l.mtu);
    EXPECT_EQ(j.at("operstate").get<std::string>(), operstate_name(l.operstate));
    EXPECT_EQ(j.at("txqlen").get<std::uint32_t>(), l.txqlen);
    EXPECT_EQ(j.at("group").get<std::string>(), l.group == 0 ? std::string("default") : std::to_string(l.group));
    if (l.address) {
        EXPECT_EQ(j.at("address").get<std::string>(), l.address->to_string());
    }
    if (l.master) {
        EXPECT_EQ(j.at("master").get<std::string>(), names.at(*l.master));
    } else {
        EXPECT_FALSE(j.contains("master"));
    }
    if (!l.kind.empty()) {
        EXPECT_EQ(j.at("linkinfo").at("info_kind").get<std::string>(), l.kind);
    }
    if (l.link_netnsid) {
        EXPECT_EQ(j.at("link_netnsid").get<int>(), *l.link_netnsid);
        EXPECT_EQ(j.at("link_index").get<int>(), *l.link);
    } else if (l.link && names.count(*l.link)) {
        EXPECT_EQ(j.at("link").get<std::string>(), names.at(*l.link));
    }
    bool up = false;
    for (auto& f : j.at("flags"))
        if (f == "UP") up = true;
    EXPECT_EQ(up, l.is_up());
}

using Interop = KernelTest;

TEST_F(Interop, WhatRtnlCreatesIpReportsIdentically) {
    rtnl::socket nl;
    unique_fd ns = netns::create("far");
    nsid::set(nl, ns, 7);
    link::add(nl, bridge{.name = "br0", .up = true});
    const int br = link::index(nl, "br0");
    link::add(nl, veth{.name = "v-a", .mtu = 1400, .group = 4, .master = br, .up = true,
                       .peer = {.name = "v-b", .address = mac_address::parse("02:00:00:00:00:0b")}});
    link::add(nl, veth{.name = "v-far", .txqlen = 250, .peer = {.name = "eth0", .netns = ns}});
    auto links = link::list(nl);
    std::map<int, std::string> names;
    for (auto& l : links) names[l.index] = l.name;
    auto j = ip_json({"link", "show"});
    ASSERT_EQ(j.size(), links.size());
    for (auto& l : links) {
        auto it = std::find_if(j.begin(), j.end(), [&](const json& o) { return o.at("ifindex") == l.index; });
        ASSERT_NE(it, j.end()) << l.name;
        expect_same(l, *it, names);
    }
    // addresses too
    addr::add(nl, "v-a", "10.0.1.1/24");
    addr::add(nl, {.index = link::index(nl, "v-a"), .prefix = *ip_prefix::parse("2001:db8::1/64"), .flags = IFA_F_NODAD});
    auto ja = ip_json({"addr", "show", "dev", "v-a"});
    ASSERT_EQ(ja.size(), 1u);
    std::set<std::string> ip_addrs, ours;
    for (auto& a : ja[0].at("addr_info"))
        ip_addrs.insert(a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>()) + " " +
                        a.at("scope").get<std::string>());
    for (auto& a : addr::list(nl, AF_UNSPEC, link::index(nl, "v-a")))
        ours.insert(a.prefix.to_string() + " " + scope_name(a.scope));
    EXPECT_EQ(ip_addrs, ours);
}

TEST_F(Interop, WhatIpCreatesRtnlDecodes) {
    auto sh = [](const std::string& c) {
        auto r = rtnl::test::sh(c);
        ASSERT_EQ(r.status, 0) << c << ": " << r.err;
    };
    sh("ip netns add other && ip netns set other 3");
    sh("ip link add br9 type bridge && ip link set br9 up");
    sh("ip link add x0 mtu 9000 type veth peer name x1 && ip link set x0 master br9 group 12 up");
    sh("ip link add y0 type veth peer name eth0 netns other");
    sh("ip addr add 192.0.2.1/24 brd + dev x0 && ip -6 addr add 2001:db8::5/64 dev x0 nodad");
    sh("ip route add 198.51.100.0/24 via 192.0.2.254 metric 7");
    rtnl::socket nl;
    auto x0 = link::get(nl, "x0");
    EXPECT_EQ(x0.kind, "veth");
    EXPECT_EQ(x0.mtu, 9000u);
    EXPECT_EQ(x0.group, 12u);
    EXPECT_EQ(x0.master, link::index(nl, "br9"));
    EXPECT_TRUE(x0.is_up());
    EXPECT_EQ(x0.link, link::index(nl, "x1"));
    auto y0 = link::get(nl, "y0");
    EXPECT_EQ(y0.link_netnsid, 3);
    auto addrs = addr::list(nl, AF_INET, x0.index);
    ASSERT_EQ(addrs.size(), 1u);
    EXPECT_EQ(addrs[0].prefix.to_string(), "192.0.2.1/24");
    EXPECT_EQ(addrs[0].broadcast, ip_address::parse("192.0.2.255"));
    auto routes = route::list(nl, AF_INET);
    auto r = std::find_if(routes.begin(), routes.end(),
                          [](auto& x) { return x.dst && x.dst->to_string() == "198.51.100.0/24"; });
    ASSERT_NE(r, routes.end());
    EXPECT_EQ(r->gateway, ip_address::parse("192.0.2.254"));
    EXPECT_EQ(r->metric, 7u);
    auto names = netns::list();
    EXPECT_EQ(names, std::vector<std::string>{"other"});
    unique_fd other = netns::open("other");
    EXPECT_EQ(nsid::get(nl, other), 3);
}

// ---- live byte capture -------------------------------------------------------------

/// Every sendmsg payload `ip ARGS` sent, from strace's hex dump.
std::vector<std::vector<std::byte>> ip_sends(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"strace", "-f", "-xx", "-e", "trace=sendmsg", "-e", "write=all", "-o", "/run/strace.out", "ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    std::ifstream in("/run/strace.out");
    std::vector<std::vector<std::byte>> out;
    std::string line;
    while (std::getline(in, line)) {
        auto bar = line.find(" | ");
        if (bar == std::string::npos || line.find("sendmsg(") != std::string::npos) {
            if (line.find("sendmsg(") != std::string::npos) out.emplace_back();
            continue;
        }
        // " | 00000  5c 00 00 00 ...  ascii |"
        std::string hex = line.substr(bar + 3 + 7, 16 * 3 + 1);
        auto bytes = rtnl::test::from_hex(hex);
        if (!out.empty()) out.back().insert(out.back().end(), bytes.begin(), bytes.end());
    }
    return out;
}

/// The one message ip sent with this type and NLM_F_ACK (skipping name lookups).
std::vector<std::byte> ip_request(const std::vector<std::string>& args, std::uint16_t type) {
    for (auto& m : ip_sends(args)) {
        wire::message_view v(m);
        if (v && v.type() == type && (v.flags() & NLM_F_ACK)) return m;
    }
    ADD_FAILURE() << "ip sent no such message";
    return {};
}

template <class Encode>
std::string ours(const std::vector<std::byte>& theirs, Encode&& enc) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_FALSE(enc(w));
    if (b.size() >= 16 && theirs.size() >= 16) wire::set_seq(b.data(), wire::message_view(theirs).seq());
    return to_hex(b.bytes());
}

TEST_F(Interop, BytesAreTheBytesIpSends) {
    RTNL_REQUIRE_PROGRAM("strace", "-V");
    rtnl::socket nl;
    netns::create("ns1");

    auto m = ip_request({"link", "add", "vethfoo", "type", "veth", "peer", "name", "vethbar"}, RTM_NEWLINK);
    EXPECT_EQ(to_hex(m), ours(m, [](auto& w) { return link::add(w, veth{.name = "vethfoo", .peer = {.name = "vethbar"}}); }));

    m = ip_request({"link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", "ns1"}, RTM_NEWLINK);
    {
        // ip's descriptor number for ns1 is whatever it was in that process
        auto peer = link_view(wire::message_view(m)).info_data().find(veth_info::peer).nested_after<ifinfomsg>();
        const int fd = static_cast<int>(peer.get(ifla::net_ns_fd).value_or(0));
        EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) {
                      return link::add(w, veth{.name = "veth0", .peer = {.name = "eth0", .netns = netns_ref::from_fd(fd)}});
                  }));
    }

    const int foo = link::index(nl, "vethfoo");
    m = ip_request({"link", "set", "vethfoo", "netns", "ns1"}, RTM_NEWLINK);
    {
        const int fd = static_cast<int>(link_view(wire::message_view(m)).get(ifla::net_ns_fd).value_or(0));
        EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::set(w, foo, {.netns = netns_ref::from_fd(fd)}); }));
    }

    const int bar = link::index(nl, "vethbar");
    m = ip_request({"link", "set", "vethbar", "name", "eth9"}, RTM_NEWLINK);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::set(w, bar, {.name = "eth9"}); }));

    m = ip_request({"link", "set", "eth9", "up"}, RTM_NEWLINK);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::set(w, bar, {.up = true}); }));

    link::add(nl, bridge{.name = "br0"});
    const int br = link::index(nl, "br0");
    m = ip_request({"link", "set", "eth9", "master", "br0"}, RTM_NEWLINK);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::set(w, bar, {.master = br}); }));

    m = ip_request({"addr", "add", "10.0.1.1/24", "dev", "eth9"}, RTM_NEWADDR);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return addr::add(w, {.index = bar, .prefix = *ip_prefix::parse("10.0.1.1/24")}); }));

    m = ip_request({"-6", "addr", "add", "2001:db8::1/64", "dev", "eth9"}, RTM_NEWADDR);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return addr::add(w, {.index = bar, .prefix = *ip_prefix::parse("2001:db8::1/64")}); }));

    m = ip_request({"route", "add", "default", "via", "10.0.1.254"}, RTM_NEWROUTE);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return route::add(w, {.gateway = ip_address::parse("10.0.1.254")}); }));

    m = ip_request({"link", "add", "br1", "type", "bridge"}, RTM_NEWLINK);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::add(w, bridge{.name = "br1"}); }));

    m = ip_request({"link", "del", "eth9"}, RTM_DELLINK);
    EXPECT_EQ(to_hex(m), ours(m, [&](auto& w) { return link::del(w, bar); }));
}

}  // namespace
