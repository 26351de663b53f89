// `bridge fdb`: add/append/replace/del/show with bridge(8)'s words, text and
// -j output, messages and exit statuses, by transcript in twin sandboxes (fdb
// dumps come in hash order: `unordered`), and the requests byte for byte.
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using BridgeFdb = KernelTest;

TEST_F(BridgeFdb, ChangesShowsAndErrors) {
    expect_same_as_iproute2(R"SH(
step IP link add br0 type bridge
step IP link add v0 address 02:00:00:00:aa:01 type veth peer name v1 address 02:00:00:00:aa:02
step IP link add v2 address 02:00:00:00:aa:03 type veth peer name v3 address 02:00:00:00:aa:04
step IP link set v0 master br0
step IP link set v2 master br0
step IP link add vx0 type vxlan id 42 dstport 4789 nolearning
step BRIDGE fdb add 02:00:00:00:00:01 dev v0 master static
step BRIDGE fdb add 02:00:00:00:00:02 dev v0 master dynamic
step BRIDGE fdb add 02:00:00:00:00:03 dev v2 master sticky
step BRIDGE fdb add 02:00:00:00:00:01 dev v0 master static
step BRIDGE fdb replace 02:00:00:00:00:01 dev v2 master static
step BRIDGE fdb add 02:00:00:00:00:05 dev v0 self permanent
step BRIDGE fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.2
step BRIDGE fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.3 port 4790 vni 42
step BRIDGE fdb add 02:00:00:00:00:06 dev vx0 dst 10.0.0.4 via v0
unordered BRIDGE fdb
unordered BRIDGE fdb show
unordered BRIDGE -j -p fdb show
unordered BRIDGE fdb show dev v0
unordered BRIDGE fdb show br br0
unordered BRIDGE fdb show brport v2
unordered BRIDGE fdb show dev vx0
unordered BRIDGE -j -p fdb show dev vx0
unordered BRIDGE fdb show state static
unordered BRIDGE fdb show state permanent
unordered BRIDGE fdb show dynamic
unordered BRIDGE fdb show vlan 1
step BRIDGE fdb del 02:00:00:00:00:02 dev v0 master
step BRIDGE fdb del 02:00:00:00:00:02 dev v0 master
step BRIDGE fdb delete 00:00:00:00:00:00 dev vx0 dst 10.0.0.2
unordered BRIDGE fdb show dev vx0
step BRIDGE fdb add 02:00:00:00:00:07 dev v0 vlan 10 master
step BRIDGE fdb add 02:00:00:00:00:07
step BRIDGE fdb add dev v0
step BRIDGE fdb add zz dev v0
step BRIDGE fdb add 02:00:00:00:00:07 dev nosuch
step BRIDGE fdb add 02:00:00:00:00:07 dev v0 vni 99999999
step BRIDGE fdb add 02:00:00:00:00:07 dev v0 port 70000
step BRIDGE fdb add 02:00:00:00:00:07 dev v0 nhid 5 dst 10.0.0.1
step BRIDGE fdb add 02:00:00:00:00:07 dev v0 via nosuch
step BRIDGE fdb add 02:00:00:00:00:07 02:00:00:00:00:08 dev v0
step BRIDGE fdb show br nosuch
step BRIDGE fdb show dev nosuch
step BRIDGE fdb show state bogus
step BRIDGE fdb foo
step BRIDGE fdb help
)SH");
}

TEST_F(BridgeFdb, RequestsAreBridgesBytes) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    for (auto cmd : {"ip link add br0 type bridge", "ip link add v0 type veth peer name v1", "ip link set v0 master br0",
                     "ip link add vx0 type vxlan id 42 dstport 4789"})
        ASSERT_EQ(sh(cmd).status, 0) << cmd;
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"fdb", "add", "02:00:00:00:00:01", "dev", "v0", "master", "vlan", "5", "static"},
             {"fdb", "replace", "02:00:00:00:00:01", "dev", "v0", "master", "sticky", "extern_learn"},
             {"fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.0.0.9", "port", "4789", "vni", "100",
              "src_vni", "7", "via", "v0"},
             {"fdb", "add", "02:00:00:00:00:02", "dev", "v0", "self", "local", "router", "use"},
             {"fdb", "del", "02:00:00:00:00:01", "dev", "v0", "master"}})
        expect_same_requests(rtnl_bridge(), "bridge", w, false);  // bridge's run changes the state ours sees
}

}  // namespace
