// tools/cni/own_mounts.hpp — procfs and sysfs instances of our own, for the
// few kernel files the plugin reads or writes.
//
// procfs: /proc/sys/net/... resolves per network namespace, and the kernel keeps
// one dentry per namespace under the shared "net" directory, all in one hash
// chain: on a host with a thousand container namespaces every lookup of
// /proc/sys/net/ipv6 walks them (measured: 0.1 ms for a warm lookup, 1 ms for
// the first one in a new namespace, against 3 µs on a fresh procfs). A procfs
// mounted for this process alone (fsopen + fsmount, attached nowhere) starts
// with empty chains; sysctl files still resolve to the namespace of the thread
// that opens them. Making and tearing it down costs ~0.1 ms, more than a few
// lookups on an uncrowded host, so it is made only where the runtime's netns
// directory holds many namespaces (netns_siblings).
//
// sysfs: /sys/class/net shows the namespace of whoever mounted /sys (a runtime's
// or a test's sandbox may not have remounted it); a sysfs made by fsopen shows
// the namespace we are in when we make it. It is made only when the host's /sys
// does not show our namespace (addr_assign_type below).
//
// Where a mount is refused (no CAP_SYS_ADMIN over the namespace, a kernel before
// 5.2) sysctls go to /proc/sys as before and sysfs reads report "unknown".
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "rtnl/address.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"

namespace rtnl::cni {

/// A detached mount of `fstype` (nosuid, nodev, noexec), or an empty fd.
inline unique_fd mount_own(const char* fstype) {
#if defined(SYS_fsopen) && defined(SYS_fsconfig) && defined(SYS_fsmount)
    unique_fd fs(static_cast<int>(::syscall(SYS_fsopen, fstype, 1 /* FSOPEN_CLOEXEC */)));
    if (!fs) return {};
    if (::syscall(SYS_fsconfig, fs.get(), 6 /* FSCONFIG_CMD_CREATE */, nullptr, nullptr, 0) != 0) return {};
    // FSMOUNT_CLOEXEC; MOUNT_ATTR_NOSUID | NODEV | NOEXEC (not RDONLY: sysctls are written)
    return unique_fd(static_cast<int>(::syscall(SYS_fsmount, fs.get(), 1, 0x2 | 0x4 | 0x8)));
#else
    (void)fstype;
    return {};
#endif
}

/// How many entries the directory holding `path` has, counting up to `limit`;
/// `limit` when it cannot be read. A runtime keeps its namespaces' files in one
/// directory (podman, containerd: /run/netns), so this is a cheap lower bound
/// for the namespaces on the host.
inline std::size_t netns_siblings(std::string_view path, std::size_t limit) {
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string_view::npos ? "." : slash == 0 ? "/" : std::string(path.substr(0, slash));
    DIR* d = ::opendir(dir.c_str());
    if (!d) return limit;
    std::size_t n = 0;
    while (n < limit)
        if (const dirent* e = ::readdir(d)) n += std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0;
        else break;
    ::closedir(d);
    return n;
}

/// Writes sysctls through a procfs instance of our own where the host is
/// crowded with namespaces, through /proc/sys otherwise.
class sysctl_writer {
public:
    /// Below ~64 namespaces a lookup in /proc/sys/net costs microseconds, less
    /// than making and tearing down a procfs (0.1 ms): say whether it is worth it
    /// before the first write. Default: it is.
    void use_own_procfs(bool on) noexcept { want_own_ = on; }

    /// Writes `value` to `key` (a path under /proc/sys); false if it could not.
    bool write(std::string_view key, std::string_view value) {
        if (!tried_) proc_ = want_own_ ? mount_own("proc") : unique_fd{}, tried_ = true;
        if (!proc_) return !netns::write_sysctl(key, value);  // no mount of our own: the shared /proc/sys
        const std::string rel = "sys/" + std::string(key);
        unique_fd fd(::openat(proc_.get(), rel.c_str(), O_WRONLY | O_CLOEXEC));
        return fd && ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
    }

private:
    bool want_own_ = true;
    bool tried_ = false;
    unique_fd proc_;
};

/// NET_ADDR_SET (linux/netdevice.h, which clashes with glibc's <netinet/in.h>):
/// the address was set by a user, so the kernel keeps it as ports come and go.
inline constexpr int net_addr_set = 3;

namespace mounts_detail {

/// The first line of `dir_fd`/`path` (at most 31 bytes), or "" when it cannot be read.
inline std::string read_line(int dir_fd, const std::string& path) {
    const unique_fd f(::openat(dir_fd, path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[32];
    const ssize_t n = f ? ::read(f.get(), buf, sizeof buf) : -1;
    if (n <= 0) return {};
    std::string_view line(buf, static_cast<std::size_t>(n));
    return std::string(line.substr(0, line.find('\n')));
}

/// addr_assign_type under `link_dir` (a /sys/class/net/NAME/ directory, relative to `dir_fd`).
inline std::optional<int> assign_type_in(int dir_fd, const std::string& link_dir) {
    const std::string t = read_line(dir_fd, link_dir + "addr_assign_type");
    if (t.size() != 1 || t[0] < '0' || t[0] > '9') return std::nullopt;
    return t[0] - '0';
}

}  // namespace mounts_detail

/// The addr_assign_type (NET_ADDR_PERM 0, RANDOM 1, STOLEN 2, SET 3) of the link
/// `link`, which netlink shows in the calling thread's network namespace with
/// ifindex `index` and MAC `mac`; nullopt when it cannot be read.
///
/// The host's /sys comes first: on a runtime's host it was mounted in the very
/// namespace the bridge lives in, and a lookup there costs microseconds, where a
/// sysfs of our own costs 0.1-0.5 ms to make, walk and tear down (kernfs builds
/// every dentry on the way fresh). It counts as ours only when the link it shows
/// under that name has the same ifindex and MAC as netlink's; otherwise (a
/// sandbox that kept another namespace's /sys) a sysfs of our own answers.
inline std::optional<int> addr_assign_type(const std::string& link, int index, const mac_address& mac) {
    const std::string dir = "/sys/class/net/" + link + "/";
    if (mounts_detail::read_line(AT_FDCWD, dir + "ifindex") == std::to_string(index) &&
        mounts_detail::read_line(AT_FDCWD, dir + "address") == mac.to_string())
        return mounts_detail::assign_type_in(AT_FDCWD, dir);
    const unique_fd sys = mount_own("sysfs");
    if (!sys) return std::nullopt;
    return mounts_detail::assign_type_in(sys.get(), "class/net/" + link + "/");
}

}  // namespace rtnl::cni
