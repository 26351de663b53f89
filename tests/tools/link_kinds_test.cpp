// Link kinds with their options (`ip link add|set … type KIND OPTIONS`,
// `bridge link set`): each transcript runs with iproute2 and with rtnl's tools
// in fresh sandboxes — the same state afterwards (checked by `show`, text and
// -j, with -d), the same messages and exit statuses, including the requests the
// kernel here refuses (bridge VLAN filtering), which both tools send and report.
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using LinkKinds = KernelTest;

TEST_F(LinkKinds, BridgeOptionsOnAddAndSet) {
    expect_same_as_iproute2(R"SH(
step IP link add br0 type bridge stp_state 1 forward_delay 400 hello_time 300 max_age 2500 ageing_time 20000 priority 100
show IP -d link show br0
show IP -j -d link show br0
step IP link add br1 type bridge mcast_snooping 0 mcast_router 2 mcast_query_use_ifaddr 1 mcast_querier 1 mcast_hash_elasticity 8 mcast_hash_max 1024 mcast_last_member_count 3 mcast_startup_query_count 3
step IP link set dev br1 type bridge mcast_last_member_interval 200 mcast_membership_interval 30000 mcast_querier_interval 25000 mcast_query_interval 12000 mcast_query_response_interval 900 mcast_startup_query_interval 3000
step IP link set br1 type bridge mcast_stats_enabled 1 mcast_igmp_version 3 mcast_mld_version 2 nf_call_iptables 1 nf_call_ip6tables 1 nf_call_arptables 1
step IP link set br1 type bridge vlan_protocol 802.1ad vlan_default_pvid 10 vlan_stats_enabled 1 vlan_stats_per_port 1 group_fwd_mask 0x4000 group_address 01:80:c2:00:00:0e no_linklocal_learn 1 fdb_flush
show IP -d link show br1
show IP -j -d link show br1
step IP link set br1 type bridge mcast_q 0 mcast_querier 0 stp 0 forward 1500
show IP -d link show br1
step IP link add br2 type bridge vlan_filtering 1
step IP link set br1 type bridge mcast_vlan_snooping 1
step IP link set br1 type bridge vlan_filtering 1
step IP link show br2
step IP link add br2 type bridge stp_state x
step IP link add br2 type bridge priority 70000
step IP link add br2 type bridge vlan_protocol 802.1x
step IP link add br2 type bridge group_address zz
step IP link add br2 type bridge bogus 1
step IP link add br2 type bridge help
step IP link add br2 type bridge stp_state
step IP link help bridge
step IP link set nosuch type bridge stp_state 1
)SH");
}

TEST_F(LinkKinds, BridgePortOptions) {
    expect_same_as_iproute2(R"SH(
step IP link add br0 type bridge
step IP link add v0 type veth peer name v1
step IP link add v2 type veth peer name v3
step IP link set v0 master br0
step IP link set v2 master br0
step IP link set dev v0 type bridge_slave cost 7 priority 12 hairpin on guard on root_block on fastleave on learning off flood off
step IP link set dev v0 type bridge_slave proxy_arp on mcast_router 2 mcast_flood off bcast_flood off mcast_to_unicast on group_fwd_mask 0x4004 neigh_suppress on
step IP link set dev v0 type bridge_slave vlan_tunnel off isolated on locked on backup_port v2 state 0
show IP -d link show v0
show IP -j -d link show v0
show BRIDGE -d link show dev v0
show BRIDGE -j -d link show dev v0
step IP link set dev v0 type bridge_slave nobackup_port mcast_fast_leave off fdb_flush
show IP -d link show v0
step IP link set dev v0 type bridge_slave hairpin maybe
step IP link set dev v0 type bridge_slave cost x
step IP link set dev v0 type bridge_slave backup_port nosuch
step IP link set dev v0 type bridge_slave bogus
step IP link help bridge_slave
step IP link set dev v1 type bridge_slave cost 5
step BRIDGE link set dev v2 cost 9 priority 3 guard on hairpin on fastleave on root_block on learning off flood off
step BRIDGE link set dev v2 mcast_router 0 mcast_flood off bcast_flood off mcast_to_unicast on neigh_suppress on vlan_tunnel off isolated on locked on
step BRIDGE link set dev v2 state blocking backup_port v0
show BRIDGE -d link show dev v2
show BRIDGE -j -d link
show IP -d link show v2
step BRIDGE link set dev v2 nobackup_port state 3 learning_sync on
step BRIDGE link set dev v2 hwmode vepa
step BRIDGE link set dev v2 self learning on
step BRIDGE link set dev v2 master learning on
show BRIDGE -d link show dev v2
step BRIDGE link set dev v2 guard maybe
step BRIDGE link set dev v2 state foo
step BRIDGE link set dev v2 hwmode x
step BRIDGE link set dev v2 backup_port nosuch
step BRIDGE link set guard on
step BRIDGE link set dev nosuch guard on
step BRIDGE link set dev v2 bogus
step BRIDGE link set dev v1 cost 4
step BRIDGE link help
)SH");
}

