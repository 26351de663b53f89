// -batch: iproute2's semantics (stop at the first failing line, or report every
// one with -force; "Command failed FILE:LINE"; exit 1; a usage error ends the
// run with 255) on 1000-line files with a failure in the middle, compared with
// iproute2 line for line and by the resulting state — and the pipelining the
// README promises (many requests per sendmsg with -force, one without).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <string>

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "tools/transcript.hpp"

namespace {

using namespace rtnl::test;

/// 1000 lines adding 10.1.x.y/32 to lo; line `bad` repeats line 10's address.
std::string address_batch(int bad, const std::string& bad_line = {}) {
    std::string s;
    for (int i = 1; i <= 1000; ++i) {
        if (i == bad) {
            s += bad_line.empty() ? "addr add 10.1.0.10/32 dev lo\n" : bad_line + "\n";
            continue;
        }
        s += "addr add 10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250) + "/32 dev lo\n";
    }
    return s;
}

struct outcome {
    run_result run;
    int addresses = 0;  ///< 10.1.* addresses on lo afterwards
};

/// Runs TOOL [flags] -batch FILE in a fresh network namespace, then counts addresses.
outcome run_batch(const std::string& tool, const std::string& flags, const std::string& text) {
    char path[] = "/tmp/rtnl-batch-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    std::ofstream(path) << text;
    const std::string script = "ip link set lo up; " + tool + " " + flags + " -batch " + path +
                               " >/run/out 2>/run/err; rc=$?; cat /run/out; cat /run/err >&2; "
                               "echo \"addresses=$(ip -4 -o addr show dev lo | grep -c ' 10\\.1\\.')\" >&2; exit $rc";
    outcome o;
    o.run = run(sandboxed({"bash", "-c", script}));
    ::unlink(path);
    std::smatch m;
    if (std::regex_search(o.run.err, m, std::regex("addresses=([0-9]+)\n"))) {
        o.addresses = std::stoi(m[1]);
        o.run.err = std::regex_replace(o.run.err, std::regex("addresses=[0-9]+\n"), "");
    }
    o.run.err = std::regex_replace(o.run.err, std::regex("/tmp/rtnl-batch-[A-Za-z0-9]+"), "FILE");
    return o;
}

using Batch = KernelTest;

TEST_F(Batch, FailingLineStopsTheBatchWithoutForce) {
    const auto text = address_batch(500);
    auto ours = run_batch(rtnl_ip(), "", text);
    auto theirs = run_batch("ip", "", text);
    EXPECT_EQ(theirs.run.status, 1);
    EXPECT_EQ(ours.run.status, theirs.run.status);
    EXPECT_EQ(ours.run.err, theirs.run.err);
    EXPECT_EQ(ours.run.err, "Error: ipv4: Address already assigned.\nCommand failed FILE:500\n");
    EXPECT_EQ(theirs.addresses, 499);
    EXPECT_EQ(ours.addresses, theirs.addresses);  // nothing after line 500 took effect
}

TEST_F(Batch, ForceReportsTheFailureAndRunsEveryOtherLine) {
    const auto text = address_batch(500);
    auto ours = run_batch(rtnl_ip(), "-force", text);
    auto theirs = run_batch("ip", "-force", text);
    EXPECT_EQ(theirs.run.status, 1);
    EXPECT_EQ(ours.run.status, theirs.run.status);
    EXPECT_EQ(ours.run.err, theirs.run.err);
    EXPECT_EQ(ours.run.err, "Error: ipv4: Address already assigned.\nCommand failed FILE:500\n");
    EXPECT_EQ(theirs.addresses, 999);
    EXPECT_EQ(ours.addresses, theirs.addresses);
}

TEST_F(Batch, MissingDeviceInTheMiddle) {
    for (const char* flags : {"", "-force"}) {
        SCOPED_TRACE(flags);
        const auto text = address_batch(500, "addr add 10.9.0.1/32 dev nosuch");
        auto ours = run_batch(rtnl_ip(), flags, text);
        auto theirs = run_batch("ip", flags, text);
        EXPECT_EQ(ours.run.status, theirs.run.status);
        EXPECT_EQ(ours.run.err, theirs.run.err);
        EXPECT_EQ(ours.run.err, "Cannot find device \"nosuch\"\nCommand failed FILE:500\n");
        EXPECT_EQ(ours.addresses, theirs.addresses);
    }
}

TEST_F(Batch, KernelLookupOfAMissingDeviceInTheMiddle) {
    // `link set` names the device with IFLA_IFNAME: the kernel's ENODEV reads as iproute2's message
    const auto text = address_batch(500, "link set dev nosuch up");
    auto ours = run_batch(rtnl_ip(), "-force", text);
    auto theirs = run_batch("ip", "-force", text);
    EXPECT_EQ(ours.run.status, 1);
    EXPECT_EQ(ours.run.err, theirs.run.err);
    EXPECT_EQ(ours.run.err, "Cannot find device \"nosuch\"\nCommand failed FILE:500\n");
    EXPECT_EQ(ours.addresses, 999);
    EXPECT_EQ(ours.addresses, theirs.addresses);
}

TEST_F(Batch, UsageErrorEndsTheRunEvenWithForce) {
    const auto text = address_batch(500, "link set dev lo mtu abc");
    auto ours = run_batch(rtnl_ip(), "-force", text);
    auto theirs = run_batch("ip", "-force", text);
    EXPECT_EQ(theirs.run.status, 255);
    EXPECT_EQ(ours.run.status, 255);
    EXPECT_EQ(ours.run.err, theirs.run.err);
    EXPECT_EQ(theirs.addresses, 499);
    EXPECT_EQ(ours.addresses, 499);  // queued lines before it were sent first
}

/// Lines rtnl-ip refuses (iproute2 runs them quietly), lines the kernel refuses
/// and good lines, mixed: 1000 address lines with refusals at 100, 300 and 700
/// and failures at 200 and 500.
std::string mixed_batch() {
    std::string s;
    for (int i = 1; i <= 1000; ++i) {
        if (i == 100) s += "xfrm state flush\n";
        else if (i == 300) s += "route add 10.9.0.0/16 dev lo mtu 1400\n";
        else if (i == 700) s += "addrlabel add prefix 2001:db8::/64 label 99\n";
        else if (i == 200 || i == 500) s += "addr add 10.1.0.10/32 dev lo\n";
        else s += "addr add 10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250) + "/32 dev lo\n";
    }
    return s;
}

// -force: a refused line is one failed line (its message, "Command failed"), and
// the batch goes on — every line iproute2 applies besides the refused ones is
// applied, and the report is iproute2's plus one entry per refused line.
TEST_F(Batch, ForceGoesOnPastRefusedLines) {
    const auto text = mixed_batch();
    auto ours = run_batch(rtnl_ip(), "-force", text);
    auto theirs = run_batch("ip", "-force", text);
    EXPECT_EQ(theirs.run.status, 1);
    EXPECT_EQ(ours.run.status, theirs.run.status);
    EXPECT_EQ(theirs.run.err,
              "Error: ipv4: Address already assigned.\nCommand failed FILE:200\n"
              "Error: ipv4: Address already assigned.\nCommand failed FILE:500\n");
    EXPECT_EQ(ours.run.err,
              "rtnl-ip: object \"xfrm\" is not supported; use ip(8) for it\nCommand failed FILE:100\n"
              "Error: ipv4: Address already assigned.\nCommand failed FILE:200\n"
              "rtnl-ip: route option \"mtu\" is not supported; use ip(8) for it\nCommand failed FILE:300\n"
              "Error: ipv4: Address already assigned.\nCommand failed FILE:500\n"
              "rtnl-ip: object \"addrlabel\" is not supported; use ip(8) for it\nCommand failed FILE:700\n");
    EXPECT_EQ(theirs.addresses, 995);
    EXPECT_EQ(ours.addresses, theirs.addresses);
}

// Without -force a refused line stops the batch as a failing line does: status 1.
TEST_F(Batch, RefusedLineStopsTheBatchWithoutForce) {
    auto ours = run_batch(rtnl_ip(), "", mixed_batch());
    EXPECT_EQ(ours.run.status, 1);
    EXPECT_EQ(ours.run.err, "rtnl-ip: object \"xfrm\" is not supported; use ip(8) for it\nCommand failed FILE:100\n");
    EXPECT_EQ(ours.addresses, 99);
}

TEST_F(Batch, OutputAndErrorsInLineOrder) {
    const std::string text =
        "addr add 10.1.0.1/32 dev lo\n"
        "addr add 10.1.0.1/32 dev lo\n"
        "  # a comment, then a blank line\n"
        "\n"
        "link add v0 type veth peer name \\\n"
        "  v1\n"
        "link set dev v0 up\n"
        "addr show dev lo\n"
        "link set dev nosuch up\n"
        "-j link show v1\n"
        "link show v1\n"
        "link del v0\n"
        "netns add 'quoted name'\n"
        "netns list\n";  // last: iproute2 does not flush this output until it exits
    for (const char* flags : {"-force", ""}) {
        SCOPED_TRACE(flags);
        const std::string merged_script =
            "ip link set lo up; printf '%s' \"$1\" | TOOL " + std::string(flags) + " -batch - 2>&1; echo \"rc=$?\"";
        auto run_with = [&](const std::string& tool) {
            std::string sc = std::regex_replace(merged_script, std::regex("TOOL"), tool);
            return run(sandboxed({"bash", "-c", sc, "sh", text}));
        };
        auto ours = run_with(rtnl_ip());
        auto theirs = run_with("ip");
        EXPECT_EQ(normalise(ours.out), normalise(theirs.out));
    }
}

TEST_F(Batch, NamesFollowRenamesDeletesAndMovesWhilePipelined) {
    const std::string text =
        "netns add far\n"
        "link add p1 type veth peer name p2\n"
        "link set dev p1 name p3\n"
        "addr add 10.2.0.1/24 dev p3\n"
        "addr add 10.2.0.2/24 dev p1\n"
        "link set dev p3 up\n"
        "link add q1 type veth peer name q2\n"
        "link set dev q1 netns far\n"
        "addr add 10.3.0.1/24 dev q1\n"
        "link del p3\n"
        "addr add 10.2.0.3/24 dev p2\n"
        "link add p2 type veth peer name p3\n"
        "addr add 10.2.0.4/24 dev p2\n"
        "-o addr show dev p2\n"
        "-n far -o link show q1\n"
        "link add m type veth peer name n\n"  // "m" reads as "master": usage error, ends the run
        "link add p4 type veth peer name p5\n";
    const std::string script = "ip link set lo up; printf '%s' \"$1\" | TOOL -force -batch - 2>&1; echo \"rc=$?\"; "
                               "ip -o addr show | sed 's/^[0-9]*: //'; ip -n far -o link show";
    auto run_with = [&](const std::string& tool) {
        return run(sandboxed({"bash", "-c", std::regex_replace(script, std::regex("TOOL"), tool), "sh", text}));
    };
    auto ours = run_with(rtnl_ip());
    auto theirs = run_with("ip");
    // Whether "far" already holds an id for its parent when q1 is shown depends on
    // the kernel's timing, not on the tool (ip alone shows both): this test is about
    // names, so the id is not compared.
    const std::regex netnsid(R"(link-netnsid (unknown|[0-9]+))");
    EXPECT_EQ(std::regex_replace(normalise(ours.out), netnsid, "link-netnsid N"),
              std::regex_replace(normalise(theirs.out), netnsid, "link-netnsid N"));
    EXPECT_NE(ours.out.find("Cannot find device \"p1\""), std::string::npos) << ours.out;
    EXPECT_NE(ours.out.find("inet 10.2.0.4/24"), std::string::npos) << ours.out;
    EXPECT_NE(ours.out.find("rc=255"), std::string::npos) << ours.out;
}

TEST_F(Batch, ForcePipelinesManyRequestsPerSendmsg) {
    RTNL_REQUIRE_PROGRAM("strace", "-V");
    const auto text = address_batch(0);
    char path[] = "/tmp/rtnl-batch-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    std::ofstream(path) << text;
    auto count_sendmsg = [&](const std::string& flags) {
        auto r = run(sandboxed({"bash", "-c",
                      "ip link set lo up; strace -f -qq -e trace=sendmsg -o /dev/stdout " + rtnl_ip() + " " + flags +
                          " -batch " + std::string(path) + " | grep -c sendmsg"}));
        return std::stoi(r.out.empty() ? "0" : r.out);
    };
    const int pipelined = count_sendmsg("-force");
    const int stepwise = count_sendmsg("");
    ::unlink(path);
    EXPECT_LE(pipelined, 10) << "1000 queued requests should leave in a few windows";
    EXPECT_GE(stepwise, 1000) << "without -force every line waits for its answer";
}

}  // namespace
