// Missing privileges: the error names the capability, and nothing is left half-made.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;

bool drop_effective(int cap) {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    if (::syscall(SYS_capget, &hdr, d) != 0) return false;
    d[cap / 32].effective &= ~(1u << (cap % 32));
    return ::syscall(SYS_capset, &hdr, d) == 0;
}

/// Runs `fn` in a child without `cap`; returns the text it reported.
template <class Fn>
std::string without(int cap, Fn&& fn) {
    int p[2];
    if (::pipe(p) != 0) return "pipe failed";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        std::string msg;
        if (!drop_effective(cap)) msg = "capset failed";
        else {
            try {
                fn();
                msg = "(no error)";
            } catch (const std::exception& e) {
                msg = e.what();
            }
        }
        (void)!::write(p[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(p[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

using Privileges = KernelTest;

TEST_F(Privileges, LinkChangesWithoutCapNetAdminNameIt) {
    EXPECT_EQ(without(CAP_NET_ADMIN, [] {
                  rtnl::socket nl;
                  link::add(nl, veth{.name = "nope0", .peer = {.name = "nope1"}});
              }),
              "RTNETLINK answers: Operation not permitted (CAP_NET_ADMIN is missing)");
    rtnl::socket nl;
    std::error_code ec;
    link::get(nl, "nope0", ec);
    EXPECT_EQ(ec, errc::no_such_device);
    // reading needs no privilege
    EXPECT_EQ(without(CAP_NET_ADMIN, [] {
                  rtnl::socket reader;
                  (void)link::list(reader);
              }),
              "(no error)");
}

TEST_F(Privileges, NamespaceCreateWithoutCapSysAdminNamesItAndRollsBack) {
    // The run dir is already a shared mount (this process made one before the
    // fork), so the child gets as far as the placeholder file and then fails in
    // unshare: the placeholder must go.
    netns::create("first");
    EXPECT_EQ(without(CAP_SYS_ADMIN, [] { netns::create("denied"); }),
              "Failed to create a new network namespace \"denied\": Operation not permitted (CAP_SYS_ADMIN is missing)");
    EXPECT_FALSE(netns::exists("denied")) << "the placeholder file was removed";
    EXPECT_EQ(netns::list(), std::vector<std::string>{"first"});
    // A fresh run dir fails one step earlier, with the same hint.
    EXPECT_EQ(without(CAP_SYS_ADMIN, [] { netns::registry("/run/other").create("x"); }),
              "mount --make-shared /run/other failed: Operation not permitted (CAP_SYS_ADMIN is missing)");
    EXPECT_TRUE(netns::registry("/run/other").list().empty());
}

TEST_F(Privileges, ANamespaceThatWorkedBeforeIsUntouchedByADeniedRemove) {
    netns::create("keep");
    const std::string text = without(CAP_SYS_ADMIN, [] { netns::remove("keep"); });
    // umount needs CAP_SYS_ADMIN; the file then cannot go either (it is a mount point)
    EXPECT_NE(text, "(no error)");
    EXPECT_NE(text.find("CAP_SYS_ADMIN is missing"), std::string::npos) << text;
    EXPECT_TRUE(netns::exists("keep"));
    EXPECT_NO_THROW(netns::open("keep"));
}

}  // namespace
