// Per-link IPv4 forwarding over rtnetlink (IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF
// IPV4_DEVCONF_FORWARDING) against the kernel's own view in /proc/sys, and the
// global switch as the explicit alternative.
#include <gtest/gtest.h>

#include <fstream>

#include "rtnl/ops.hpp"
#include "rtnl/sysctl.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using Forwarding = KernelTest;

std::string proc(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

TEST_F(Forwarding, PerLinkWhileTheGlobalSwitchStaysOff) {
    rtnl::socket nl;
    link::add(nl, bridge{.name = "br0"});
    link::add(nl, veth{.name = "up0", .peer = {.name = "up1"}});
    ASSERT_FALSE(sysctl::ipv4_forward());
    EXPECT_EQ(link::get(nl, "br0").ipv4_forwarding, false);

    link::set(nl, "br0", {.ipv4_forwarding = true});
    link::set(nl, "up0", {.ipv4_forwarding = true});
    EXPECT_EQ(link::get(nl, "br0").ipv4_forwarding, true);
    EXPECT_EQ(proc("/proc/sys/net/ipv4/conf/br0/forwarding"), "1");
    EXPECT_EQ(proc("/proc/sys/net/ipv4/conf/up0/forwarding"), "1");
    EXPECT_EQ(proc("/proc/sys/net/ipv4/conf/up1/forwarding"), "0");
    EXPECT_FALSE(sysctl::ipv4_forward()) << "the host-wide switch is untouched";

    link::set(nl, "br0", {.ipv4_forwarding = false});
    EXPECT_EQ(link::get(nl, "br0").ipv4_forwarding, false);
    EXPECT_EQ(proc("/proc/sys/net/ipv4/conf/br0/forwarding"), "0");
}

TEST_F(Forwarding, GlobalSwitchOverridesEveryLink) {
    rtnl::socket nl;
    link::add(nl, bridge{.name = "br0"});
    link::add(nl, veth{.name = "a0", .peer = {.name = "a1"}});
    link::set(nl, "br0", {.ipv4_forwarding = true});
    sysctl::set_ipv4_forward(true);
    EXPECT_EQ(link::get(nl, "a0").ipv4_forwarding, true);
    sysctl::set_ipv4_forward(false);  // … and off again for every link, br0 included
    EXPECT_EQ(link::get(nl, "br0").ipv4_forwarding, false);
}

TEST_F(Forwarding, UnknownLinkIsAClearError) {
    rtnl::socket nl;
    try {
        link::set(nl, "nosuch0", {.ipv4_forwarding = true});
        FAIL() << "no error";
    } catch (const rtnl::error& e) {
        EXPECT_EQ(e.details().code, rtnl::errc::no_such_device);
        EXPECT_STREQ(e.what(), "Cannot find device \"nosuch0\"");
    }
}

}  // namespace
