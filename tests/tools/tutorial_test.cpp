// The acceptance script (shared/reference/ip-netns-tutorial.md), every command in
// order, with rtnl-ip/rtnl-bridge and with iproute2: each show command's output
// equals iproute2's on the same state, and the whole transcript (outputs,
// messages, exit statuses) equals iproute2's run of the same script.
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using Tutorial = KernelTest;

// Part one: two namespaces joined by a veth pair, addresses, routes, ping.
TEST_F(Tutorial, TwoNamespacesWithVethPair) {
    expect_same_as_iproute2(R"SH(
step IP netns add ns1
show IP netns list
step IP netns add ns1
step IP netns exec ns1 IP link set lo up
show IP netns exec ns1 IP addr
step IP netns add ns0
step ls /var/run/netns/
step IP link add type veth
show IP link
show IP -d link show veth0
show IP -j link
step IP link set veth0 netns ns0
step IP link set veth1 netns ns1
show IP netns exec ns0 IP addr
show IP netns exec ns1 IP addr
show IP netns list
step IP netns exec ns0 IP link set veth0 up
step IP netns exec ns0 IP addr add 10.0.1.1/24 dev veth0
show IP netns exec ns0 IP route
step IP netns exec ns1 IP link set veth1 up
step IP netns exec ns1 IP addr add 10.0.1.2/24 dev veth1
show IP netns exec ns1 IP route
step IP netns exec ns0 ping -c 1 -W 5 10.0.1.2
show IP netns exec ns0 IP addr show
show IP netns exec ns1 IP addr show
step IP netns exec ns1 ping -c 1 -W 5 10.0.1.2
show IP -n ns0 -j addr show
show IP -n ns0 -j route
show IP -n ns1 -d link show veth1
step IP netns del ns0
step IP netns del ns1
show IP netns list
)SH");
}

// Part two: a bridge in the host namespace with one veth end per namespace.
TEST_F(Tutorial, BridgeTopology) {
    expect_same_as_iproute2(R"SH(
step IP netns add ns0
step IP netns add ns1
step IP link add br0 type bridge
step IP link set dev br0 up
step IP link add type veth
show IP addr show
step IP link set dev veth1 netns ns0
step IP netns exec ns0 IP link set dev veth1 name eth0
step IP netns exec ns0 IP addr add 10.0.1.1/24 dev eth0
step IP netns exec ns0 IP link set dev eth0 up
step IP link set dev veth0 master br0
step IP link set dev veth0 up
show BRIDGE link
step IP link add type veth
show IP addr show
step IP link set dev veth1 netns ns1
step IP netns exec ns1 IP link set dev veth1 name eth0
step IP netns exec ns1 IP addr add 10.0.1.2/24 dev eth0
step IP netns exec ns1 IP link set dev eth0 up
step IP link set dev veth2 master br0
step IP link set dev veth2 up
show BRIDGE link
step IP netns exec ns0 ping -c 1 -W 5 10.0.1.2
show BRIDGE -d link
show BRIDGE -j link
show BRIDGE link show dev veth2
show IP link show master br0
show IP link show type bridge
show IP -j -d link show
show IP -d link show veth0
show IP -br link
show IP -br addr
show IP -o addr
show IP -o link show veth2
)SH");
}

// `ip netns exec ns1 /bin/bash --rcfile <(…)`: the command replaces rtnl-ip, so the
// descriptor bash reads its rc file from is still there; the shell runs in ns1.
TEST_F(Tutorial, ExecBashWithRcfileFromProcessSubstitution) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "ns1"}).status, 0);
    const std::string script =
        "echo '" + rtnl_ip() + " link set lo up; echo \"in: $PS1\"; exit 7' | " + rtnl_ip() +
        " netns exec ns1 /bin/bash --rcfile <(echo 'PS1=\"namespace ns1> \"') -i";
    auto r = run({"/bin/bash", "-c", script});
    EXPECT_EQ(r.status, 7) << r.err;
    EXPECT_NE(r.out.find("in: namespace ns1> "), std::string::npos) << r.out << r.err;
    auto lo = run({"ip", "-n", "ns1", "link", "show", "lo"});
    EXPECT_NE(lo.out.find("LOOPBACK,UP"), std::string::npos) << lo.out;
    auto here = run({"ip", "link", "show", "lo"});
    EXPECT_EQ(here.status, 0);
}

}  // namespace