TEST_F(LinkKinds, VxlanOptionsOnAddAndSet) {
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
step IP addr add 10.0.0.1/24 dev v0
step IP link add vx0 type vxlan id 42 dstport 4789 remote 10.0.0.2 local 10.0.0.1 dev v0 learning proxy l2miss l3miss
show IP -d link show vx0
show IP -j -d link show vx0
step IP link add vx1 type vxlan id 43 group 239.1.1.1 dev v0 ttl 10 tos 0x10 df set ageing 100 maxaddress 50 srcport 1000 2000 dstport 0 nolearning noproxy rsc udpcsum
show IP -d link show vx1
show IP -j -d link show vx1
step IP link add vx2 type vxlan vni 44 remote 2001:db8::2 local 2001:db8::1 dstport 4790 flowlabel 5 ttl inherit tos inherit df inherit ageing none maxaddress unlimited noudp6zerocsumtx udp6zerocsumrx
show IP -d link show vx2
show IP -j -d link show vx2
step IP link add vx3 type vxlan external dstport 4789
show IP -d link show vx3
step IP link add vx4 type vxlan id 45 gpe
step IP link add vx5 type vxlan id 46 gbp dstport 4789 remcsumtx remcsumrx
show IP -d link show vx5
step IP link add vx6 type vxlan id 47
show IP -d link show vx6
step IP -4 link add vx7 type vxlan id 48 dstport 4789
show IP -d link show vx7
step IP link set vx0 type vxlan nolearning noproxy nol2miss nol3miss
step IP link set vx0 type vxlan ageing 30
step IP link set dev vx0 type vxlan id 99
show IP -d link show vx0
step IP link add vx8 type vxlan
step IP link add vx8 type vxlan id 1 group 239.1.1.1
step IP link add vx8 type vxlan id 1 remote 239.1.1.1
step IP link add vx8 type vxlan id 1 group 10.0.0.9 dev v0
step IP link add vx8 type vxlan id 1 remote 10.0.0.9 group 239.1.1.1 dev v0
step IP link add vx8 type vxlan id 1 id 2
step IP link add vx8 type vxlan id 99999999
step IP link add vx8 type vxlan id 1 ttl 300
step IP link add vx8 type vxlan id 1 df maybe
step IP link add vx8 type vxlan id 1 dev nosuch
step IP link add vx8 type vxlan id 1 local 239.1.1.1
step IP link add vx8 type vxlan external id 1
step IP link add vx8 type vxlan id 1 vnifilter
step IP link add vx8 type vxlan id 1 bogus
step IP link add vx8 type vxlan id 1 remote bogus
step IP link add vx8 type vxlan help
step IP link help vxlan
step IP link add vx8 type vxlan id 42 dstport 4789 remote 10.0.0.2 local 10.0.0.1 dev v0
step IP link add vx9 type vxlan id 42 dstport 4789 remote 10.0.0.3 local 10.0.0.1 dev v0
)SH");
}

TEST_F(LinkKinds, MacvlanAndMacvtapModes) {
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
step IP link add m0 link v0 type macvlan mode private
step IP link add m1 link v0 type macvlan mode vepa
step IP link add m2 link v0 type macvlan mode bridge bcqueuelen 50
step IP link add m3 link v0 type macvlan mode passthru flag nopromisc
step IP link add m4 link v1 type macvlan mode source macaddr add 02:00:00:00:00:01
step IP link set m4 type macvlan macaddr add 02:00:00:00:00:02
step IP link set m4 type macvlan macaddr set 02:00:00:00:00:03 02:00:00:00:00:04
show IP -d link show m4
show IP -j -d link show m4
step IP link set m4 type macvlan macaddr del 02:00:00:00:00:03
step IP link set m4 type macvlan macaddr flush
step IP link add t0 link v1 type macvtap mode bridge
step IP link add t1 link v1 type macvtap mode vepa nodst
show IP -d link show
show IP -j -d link show
show IP -d link show type macvlan
step IP link add m5 link v0 type macvlan mode bogus
step IP link add m5 link v0 type macvlan flag bogus
step IP link add m5 link v0 type macvlan mode bridge nopromisc
step IP link add m5 link v0 type macvlan bcqueuelen -1
step IP link add m5 link v0 type macvlan macaddr bogus
step IP link add m5 link v0 type macvlan bogus
step IP link add m5 link v0 type macvlan help
step IP link help macvlan
step IP link help macvtap
step IP link add m5 type macvlan mode bridge
)SH");
}

