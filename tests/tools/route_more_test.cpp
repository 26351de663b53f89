// Routes beyond add/del/show: `via inet6` (an IPv4 route over an IPv6 next
// hop, RTA_VIA), `ip route get`, `ip -6 route show cache`, `ip route flush
// [cache]`, multipath printing — transcripts against ip(8) in twin sandboxes.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using RouteMore = KernelTest;

TEST_F(RouteMore, ViaInet6GetCacheAndFlush) {
    expect_same_as_iproute2(R"SH(
step sysctl -qw net.ipv6.conf.default.accept_dad=0
step IP link add v0 type veth peer name v1
step IP link set v0 up
step IP link set v1 up
step IP addr add 10.0.0.1/24 dev v0
step IP -6 addr add 2001:db8::1/64 dev v0 nodad
step IP route add 10.9.0.0/16 via inet6 2001:db8::2 dev v0
step IP route add 10.8.0.0/16 via inet6 2001:db8::3
step IP route add 10.7.0.0/16 via 10.0.0.2 metric 5
step IP route add 10.6.0.0/16 via inet 10.0.0.3
step IP route add 10.5.0.0/16 nexthop via 10.0.0.2 weight 2 nexthop via 10.0.0.3
step ip route add 10.4.0.0/16 nexthop via 10.0.0.2 weight 2 nexthop via 10.0.0.4 dev v0
show IP route
show IP -j route
show IP -d route show 10.4.0.0/16
show IP -j route show 10.4.0.0/16
show IP route get 10.0.0.2
show IP -j route get 10.0.0.2
show IP route get 10.9.1.1
show IP -j route get 10.9.1.1
show IP route get 10.0.0.1
show IP route get 127.0.0.1
show IP route get 10.0.0.2 from 10.0.0.1
show IP route get 10.0.0.2 oif v0
show IP route get 10.0.0.2 mark 7 uid 1000
show IP route get fibmatch 10.7.1.1
show IP route get 10.0.0.2 connected
show IP route get to 10.0.0.0/24
show IP -6 route get 2001:db8::2
show IP -j -6 route get 2001:db8::2
step IP route get 10.0.0.2 oif nosuch
step IP route get
step IP route get 203.0.113.1
step IP route get 10.0.0.2 from 10.0.0.300
show IP -6 route show cache
show IP -j -6 route show cache
show IP route show cache
show IP route show table cache
show IP route show cached
step IP route flush cache
step IP -s route flush cache
step IP -6 route flush cache
step IP -s -6 route flush cache
step IP route flush 10.9.0.0/16
show IP route
step IP -s route flush dev v0 proto boot
show IP route
step IP route flush table main
show IP route
show IP -6 route
step IP -s route flush table main
step IP route flush
)SH");
}

// The requests are ip's, byte for byte (strace of both).
TEST_F(RouteMore, RequestsAreIpsBytes) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    for (auto cmd : {"ip link add v0 type veth peer name v1", "ip link set v0 up", "ip addr add 10.0.0.1/24 dev v0",
                     "ip -6 addr add 2001:db8::1/64 dev v0 nodad"})
        ASSERT_EQ(sh(cmd).status, 0) << cmd;
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"route", "add", "10.9.0.0/16", "via", "inet6", "2001:db8::2", "dev", "v0"},
             {"route", "add", "10.5.0.0/16", "nexthop", "via", "10.0.0.2", "weight", "2", "nexthop", "via", "10.0.0.3",
              "dev", "v0", "onlink"},
             {"-6", "route", "add", "2001:db8:1::/48", "nexthop", "via", "2001:db8::2", "nexthop", "via", "2001:db8::3"},
             {"route", "get", "10.0.0.2", "from", "10.0.0.1", "oif", "v0", "mark", "3", "uid", "7"},
             {"route", "get", "fibmatch", "10.5.1.1"},
             {"-6", "route", "get", "2001:db8::2"}})
        expect_same_requests(rtnl_ip(), "ip", w, std::find(w.begin(), w.end(), "get") != w.end());  // gets change nothing
}

}  // namespace
