// Addresses, routes and namespace ids against the real kernel.
#include <gtest/gtest.h>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/netlink.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::error_text;

using AddrRoute = KernelTest;

TEST_F(AddrRoute, Ipv4AndIpv6Addresses) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "v0", .up = true, .peer = {.name = "v1"}});
    addr::add(nl, "v0", "10.0.1.1/24");
    addr::add(nl, {.index = link::index(nl, "v0"), .prefix = *ip_prefix::parse("2001:db8::1/64"),
                   .flags = IFA_F_NODAD});
    addr::add(nl, {.index = link::index(nl, "v0"), .prefix = *ip_prefix::parse("10.0.2.1/24"),
                   .broadcast = ip_address::parse("10.0.2.255"), .label = "v0:lbl"});
    const int v0 = link::index(nl, "v0");
    auto v4 = addr::list(nl, AF_INET, v0);
    ASSERT_EQ(v4.size(), 2u);
    EXPECT_EQ(v4[0].prefix.to_string(), "10.0.1.1/24");
    EXPECT_EQ(v4[0].scope, RT_SCOPE_UNIVERSE);
    EXPECT_EQ(v4[1].broadcast, ip_address::parse("10.0.2.255"));
    EXPECT_EQ(v4[1].label, "v0:lbl");
    auto v6 = addr::list(nl, AF_INET6, v0);
    bool found = false;
    for (auto& a : v6)
        if (a.prefix.to_string() == "2001:db8::1/64") {
            found = true;
            EXPECT_TRUE(a.flags & IFA_F_NODAD);
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(error_text([&] { addr::add(nl, "v0", "10.0.1.1/24"); }), "Error: ipv4: Address already assigned.");
    EXPECT_EQ(error_text([&] { addr::add(nl, "v0", "2001:db8::1/64"); }), "Error: ipv6: address already assigned.");
    EXPECT_EQ(error_text([&] { addr::del(nl, "v0", "10.9.9.9/24"); }), "Error: ipv4: Address not found.");
    EXPECT_EQ(error_text([&] { addr::add(nl, "nope", "10.0.0.1/8"); }), "Cannot find device \"nope\"");
    EXPECT_EQ(error_text([&] { addr::add(nl, "v0", "10.0.0.300/8"); }),
              "Error: inet prefix is expected rather than \"10.0.0.300/8\".");
    addr::del(nl, "v0", "10.0.1.1/24");
    EXPECT_EQ(addr::list(nl, AF_INET, v0).size(), 1u);
}

TEST_F(AddrRoute, FlushRemovesEveryAddressOfOneLinkOnly) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "f0", .up = true, .peer = {.name = "f1"}});
    const int f0 = link::index(nl, "f0");
    const int f1 = link::index(nl, "f1");
    wire::buffer b;
    wire::writer w(b);
    for (int i = 1; i <= 100; ++i)
        ASSERT_FALSE(addr::add(w, {.index = f0, .prefix = *ip_prefix::parse("10.1.0." + std::to_string(i) + "/16")}));
    ASSERT_FALSE(addr::add(w, {.index = f1, .prefix = *ip_prefix::parse("10.2.0.1/16")}));
    for (auto& s : nl.batch(b)) ASSERT_TRUE(s.ok()) << s.describe();
    EXPECT_EQ(addr::list(nl, AF_INET, f0).size(), 100u);
    EXPECT_EQ(addr::flush(nl, "f0", AF_INET), 100u);
    EXPECT_TRUE(addr::list(nl, AF_INET, f0).empty());
    EXPECT_EQ(addr::list(nl, AF_INET, f1).size(), 1u) << "the other link is untouched";
}