// -s and -s -s: the statistics tables and -j objects (no IPv6 on the veths, so
// no background traffic changes the counters between the two runs).
TEST_F(LinkKinds, Statistics) {
    expect_same_as_iproute2(R"SH(
step sysctl -qw net.ipv6.conf.default.disable_ipv6=1
step IP link add v0 type veth peer name v1
step IP link set v0 up
step IP link set v1 up
step ping -c 2 -i 0.2 -q 127.0.0.1
show IP -s link
show IP -s -s link
show IP -s link show lo
show IP -s -s link show dev v0
show IP -j -s link
show IP -j -s -s link show lo
show IP -s addr show lo
show IP -s -s addr
show IP -j -s addr show lo
show IP -s -d link show v0
show IP -s -o link show lo
)SH");
}

// ipvlan is not built into this kernel: the requests are compared byte for byte
// (strace of both tools), with the error and status both get.
TEST_F(LinkKinds, IpvlanRequestsAndErrors) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    ASSERT_EQ(sh("ip link add v0 type veth peer name v1").status, 0);
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"link", "add", "i0", "link", "v0", "type", "ipvlan", "mode", "l2"},
             {"link", "add", "i0", "link", "v0", "type", "ipvlan", "mode", "l3s", "private"},
             {"link", "add", "i0", "link", "v0", "type", "ipvlan", "mode", "l3", "vepa"},
             {"link", "add", "i0", "link", "v0", "type", "ipvlan", "bridge"},
             {"link", "add", "i0", "link", "v0", "type", "ipvtap", "mode", "l2", "bridge"},
             {"link", "add", "m9", "link", "v0", "type", "macvlan", "mode", "bridge", "nodst", "bcqueuelen", "7"}})
        expect_same_requests(rtnl_ip(), "ip", w, w[2] != "m9");
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
step IP link add i0 link v0 type ipvlan mode l4
step IP link add i0 link v0 type ipvlan bogus
step IP link add i0 link v0 type ipvlan private vepa
step IP link add i0 link v0 type ipvlan help
step IP link help ipvlan
step IP link help ipvtap
)SH");
}

// 8021q (and dummy, nlmon) are not built into this kernel either: the requests
// byte for byte, and the errors both tools print.
TEST_F(LinkKinds, VlanRequestsAndErrors) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    ASSERT_EQ(sh("ip link add v0 type veth peer name v1").status, 0);
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"link", "add", "link", "v0", "name", "v0.10", "type", "vlan", "id", "10"},
             {"link", "add", "link", "v0", "v0.20", "type", "vlan", "protocol", "802.1ad", "id", "20", "reorder_hdr",
              "off", "gvrp", "on", "mvrp", "off", "loose_binding", "on", "bridge_binding", "off"},
             {"link", "add", "link", "v0", "name", "v0.30", "type", "vlan", "id", "30", "ingress-qos-map", "1:2", "3:4",
              "egress-qos-map", "5:6"},
             {"link", "add", "d0", "type", "dummy"},
             {"link", "add", "d0", "type", "dummy", "whatever", "ip", "ignores"},
             {"link", "add", "n0", "type", "nlmon"}})
        expect_same_requests(rtnl_ip(), "ip", w);
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
step IP link add link v0 name v0.10 type vlan id 5000
step IP link add link v0 name v0.10 type vlan id 10 protocol bogus
step IP link add link v0 name v0.10 type vlan id 10 gvrp maybe
step IP link add link v0 name v0.10 type vlan id 10 ingress-qos-map 1:x
step IP link add link v0 name v0.10 type vlan bogus
step IP link add link v0 name v0.10 type vlan help
step IP link help vlan
step IP link help dummy
step IP link help ifb
step IP link help nlmon
)SH");
}

}  // namespace
