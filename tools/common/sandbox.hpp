// tools/common/sandbox.hpp — a private network + mount namespace for demos,
// stress runs and tests: a fresh network namespace, and a private mount
// namespace in which /run is a new tmpfs, so /run/netns starts empty and
// everything made inside vanishes when the process exits. The host's links,
// namespaces and files are never touched.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rtnl::tools {

/// Moves the calling process into a sandbox; returns why not, or "".
/// Call it while the process has a single thread.
inline std::string enter_sandbox() {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
        return std::string("cannot create a sandbox (unshare): ") + std::strerror(errno) +
               (errno == EPERM ? " (run as root: CAP_SYS_ADMIN is missing)" : "");
    if (::mount("", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return std::string("cannot make / private: ") + std::strerror(errno);
    // A sandbox entered earlier in this process left its /run in the copied
    // mount table: drop it so this one starts from nothing.
    static bool mounted_before = false;
    if (mounted_before) ::umount2("/run", MNT_DETACH);
    if (::mount("rtnl-sandbox", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        return std::string("cannot mount a tmpfs on /run: ") + std::strerror(errno);
    mounted_before = true;
    if (::mkdir("/run/netns", 0755) != 0) return std::string("mkdir /run/netns: ") + std::strerror(errno);
    return {};
}

}  // namespace rtnl::tools
