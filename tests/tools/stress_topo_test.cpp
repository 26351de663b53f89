// rtnl-stress and rtnl-topo, run as programs inside the test's sandbox (which is
// their "host": --host makes rtnl-stress work there, so the test can check from
// outside that nothing is left).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "rtnl/ops.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::run;

const std::string stress_bin = RTNL_STRESS_BIN;
const std::string topo_bin = RTNL_TOPO_BIN;
const std::string examples = RTNL_TOPO_EXAMPLES;

std::size_t nsfs_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.find(" /run/netns/") != std::string::npos && line.find("nsfs") != std::string::npos) ++n;
    return n;
}

/// Nothing but lo, no named namespace, no namespace mount, no namespace id.
void expect_clean() {
    rtnl::socket nl;
    auto links = link::list(nl);
    ASSERT_EQ(links.size(), 1u) << "first leftover: " << (links.size() > 1 ? links[1].name : "");
    EXPECT_TRUE(netns::list().empty());
    EXPECT_EQ(nsfs_mounts(), 0u);
}

using Stress = KernelTest;

TEST_F(Stress, TwentyNamespacesUpVerifiedDownNothingLeft) {
    auto r = run({stress_bin, "--host", "--namespaces", "20", "--verify", "5", "--bridge-ports", "8", "--ipv6", "--json",
                  "/run/stress.json"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(std::ifstream("/run/stress.json"));
    EXPECT_EQ(j.at("namespaces"), 20);
    EXPECT_EQ(j.at("bridges"), 3) << "20 namespaces at 8 ports per bridge";
    EXPECT_EQ(j.at("verified"), 5);
    EXPECT_EQ(j.at("verify_failed"), 0);
    for (const char* key : {"up_seconds", "down_seconds", "p50_us", "p99_us", "peak_rss_kb"})
        EXPECT_GT(j.at(key).get<double>(), 0) << key;
    EXPECT_NE(r.out.find("namespaces      20"), std::string::npos) << r.out;
    expect_clean();
}

TEST_F(Stress, RunsInItsOwnSandboxByDefault) {
    auto r = run({stress_bin, "--namespaces", "10", "--verify", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    expect_clean();  // it never touched this namespace at all
}

TEST_F(Stress, InterruptMidRunTearsDownWhatWasMade) {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(stress_bin.c_str(), stress_bin.c_str(), "--host", "--namespaces", "20000", "--chunk", "16",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // wait until it is well under way
    for (int i = 0; i < 2000 && netns::list().size() < 64; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_GE(netns::list().size(), 64u) << "rtnl-stress did not get going";
    ::kill(pid, SIGINT);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 130);
    expect_clean();
}

TEST_F(Stress, BadArgumentsGetAClearMessageAndExit2) {
    struct bad {
        std::vector<std::string> args;
        std::string says;
    };
    for (const auto& b : std::vector<bad>{{{}, "--namespaces is required"},
                                          {{"--namespaces", "0"}, "--namespaces needs a number"},
                                          {{"--namespaces", "ten"}, "--namespaces needs a number"},
                                          {{"--namespaces", "5", "--bridge-ports", "2000"}, "at most 1023 ports"},
                                          {{"--namespaces", "5", "--frobnicate"}, "unknown argument '--frobnicate'"},
                                          {{"--namespaces", "10", "--subnet", "10.0.0.0/30"}, "has room for 2 addresses"},
                                          {{"--namespaces", "5", "--subnet", "2001:db8::/64"}, "IPv4 prefix"},
                                          {{"--namespaces"}, "--namespaces needs a number"}}) {
        std::vector<std::string> argv{stress_bin};
        argv.insert(argv.end(), b.args.begin(), b.args.end());
        auto r = run(argv);
        EXPECT_EQ(r.status, 2) << b.says;
        EXPECT_NE(r.err.find(b.says), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("Usage: rtnl-stress"), std::string::npos);
    }
    expect_clean();
}

using Topo = KernelTest;

class TopoExample : public KernelTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(TopoExample, UpCheckDown) {
    const std::string file = examples + "/" + GetParam();
    auto r = run({topo_bin, "up", file});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(netns::list().empty());
    r = run({topo_bin, "check", file});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out;
    r = run({topo_bin, "down", file});
    EXPECT_EQ(r.status, 0) << r.err;
    expect_clean();
}

INSTANTIATE_TEST_SUITE_P(Examples, TopoExample,
                         ::testing::Values("tutorial-veth.yaml", "tutorial-bridge.yaml", "star-100.json",
                                           "tutorial-egress.yaml"));

// The tutorial's last step: the container reaches "outside" through the bridge
// gateway and masquerade; conntrack shows the outside answering the gateway.
TEST_F(Topo, EgressMasqueradesAndTheOutsideSeesTheGateway) {
    const std::string file = examples + "/tutorial-egress.yaml";
    auto r = run({topo_bin, "up", file});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");  // no foreign firewall here: no warning
    EXPECT_EQ(run({"cat", "/proc/sys/net/ipv4/ip_forward"}).out, "0\n");
    EXPECT_EQ(run({"cat", "/proc/sys/net/ipv4/conf/br0/forwarding"}).out, "1\n");
    r = run({topo_bin, "check", file});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    r = run({"cat", "/proc/net/nf_conntrack"});
    EXPECT_NE(r.out.find("src=10.0.1.1 dst=198.51.100.2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src=198.51.100.2 dst=198.51.100.1"), std::string::npos) << r.out;
    r = run({"nft", "list", "table", "ip", "rtnl_topo"});
    EXPECT_NE(r.out.find("ip saddr 10.0.1.0/24 oifname \"up0\" masquerade"), std::string::npos) << r.out << r.err;
    r = run({topo_bin, "down", file});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(run({"nft", "list", "ruleset"}).out, "");
    expect_clean();
}

TEST_F(Topo, ForeignForwardDropIsReportedInWords) {
    ASSERT_EQ(run({"sh", "-c", "command -v iptables-nft"}).status, 0)
        << "iptables-nft (Debian package iptables) is not installed; run.sh installs it";
    ASSERT_EQ(run({"iptables-nft", "-P", "FORWARD", "DROP"}).status, 0);
    const std::string file = examples + "/tutorial-egress.yaml";
    auto r = run({topo_bin, "up", file});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string warning =
        "rtnl-topo: warning: host: table ip filter, chain FORWARD (iptables-nft): policy drop on the forward hook";
    EXPECT_NE(r.err.find(warning), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("iptables -I FORWARD -s 10.0.1.0/24 -j ACCEPT"), std::string::npos) << r.err;
    r = run({topo_bin, "check", file});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("ns0 -> 198.51.100.2: FAILED"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find(warning), std::string::npos) << "a failed check says why: " << r.err;
    EXPECT_EQ(run({topo_bin, "down", file}).status, 0);
}

TEST_F(Topo, EgressErrorsNameTheField) {
    std::ofstream("/run/egress-bad.yaml") << "bridges:\n  - {name: br0}\negress:\n  - {masquerade: 10.0.1.0/24, out: up9}\n";
    auto r = run({topo_bin, "up", "/run/egress-bad.yaml"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "rtnl-topo: /run/egress-bad.yaml:4: egress[0].out: no link \"up9\" declared in the host\n");
    std::ofstream("/run/gw-bad.yaml") << "bridges:\n  - {name: br0}\ngateways:\n  - {forward: [br1]}\n";
    r = run({topo_bin, "up", "/run/gw-bad.yaml"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "rtnl-topo: /run/gw-bad.yaml:4: gateways[0].forward[0]: no link \"br1\" declared in the host\n");
    expect_clean();
}

TEST_F(Topo, WhatUpMakesIsWhatIpSees) {
    ASSERT_EQ(run({topo_bin, "up", examples + "/tutorial-bridge.yaml"}).status, 0);
    auto r = run({"ip", "-n", "ns0", "-o", "-4", "addr", "show", "dev", "eth0"});
    EXPECT_NE(r.out.find("inet 10.0.1.1/24"), std::string::npos) << r.out;
    r = run({"bridge", "link"});
    EXPECT_NE(r.out.find("veth0"), std::string::npos);
    EXPECT_NE(r.out.find("master br0"), std::string::npos) << r.out;
}

TEST_F(Topo, ErrorsNameTheLineAndTheField) {
    std::ofstream("/run/bad.yaml") << "namespaces: [a]\nveths:\n  - name: v0\n    peer: {name: v1, namespace: b}\n";
    auto r = run({topo_bin, "up", "/run/bad.yaml"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "rtnl-topo: /run/bad.yaml:4: veths[0].peer.namespace: unknown namespace \"b\"\n");
    std::ofstream("/run/bad2.yaml") << "namespaces: [a]\nveths:\n  - name: v0\n    mtu: huge\n    peer: {name: v1}\n";
    r = run({topo_bin, "up", "/run/bad2.yaml"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "rtnl-topo: /run/bad2.yaml:4: veths[0].mtu: expected a number ≥ 68\n");
    expect_clean();
}

TEST_F(Topo, AFailedUpLeavesNothingHalfMade) {
    // a route via an unreachable gateway fails after namespaces and links exist
    std::ofstream("/run/half.yaml") << "namespaces: [a, b]\n"
                                       "veths:\n  - {name: v0, namespace: a, addresses: [10.0.0.1/24], peer: {name: v1, namespace: b}}\n"
                                       "routes:\n  - {namespace: a, to: 10.9.0.0/16, via: 10.99.0.1}\n";
    auto r = run({topo_bin, "up", "/run/half.yaml"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Error: Nexthop has invalid gateway."), std::string::npos) << r.err;
    expect_clean();
}

TEST_F(Topo, ShowPrintsTextAndDot) {
    auto r = run({topo_bin, "show", examples + "/tutorial-veth.yaml"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("veth0 (ns0) 10.0.1.1/24 <-> veth1 (ns1) 10.0.1.2/24"), std::string::npos) << r.out;
    r = run({topo_bin, "show", "--dot", examples + "/tutorial-veth.yaml"});
    EXPECT_EQ(r.out.rfind("graph topology {", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\"ns0/veth0\" -- \"ns1/veth1\""), std::string::npos) << r.out;
    r = run({topo_bin, "show", "/run/missing.yaml"});
    EXPECT_EQ(r.status, 2);
    r = run({topo_bin, "frob", examples + "/tutorial-veth.yaml"});
    EXPECT_EQ(r.status, 2);
}

}  // namespace
