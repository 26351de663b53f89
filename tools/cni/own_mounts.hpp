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
// that opens them.
//
// sysfs: /sys/class/net shows the namespace of whoever mounted /sys (a runtime's
// or a test's sandbox may not have remounted it); a sysfs made by fsopen shows
// the namespace we are in when we make it.
//
// Where a mount is refused (no CAP_SYS_ADMIN over the namespace, a kernel before
// 5.2) sysctls go to /proc/sys as before and sysfs reads report "unknown".
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

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

class sysctl_writer {
public:
    /// Writes `value` to `key` (a path under /proc/sys); false if it could not.
    bool write(std::string_view key, std::string_view value) {
        if (!tried_) proc_ = mount_own("proc"), tried_ = true;
        if (!proc_) return !netns::write_sysctl(key, value);  // no mount of our own: the shared /proc/sys
        const std::string rel = "sys/" + std::string(key);
        unique_fd fd(::openat(proc_.get(), rel.c_str(), O_WRONLY | O_CLOEXEC));
        return fd && ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
    }

private:
    bool tried_ = false;
    unique_fd proc_;
};

/// NET_ADDR_SET (linux/netdevice.h, which clashes with glibc's <netinet/in.h>):
/// the address was set by a user, so the kernel keeps it as ports come and go.
inline constexpr int net_addr_set = 3;

/// The link's addr_assign_type (NET_ADDR_PERM 0, RANDOM 1, STOLEN 2, SET 3) in
/// the calling thread's network namespace; nullopt when it cannot be read.
inline std::optional<int> addr_assign_type(const std::string& link) {
    const unique_fd sys = mount_own("sysfs");
    if (!sys) return std::nullopt;
    const unique_fd f(::openat(sys.get(), ("class/net/" + link + "/addr_assign_type").c_str(), O_RDONLY | O_CLOEXEC));
    char buf[8];
    const ssize_t n = f ? ::read(f.get(), buf, sizeof buf) : -1;
    if (n <= 0 || buf[0] < '0' || buf[0] > '9') return std::nullopt;
    return buf[0] - '0';
}

}  // namespace rtnl::cni
