// `ip rule`: add/del/show/flush with ip 6.1's words, bytes, text and -j
// output, messages and exit statuses (transcripts in twin sandboxes; requests
// byte-compared with strace).
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/requests.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using Rule = KernelTest;

TEST_F(Rule, AddShowDelFlush) {
    expect_same_as_iproute2(R"SH(
step IP link add v0 type veth peer name v1
show IP rule
show IP -j rule
show IP -6 rule
step IP rule add from 10.0.0.0/24 table 100
step IP rule add to 10.1.0.0/16 lookup 200 pref 50
step IP rule add fwmark 0x10/0xff table main priority 60
step IP rule add fwmark 7 table 300 prio 70
step IP rule add not from 10.2.0.0/16 iif v0 oif v1 table 1000 pref 80
step IP rule add from all tos 0x10 table 5 pref 90 protocol static
step IP rule add uidrange 1000-2000 ipproto tcp sport 80 dport 1000-2000 table 6 pref 100
step IP rule add from 10.3.0.0/16 blackhole pref 110
step IP rule add from 10.4.0.0/16 unreachable pref 120
step IP rule add from 10.5.0.0/16 goto 130 pref 125
step IP rule add from 10.6.0.0/16 nop pref 130
step IP rule add from 10.7.0.0/16 table 7 suppress_prefixlength 0 pref 140
step IP rule add from 10.8.0.0/16 table 8 suppress_ifgroup default pref 150
step IP -6 rule add from 2001:db8::/32 table 100 pref 200
step IP rule add from 10.0.0.0/24 table 100
show IP rule
show IP -j rule
show IP -j -p rule show pref 80
show IP -d rule
show IP -6 rule
show IP rule show table 100
show IP rule show from 10.0.0.0/24
show IP rule show to 10.1.0.0/16
show IP rule show fwmark 0x10/0xff
show IP rule show iif v0
show IP rule show not
show IP rule show pref 60
show IP rule list lookup main
step IP rule del from 10.0.0.0/24 table 100
step IP rule del pref 50
step IP rule del pref 50
step IP rule del priority 60
show IP rule
step IP rule flush table 1000
show IP rule
step IP rule flush
show IP rule
show IP -6 rule
step IP rule add
step IP rule del
step IP rule add from 10.0.0.0/33
step IP rule add pref abc
step IP rule add table bogus
step IP rule add fwmark x
step IP rule add uidrange 5
step IP rule add sport a-b
step IP rule add from 10.0.0.0/8 bogustype
step IP rule add l3mdev table 5
step IP rule add from 2001:db8::/32 table 5
step IP rule show bogus
step IP rule foo
step IP rule help
)SH");
}

TEST_F(Rule, RequestsAreIpsBytes) {
    if (run({"strace", "-V"}).status != 0) FAIL() << "strace is not installed (run.sh installs it)";
    for (std::vector<std::string> w : std::vector<std::vector<std::string>>{
             {"rule", "add", "from", "10.0.0.0/24", "table", "100"},
             {"rule", "add", "not", "to", "10.1.0.0/16", "lookup", "5000", "pref", "50", "fwmark", "0x10/0xff", "iif", "lo"},
             {"rule", "add", "uidrange", "1-2", "ipproto", "udp", "dport", "53", "goto", "70", "pref", "60"},
             {"-6", "rule", "add", "from", "2001:db8::/32", "prohibit", "protocol", "static"},
             {"rule", "del", "pref", "50"}})
        expect_same_requests(rtnl_ip(), "ip", w, false);  // ip's run changes the state ours sees
}

}  // namespace
