// Error cases: every message (stderr) and exit status equals iproute2's for the
// same command on the same state — kernel errors with and without extack, usage
// errors (255), netns failures (1), missing devices, the exit status of
// `netns exec` — plus the places where rtnl-ip is deliberately stricter.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

class Errors : public KernelTest {
protected:
    static void expect_same_as_iproute2(const std::string& script) { rtnl::test::expect_same_as_iproute2(script, false); }
};

TEST_F(Errors, NetnsMessagesAndStatuses) {
    expect_same_as_iproute2(R"SH(
step IP netns add a/b
step IP netns add ..
step IP netns add ''
step IP netns del nope
step IP netns exec nosuch true
step IP netns exec
step IP netns exec foo
step IP netns foo
step IP netns attach x
step IP netns attach x 999999
step IP netns set nosuch 5
step IP netns add n1
step IP netns add n1
step IP netns set n1 5
step IP netns set n1 6
step IP netns set n1 abc
show IP netns list
show IP netns list-id
show IP -j netns list
show IP -j netns list-id
step IP netns identify abc
step IP netns identify 1 2
show IP netns exec n1 IP netns identify
step IP netns exec n1 sh -c 'exit 3'
step IP netns exec n1 /nonexistent
step IP netns attach n2 SANDBOX_PID
show IP netns identify SANDBOX_PID
step IP netns del n2
step IP netns del n1
step IP netns list-id nsid x
)SH");
}

TEST_F(Errors, LinkAddressRouteMessagesAndStatuses) {
    expect_same_as_iproute2(R"SH(
step IP link show nosuch
step IP addr show nosuch
step IP link add a type veth
step IP link add type veth peer name x netns nons
step IP link add v0 type veth peer name v0
step IP link show v0
step IP link add toolongname12345 type veth
step IP link add v1 type veth peer name lo
step IP link show v1
step IP link add v1 type veth peer
step IP link add v1 type veth foo
step IP link add v1
step IP link set dev lo mtu abc
step IP link set lo master nosuch
step IP link set nosuch up
step IP link set dev nosuch name other
step IP link del nosuch
step IP link del group 5
step IP link set
step IP link set dev
step IP link set dev lo promisc maybe
step IP link set dev lo address zz:11
step IP link foo
step IP addr add 10.0.0.1/24
step IP addr add 10.0.0.300/24 dev lo
step IP addr add 10.0.0.1/24 dev nosuch
step IP addr add 10.0.0.1/24 dev lo
step IP addr add 10.0.0.1/24 dev lo
step IP addr del 10.0.0.9/24 dev lo
step IP addr add 10.0.0.2/24 dev lo
step IP addr add 10.0.0.3/24 dev lo
step IP addr flush to 10.0.0.2/32
show IP addr show dev lo
step IP addr flush dev lo
show IP addr show dev lo
step IP addr flush
step IP addr flush dev nosuch
step IP addr foo
step IP route add default via 10.0.0.254
step IP route add default via 10.0.0.254
step IP route add 10.9.0.0/16 via 10.0.0.99 dev nosuch
step IP route del 10.9.0.0/16
show IP route
show IP -j route
step IP route del default
step IP route del default
step IP route foo
step IP foo
step IP -foo
step BRIDGE link show dev nosuch
step BRIDGE link foo
step BRIDGE foo
)SH");
}

// Stricter than iproute2: a namespace name with a control character is refused
// (iproute2 creates it), and nothing is left behind.
TEST_F(Errors, ControlCharactersInNamespaceNamesAreRefused) {
    auto r = run({rtnl_ip(), "netns", "add", "bad\nname"});
    EXPECT_EQ(r.status, 255);
    EXPECT_EQ(r.err, "Invalid netns name \"bad\nname\"\n");
    struct stat st {};
    EXPECT_NE(::stat("/run/netns/bad\nname", &st), 0);
    auto tab = run({rtnl_ip(), "netns", "add", "tab\there"});
    EXPECT_EQ(tab.status, 255);
    auto list = run({rtnl_ip(), "netns", "list"});
    EXPECT_EQ(list.out, "");
}

// A failed `netns add` leaves no file and no mount.
TEST_F(Errors, FailedNetnsAddLeavesNothing) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "taken"}).status, 0);
    auto again = run({rtnl_ip(), "netns", "add", "taken"});
    EXPECT_EQ(again.status, 1);
    EXPECT_EQ(again.err, "Cannot create namespace file \"/run/netns/taken\": File exists\n");
    ASSERT_EQ(run({rtnl_ip(), "netns", "del", "taken"}).status, 0);
    auto mounts = run({"grep", "-c", "/run/netns/taken", "/proc/self/mountinfo"});
    EXPECT_EQ(mounts.out, "0\n");
    struct stat st {};
    EXPECT_NE(::stat("/run/netns/taken", &st), 0);
}

// A failed `link add` leaves no link (the kernel refuses the whole pair).
TEST_F(Errors, FailedLinkAddLeavesNoLink) {
    auto r = run({rtnl_ip(), "link", "add", "half", "type", "veth", "peer", "name", "lo"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "RTNETLINK answers: File exists\n");
    EXPECT_EQ(run({"ip", "link", "show", "half"}).status, 1);
    auto all = run({"ip", "-o", "link"});
    EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 1) << all.out;
}

}  // namespace
