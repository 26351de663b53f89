// Bad input: the spec's error code, {"cniVersion","code","msg"} on stdout, a
// non-zero exit, nothing on stderr, and nothing left behind (no link in the
// container or on the host, no lease). Where the reference plugin reports the same
// case, its code is the expected one.
#include <gtest/gtest.h>

#include "cni/cni_support.hpp"

namespace {

using namespace rtnl::test::cni;

const std::string conf = R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","bridge":"cni0","isGateway":true,
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.222.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}})";

class BadInput : public CniTest {
protected:
    void SetUp() override {
        CniTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        host_ = make_ns("host");
        cont_ = make_ns("c1");
        before_ = link_names(host_);
    }
    invocation add(std::string stdin_text = conf) {
        return invocation{.command = "ADD", .netns = "/run/netns/c1", .stdin_text = std::move(stdin_text)};
    }
    /// Runs rtnl-cni (and the reference when `compare`), checks the error and that nothing is left.
    void expect_error(invocation in, int code, bool compare = true, const std::string& msg_part = "") {
        auto r = run_plugin(rtnl_cni, in, host_);
        EXPECT_NE(r.status, 0) << r.out;
        EXPECT_EQ(r.err, "");
        auto j = r.parsed();
        ASSERT_TRUE(j.is_object()) << "stdout is not JSON: " << r.out;
        EXPECT_EQ(j.value("code", -1), code) << r.out;
        EXPECT_TRUE(j.contains("cniVersion") && j.contains("msg")) << r.out;
        EXPECT_FALSE(j.value("msg", "").empty());
        if (!msg_part.empty()) {
            EXPECT_NE(j.value("msg", "").find(msg_part), std::string::npos) << r.out;
        }
        EXPECT_EQ(link_names(host_), before_) << "a link was left on the host";
        EXPECT_EQ(link_names(cont_), std::vector<std::string>{"lo"}) << "a link was left in the container";
        for (auto& [file, body] : leases("/var/lib/cni/networks/net"))
            EXPECT_EQ(file.rfind("last_reserved_ip.", 0), 0u) << "lease left: " << file;
        if (!compare) return;
        if (auto why = reference_missing(); !why.empty()) FAIL() << why;
        auto ref = run_plugin(ref_bridge, in, host_);
        EXPECT_NE(ref.status, 0);
        EXPECT_EQ(ref.parsed().value("code", -1), code) << "reference: " << ref.out;
    }
    int host_ = -1, cont_ = -1;
    std::vector<std::string> before_;
};

TEST_F(BadInput, MissingEnvironment) {
    auto in = add();
    in.container_id.clear();
    in.unset_netns = true;
    expect_error(in, 4, true, "CNI_CONTAINERID,CNI_NETNS");
    in = add();
    in.ifname.clear();
    expect_error(in, 4, true, "CNI_IFNAME");
}

TEST_F(BadInput, UnknownCommand) {
    auto in = add();
    in.command = "CREATE";
    expect_error(in, 4, true, "unknown CNI_COMMAND");
}

TEST_F(BadInput, BadJson) { expect_error(add("{\"cniVersion\": \"1.0.0\", name"), 6); }

TEST_F(BadInput, UnknownVersion) { expect_error(add(R"({"cniVersion":"9.9.9","name":"net","type":"x"})"), 1, true, "incompatible"); }

TEST_F(BadInput, InterfaceNameOf16Bytes) {
    auto in = add();
    in.ifname = "eth0123456789abc";  // 16 bytes: IFNAMSIZ counts the NUL
    expect_error(in, 4, true, "too long");
}

TEST_F(BadInput, InvalidContainerId) {
    auto in = add();
    in.container_id = "a b";
    expect_error(in, 4, true, "containerID");
}

TEST_F(BadInput, NetnsIsNotANetworkNamespace) {
    auto in = add();
    in.netns = "/tmp";  // the reference says 999 here; the spec's code for a bad variable is 4
    expect_error(in, 4, false, "not a network namespace");
    in.netns = "/run/netns/does-not-exist";
    expect_error(in, 4, false, "failed to open netns");
}

TEST_F(BadInput, BridgeNameUsedByANonBridge) {
    ASSERT_EQ(sh("ip -n host link add cni0 type veth peer name cni0p").status, 0);
    before_ = link_names(host_);
    expect_error(add(), 999, true, "not a bridge");
}

TEST_F(BadInput, WrongTypeOfKey) { expect_error(add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","isGateway":"yes"})"), 7, false, "isGateway"); }

// Found by fuzz-cni: a float or out-of-range number is the wrong type (code 7), never
// truncated (undefined behaviour) or passed to the kernel.
TEST_F(BadInput, FloatOrHugeNumber) {
    expect_error(add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","mtu":1e30})"), 7, false, "mtu");
    expect_error(add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","vlan":4294967296})"), 7, false, "vlan");
}

// Found by fuzz-cni: a prevResult whose entries are not objects or whose fields are
// not strings is a decoding failure (code 6) in the spec's words, not a library's
// type_error reported as code 999.
TEST_F(BadInput, MalformedPrevResult) {
    auto check = add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni",
        "prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":5}],"ips":[]}})");
    check.command = "CHECK";
    expect_error(check, 6, false, "name is not a string");
    check.stdin_text = R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","prevResult":{"ips":[5]}})";
    expect_error(check, 6, false, "not an object");
}

TEST_F(BadInput, HairpinAndPromisc) {
    expect_error(add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","hairpinMode":true,"promiscMode":true})"), 999);
}

TEST_F(BadInput, VlanWithoutVlanFiltering) {
    expect_error(add(R"({"cniVersion":"1.0.0","name":"net","type":"rtnl-cni","vlan":100})"), 999, false, "vlan");
}

TEST_F(BadInput, GatewayClashWithoutForceAddress) {
    // first ADD puts 10.222.0.1/24 on cni0; a network with another gateway on the same bridge is refused
    auto r = run_plugin(rtnl_cni, add(), host_);
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_EQ(run_plugin(rtnl_cni, invocation{.command = "DEL", .netns = "/run/netns/c1", .stdin_text = conf}, host_).status, 0);
    before_ = link_names(host_);
    std::string other = conf;
    other.replace(other.find("10.222.0.0/24"), 13, "10.223.0.0/24");
    expect_error(add(other), 999, true, "already has an IP address different");
}

TEST_F(BadInput, RequestedAddressTaken) {
    auto in = add();
    in.args = "IgnoreUnknown=1;IP=10.222.0.1";  // the gateway
    expect_error(in, 999, true, "gateway");
}

TEST_F(BadInput, NoCommandPrintsAbout) {
    auto r = sh("env -u CNI_COMMAND " + rtnl_cni + " </dev/null");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.err.find("CNI protocol versions supported"), std::string::npos);
    EXPECT_EQ(r.out, "");
}

}  // namespace
