// `bridge mdb show`: multicast group entries and router ports, text and -j,
// with -d and -s, by transcript against bridge(8) (entries added with bridge's
// own `mdb add`, which rtnl-bridge refuses).
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using BridgeMdb = KernelTest;

TEST_F(BridgeMdb, Show) {
    expect_same_as_iproute2(R"SH(
step sysctl -qw net.ipv6.conf.default.disable_ipv6=1
step IP link add br0 type bridge mcast_snooping 1
step IP link add v0 type veth peer name v1
step IP link add v2 type veth peer name v3
step IP link set v0 master br0
step IP link set v2 master br0
step IP link set br0 up
step IP link set v0 up
step IP link set v1 up
step IP link set v2 up
step IP link set v3 up
show BRIDGE mdb
show BRIDGE -j mdb show
step bridge mdb add dev br0 port v0 grp 239.1.1.1 permanent
step bridge mdb add dev br0 port v2 grp 239.1.1.2 permanent
step bridge mdb add dev br0 port v0 grp 01:00:5e:01:01:05 permanent
step bridge link set dev v2 mcast_router 2
show BRIDGE mdb
show BRIDGE mdb show dev br0
show BRIDGE -j mdb show
show BRIDGE -j -p mdb show
show BRIDGE -d mdb show
show BRIDGE -d -j mdb show
show BRIDGE -d -s mdb show
show BRIDGE -d -s -j mdb show
show BRIDGE mdb show vid 5
step BRIDGE mdb show dev nosuch
step BRIDGE mdb foo
step BRIDGE mdb help
)SH");
}

}  // namespace
