// End to end with packets: a container (namespace c0, 10.0.1.1) on bridge br0
// pings a host in an "outside" namespace (198.51.100.2) through the bridge gateway
// (10.0.1.254) and rtnl's egress masquerade out of up0 (198.51.100.1). Forwarding
// is on for br0 and up0 only; net.ipv4.ip_forward stays 0. The outside has no
// route back to 10.0.1.0/24, so a reply proves the NAT; conntrack (from
// /proc/net/nf_conntrack) shows the SNAT tuple. Then Docker's iptables-nft
// `FORWARD DROP` breaks it, and rtnl says why in words.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rtnl/nft.hpp"
#include "rtnl/rtnl.hpp"
#include "rtnl/sysctl.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/common/ping.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::sh;

ip_prefix prefix(std::string_view s) { return *ip_prefix::parse(s); }
ip_address addr(std::string_view s) { return *ip_address::parse(s); }

std::string conntrack_table() {
    std::ifstream in("/proc/net/nf_conntrack");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class EgressE2E : public KernelTest {
protected:
    void SetUp() override {
        KernelTest::SetUp();
        if (IsSkipped()) return;
        // Opened only now, inside the sandbox: a fixture member would be opened
        // before SetUp, in the namespace the test binary started in.
        sock.emplace();
        auto& nl = *sock;
        std::vector<unique_fd> fds;
        if (auto f = netns::default_registry().create_many(std::vector<std::string>{"c0", "outside"}, fds)) FAIL() << f.what;
        container = std::move(fds[0]);
        outside = std::move(fds[1]);
        auto c0 = rtnl::socket::in_namespace(container.get());
        auto out = rtnl::socket::in_namespace(outside.get());
        link::set(c0, "lo", {.up = true});
        link::set(out, "lo", {.up = true});

        link::add(nl, bridge{.name = "br0"});
        addr::add(nl, {.index = link::index(nl, "br0"), .prefix = prefix("10.0.1.254/24")});
        link::set(nl, "br0", {.up = true});
        link::add(nl, veth{.name = "veth0", .peer = {.name = "eth0", .netns = container}});
        link::set(nl, "veth0", {.up = true, .master = link::index(nl, "br0")});
        addr::add(c0, {.index = link::index(c0, "eth0"), .prefix = prefix("10.0.1.1/24")});
        link::set(c0, "eth0", {.up = true});
        route::add(c0, {.dst = std::nullopt, .gateway = addr("10.0.1.254")});

        link::add(nl, veth{.name = "up0", .peer = {.name = "eth0", .netns = outside}});
        addr::add(nl, {.index = link::index(nl, "up0"), .prefix = prefix("198.51.100.1/24")});
        link::set(nl, "up0", {.up = true});
        addr::add(out, {.index = link::index(out, "eth0"), .prefix = prefix("198.51.100.2/24")});
        link::set(out, "eth0", {.up = true});

        // The gateway forwards on the bridge and the uplink only.
        link::set(nl, "br0", {.ipv4_forwarding = true});
        link::set(nl, "up0", {.ipv4_forwarding = true});
    }

    std::optional<rtnl::socket> sock;
    unique_fd container, outside;
    nft::egress::config cfg{.table = "rtnl", .set = "net0", .bridge = "br0", .subnet = prefix("10.0.1.0/24")};
};

TEST_F(EgressE2E, PingThroughMasqueradeAndConntrackShowsTheSnatTuple) {
    EXPECT_FALSE(sysctl::ipv4_forward()) << "per-link forwarding must not need the global switch";
    EXPECT_TRUE(tools::ping(container.get(), addr("10.0.1.254"))) << "the gateway itself";
    EXPECT_FALSE(tools::ping(container.get(), addr("198.51.100.2"), 1)) << "without NAT the outside cannot answer"
;

    nft::socket nf;
    nft::egress::ensure(nf, cfg);
    nft::egress::add_source(nf, cfg, addr("10.0.1.1"));
    ASSERT_TRUE(tools::ping(container.get(), addr("198.51.100.2"))) << "ping through the gateway and masquerade";

    // original 10.0.1.1 -> 198.51.100.2, reply 198.51.100.2 -> 198.51.100.1: the outside saw the gateway
    const std::string ct = conntrack_table();
    const auto line_start = ct.find("src=10.0.1.1 dst=198.51.100.2");
    ASSERT_NE(line_start, std::string::npos) << ct;
    const auto line = ct.substr(line_start, ct.find('\n', line_start) - line_start);
    EXPECT_NE(line.find("src=198.51.100.2 dst=198.51.100.1"), std::string::npos) << line;
    EXPECT_EQ(ct.find("dst=10.0.1.1"), std::string::npos) << "no reply tuple addressed to the container: SNAT\n" << ct;

    nft::egress::teardown(nf, cfg);
    EXPECT_TRUE(nf.list().tables.empty());
}

TEST_F(EgressE2E, ForeignForwardDropIsDetectedAndExplained) {
    auto have = sh("command -v iptables-nft");
    ASSERT_EQ(have.status, 0) << "iptables-nft (Debian package iptables) is not installed; run.sh installs it";
    nft::socket nf;
    nft::egress::ensure(nf, cfg);
    nft::egress::add_source(nf, cfg, addr("10.0.1.1"));
    EXPECT_TRUE(nft::foreign_forward_drops(nf.list(), nft::egress::tag).empty()) << "our own table is not foreign";

    // What Docker does when it enables forwarding: iptables-nft FORWARD policy DROP.
    auto r = sh("iptables-nft -P FORWARD DROP");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(tools::ping(container.get(), addr("198.51.100.2"), 1)) << "the foreign drop eats our traffic";

    auto drops = nft::foreign_forward_drops(nf.list(), nft::egress::tag);
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_TRUE(drops[0].iptables);
    EXPECT_TRUE(drops[0].policy_drop);
    const std::string why = drops[0].explain(cfg.subnet);
    EXPECT_EQ(why,
              "table ip filter, chain FORWARD (iptables-nft): policy drop on the forward hook (priority 0). nf_tables "
              "runs every table's forward chain, so an accept in rtnl's table does not stop this one from dropping "
              "forwarded traffic. Let it through there, e.g. iptables -I FORWARD -s 10.0.1.0/24 -j ACCEPT; "
              "iptables -I FORWARD -d 10.0.1.0/24 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT.");

    // Doing what it says lets the traffic through again (rtnl itself never edits that table).
    r = sh("iptables-nft -I FORWARD -s 10.0.1.0/24 -j ACCEPT && "
           "iptables-nft -I FORWARD -d 10.0.1.0/24 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(tools::ping(container.get(), addr("198.51.100.2")));
    EXPECT_EQ(nft::foreign_forward_drops(nf.list(), nft::egress::tag)[0].rules, 2u);
}

TEST_F(EgressE2E, ForeignNftDropRuleIsDetectedToo) {
    nft::socket nf;
    nft::batch b;  // someone's inet firewall that ends its forward chain with a drop
    b.add_table({.fam = nft::family::inet, .name = "fw"});
    b.add_chain({nft::family::inet, "fw", "forward", nft::base_hook{"filter", nft::hook::forward, 0, nft::verdict_code::accept}});
    b.add_rule({nft::family::inet, "fw", "forward", {nft::counter{}, nft::match::drop()}, {}});
    nf.apply(b);
    auto drops = nft::foreign_forward_drops(nf.list(), nft::egress::tag);
    ASSERT_EQ(drops.size(), 1u);
    EXPECT_FALSE(drops[0].policy_drop);
    EXPECT_EQ(drops[0].rules, 0u);
    EXPECT_NE(drops[0].explain(cfg.subnet).find("table inet fw, chain forward: an unconditional drop rule"), std::string::npos);
    EXPECT_NE(drops[0].explain(cfg.subnet).find("nft insert rule inet fw forward ip saddr 10.0.1.0/24 accept"), std::string::npos);
}

}  // namespace
