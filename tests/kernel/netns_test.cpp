// Named namespaces against the real kernel: the iproute2 on-disk contract,
// rollback, hostile names, sockets and threads that never change namespace.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::run;

std::size_t nsfs_mounts_under(const std::string& dir) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line))
        if (line.find(" " + dir + "/") != std::string::npos && line.find("nsfs") != std::string::npos) ++n;
    return n;
}

ino_t current_netns_inode() {
    struct stat st {};
    ::stat("/proc/thread-self/ns/net", &st);
    return st.st_ino;
}

using Netns = KernelTest;

TEST_F(Netns, ThousandCreatedAndRemovedLeaveNothing) {
    constexpr int n = 1000;
    for (int i = 0; i < n; ++i) netns::create("t" + std::to_string(i));
    EXPECT_EQ(netns::list().size(), static_cast<std::size_t>(n));
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) netns::remove("t" + std::to_string(i));
    EXPECT_TRUE(netns::list().empty());
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), 0u);
}

TEST_F(Netns, RemoveManyAndRemoveAll) {
    std::vector<std::string> names;
    for (int i = 0; i < 100; ++i) names.push_back("r" + std::to_string(i));
    std::vector<unique_fd> fds;
    ASSERT_FALSE(netns::default_registry().create_many(names, fds));
    fds.clear();
    ASSERT_FALSE(netns::default_registry().remove_many({names.data(), 50}));
    EXPECT_EQ(netns::list().size(), 50u);
    auto f = netns::default_registry().remove_many({names.data(), 51});  // r0…r49 are gone already
    EXPECT_EQ(f.code, std::errc::no_such_file_or_directory);
    EXPECT_EQ(netns::list().size(), 49u) << "every name is tried despite the failures";
    EXPECT_EQ(netns::default_registry().remove_all(), 49u);
    EXPECT_TRUE(netns::list().empty());
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), 0u);
    // and the directory works as before: create makes it a shared mount again
    netns::create("again");
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), 1u);
    auto r = run({"ip", "netns", "exec", "again", "true"});
    EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(Netns, RemoveManyReportsTheEarliestFailingNameWhateverTheThreads) {
    // 64 names, none of which exists: every worker fails; the answer names the
    // first one however the threads were scheduled.
    std::vector<std::string> names;
    for (int i = 0; i < 64; ++i) names.push_back("gone" + std::to_string(i));
    for (unsigned threads : {1u, 8u, 1000u}) {  // 1000: more than max_remove_threads
        auto f = netns::default_registry().remove_many(names, threads);
        EXPECT_EQ(f.code, std::errc::no_such_file_or_directory);
        EXPECT_EQ(f.what, "Cannot remove namespace file \"/run/netns/gone0\": No such file or directory") << threads;
    }
}

TEST_F(Netns, CreateManyTakesAnyCallableHook) {
    // the hook is a template parameter: lambdas, std::function (the type it had
    // before) and no hook at all
    std::vector<std::string> names{"h0", "h1"};
    std::vector<unique_fd> fds;
    std::vector<ino_t> inside;
    std::function<netns::failure(std::size_t)> hook = [&](std::size_t) -> netns::failure {
        inside.push_back(current_netns_inode());
        return {};
    };
    ASSERT_FALSE(netns::default_registry().create_many(names, fds, hook));
    ASSERT_EQ(inside.size(), 2u);
    struct stat st {};
    ASSERT_EQ(::fstat(fds[1].get(), &st), 0);
    EXPECT_EQ(inside[1], st.st_ino) << "the hook runs inside the namespace just made";
    EXPECT_NE(inside[0], current_netns_inode()) << "and the caller never moved";
    // a failing hook removes that namespace and stops the batch
    std::vector<std::string> more{"h2", "h3"};
    auto f = netns::default_registry().create_many(more, fds, [](std::size_t i) -> netns::failure {
        if (i == 1) return {std::make_error_code(std::errc::permission_denied), "refused by the hook"};
        return {};
    });
    EXPECT_EQ(f.what, "refused by the hook");
    EXPECT_TRUE(netns::exists("h2"));
    EXPECT_FALSE(netns::exists("h3"));
    EXPECT_EQ(fds.size(), 1u);
    ASSERT_FALSE(netns::default_registry().create_many(std::vector<std::string>{"h4"}, fds, {}));
    EXPECT_TRUE(netns::exists("h4"));
}

