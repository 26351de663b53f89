// tests/support/sandbox.hpp — hermetic kernel tests.
//
// Every kernel test runs in a fresh network namespace *and* a private mount
// namespace whose /run is a new tmpfs (tools/common/sandbox.hpp), so /run/netns
// (where iproute2 and rtnl keep named namespaces) starts empty and vanishes with
// the test. Nothing a test makes can reach the host's links, namespaces or
// files. ctest runs each test in its own process; SetUp enters new namespaces
// again so a whole binary run directly is just as hermetic.
//
// A skipped test has not passed. Where it must run — under ./run.sh test
// (RTNL_TEST_STRICT=1), whenever CI is set, or as root — a test that cannot get
// what it needs (a sandbox, a program) fails and says why; elsewhere (a
// developer without root) it skips with the same reason.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "rtnl/ops.hpp"
#include "support/process.hpp"
#include "tools/common/sandbox.hpp"

namespace rtnl::test {

/// True where a test may not skip for want of root, a sandbox or a program.
inline bool skipping_is_failure() {
    auto set = [](const char* v) {
        const char* s = std::getenv(v);
        return s && *s && std::string(s) != "0" && std::string(s) != "false";
    };
    return set("RTNL_TEST_STRICT") || set("CI") || ::geteuid() == 0;
}

/// Skips with `why` — or, where skipping is failure, fails with it. Use it in
/// SetUp or a test body (it returns from the calling function).
#define RTNL_SKIP_OR_FAIL(why)                                                                                   \
    do {                                                                                                        \
        const std::string rtnl_why_ = (why);                                                                    \
        if (::rtnl::test::skipping_is_failure())                                                                \
            GTEST_FAIL() << rtnl_why_ << " (a test that must run here: root, CI or ./run.sh test)";             \
        else                                                                                                    \
            GTEST_SKIP() << rtnl_why_;                                                                          \
    } while (0)

/// Moves the process into new namespaces with lo up; returns why not, or "".
inline std::string enter_sandbox() {
    if (::geteuid() != 0) return "kernel tests need root";
    auto made = rtnl::tools::make_sandbox();
    if (!made) return made.error;
    for (auto& n : made.notes) ::testing::Test::RecordProperty("sandbox", n);
    try {
        rtnl::socket nl;
        rtnl::link::set(nl, "lo", {.up = true});
    } catch (const std::exception& e) {
        return std::string("lo up: ") + e.what();
    }
    return {};
}

/// Skips (or fails, see RTNL_SKIP_OR_FAIL) unless `program` runs (`program --version`-like probe).
#define RTNL_REQUIRE_PROGRAM(program, ...)                                                                       \
    do {                                                                                                        \
        if (::rtnl::test::run({program, __VA_ARGS__}).status != 0)                                              \
            RTNL_SKIP_OR_FAIL(std::string(program) + " is not installed (run.sh installs it)");                 \
    } while (0)

/// argv that runs `argv` in a sandbox of its own (a fresh network namespace, a
/// private mount namespace with its own /run) — in chroots and containers too,
/// where `unshare --propagation private` cannot make "/" private.
#ifdef RTNL_SANDBOX_EXEC  // tools/sandbox/rtnl-sandbox, built with the tools
inline std::vector<std::string> sandboxed(std::vector<std::string> argv) {
    argv.insert(argv.begin(), RTNL_SANDBOX_EXEC);
    return argv;
}
#endif

/// Defence in depth. A fixture's members (a socket, say) are constructed before
/// SetUp() enters the test's sandbox, so a slip there would reach the host's
/// links. Every binary that includes this header therefore moves into a sandbox
/// of its own before main() runs (as root; one thread exists then, which unshare
/// of a mount namespace needs), and each test's SetUp still makes a fresh one
/// inside it. It is not a substitute: tests still enter their own sandbox.
inline const bool process_sandboxed = [] { return ::geteuid() == 0 && static_cast<bool>(rtnl::tools::make_sandbox()); }();

/// Base fixture for tests that touch the kernel.
class KernelTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = enter_sandbox(); !why.empty()) RTNL_SKIP_OR_FAIL(why);
    }
};

}  // namespace rtnl::test
