// -j output: on the same objects, rtnl-ip and rtnl-bridge print the JSON
// iproute2 prints — the same keys in the same order at every level, the same
// value types and values (bridge timers excepted: they tick between the runs).
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;
using ojson = nlohmann::ordered_json;

const std::set<std::string> ticking = {"hello_timer", "tcn_timer", "topology_change_timer", "gc_timer",
                                       "hold_timer", "message_age_timer", "forward_delay_timer"};

void expect_same_shape(const ojson& ours, const ojson& theirs, const std::string& path) {
    ASSERT_EQ(ours.type_name(), std::string(theirs.type_name())) << path;
    if (theirs.is_object()) {
        std::vector<std::string> a, b;
        for (auto& [k, v] : ours.items()) a.push_back(k);
        for (auto& [k, v] : theirs.items()) b.push_back(k);
        ASSERT_EQ(a, b) << "keys at " << path;
        for (auto& [k, v] : theirs.items())
            if (!ticking.count(k)) expect_same_shape(ours.at(k), v, path + "." + k);
    } else if (theirs.is_array()) {
        ASSERT_EQ(ours.size(), theirs.size()) << path;
        for (std::size_t i = 0; i < theirs.size(); ++i)
            expect_same_shape(ours[i], theirs[i], path + "[" + std::to_string(i) + "]");
    } else {
        EXPECT_EQ(ours, theirs) << path;
    }
}

void compare(std::vector<std::string> args, const std::string& ours_tool, const std::string& their_tool) {
    SCOPED_TRACE(their_tool + " " + ::testing::PrintToString(args));
    std::vector<std::string> a{ours_tool}, b{their_tool};
    a.insert(a.end(), args.begin(), args.end());
    b.insert(b.end(), args.begin(), args.end());
    run_result theirs, ours;
    // the kernel may still be finishing a carrier change (linkwatch): a differing
    // pair is retried on a fresh state before it counts
    for (int attempt = 0; attempt < 5; ++attempt) {
        theirs = run(b);
        ours = run(a);
        if (ours.out == theirs.out || (ours.out.find("_timer") != std::string::npos)) break;
        ::usleep(200 * 1000);
    }
    ASSERT_EQ(ours.status, theirs.status) << ours.err;
    ASSERT_EQ(ours.err, theirs.err);
    auto tj = ojson::parse(theirs.out);
    auto oj = ojson::parse(ours.out);
    expect_same_shape(oj, tj, "$");
}

void ip_like(std::vector<std::string> args) { compare(std::move(args), rtnl_ip(), "ip"); }

class Json : public KernelTest {
protected:
    void SetUp() override {
        KernelTest::SetUp();
        if (IsSkipped()) return;
        // A bit of everything: named namespaces with ids, a veth pair across
        // namespaces, a bridge with a port, addresses and routes. No DAD, so
        // IPv6 addresses do not change state while the two tools look.
        auto must = [](std::vector<std::string> a) {
            auto r = run(a);
            ASSERT_EQ(r.status, 0) << r.err;
        };
        const std::string ip = rtnl_ip();
        must({"sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"});
        must({ip, "netns", "add", "ns0"});
        must({ip, "netns", "exec", "ns0", "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"});
        must({ip, "link", "add", "br0", "type", "bridge"});
        must({ip, "link", "set", "br0", "up"});
        must({ip, "link", "add", "veth0", "mtu", "1400", "type", "veth", "peer", "name", "eth0", "netns", "ns0"});
        must({ip, "link", "set", "veth0", "master", "br0"});
        must({ip, "link", "set", "veth0", "up"});
        must({ip, "link", "add", "va", "type", "veth", "peer", "name", "vb"});
        must({ip, "addr", "add", "10.0.1.1/24", "dev", "br0"});
        must({ip, "addr", "add", "2001:db8::1/64", "dev", "br0", "nodad"});
        must({ip, "route", "add", "default", "via", "10.0.1.254"});
        must({ip, "-n", "ns0", "addr", "add", "10.0.1.2/24", "dev", "eth0"});
        must({ip, "-n", "ns0", "link", "set", "eth0", "up"});
    }
};

TEST_F(Json, LinkShow) {
    ip_like({"-j", "link", "show"});
    ip_like({"-j", "-d", "link", "show"});
    ip_like({"-j", "link", "show", "dev", "veth0"});
    ip_like({"-j", "-d", "link", "show", "veth0"});
    ip_like({"-j", "link", "show", "master", "br0"});
    ip_like({"-j", "link", "show", "type", "veth"});
    ip_like({"-j", "link", "show", "up"});
    ip_like({"-j", "-n", "ns0", "-d", "link", "show"});
}

TEST_F(Json, AddressesRoutesNamespaces) {
    ip_like({"-j", "addr", "show"});
    ip_like({"-j", "-4", "addr", "show"});
    ip_like({"-j", "-6", "addr", "show", "dev", "br0"});
    ip_like({"-j", "addr", "show", "scope", "host"});
    ip_like({"-j", "route", "show"});
    ip_like({"-j", "-d", "route", "show"});
    ip_like({"-j", "-6", "route", "show"});
    ip_like({"-j", "route", "show", "table", "all"});
    ip_like({"-j", "netns", "list"});
    ip_like({"-j", "netns", "list-id"});
    ip_like({"-j", "-p", "addr", "show", "dev", "lo"});
}

TEST_F(Json, PrettyOutputIsByteIdentical) {
    for (std::vector<std::string> args : {std::vector<std::string>{"-j", "-p", "link", "show"},
                                          std::vector<std::string>{"-j", "-p", "route", "show"},
                                          std::vector<std::string>{"-j", "-p", "netns", "list"}}) {
        std::vector<std::string> a{rtnl_ip()}, b{"ip"};
        a.insert(a.end(), args.begin(), args.end());
        b.insert(b.end(), args.begin(), args.end());
        std::string ours, theirs;
        for (int attempt = 0; attempt < 5 && (attempt == 0 || ours != theirs); ++attempt) {
            if (attempt) ::usleep(200 * 1000);  // a carrier change may still be settling
            theirs = run(b).out;
            ours = run(a).out;
        }
        EXPECT_EQ(ours, theirs);
    }
}

TEST_F(Json, BridgeLink) {
    compare({"-j", "link"}, rtnl_bridge(), "bridge");
    compare({"-j", "-d", "link", "show"}, rtnl_bridge(), "bridge");
    compare({"-j", "link", "show", "dev", "veth0"}, rtnl_bridge(), "bridge");
}

}  // namespace
