// tools/common/sandbox.hpp — a private network + mount namespace for demos,
// stress runs and tests: a fresh network namespace, and a private mount
// namespace in which /run is a new tmpfs, so /run/netns starts empty and
// everything made inside vanishes when the process exits. The host's links,
// namespaces and files are never touched.
//
// It works wherever root may make namespaces, not only on a booted host:
//   * in a chroot "/" is not a mount point, so it cannot be made private
//     (EINVAL). A mount made under a shared parent would then propagate back to
//     the host, and a tmpfs on the chroot's /run would outlive us there. So the
//     sandbox steps out of the chroot inside its own mount namespace (root may:
//     a chroot is no boundary for CAP_SYS_CHROOT), makes that namespace's whole
//     tree private, binds the chroot onto itself so "/" becomes a mount point
//     (as a container runtime would; `ip netns exec` and `unshare
//     --propagation` need that), and goes back in;
//   * a read-only /run is covered by the tmpfs like any other; an absent /run is
//     created when "/" is writable, else the sandbox says so;
//   * a /var/run that is a directory of its own (not Debian's symlink to /run)
//     gets the same tmpfs bound over it, so iproute2 (which uses
//     /var/run/netns) and rtnl (/run/netns) see one run directory;
//   * a read-only /proc/sys (containers mask it so) leaves the sandbox unable to
//     set its own network's sysctls: /proc/sys/net alone — per network
//     namespace, so the sandbox's own — is bound writable; the rest stays as it was.
// What was worked around is reported in `notes`, what could not be is `error`.
// In a chroot the process ends up with a new root mount: what it opened before
// (its own executable: /proc/self/exe) is then named by a path outside that
// root. Resolve such paths before entering the sandbox.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace rtnl::tools {

/// What enter_sandbox did.
struct sandbox_result {
    std::string error;               ///< why there is no sandbox; empty when there is one
    std::vector<std::string> notes;  ///< steps that needed a fallback (a chroot, an absent /run …)
    explicit operator bool() const noexcept { return error.empty(); }
};

