// Where rtnl-cni is meant to be better than the reference plugin: a failed ADD
// removes everything it made; DEL is idempotent and works without prevResult,
// without CNI_NETNS, after the netns is gone and after a SIGKILL mid-ADD; the
// bridge MAC is pinned so CHECK stays true as ports come and go; concurrent ADDs
// on a bridge that does not exist yet all succeed, with distinct addresses and no
// leak; the lease files are shared with the reference host-local; GC.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "cni/cni_support.hpp"

namespace {

using namespace rtnl::test::cni;

const std::string conf = R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","bridge":"cni0","isGateway":true,
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.222.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}})";
const std::string lease_dir = "/var/lib/cni/networks/net";

std::size_t lease_count() {
    std::size_t n = 0;
    for (auto& [f, body] : leases(lease_dir)) n += f.rfind("last_reserved_ip", 0) != 0;
    return n;
}

class Robustness : public CniTest {
protected:
    void SetUp() override {
        CniTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        host_ = make_ns("host");
    }
    plugin_result call(const std::string& cmd, const std::string& id, const std::string& ns, std::string text = conf,
                       const std::string& plugin = rtnl_cni) {
        invocation in{.command = cmd, .container_id = id, .netns = ns.empty() ? "" : "/run/netns/" + ns, .stdin_text = std::move(text)};
        return run_plugin(plugin, in, host_);
    }
    /// Host links other than lo and the bridge.
    std::vector<std::string> host_ports() {
        std::vector<std::string> out;
        for (auto& n : link_names(host_))
            if (n != "lo" && n != "cni0") out.push_back(n);
        return out;
    }
    int host_ = -1;
};

TEST_F(Robustness, FailedAddRemovesEverythingItMade) {
    const int c1 = make_ns("c1");
    // the route's gateway is unreachable: the ADD fails after the veth, its addresses and the lease exist
    std::string bad = conf;
    bad.replace(bad.find(R"({"dst":"0.0.0.0/0"})"), 19, R"({"dst":"10.99.0.0/16","gw":"192.0.2.1"})");
    auto r = call("ADD", "c1", "c1", bad);
    ASSERT_NE(r.status, 0) << r.out;
    EXPECT_EQ(r.parsed().value("code", 0), 999) << r.out;
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
    EXPECT_EQ(link_names(host_), std::vector<std::string>{"lo"}) << "the bridge this ADD created has no port: removed too";
    EXPECT_EQ(lease_count(), 0u);
    // and the same with a bridge that already serves another container: it stays
    make_ns("c0");
    ASSERT_EQ(call("ADD", "c0", "c0").status, 0);
    r = call("ADD", "c1", "c1", bad);
    ASSERT_NE(r.status, 0);
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
    EXPECT_EQ(host_ports().size(), 1u);
    EXPECT_EQ(lease_count(), 1u);
}

TEST_F(Robustness, DelIsIdempotentAndNeedsNoPrevResult) {
    const int c1 = make_ns("c1");
    ASSERT_EQ(call("ADD", "c1", "c1").status, 0);
    for (int i = 0; i < 3; ++i) {
        auto r = call("DEL", "c1", "c1");
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
    EXPECT_TRUE(host_ports().empty());
    EXPECT_EQ(lease_count(), 0u);
    // DEL of something never added
    EXPECT_EQ(call("DEL", "never", "c1").status, 0);
}

TEST_F(Robustness, DelReturnsWithThePairGoneAndItsHelperHoldsNoPipe) {
    // DEL hands the RTM_DELLINK to a child and returns at the kernel's
    // notification, leaving the child to sit out the RCU grace period
    const int c1 = make_ns("c1");
    ASSERT_EQ(call("ADD", "c1", "c1").status, 0);
    invocation in{.command = "DEL", .container_id = "c1", .netns = "/run/netns/c1", .stdin_text = conf};
    int out[2];
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    const int input = stdin_file(conf), devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const pid_t pid = spawn_plugin(rtnl_cni, in, host_, out[1], devnull, input);
    ::close(out[1]), ::close(input), ::close(devnull);
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    // the moment it has exited: the pair is gone (not merely going) ...
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
    EXPECT_TRUE(host_ports().empty());
    // ... and nobody holds its stdout any more: a runtime reading to EOF is not
    // kept waiting by the child still in the kernel's grace period
    pollfd p{out[0], POLLIN, 0};
    char buf[256];
    while (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && ::read(out[0], buf, sizeof buf) > 0) {}
    EXPECT_EQ(::poll(&p, 1, 0), 1);
    EXPECT_TRUE(p.revents & POLLHUP) << "a process still holds the plugin's stdout";
    ::close(out[0]);
    // a refusal travels back from the child: the kernel does not delete lo
    in.ifname = "lo";
    auto r = run_plugin(rtnl_cni, in, host_);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.out.find(R"(failed to delete \"lo\": Operation not supported)"), std::string::npos) << r.out;
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
}