TEST_F(Netns, CreateManyUsesOneHelperThreadAndSameContract) {
    std::vector<std::string> names;
    for (int i = 0; i < 50; ++i) names.push_back("m" + std::to_string(i));
    std::vector<unique_fd> fds;
    auto f = netns::default_registry().create_many(names, fds);
    ASSERT_FALSE(f) << f.what;
    ASSERT_EQ(fds.size(), names.size());
    for (std::size_t i = 0; i < fds.size(); ++i) {
        EXPECT_FALSE(netns::verify(fds[i].get()));
        unique_fd byname = netns::open(names[i]);
        struct stat a {}, b {};
        ::fstat(fds[i].get(), &a);
        ::fstat(byname.get(), &b);
        EXPECT_EQ(a.st_ino, b.st_ino) << "the returned fd is the named namespace";
    }
    // a duplicate in the middle stops the batch; what was made before stays made
    std::vector<std::string> again{"fresh1", "m3", "fresh2"};
    f = netns::default_registry().create_many(again, fds);
    EXPECT_EQ(f.code, std::errc::file_exists);
    EXPECT_EQ(fds.size(), 1u);
    EXPECT_TRUE(netns::exists("fresh1"));
    EXPECT_FALSE(netns::exists("fresh2"));
}

TEST_F(Netns, DuplicateNameErrorIsIproute2s) {
    netns::create("ns1");
    try {
        netns::create("ns1");
        FAIL() << "created twice";
    } catch (const error& e) {
        EXPECT_STREQ(e.what(), "Cannot create namespace file \"/run/netns/ns1\": File exists");
        EXPECT_EQ(e.code(), std::errc::file_exists);
    }
    std::error_code ec;
    netns::create("ns1", ec);
    EXPECT_EQ(ec, std::errc::file_exists);
}

TEST_F(Netns, RemoveMissingAndOpenMissing) {
    try {
        netns::remove("zz");
        FAIL();
    } catch (const error& e) {
        EXPECT_STREQ(e.what(), "Cannot remove namespace file \"/run/netns/zz\": No such file or directory");
    }
    try {
        netns::open("zz");
        FAIL();
    } catch (const error& e) {
        EXPECT_STREQ(e.what(), "Cannot open network namespace \"zz\": No such file or directory");
    }
}

TEST_F(Netns, HostileNamesAreRefusedBeforeAnythingIsMade) {
    const std::string long_name(256, 'x');
    for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                            std::string("../escape"), std::string("/abs"), std::string("new\nline"),
                            std::string("tab\t"), std::string("esc\x1b[31m"), std::string("del\x7f"), long_name}) {
        std::error_code ec;
        netns::create(bad, ec);
        EXPECT_EQ(ec, errc::invalid_name) << "name: " << bad;
        try {
            netns::create(bad);
            FAIL() << bad;
        } catch (const error& e) {
            EXPECT_EQ(std::string(e.what()), "Invalid netns name \"" + bad + "\"");
        }
        netns::remove(bad, ec);
        EXPECT_EQ(ec, errc::invalid_name);
    }
    EXPECT_TRUE(netns::list().empty());
    struct stat st {};
    EXPECT_NE(::stat("/run/escape", &st), 0) << "../escape must not create a file outside the run dir";
    EXPECT_TRUE(netns::validate_name(std::string(255, 'x')) == std::error_code{}) << "NAME_MAX itself is fine";
}

TEST_F(Netns, ReadOnlyRunDirFailsCleanly) {
    // (Rollback after a failed unshare is in privilege_test: no CAP_SYS_ADMIN.)
    netns::registry ro("/run/ro-netns");
    netns::registry(ro).create("probe");  // make the dir and its shared mount
    ASSERT_EQ(::mount(nullptr, "/run/ro-netns", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0)
        << std::strerror(errno);
    std::error_code ec;
    ro.create("x", ec);
    EXPECT_EQ(ec, std::errc::read_only_file_system);
    EXPECT_FALSE(ro.exists("x"));
    EXPECT_EQ(nsfs_mounts_under("/run/ro-netns"), 1u) << "only the probe";
}

TEST_F(Netns, IpSeesOursAndWeSeeIps) {
    netns::create("ours");
    auto r = run({"ip", "netns", "add", "theirs"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto names = netns::list();
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"ours", "theirs"}));
    r = run({"ip", "netns", "list"});
    EXPECT_NE(r.out.find("ours"), std::string::npos) << r.out;
    // ip can run a command in ours; we can open theirs
    r = run({"ip", "netns", "exec", "ours", "ip", "-o", "link", "show", "lo"});
    EXPECT_EQ(r.status, 0) << r.err;
    unique_fd theirs = netns::open("theirs");
    EXPECT_FALSE(netns::verify(theirs.get()));
    // ip deletes ours, we delete theirs
    EXPECT_EQ(run({"ip", "netns", "del", "ours"}).status, 0);
    netns::remove("theirs");
    EXPECT_TRUE(netns::list().empty());
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), 0u);
}

