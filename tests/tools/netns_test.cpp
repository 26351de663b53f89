// rtnl-ip netns: shares the run dir with iproute2, `exec` passes the child's
// status and gives the command its namespace's /sys, a symlink placed in the run
// dir is listed and usable, -n runs a command inside a named namespace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

using Netns = KernelTest;

TEST_F(Netns, SameRunDirAsIproute2) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "ours"}).status, 0);
    ASSERT_EQ(run({"ip", "netns", "add", "theirs"}).status, 0);
    auto a = run({"ip", "netns", "list"});
    auto b = run({rtnl_ip(), "netns", "list"});
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(b.out.find("ours"), std::string::npos);
    EXPECT_NE(b.out.find("theirs"), std::string::npos);
    EXPECT_EQ(run({"ip", "netns", "del", "ours"}).status, 0);
    EXPECT_EQ(run({rtnl_ip(), "netns", "del", "theirs"}).status, 0);
    EXPECT_EQ(run({"ip", "netns", "list"}).out, "");
}

TEST_F(Netns, ExecPassesTheChildStatusAndItsOwnSys) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "ns1"}).status, 0);
    EXPECT_EQ(run({rtnl_ip(), "netns", "exec", "ns1", "sh", "-c", "exit 42"}).status, 42);
    EXPECT_EQ(run({rtnl_ip(), "netns", "exec", "ns1", "true"}).status, 0);
    ASSERT_EQ(run({rtnl_ip(), "link", "add", "outside", "type", "veth", "peer", "name", "inside", "netns", "ns1"}).status, 0);
    auto sys = run({rtnl_ip(), "netns", "exec", "ns1", "ls", "/sys/class/net"});
    EXPECT_EQ(sys.out, "inside\nlo\n");
    auto id = run({rtnl_ip(), "netns", "exec", "ns1", rtnl_ip(), "netns", "identify"});
    EXPECT_EQ(id.out, "ns1\n");
}

TEST_F(Netns, ExecInsideABatchForksAndReportsTheStatus) {
    ASSERT_EQ(run({"ip", "netns", "add", "ns1"}).status, 0);
    const std::string text = "netns exec ns1 true\nnetns exec ns1 sh -c 'exit 3'\nnetns exec ns1 echo after\n";
    auto ours = run({rtnl_ip(), "-force", "-batch", "-"}, text);
    auto theirs = run({"ip", "-force", "-batch", "-"}, text);
    EXPECT_EQ(ours.status, 1);
    EXPECT_EQ(ours.status, theirs.status);
    EXPECT_EQ(ours.out, theirs.out);
    EXPECT_EQ(ours.err, theirs.err);
    EXPECT_EQ(ours.err, "Command failed -:2\n");
}

TEST_F(Netns, SymlinkInTheRunDirIsListedAndUsable) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "real"}).status, 0);
    ASSERT_EQ(::symlink("/run/netns/real", "/run/netns/alias"), 0);
    auto ours = run({rtnl_ip(), "netns", "list"});
    EXPECT_EQ(ours.out, run({"ip", "netns", "list"}).out);
    EXPECT_NE(ours.out.find("alias"), std::string::npos);
    // usable: exec, -n, and as a link's target namespace
    EXPECT_EQ(run({rtnl_ip(), "netns", "exec", "alias", "true"}).status, 0);
    ASSERT_EQ(run({rtnl_ip(), "link", "add", "v", "type", "veth", "peer", "name", "p", "netns", "alias"}).status, 0);
    auto in_real = run({rtnl_ip(), "-n", "real", "-o", "link", "show", "p"});
    EXPECT_EQ(in_real.status, 0) << in_real.err;
    auto in_alias = run({rtnl_ip(), "-n", "alias", "-o", "link", "show", "p"});
    EXPECT_EQ(in_alias.out, in_real.out);
    auto ident = run({rtnl_ip(), "netns", "exec", "real", rtnl_ip(), "netns", "identify"});
    EXPECT_EQ(ident.out, run({"ip", "netns", "exec", "real", "ip", "netns", "identify"}).out);
    // deleting the alias removes the link, not the namespace it points at
    EXPECT_EQ(run({rtnl_ip(), "netns", "del", "alias"}).status, 0);
    EXPECT_EQ(run({rtnl_ip(), "-n", "real", "link", "show", "p"}).status, 0);
    EXPECT_EQ(run({rtnl_ip(), "netns", "list"}).out.find("alias"), std::string::npos);
}

TEST_F(Netns, SymlinkToAProcessNamespace) {
    // name the namespace of a process (here: a child in its own namespace) with a symlink
    auto child = run({"bash", "-c",
                      "unshare --net sleep 30 & pid=$!; sleep 0.2; "
                      "ln -s /proc/$pid/ns/net /run/netns/proc; "
                      + rtnl_ip() + " netns exec proc " + rtnl_ip() + " -o link; rc=$?; kill $pid; exit $rc"});
    EXPECT_EQ(child.status, 0) << child.err;
    EXPECT_NE(child.out.find("1: lo:"), std::string::npos) << child.out;
}

TEST_F(Netns, NetnsOptionRunsInsideTheNamespace) {
    ASSERT_EQ(run({rtnl_ip(), "netns", "add", "ns0"}).status, 0);
    ASSERT_EQ(run({rtnl_ip(), "-n", "ns0", "link", "set", "lo", "up"}).status, 0);
    EXPECT_EQ(run({rtnl_ip(), "-n", "ns0", "addr"}).out, run({"ip", "-n", "ns0", "addr"}).out);
    auto missing = run({rtnl_ip(), "-n", "nosuch", "link"});
    auto reference = run({"ip", "-n", "nosuch", "link"});
    EXPECT_EQ(missing.status, reference.status);
    EXPECT_EQ(missing.err, reference.err);
}

}  // namespace
