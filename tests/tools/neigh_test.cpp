// `ip neigh`: add/change/replace/del/get/show/flush with iproute2's words, text
// and -j output, messages and exit statuses, by transcript against ip(8) in
// twin sandboxes — and -batch, where a refused neigh change ends the run with
// status 2 as in ip.
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using Neigh = KernelTest;

TEST_F(Neigh, ChangesShowsAndErrors) {
    // no IPv6 link-local addresses: their DAD adds solicited-node entries at times that vary
    expect_same_as_iproute2(R"SH(
step sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
step IP link add v0 type veth peer name v1
step IP link set v0 up
step IP link set v1 up
step IP addr add 10.0.0.1/24 dev v0
step IP neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
step IP neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0
step IP neigh replace 10.0.0.3 lladdr 02:00:00:00:00:03 dev v0 nud reachable
step IP neigh change 10.0.0.3 lladdr 02:00:00:00:00:04 dev v0 nud stale router
step IP neigh chg 10.0.0.9 lladdr 02:00:00:00:00:09 dev v0
step IP neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0 nud noarp
step IP neigh add proxy 10.0.0.7 dev v0
step IP neigh add 10.0.0.8 dev v0 nud permanent protocol static
step IP neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev v0 extern_learn
step IP n a 10.0.0.11 lla 02:00:00:00:00:0b dev v0 nud 0x80
unordered IP neigh
unordered IP neigh show dev v0
unordered IP -j -p neigh show
unordered IP -j -p neigh show dev v0
unordered IP -4 neigh
unordered IP -6 neigh show nud all
unordered IP neigh show nud permanent
unordered IP neigh show nud noarp
unordered IP neigh show nud stale nud permanent
unordered IP neigh show proxy
unordered IP -j neigh show proxy
unordered IP neigh show to 10.0.0.0/30
unordered IP neigh show 10.0.0.8
unordered IP neigh show protocol static
unordered IP -br neigh
unordered IP -j -p -br neigh
unordered IP neigh show master v0
unordered IP neigh show nomaster
unordered IP neigh get 10.0.0.2 dev v0
unordered IP -j neigh get 10.0.0.3 dev v0
unordered IP neigh get proxy 10.0.0.7 dev v0
step IP neigh get 10.0.0.99 dev v0
step IP neigh get 10.0.0.2
step IP neigh get 10.0.0.2 dev nosuch
step IP neigh del 10.0.0.2 dev v0
step IP neigh del 10.0.0.2 dev v0
step IP neigh del proxy 10.0.0.7 dev v0
step IP neigh flush dev v0
unordered IP neigh
step IP -s neigh flush dev v0 nud all
unordered IP neigh show nud all
step IP neigh flush
step IP neigh add 10.0.0.2 lladdr 02:00:00:00:00:02
step IP neigh add 10.0.0.2 dev v0 nud bogus
step IP neigh add 10.0.0.2 dev v0 lladdr zz
step IP neigh add 10.0.0.2 dev nosuch
step IP neigh add 10.0.0.300 dev v0
step IP neigh add 10.0.0.2 dev v0 protocol bogus
step IP neigh add 10.0.0.2 10.0.0.3 dev v0
step IP neigh show nud bogus
step IP neigh show dev nosuch
step IP neigh show to bogus
step IP neigh foo
step IP neigh help
)SH");
}

TEST_F(Neigh, BatchEndsAtARefusedChangeAsIpDoes) {
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
printf '%s\n' 'neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0' 'neigh add 10.0.0.3 dev nosuch' \
    'neigh replace 10.0.0.4 lladdr 02:00:00:00:00:04 dev v0' 'neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0' \
    'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0' >/run/b
step IP -force -batch /run/b
unordered IP neigh
step IP -batch /run/b
unordered IP neigh show nud all
)SH");
}

// The requests rtnl-ip sends are ip's, byte for byte (strace of both; outcomes
// are compared by the transcripts above).
TEST_F(Neigh, RequestsAreIpsBytes) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    ASSERT_EQ(sh("ip link add v0 type veth peer name v1").status, 0);
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"neigh", "add", "10.0.0.2", "lladdr", "02:00:00:00:00:02", "dev", "v0", "nud", "permanent"},
             {"neigh", "replace", "2001:db8::2", "lladdr", "02:00:00:00:00:02", "dev", "v0", "nud", "reachable",
              "router", "protocol", "static"},
             {"neigh", "change", "10.0.0.2", "lladdr", "02:00:00:00:00:03", "dev", "v0", "extern_learn", "use"},
             {"neigh", "add", "proxy", "10.0.0.7", "dev", "v0"},
             {"neigh", "add", "10.0.0.9", "dev", "v0", "managed"},
             {"neigh", "get", "10.0.0.2", "dev", "v0"},
             {"neigh", "del", "10.0.0.2", "dev", "v0"},
             {"neigh", "del", "10.0.0.2", "dev", "v0"}})
        expect_same_requests(rtnl_ip(), "ip", w, false);  // ip's run changes the state ours sees
}

}  // namespace
