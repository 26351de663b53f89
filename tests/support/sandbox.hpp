// tests/support/sandbox.hpp — hermetic kernel tests.
//
// Every kernel test runs in a fresh network namespace *and* a private mount
// namespace whose /run is a new tmpfs, so /run/netns (where iproute2 and rtnl keep
// named namespaces) starts empty and vanishes with the test. Nothing a test makes
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

namespace rtnl::test {

/// Moves the process into new namespaces; returns why not, or "".
inline std::string enter_sandbox() {
    if (::geteuid() != 0) return "kernel tests need root";
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) return std::string("unshare: ") + std::strerror(errno);
    if (::mount("", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return std::string("make-rprivate /: ") + std::strerror(errno);
    // A previous test in this process left its /run (and namespaces under it) in
    // the copy of the mount table: drop it so this test starts from nothing.
    static bool mounted_before = false;
    if (mounted_before) ::umount2("/run", MNT_DETACH);
    mounted_before = true;
    if (::mount("rtnl-test", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        return std::string("tmpfs on /run: ") + std::strerror(errno);
    if (::mkdir("/run/netns", 0755) != 0) return std::string("mkdir /run/netns: ") + std::strerror(errno);
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
