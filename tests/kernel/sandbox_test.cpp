// The sandbox itself (tools/common/sandbox.hpp) where hosts differ: inside a
// chroot ("/" not a mount point), with /run absent, read-only, or a /var/run of
// its own. Each case builds a small root directory in the test's own /run,
// makes the test's mounts shared (as systemd does on a host, so a mount the
// sandbox forgot to make private would propagate back here), and runs the
// sandbox in a child chrooted there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include <fstream>
#include <string>

#include "support/sandbox.hpp"

namespace {

using rtnl::test::KernelTest;

struct child_report {
    std::string error;
    std::string notes;
    bool root_is_mount_point = false;  ///< "/" could be made private (it is a mount point)
    bool run_is_tmpfs = false;
    bool netns_empty = false;          ///< /var/run/netns (iproute2's path) is the sandbox's, empty
    std::string cwd;                   ///< the working directory afterwards (it was /tmp)
};

/// Runs `fn` in a forked child (the sandbox changes the process for good) and
/// returns the text it produced.
template <class Fn>
std::string in_child(Fn&& fn) {
    int p[2];
    if (::pipe(p) != 0) return "E:pipe failed\n";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        const std::string out = fn();
        (void)!::write(p[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(p[1]);
    std::string text;
    char buf[1024];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return text;
}

/// Forks, chroots into `root`, makes the sandbox and reports what it finds.
child_report sandbox_in_chroot(const std::string& root) {
    const std::string text = in_child([&] {
        if (::chroot(root.c_str()) != 0 || ::chdir("/tmp") != 0) return std::string("E:chroot failed\n");
        auto r = rtnl::tools::make_sandbox();
        std::string out = "E:" + r.error + "\n";
        for (auto& n : r.notes) out += "N:" + n + "\n";
        if (!r) return out;
        out += ::mount("", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 ? "M:1\n" : "M:0\n";
        struct statfs fs {};
        out += ::statfs("/run", &fs) == 0 && fs.f_type == TMPFS_MAGIC ? "T:1\n" : "T:0\n";
        struct stat st {};
        const bool netns_dir = ::stat("/var/run/netns", &st) == 0 && S_ISDIR(st.st_mode);
        out += netns_dir && ::access("/var/run/netns/stale", F_OK) != 0 ? "V:1\n" : "V:0\n";
        char cwd[256] = "";
        out += std::string("C:") + (::getcwd(cwd, sizeof cwd) ? cwd : "?") + "\n";
        return out;
    });
    child_report r;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto nl = text.find('\n', at);
        const std::string line = text.substr(at, nl - at);
        at = nl == std::string::npos ? text.size() : nl + 1;
        if (line.size() < 2) continue;
        const std::string v = line.substr(2);
        switch (line[0]) {
        case 'E': r.error = v; break;
        case 'N': r.notes += v + "\n"; break;
        case 'M': r.root_is_mount_point = v == "1"; break;
        case 'T': r.run_is_tmpfs = v == "1"; break;
        case 'V': r.netns_empty = v == "1"; break;
        case 'C': r.cwd = v; break;
        }
    }
    return r;
}

/// Mounts in this (the test's) namespace at or below `dir`.
int mounts_under(const std::string& dir) {
    std::ifstream in("/proc/self/mountinfo");
    int n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.find(" " + dir + " ") != std::string::npos || line.find(" " + dir + "/") != std::string::npos) ++n;
    return n;
}

class Sandbox : public KernelTest {
protected:
    const std::string root = "/run/croot";
    void SetUp() override {
        KernelTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        // Shared, as on a systemd host: a leak would show up here.
        ASSERT_EQ(::mount("", "/", nullptr, MS_REC | MS_SHARED, nullptr), 0) << std::strerror(errno);
        ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((root + "/tmp").c_str(), 0755), 0);
    }
    void mkdirs(std::initializer_list<const char*> dirs) {
        for (auto d : dirs) ASSERT_EQ(::mkdir((root + d).c_str(), 0755), 0) << d;
    }
    /// Makes `root` a read-only bind mount of itself.
    void make_read_only() {
        ASSERT_EQ(::mount(root.c_str(), root.c_str(), nullptr, MS_BIND, nullptr), 0);
        ASSERT_EQ(::mount("", root.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr), 0);
    }
};

TEST_F(Sandbox, InAChrootSlashBecomesAPrivateMountPointAndNothingLeaks) {
    mkdirs({"/run"});
    ASSERT_EQ(mounts_under(root), 0);
    auto r = sandbox_in_chroot(root);
    EXPECT_EQ(r.error, "");
    EXPECT_NE(r.notes.find("/ is not a mount point (a chroot)"), std::string::npos) << r.notes;
    EXPECT_TRUE(r.root_is_mount_point) << "ip netns exec needs / to be a mount point";
    EXPECT_EQ(r.cwd, "/tmp") << "the working directory stays where it was";
    EXPECT_TRUE(r.run_is_tmpfs);
    EXPECT_EQ(mounts_under(root), 0) << "a mount propagated out of the chroot's sandbox";
}

TEST_F(Sandbox, AbsentRunIsMadeWhenTheRootIsWritable) {
    auto r = sandbox_in_chroot(root);
    EXPECT_EQ(r.error, "");
    EXPECT_NE(r.notes.find("/run was absent: made it"), std::string::npos) << r.notes;
    EXPECT_TRUE(r.run_is_tmpfs);
    EXPECT_EQ(mounts_under(root), 0);
}

TEST_F(Sandbox, ReadOnlyRunIsCoveredByTheTmpfs) {
    mkdirs({"/run"});
    make_read_only();
    const int before = mounts_under(root);
    auto r = sandbox_in_chroot(root);
    EXPECT_EQ(r.error, "");
    EXPECT_TRUE(r.run_is_tmpfs);
    EXPECT_TRUE(r.root_is_mount_point);
    EXPECT_EQ(mounts_under(root), before);
}

TEST_F(Sandbox, ReadOnlyRootWithoutRunSaysWhatIsMissing) {
    make_read_only();
    auto r = sandbox_in_chroot(root);
    EXPECT_EQ(r.error, "there is no /run and it cannot be made (mkdir /run): Read-only file system");
}

TEST_F(Sandbox, AVarRunOfItsOwnIsTheSandboxRunToo) {
    mkdirs({"/run", "/var", "/var/run", "/var/run/netns"});
    std::ofstream(root + "/var/run/netns/stale") << "";  // the host's namespace, as iproute2 would see it
    auto r = sandbox_in_chroot(root);
    EXPECT_EQ(r.error, "");
    EXPECT_NE(r.notes.find("/var/run is a directory of its own"), std::string::npos) << r.notes;
    EXPECT_TRUE(r.netns_empty) << "iproute2 would see the host's /var/run/netns";
    EXPECT_EQ(::access((root + "/var/run/netns/stale").c_str(), F_OK), 0) << "the host's file is untouched";
    EXPECT_EQ(mounts_under(root), 0);
}

TEST_F(Sandbox, ReadOnlyProcSysGetsOnlyItsNetworkPartWritable) {
    // as podman and docker mount it
    ASSERT_EQ(::mount("/proc/sys", "/proc/sys", nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
    ASSERT_EQ(::mount("", "/proc/sys", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr), 0) << std::strerror(errno);
    const std::string text = in_child([] {
        auto r = rtnl::tools::make_sandbox();
        std::string out = r.error.empty() ? "" : "error: " + r.error + "\n";
        for (auto& n : r.notes) out += n + "\n";
        std::ofstream f("/proc/sys/net/ipv4/ip_forward");  // the sandbox's own network
        f << "1\n";
        f.flush();
        out += f.good() ? "net writable\n" : "net not writable\n";
        struct statvfs k {};
        out += ::statvfs("/proc/sys/kernel", &k) == 0 && (k.f_flag & ST_RDONLY) ? "kernel read-only\n" : "kernel writable\n";
        return out;
    });
    EXPECT_EQ(text,
              "/proc/sys is read-only (a container?): made /proc/sys/net, the sandbox's own, writable\n"
              "net writable\nkernel read-only\n");
}

}  // namespace

namespace {

std::string netns_of(const char* pid) {
    struct stat st {};
    if (::stat((std::string("/proc/") + pid + "/ns/net").c_str(), &st) != 0) return "?";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// A plain TEST, not a KernelTest: before any fixture or SetUp, the binary is
// already out of the machine's network namespace (sandbox.hpp's process_sandboxed),
// so a fixture member that opens a socket before SetUp cannot touch the host.
TEST(ProcessSandbox, BinaryLeftTheHostNamespaceBeforeMain) {
    if (::geteuid() != 0) RTNL_SKIP_OR_FAIL("needs root");
    EXPECT_TRUE(rtnl::test::process_sandboxed);
    EXPECT_NE(netns_of("self"), netns_of("1")) << "this test process shares pid 1's network namespace";
}

}  // namespace