TEST_F(AddrRoute, DefaultAndPrefixRoutes) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "r0", .up = true, .peer = {.name = "r1"}});
    addr::add(nl, "r0", "10.0.1.1/24");
    const int r0 = link::index(nl, "r0");
    route::add(nl, {.gateway = ip_address::parse("10.0.1.254")});
    route::add(nl, {.dst = ip_prefix::parse("10.8.0.0/16"), .oif = r0});
    route::add(nl, {.dst = ip_prefix::parse("10.9.0.0/16"), .gateway = ip_address::parse("10.0.1.2"), .metric = 50});
    auto routes = route::list(nl, AF_INET);
    auto find = [&](auto pred) { return std::find_if(routes.begin(), routes.end(), pred); };
    auto def = find([](const route_info& r) { return !r.dst; });
    ASSERT_NE(def, routes.end());
    EXPECT_EQ(def->gateway, ip_address::parse("10.0.1.254"));
    EXPECT_EQ(def->oif, r0);
    EXPECT_EQ(def->protocol, RTPROT_BOOT);
    auto dev_only = find([](const route_info& r) { return r.dst && r.dst->to_string() == "10.8.0.0/16"; });
    ASSERT_NE(dev_only, routes.end());
    EXPECT_EQ(dev_only->scope, RT_SCOPE_LINK);
    auto metric = find([](const route_info& r) { return r.dst && r.dst->to_string() == "10.9.0.0/16"; });
    ASSERT_NE(metric, routes.end());
    EXPECT_EQ(metric->metric, 50u);
    auto kernel_route = find([](const route_info& r) { return r.protocol == RTPROT_KERNEL; });
    EXPECT_NE(kernel_route, routes.end()) << "the connected route of 10.0.1.0/24";
    for (auto& r : routes) EXPECT_EQ(r.table, static_cast<std::uint32_t>(RT_TABLE_MAIN)) << "main table only";

    EXPECT_EQ(error_text([&] { route::add(nl, {.gateway = ip_address::parse("10.0.1.254")}); }),
              "RTNETLINK answers: File exists");
    EXPECT_EQ(error_text([&] { route::add(nl, {.dst = ip_prefix::parse("10.7.0.0/16"),
                                               .gateway = ip_address::parse("10.99.0.1")}); }),
              "Error: Nexthop has invalid gateway.");
    route::del(nl, {.gateway = ip_address::parse("10.0.1.254")});
    routes = route::list(nl, AF_INET);
    EXPECT_EQ(find([](const route_info& r) { return !r.dst; }), routes.end());
}

TEST_F(AddrRoute, Ipv6DefaultRoute) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "s0", .up = true, .peer = {.name = "s1"}});
    addr::add(nl, {.index = link::index(nl, "s0"), .prefix = *ip_prefix::parse("2001:db8::1/64"), .flags = IFA_F_NODAD});
    route::add(nl, {.gateway = ip_address::parse("2001:db8::fe")});
    auto routes = route::list(nl, AF_INET6);
    auto def = std::find_if(routes.begin(), routes.end(), [](const route_info& r) { return !r.dst; });
    ASSERT_NE(def, routes.end());
    EXPECT_EQ(def->gateway, ip_address::parse("2001:db8::fe"));
}

TEST_F(AddrRoute, NamespaceIdsAssignedAndRead) {
    rtnl::socket nl;
    unique_fd a = netns::create("a");
    unique_fd b = netns::create("b");
    EXPECT_EQ(nsid::get(nl, a), nsid_not_assigned);
    nsid::set(nl, a, 5);
    EXPECT_EQ(nsid::get(nl, a), 5);
    nsid::set(nl, b, -1);  // auto
    const auto bid = nsid::get(nl, b);
    EXPECT_GE(bid, 0);
    auto ids = nsid::list(nl);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::int32_t>{std::min(5, bid), std::max(5, bid)}));
    EXPECT_EQ(error_text([&] { nsid::set(nl, a, 6); }), "Error: Peer netns already has a nsid assigned.");
    // a veth whose peer lives in `a` reports that id as its link-netnsid
    link::add(nl, veth{.name = "to-a", .peer = {.name = "eth0", .netns = a}});
    EXPECT_EQ(link::get(nl, "to-a").link_netnsid, 5);
}

}  // namespace