TEST_F(Netns, SymlinkToANamespaceIsListedAndUsable) {
    unique_fd a = netns::create("real");
    ASSERT_EQ(::symlink("/run/netns/real", "/run/netns/alias"), 0);
    auto names = netns::list();
    EXPECT_NE(std::find(names.begin(), names.end(), "alias"), names.end());
    unique_fd b = netns::open("alias");
    struct stat sa {}, sb {};
    ::fstat(a.get(), &sa);
    ::fstat(b.get(), &sb);
    EXPECT_EQ(sa.st_ino, sb.st_ino);
    // removing the alias removes the link only, never the namespace it points to
    netns::remove("alias");
    EXPECT_TRUE(netns::exists("real"));
    EXPECT_EQ(nsfs_mounts_under("/run/netns"), 1u);
}

TEST_F(Netns, SymlinkToSomethingElseIsRefused) {
    ASSERT_EQ(::symlink("/etc/hostname", "/run/netns/trap"), 0);
    std::error_code ec;
    netns::open("trap", ec);
    EXPECT_EQ(ec, errc::not_a_net_namespace);
    // a mount-namespace handle is nsfs too, but not a *network* namespace
    ASSERT_EQ(::symlink("/proc/self/ns/mnt", "/run/netns/mnt"), 0);
    netns::open("mnt", ec);
    EXPECT_EQ(ec, errc::not_a_net_namespace);
    // a leftover placeholder (plain file) is not a namespace either
    int fd = ::open("/run/netns/placeholder", O_CREAT | O_WRONLY, 0);
    ::close(fd);
    netns::open("placeholder", ec);
    EXPECT_EQ(ec, errc::not_a_net_namespace);
}

TEST_F(Netns, SocketInsideANamespaceWithoutMovingTheCaller) {
    unique_fd ns = netns::create("inner");
    const ino_t before = current_netns_inode();
    auto nl = socket::in_namespace(ns.get());
    EXPECT_EQ(current_netns_inode(), before);
    link::add(nl, bridge{.name = "br-inner"});
    EXPECT_EQ(current_netns_inode(), before);
    // visible inside, not here
    std::error_code ec;
    rtnl::socket here;
    link::get(here, "br-inner", ec);
    EXPECT_EQ(ec, errc::no_such_device);
    auto inside = link::get(nl, "br-inner");
    EXPECT_EQ(inside.kind, "bridge");
}

TEST_F(Netns, EnterGuardRestoresAndVerifies) {
    unique_fd ns = netns::create("g");
    const ino_t home = current_netns_inode();
    struct stat target {};
    ::fstat(ns.get(), &target);
    {
        auto guard = netns::enter("g");
        EXPECT_EQ(current_netns_inode(), target.st_ino);
    }
    EXPECT_EQ(current_netns_inode(), home);
    std::error_code ec;
    auto bad = netns::enter(-1, ec);
    EXPECT_TRUE(ec);
    EXPECT_EQ(current_netns_inode(), home);
}

TEST_F(Netns, AnonymousNamespaceLivesAsLongAsItsFd) {
    unique_fd ns = netns::create_anonymous();
    EXPECT_FALSE(netns::verify(ns.get()));
    auto nl = socket::in_namespace(ns.get());
    EXPECT_EQ(link::list(nl).size(), 1u) << "a new namespace has only lo";
    EXPECT_TRUE(netns::list().empty()) << "no file for an anonymous namespace";
}

TEST_F(Netns, IdentifyFindsTheNames) {
    unique_fd ns = netns::create("who");
    ::symlink("/run/netns/who", "/run/netns/also");
    auto names = netns::default_registry().identify(ns.get());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"also", "who"}));
}

TEST_F(Netns, OverriddenRunDirectory) {
    netns::registry r("/run/custom/dir/");
    r.create("a");
    EXPECT_EQ(r.run_dir(), "/run/custom/dir");
    EXPECT_TRUE(r.exists("a"));
    EXPECT_FALSE(netns::exists("a"));
    EXPECT_EQ(r.list(), std::vector<std::string>{"a"});
    r.remove("a");
    EXPECT_TRUE(r.list().empty());
}

}  // namespace