TEST_F(Robustness, DelWithoutNetnsRemovesThePairAndTheLease) {
    const int c1 = make_ns("c1");
    ASSERT_EQ(call("ADD", "c1", "c1").status, 0);
    ASSERT_EQ(host_ports().size(), 1u);
    auto r = call("DEL", "c1", "");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(host_ports().empty()) << "the reference leaves the pair until the netns goes";
    EXPECT_EQ(link_names(c1), std::vector<std::string>{"lo"});
    EXPECT_EQ(lease_count(), 0u);
}

TEST_F(Robustness, DelAfterTheNetnsIsGone) {
    make_ns("c1");
    ASSERT_EQ(call("ADD", "c1", "c1").status, 0);
    remove_ns("c1");
    auto r = call("DEL", "c1", "c1");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(lease_count(), 0u);
    // the kernel removes the pair with the namespace, asynchronously
    for (int i = 0; i < 100 && !host_ports().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(host_ports().empty());
}

TEST_F(Robustness, DelAfterSigkillMidAdd) {
    const int c1 = make_ns("c1");
    // kill the ADD at a spread of moments; whatever it left, DEL removes it all
    for (int delay_us = 0; delay_us <= 6000; delay_us += 300) {
        invocation in{.command = "ADD", .container_id = "c1", .netns = "/run/netns/c1", .stdin_text = conf};
        int devnull = ::open("/dev/null", O_RDWR);
        int input = stdin_file(conf);
        pid_t pid = spawn_plugin(rtnl_cni, in, host_, devnull, devnull, input);
        ::close(input);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        ::close(devnull);
        auto r = call("DEL", "c1", "c1");
        ASSERT_EQ(r.status, 0) << "after a kill at " << delay_us << " us: " << r.out;
        ASSERT_EQ(link_names(c1), std::vector<std::string>{"lo"}) << delay_us;
        ASSERT_TRUE(host_ports().empty()) << delay_us;
        ASSERT_EQ(lease_count(), 0u) << delay_us;
    }
    // and the network still works afterwards
    EXPECT_EQ(call("ADD", "c1", "c1").status, 0);
}

TEST_F(Robustness, BridgeMacIsPinnedSoCheckStaysTrue) {
    // no isGateway: the reference leaves the bridge MAC floating to the lowest port MAC
    std::string l2 = conf;
    l2.replace(l2.find(R"("isGateway":true)"), 16, R"("isGateway":false)");
    std::map<std::string, json> results;
    for (int i = 0; i < 6; ++i) {
        const std::string id = "c" + std::to_string(i);
        make_ns(id);
        auto r = call("ADD", id, id, l2);
        ASSERT_EQ(r.status, 0) << r.out;
        results[id] = r.parsed();
    }
    for (int i = 0; i < 5; ++i) ASSERT_EQ(call("DEL", "c" + std::to_string(i), "c" + std::to_string(i), l2).status, 0);
    json check = json::parse(l2);
    check["prevResult"] = results["c5"];
    auto r = call("CHECK", "c5", "c5", check.dump());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(results["c0"]["interfaces"][0]["mac"], results["c5"]["interfaces"][0]["mac"]);
}

/// A sysfs of namespace `ns_fd` (-1: the test's own) on /sys, in the test's private mount namespace.
void mount_sys_of(int ns_fd) {
    auto here = [] { return ::mount("rtnl-test-sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0 ? 0 : errno; };
    const int err = ns_fd < 0 ? here() : rtnl::netns::run_in(ns_fd, here);
    ASSERT_EQ(err, 0) << "mount sysfs on /sys: " << std::strerror(err);
}

std::string first_line(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
}

TEST_F(Robustness, BridgeMadeElsewhereIsPinnedWhicheverNamespaceSysShows) {
    // The MAC of a bridge the plugin did not make floats (addr_assign_type 1) until
    // the ADD pins it (3). The plugin reads addr_assign_type from the host's /sys
    // when that shows its namespace, else from a sysfs of its own.
    auto sh = [](const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; };
    // 1. /sys shows another namespace (the test's), where a decoy "cni0" at the same
    //    ifindex is pinned already: the plugin must not take its word
    sh("ip link add cni0 type bridge && ip link set cni0 address 02:00:00:00:00:99");
    mount_sys_of(-1);
    ASSERT_EQ(first_line("/sys/class/net/cni0/addr_assign_type"), "3");
    sh("ip -n host link add cni0 type bridge");
    make_ns("c1");
    auto r = call("ADD", "c1", "c1");
    ASSERT_EQ(r.status, 0) << r.out;
    mount_sys_of(host_);
    EXPECT_EQ(first_line("/sys/class/net/cni0/addr_assign_type"), "3") << "the bridge in the plugin's namespace was not pinned";
    // 2. /sys shows the plugin's namespace (as on a runtime's host): read there
    sh("ip -n host link add cni1 type bridge");
    ASSERT_EQ(first_line("/sys/class/net/cni1/addr_assign_type"), "1");
    std::string other = conf;
    other.replace(other.find(R"("name":"net")"), 12, R"("name":"net1")");
    other.replace(other.find(R"("bridge":"cni0")"), 15, R"("bridge":"cni1")");
    other.replace(other.find("10.222.0.0/24"), 13, "10.223.0.0/24");
    make_ns("c2");
    r = call("ADD", "c2", "c2", other);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(first_line("/sys/class/net/cni1/addr_assign_type"), "3");
}

TEST_F(Robustness, SysctlsLandOnACrowdedHostToo) {
    // With many namespaces beside CNI_NETNS the sysctls go through a procfs of
    // the plugin's own (with few, through /proc/sys: the conformance tests).
    for (int i = 0; i < 70; ++i) make_ns("crowd" + std::to_string(i));
    const int c1 = make_ns("c1");
    auto r = call("ADD", "c1", "c1");
    ASSERT_EQ(r.status, 0) << r.out;
    auto read = [](int ns, const std::vector<std::string>& keys) {
        return rtnl::netns::run_in(ns, [&] {
            std::vector<std::string> out;
            for (auto& k : keys) out.push_back(first_line("/proc/sys/net/" + k));
            return out;
        });
    };
    EXPECT_EQ(read(c1, {"ipv4/conf/eth0/arp_notify", "ipv6/conf/eth0/accept_dad"}), (std::vector<std::string>{"1", "0"}));
    const auto ports = host_ports();
    ASSERT_EQ(ports.size(), 1u);
    EXPECT_EQ(read(host_, {"ipv6/conf/" + ports[0] + "/accept_ra", "ipv6/conf/cni0/accept_ra", "ipv4/ip_forward"}),
              (std::vector<std::string>{"0", "0", "1"}));
}

TEST_F(Robustness, ConcurrentAddsOnABridgeThatDoesNotExistYet) {
    constexpr int n = 8;
    std::vector<pid_t> pids;
    std::vector<int> outs;
    for (int i = 0; i < n; ++i) make_ns("c" + std::to_string(i));
    for (int i = 0; i < n; ++i) {
        const std::string id = "c" + std::to_string(i);
        invocation in{.command = "ADD", .container_id = id, .netns = "/run/netns/" + id, .stdin_text = conf};
        char tmpl[] = "/tmp/cni-par.XXXXXX";
        int out = ::mkstemp(tmpl);
        ::unlink(tmpl);
        int devnull = ::open("/dev/null", O_RDWR);
        int input = stdin_file(conf);
        pids.push_back(spawn_plugin(rtnl_cni, in, host_, out, devnull, input));
        outs.push_back(out);
        ::close(devnull);
        ::close(input);
    }
    std::set<std::string> ips;
    for (int i = 0; i < n; ++i) {
        int st = 0;
        ::waitpid(pids[i], &st, 0);
        std::string s(4096, '\0');
        ::lseek(outs[i], 0, SEEK_SET);
        s.resize(static_cast<std::size_t>(std::max<ssize_t>(0, ::read(outs[i], s.data(), s.size()))));
        ::close(outs[i]);
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "ADD " << i << ": " << s;
        auto j = json::parse(s, nullptr, false);
        if (j.is_object() && j.contains("ips")) ips.insert(j["ips"][0]["address"].get<std::string>());
    }
    EXPECT_EQ(ips.size(), static_cast<std::size_t>(n)) << "duplicate or missing addresses";
    EXPECT_EQ(host_ports().size(), static_cast<std::size_t>(n));
    EXPECT_EQ(lease_count(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(call("DEL", "c" + std::to_string(i), "c" + std::to_string(i)).status, 0);
    EXPECT_TRUE(host_ports().empty());
    EXPECT_EQ(lease_count(), 0u);
}

TEST_F(Robustness, LeasesSharedWithTheReferenceHostLocal) {
    if (auto why = reference_missing(); !why.empty()) FAIL() << why;
    make_ns("c1");
    make_ns("c2");
    std::string ref_conf = conf;
    ref_conf.replace(ref_conf.find("rtnl-cni"), 8, "bridge");
    auto a = call("ADD", "c1", "c1", ref_conf, ref_bridge);
    ASSERT_EQ(a.status, 0) << a.out;
    auto b = call("ADD", "c2", "c2");
    ASSERT_EQ(b.status, 0) << b.out;
    EXPECT_EQ(a.parsed()["ips"][0]["address"], "10.222.0.2/24");
    EXPECT_EQ(b.parsed()["ips"][0]["address"], "10.222.0.3/24") << "rtnl-cni read the reference's lease";
    EXPECT_EQ(leases(lease_dir).at("10.222.0.3"), "c2\r\neth0");
    // each releases the other's lease
    EXPECT_EQ(call("DEL", "c1", "c1").status, 0);
    auto d = call("DEL", "c2", "c2", ref_conf, ref_bridge);
    EXPECT_EQ(d.status, 0) << d.out;
    EXPECT_EQ(lease_count(), 0u);
}

TEST_F(Robustness, GcReleasesWhatIsNotListed) {
    for (auto id : {"c1", "c2", "c3"}) {
        make_ns(id);
        ASSERT_EQ(call("ADD", id, id).status, 0);
    }
    json gc = json::parse(conf);
    gc["cniVersion"] = "1.1.0";
    gc["cni.dev/valid-attachments"] = json::array({{{"containerID", "c2"}, {"ifname", "eth0"}}});
    auto r = call("GC", "", "", gc.dump());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(lease_count(), 1u);
    EXPECT_EQ(host_ports().size(), 1u);
}

}  // namespace

namespace {

/// The elements of the network's masquerade set, and the rules of rtnl-cni's table.
std::pair<std::size_t, std::size_t> masq_state(const std::string& family = "ip") {
    auto r = sh("ip netns exec host nft -j list table " + family + " rtnl-cni");
    auto j = json::parse(r.out, nullptr, false);
    std::size_t elems = 0, rules = 0;
    if (j.is_object())
        for (auto& o : j.value("nftables", json::array())) {
            if (o.contains("set")) elems += o["set"].value("elem", json::array()).size();
            if (o.contains("rule")) ++rules;
        }
    return {elems, rules};
}

TEST_F(Robustness, IpMasqIsOneSetElementPerContainerAndMasquerades) {
    std::string masq = conf;
    masq.replace(masq.find(R"("isGateway":true)"), 16, R"("isGateway":true,"ipMasq":true)");
    for (auto id : {"c1", "c2", "c3"}) {
        make_ns(id);
        auto r = call("ADD", id, id, masq);
        ASSERT_EQ(r.status, 0) << r.out;
    }
    EXPECT_EQ(masq_state(), (std::pair<std::size_t, std::size_t>{3, 1})) << sh("ip netns exec host nft list ruleset").out;
    // an "outside" namespace with no route back to the containers: replies arrive only if masqueraded
    make_ns("outside");
    ASSERT_EQ(sh("ip -n host link add up0 type veth peer name out0 netns outside && ip -n host addr add 192.168.77.1/24 dev up0 && "
                 "ip -n host link set up0 up && ip -n outside addr add 192.168.77.2/24 dev out0 && ip -n outside link set out0 up && "
                 "ip -n outside link set lo up").status, 0);
    auto ping = sh("ip netns exec c1 ping -c 1 -W 2 192.168.77.2");
    EXPECT_EQ(ping.status, 0) << ping.out << sh("ip netns exec host nft list ruleset").out;
    EXPECT_EQ(call("DEL", "c2", "c2", masq).status, 0);
    EXPECT_EQ(masq_state().first, 2u);
    EXPECT_EQ(call("DEL", "c2", "c2", masq).status, 0) << "a second DEL finds nothing to remove";
    EXPECT_EQ(call("DEL", "c1", "", masq).status, 0) << "DEL without netns still unlists the address (from the lease)";
    EXPECT_EQ(masq_state().first, 1u);
}

TEST_F(Robustness, IpMasqForIPv6IsItsOwnIp6TableAndMasquerades) {
    std::string v6 = conf;
    v6.replace(v6.find(R"("isGateway":true)"), 16, R"("isGateway":true,"ipMasq":true)");
    v6.replace(v6.find("10.222.0.0/24"), 13, "fd00:1::/64");
    v6.replace(v6.find("0.0.0.0/0"), 9, "::/0");
    make_ns("c6");
    auto r = call("ADD", "c6", "c6", v6);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(masq_state("ip6"), (std::pair<std::size_t, std::size_t>{1, 1})) << sh("ip netns exec host nft list ruleset").out;
    EXPECT_EQ(masq_state("ip"), (std::pair<std::size_t, std::size_t>{0, 0})) << "no IPv4 table for an IPv6-only network";
    // an "outside" with no route back to fd00:1::/64: a reply comes only if masqueraded
    make_ns("outside6");
    ASSERT_EQ(sh("ip -n host link add up6 type veth peer name out6 netns outside6 && "
                 "ip -n host addr add fd00:77::1/64 dev up6 nodad && ip -n host link set up6 up && "
                 "ip -n outside6 addr add fd00:77::2/64 dev out6 nodad && ip -n outside6 link set out6 up && "
                 "ip -n outside6 link set lo up").status, 0);
    auto ping = sh("ip netns exec c6 ping -6 -c 1 -W 3 fd00:77::2");
    EXPECT_EQ(ping.status, 0) << ping.out << sh("ip netns exec host nft list ruleset").out;
    EXPECT_EQ(call("DEL", "c6", "c6", v6).status, 0);
    EXPECT_EQ(masq_state("ip6").first, 0u) << "DEL unlists the address";
    EXPECT_EQ(call("DEL", "c6", "c6", v6).status, 0) << "a second DEL finds nothing to remove";
}

}  // namespace