namespace detail {

inline std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

inline bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

#if defined(SYS_open_tree) && defined(SYS_move_mount)
inline constexpr bool have_open_tree = true;
#else
inline constexpr bool have_open_tree = false;
#endif

/// "/" is not a mount point (a chroot). Inside our own mount namespace: step
/// out to the namespace's real root, make the whole tree private there, then
/// bind the chroot directory onto itself and re-enter it, so "/" is a private
/// mount point from now on. Returns an error text, or "".
inline std::string privatise_chroot(std::vector<std::string>& notes) {
    const int old_root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (old_root < 0) return errno_text("open /");
    struct guard {
        int fd;
        ~guard() { ::close(fd); }
    } g{old_root};
    // the working directory, by path: it is resolved again inside the new mount
    std::string cwd = "/";
    if (char buf[4096]; ::getcwd(buf, sizeof buf)) cwd = buf;
    // chroot into any subdirectory: our working directory ("/") is then outside
    // the root, and ".." walks up past the old root to the namespace's root.
    bool stepped = false;
    for (const char* sub : {"/proc", "/dev", "/tmp", "/etc", "/usr", "/var"}) {
        struct stat st {};
        if (::stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && ::chdir("/") == 0 && ::chroot(sub) == 0) {
            stepped = true;
            break;
        }
    }
    if (!stepped) return errno_text("step out of the chroot (chroot into a subdirectory)");
    struct stat here {}, up {};
    for (int i = 0; i < 4096; ++i) {
        if (::stat(".", &here) != 0 || ::chdir("..") != 0 || ::stat(".", &up) != 0) break;
        if (same_file(here, up)) break;
    }
    std::string error;
    if (::mount("", ".", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        error = errno_text("make the mount enclosing the chroot private");
    // From here on nothing we mount propagates anywhere. Make the chroot a mount
    // point of its own: a recursive clone of it, attached on top of it.
    bool bound = false;
    if (error.empty() && have_open_tree) {
#if defined(SYS_open_tree) && defined(SYS_move_mount)
        constexpr unsigned open_tree_clone = 1, open_tree_cloexec = O_CLOEXEC;
        constexpr unsigned move_f_empty = 0x4, move_t_empty = 0x40;
        const int tree = static_cast<int>(::syscall(SYS_open_tree, old_root, "",
                                                    open_tree_clone | open_tree_cloexec | AT_RECURSIVE | AT_EMPTY_PATH));
        if (tree >= 0) {
            if (::syscall(SYS_move_mount, tree, "", old_root, "", move_f_empty | move_t_empty) == 0 &&
                ::fchdir(tree) == 0 && ::chroot(".") == 0 && ::chdir("/") == 0) {
                bound = true;
                (void)!::chdir(cwd.c_str());
            }
            ::close(tree);
        }
#endif
    }
    if (!bound) {
        // Back into the chroot as it was.
        if (::fchdir(old_root) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0)
            return errno_text("return into the chroot");
        (void)!::chdir(cwd.c_str());
        if (error.empty())
            notes.push_back("/ is not a mount point (a chroot) and could not be bound onto itself: "
                            "`ip netns exec` inside the sandbox will fail");
        return error;
    }
    notes.push_back("/ is not a mount point (a chroot): made the enclosing mount private and bound / onto itself");
    return {};
}

}  // namespace detail

/// Moves the calling process into a sandbox. Call it while the process has a
/// single thread.
inline sandbox_result make_sandbox() {
    sandbox_result r;
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        const int e = errno;
        r.error = std::string("cannot create a sandbox (unshare): ") + std::strerror(e) +
                  (e == EPERM ? " (CAP_SYS_ADMIN is missing: run as root; a container needs --cap-add SYS_ADMIN,NET_ADMIN)"
                   : e == EINVAL ? " (the process has more than one thread)"
                                 : "");
        return r;
    }
    if (::mount("", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        if (errno != EINVAL) {
            r.error = detail::errno_text("cannot make / private");
            return r;
        }
        if (auto e = detail::privatise_chroot(r.notes); !e.empty()) {
            r.error = "cannot make / private (/ is not a mount point: a chroot?): " + e;
            return r;
        }
    }
    // A sandbox entered earlier in this process left its /run in the copied
    // mount table: drop it so this one starts from nothing.
    static bool mounted_before = false;
    if (mounted_before) ::umount2("/run", MNT_DETACH);
    struct stat run {};
    if (::stat("/run", &run) != 0) {
        if (::mkdir("/run", 0755) != 0) {
            r.error = detail::errno_text("there is no /run and it cannot be made (mkdir /run)");
            return r;
        }
        r.notes.push_back("/run was absent: made it");
    }
    if (::mount("rtnl-sandbox", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
        r.error = detail::errno_text("cannot mount a tmpfs on /run");
        return r;
    }
    mounted_before = true;
    if (::mkdir("/run/netns", 0755) != 0) {
        r.error = detail::errno_text("mkdir /run/netns");
        return r;
    }
    // iproute2 keeps namespaces in /var/run/netns: make that the same directory.
    struct stat var_run {}, new_run {};
    if (::stat("/var/run", &var_run) == 0 && ::stat("/run", &new_run) == 0 && !detail::same_file(var_run, new_run)) {
        if (::mount("/run", "/var/run", nullptr, MS_BIND, nullptr) != 0) {
            r.error = detail::errno_text("/var/run is not /run, and binding the sandbox's /run over it failed");
            return r;
        }
        r.notes.push_back("/var/run is a directory of its own: bound the sandbox's /run over it");
    }
    // Network sysctls are per namespace: the sandbox's are its own to set.
    struct statvfs sys_net {};
    if (::statvfs("/proc/sys/net", &sys_net) == 0 && (sys_net.f_flag & ST_RDONLY)) {
        if (::mount("/proc/sys/net", "/proc/sys/net", nullptr, MS_BIND, nullptr) == 0 &&
            ::mount("", "/proc/sys/net", nullptr, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
            r.notes.push_back("/proc/sys is read-only (a container?): made /proc/sys/net, the sandbox's own, writable");
        else
            r.notes.push_back(detail::errno_text("/proc/sys is read-only and /proc/sys/net could not be made writable: "
                                                 "network sysctls cannot be set in the sandbox"));
    }
    return r;
}

/// make_sandbox, for callers that only need to know why it failed ("" = made).
inline std::string enter_sandbox() { return make_sandbox().error; }

}  // namespace rtnl::tools
