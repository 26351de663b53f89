// tests/support/sandbox.hpp — hermetic kernel tests.
//
// Every kernel test runs in a fresh network namespace *and* a private mount
// namespace whose /run is a new tmpfs (tools/common/sandbox.hpp), so /run/netns
// (where iproute2 and rtnl keep named namespaces) starts empty and vanishes with
// the test. Nothing a test makes
// can reach the host's links, namespaces or files. ctest runs each test in its
// own process; SetUp enters new namespaces again so a whole binary run directly
// is just as hermetic.
#pragma once

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "rtnl/ops.hpp"
#include "tools/common/sandbox.hpp"

namespace rtnl::test {

/// Moves the process into new namespaces with lo up; returns why not, or "".
inline std::string enter_sandbox() {
    if (::geteuid() != 0) return "kernel tests need root";
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) return why;
    try {
        rtnl::socket nl;
        rtnl::link::set(nl, "lo", {.up = true});
    } catch (const std::exception& e) {
        return std::string("lo up: ") + e.what();
    }
    return {};
}

/// Base fixture for tests that touch the kernel.
class KernelTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = enter_sandbox(); !why.empty()) GTEST_SKIP() << why;
    }
};

}  // namespace rtnl::test
