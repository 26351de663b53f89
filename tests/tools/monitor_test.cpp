// `ip monitor`: rtnl-ip and ip listen side by side in one sandbox while another
// process makes changes (links, addresses, routes, neighbours, rules, netconf,
// namespace ids); both must print the same lines for the same events. (The
// namespace the veth moves into has its id before the monitors start: how ip
// names an id first seen through all-nsid is not reproduced.)
#include <gtest/gtest.h>

#include <string>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

/// Runs `rtnl-ip FLAGS monitor WHAT` and `ip FLAGS monitor WHAT` while the
/// changes happen; returns both outputs (timestamps blanked).
std::pair<std::string, std::string> monitor_both(const std::string& flags, const std::string& what) {
    const std::string script = R"SH(
mount -t tmpfs m /run && mkdir -p /run/netns || exit 99
ip link set lo up; sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip netns add x
ip netns set x 7
"$RTNL_IP" $FLAGS monitor $WHAT >/run/ours 2>&1 & A=$!
ip $FLAGS monitor $WHAT >/run/theirs 2>&1 & B=$!
sleep 0.5
ip link add v0 type veth peer name v1
ip link set v0 up
ip addr add 10.0.0.1/24 dev v0
ip route add 10.9.0.0/16 via 10.0.0.2
ip route add 10.8.0.0/16 nexthop via 10.0.0.2 nexthop via 10.0.0.3
ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0
ip rule add from 10.5.0.0/16 table 5 pref 5
ip link set v1 netns x
ip neigh del 10.0.0.2 dev v0
ip route del 10.9.0.0/16
ip addr del 10.0.0.1/24 dev v0
ip rule del pref 5
ip link del v0
sleep 0.5
kill $A $B; wait
sed -E 's/^\[[0-9T:.-]+\] /[TS] /; s/^Timestamp: .*$/Timestamp: T/' /run/ours >/run/o
sed -E 's/^\[[0-9T:.-]+\] /[TS] /; s/^Timestamp: .*$/Timestamp: T/' /run/theirs >/run/t
cat /run/o; echo "=====SPLIT====="; cat /run/t
)SH";
    auto r = run({"env", "RTNL_IP=" + rtnl_ip(), "FLAGS=" + flags, "WHAT=" + what, "unshare", "--net", "--mount",
                  "--propagation", "private", "bash", "-c", script});
    const auto split = r.out.find("=====SPLIT=====\n");
    if (split == std::string::npos) return {r.out + r.err, ""};
    return {r.out.substr(0, split), r.out.substr(split + 16)};
}

using Monitor = KernelTest;

TEST_F(Monitor, SameLinesAsIpMonitor) {
    for (auto [flags, what] : std::vector<std::pair<std::string, std::string>>{
             {"", "all"}, {"", ""}, {"", "link address"}, {"", "route neigh"}, {"", "rule nsid netconf"},
             {"", "all all-nsid"}, {"-t", "link"}, {"-ts", "all"}, {"-j", "address route"}, {"-4", "all"},
             {"", "label link"}}) {
        SCOPED_TRACE(flags + " monitor " + what);
        auto [ours, theirs] = monitor_both(flags, what);
        EXPECT_FALSE(theirs.empty());
        EXPECT_EQ(ours, theirs);
    }
}

TEST_F(Monitor, ErrorsAsIp) {
    expect_same_as_iproute2(R"SH(
step IP monitor bogus
step IP monitor dev nosuch
step IP monitor help
)SH");
}

}  // namespace
