// `bridge vlan`: this kernel has no bridge VLAN filtering, so add/del are
// compared by the bytes sent (strace of both tools) and the error and exit
// status both get; show (text and -j, with and without -d) and every usage
// error by transcript against bridge(8).
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

class BridgeVlan : public KernelTest {
protected:
    void SetUp() override {
        KernelTest::SetUp();
        if (IsSkipped()) return;
        if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
        for (auto cmd : {"ip link add br0 type bridge", "ip link add v0 type veth peer name v1",
                         "ip link set v0 master br0"})
            ASSERT_EQ(sh(cmd).status, 0) << cmd;
    }
};

TEST_F(BridgeVlan, AddAndDelSendWhatBridgeSends) {
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"vlan", "add", "vid", "10", "dev", "v0"},
             {"vlan", "add", "vid", "10", "dev", "v0", "pvid", "untagged"},
             {"vlan", "add", "dev", "v0", "vid", "10-20", "untagged", "master"},
             {"vlan", "add", "vid", "1", "dev", "br0", "self"},
             {"vlan", "a", "vid", "5", "dev", "v0", "self", "master", "bogus"},
             {"vlan", "add", "vid", "100", "dev", "v0", "tunnel_info", "id", "1000"},
             {"vlan", "add", "vid", "100-101", "dev", "v0", "tunnel_info", "id", "1000-1001"},
             {"vlan", "del", "vid", "10", "dev", "v0"},
             {"vlan", "delete", "vid", "10-20", "dev", "v0", "master"},
             {"vlan", "add", "vid", "-5", "dev", "v0"},
             {"vlan", "add", "vid", "4095", "dev", "v0"}})
        expect_same_requests(rtnl_bridge(), "bridge", w);
}

TEST_F(BridgeVlan, ShowAndErrorsAsBridge) {
    expect_same_as_iproute2(R"SH(
step IP link add br0 type bridge
step IP link add v0 type veth peer name v1
step IP link set v0 master br0
step BRIDGE vlan add vid 10 dev v0
step BRIDGE vlan del vid 10 dev v0
show BRIDGE vlan
show BRIDGE vlan show
show BRIDGE -j vlan show
show BRIDGE -c vlan show dev v0
show BRIDGE vlan show vid 10
show BRIDGE -d vlan show
show BRIDGE -j -d vlan show
step BRIDGE vlan show dev nosuch
step BRIDGE vlan add vid 10
step BRIDGE vlan add dev v0
step BRIDGE vlan add vid 10 dev nosuch
step BRIDGE vlan add vid 5000 dev v0
step BRIDGE vlan add vid 20-10 dev v0
step BRIDGE vlan add vid 10-5000 dev v0
step BRIDGE vlan add vid 10-20 dev v0 pvid
step BRIDGE vlan add vid 10 dev v0 tunnel_info foo 1
step BRIDGE vlan add vid 10 dev v0 tunnel_info id 99999999
step BRIDGE vlan add vid 10 dev v0 help
step BRIDGE vlan add vid
step BRIDGE vlan foo
step BRIDGE vlan help
)SH");
}

}  // namespace
