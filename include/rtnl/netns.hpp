// rtnl/netns.hpp — named network namespaces, the way `ip netns` keeps them.
//
// On-disk contract (shared with iproute2, so `ip netns` sees ours and we see its):
// a namespace named N is an nsfs bind mount on the file RUN_DIR/N, RUN_DIR being
// /run/netns (Debian's /var/run/netns) and a shared mount so that namespaces
// created later propagate into mount namespaces cloned earlier.
//
//   create  mkdir RUN_DIR; make it a shared mount once per mount namespace (under
//           flock); create RUN_DIR/N with O_EXCL, mode 0; on a short-lived helper
//           thread unshare(CLONE_NEWNET) and bind-mount /proc/thread-self/ns/net
//           onto the file. Any failure undoes every step: no file, no mount.
//   remove  umount2(MNT_DETACH | UMOUNT_NOFOLLOW), unlink, retry EBUSY.
//   open    open + verify the descriptor is an nsfs *network* namespace. A symlink
//           in RUN_DIR to another namespace file is followed (the documented iproute2
//           way to name foreign namespaces) but only ever yields a verified netns fd;
//           remove never follows one.
//
// Names are refused before anything is made when empty, ".", "..", longer than
// NAME_MAX, or when they contain '/' or control characters.
//
// No function here moves the calling thread into another namespace except
// `enter` (explicitly, with a guard that restores and verifies) and
// `switch_for_exec` (for a process about to exec).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/fd.hpp"

namespace rtnl::netns {

/// Where iproute2 (Debian 12, iproute2 6.1) keeps named namespaces.
inline constexpr std::string_view default_run_dir = "/run/netns";

/// A failure with the text iproute2 prints for it.
struct failure {
    std::error_code code;
    std::string what;
    explicit operator bool() const noexcept { return static_cast<bool>(code); }
};

namespace detail {

inline std::error_code last_errno() noexcept { return {errno, std::system_category()}; }

inline failure fail(std::error_code ec, std::string what) {
    if (auto hint = capability_hint(ec, CAP_SYS_ADMIN); !hint.empty()) what += " (" + hint + ")";
    return failure{ec, std::move(what)};
}

/// "PREFIX: strerror(e)" — `e` captured right after the failing call.
inline failure sys_fail(int e, std::string prefix) {
    std::error_code ec(e, std::system_category());
    return fail(ec, prefix + ": " + ec.message());
}

[[noreturn]] inline void raise(failure f) { throw error(make_status(f.code), std::move(f.what)); }

inline void report(failure f, std::error_code& ec) noexcept { ec = f.code; }

// Helper threads are plain POSIX threads: <thread>, <functional> and <mutex> cost
// every including translation unit more than the rest of this header (issue 11),
// and a namespace helper needs none of what std::thread adds.

/// Starts a joinable thread running `body(arg)`; 0 or the errno of pthread_create.
inline int start_thread(pthread_t& t, void (*body)(void*) noexcept, void* arg) noexcept {
    struct start {
        void (*body)(void*) noexcept;
        void* arg;
    };
    // pthread_create wants void*(void*); the trampoline owns nothing, the caller joins.
    auto* s = new (std::nothrow) start{body, arg};
    if (!s) return ENOMEM;
    const int rc = ::pthread_create(&t, nullptr, [](void* p) -> void* {
        const start st = *static_cast<start*>(p);
        delete static_cast<start*>(p);
        st.body(st.arg);
        return nullptr;
    }, s);
    if (rc != 0) delete s;
    return rc;
}

/// Runs `body(arg)` on a fresh thread and waits for it. Throws rtnl::error when no
/// thread can be started (as std::thread throws std::system_error).
inline void run_on_fresh_thread(void (*body)(void*) noexcept, void* arg) {
    pthread_t t;
    if (const int rc = start_thread(t, body, arg); rc != 0) {
        const std::error_code ec(rc, std::system_category());
        throw error(make_status(ec), "Cannot start a helper thread: " + ec.message());
    }
    ::pthread_join(t, nullptr);
}

/// Runs `fn` on a fresh thread and returns its result; exceptions travel back.
/// The thread ends with `fn`, so whatever namespace it moved into dies with it and
/// can never leak into the caller or into a pooled thread.
template <class Fn>
auto on_helper_thread(Fn&& fn) -> std::invoke_result_t<Fn&> {
    using R = std::invoke_result_t<Fn&>;
    // The result is built in place by the helper thread. Raw storage, not
    // std::optional<R>: that would be one more class template per result type
    // for every translation unit that includes rtnl (issue 11: include cost).
    struct job {
        explicit job(Fn& f) noexcept : fn(f) {}
        Fn& fn;
        std::exception_ptr ex;
        alignas(R) unsigned char result[sizeof(R)];
    } j(fn);
    run_on_fresh_thread(
        [](void* p) noexcept {
            auto& jb = *static_cast<job*>(p);
            try {
                ::new (static_cast<void*>(jb.result)) R(jb.fn());
            } catch (...) {
                jb.ex = std::current_exception();
            }
        },
        &j);
    if (j.ex) std::rethrow_exception(j.ex);
    R& r = *std::launder(reinterpret_cast<R*>(j.result));
    struct destroy_after_return {
        R& r;
        ~destroy_after_return() { r.~R(); }
    } guard{r};
    return std::move(r);
}

/// A process-wide mutex without <mutex>: a static pthread mutex and its guard.
class static_mutex_lock {
public:
    explicit static_mutex_lock(pthread_mutex_t& m) noexcept : m_(m) { ::pthread_mutex_lock(&m_); }
    ~static_mutex_lock() { ::pthread_mutex_unlock(&m_); }
    static_mutex_lock(const static_mutex_lock&) = delete;
    static_mutex_lock& operator=(const static_mutex_lock&) = delete;

private:
    pthread_mutex_t& m_;
};

/// create_many without a hook.
struct no_inside_hook {
    failure operator()(std::size_t) const noexcept { return {}; }
};

/// Keeps a descriptor to the calling thread's network namespace.
inline unique_fd open_current_net() noexcept { return unique_fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)); }

inline bool same_file(int a, int b) noexcept {
    struct stat sa {}, sb {};
    return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace detail

/// Refuses names that are not a single safe path component (see file comment).
inline std::error_code validate_name(std::string_view name) noexcept {
    if (name.empty() || name == "." || name == ".." || name.size() > NAME_MAX) return errc::invalid_name;
    for (unsigned char c : name)
        if (c == '/' || c < 0x20 || c == 0x7f) return errc::invalid_name;
    return {};
}

/// Checks that `fd` is a network-namespace handle (nsfs, type CLONE_NEWNET).
inline std::error_code verify(int fd) noexcept {
    struct statfs sf {};
    if (::fstatfs(fd, &sf) != 0) return detail::last_errno();
    if (sf.f_type != NSFS_MAGIC) return errc::not_a_net_namespace;
    const int type = ::ioctl(fd, NS_GET_NSTYPE);
    if (type < 0) return detail::last_errno();
    if (type != CLONE_NEWNET) return errc::not_a_net_namespace;
    return {};
}

/// Writes a sysctl of the calling thread's network namespace, e.g.
/// write_sysctl("net/ipv6/conf/default/addr_gen_mode", "1"). /proc/sys/net
/// resolves to the namespace of the thread that opens it.
inline failure write_sysctl(std::string_view key, std::string_view value) {
    const std::string path = "/proc/sys/" + std::string(key);
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return detail::sys_fail(errno, "cannot open " + path);
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        return detail::sys_fail(errno, "cannot write " + path);
    return {};
}

/// Creates an unnamed namespace and returns a descriptor that keeps it alive
/// (the cheapest kind: no file, no mount). Runs on a helper thread.
inline unique_fd create_anonymous(std::error_code& ec) {
    ec.clear();
    struct opened {
        int fd;
        int error;  // errno when fd < 0
    };
    auto r = detail::on_helper_thread([]() -> opened {
        if (::unshare(CLONE_NEWNET) != 0) return {-1, errno};
        int fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        return {fd, fd < 0 ? errno : 0};
    });
    if (r.fd < 0) ec = std::error_code(r.error, std::system_category());
    return unique_fd(r.fd);
}
inline unique_fd create_anonymous() {
    std::error_code ec;
    auto fd = create_anonymous(ec);
    if (ec) detail::raise(detail::fail(ec, "Failed to create a new network namespace: " + ec.message()));
    return fd;
}

/// Runs `fn` on a helper thread that has joined namespace `ns_fd`; returns its
/// result. The calling thread never changes namespace. Used to open sockets that
/// stay bound to another namespace.
template <class Fn>
auto run_in(int ns_fd, Fn&& fn) -> std::invoke_result_t<Fn&> {
    if (auto ec = verify(ns_fd)) throw error(make_status(ec), "Not a network namespace: " + ec.message());
    return detail::on_helper_thread([&]() -> std::invoke_result_t<Fn&> {
        if (::setns(ns_fd, CLONE_NEWNET) != 0) detail::raise(detail::sys_fail(errno, "setting the network namespace failed"));
        // verify the switch really happened before running anything there
        unique_fd now = detail::open_current_net();
        if (!now || !detail::same_file(now.get(), ns_fd))
            throw error(make_status(errc::not_a_net_namespace), "setns did not take effect");
        return fn();
    });
}

/// Moves the calling thread into a namespace until the guard ends, then moves it
/// back and verifies (by inode) that it is home. If it cannot get home the
/// process aborts: a thread silently left in the wrong namespace is worse.
class enter_guard {
public:
    enter_guard(const enter_guard&) = delete;
    enter_guard& operator=(const enter_guard&) = delete;
    enter_guard(enter_guard&& o) noexcept : home_(std::move(o.home_)) {}
    enter_guard& operator=(enter_guard&&) = delete;
    ~enter_guard() {
        if (!home_) return;
        if (::setns(home_.get(), CLONE_NEWNET) != 0) die("cannot return to the original network namespace");
        unique_fd now = detail::open_current_net();
        if (!now || !detail::same_file(now.get(), home_.get())) die("restored network namespace does not match");
    }
    /// The namespace the thread will return to.
    int home() const noexcept { return home_.get(); }

private:
    friend enter_guard enter(int, std::error_code&);
    explicit enter_guard(unique_fd home) noexcept : home_(std::move(home)) {}
    [[noreturn]] static void die(const char* why) noexcept {
        std::fprintf(stderr, "rtnl: %s; aborting\n", why);
        std::abort();
    }
    unique_fd home_;
};

/// Enters the namespace behind `ns_fd` on the calling thread (see enter_guard).
/// On failure the thread has not moved and the returned guard is inert.
inline enter_guard enter(int ns_fd, std::error_code& ec) {
    ec.clear();
    if ((ec = verify(ns_fd))) return enter_guard(unique_fd{});
    unique_fd home = detail::open_current_net();
    if (!home) {
        ec = detail::last_errno();
        return enter_guard(unique_fd{});
    }
    if (::setns(ns_fd, CLONE_NEWNET) != 0) {
        ec = detail::last_errno();
        return enter_guard(unique_fd{});
    }
    return enter_guard(std::move(home));
}

/// A directory of named namespaces (iproute2's NETNS_RUN_DIR). The default one is
/// /run/netns; tests and sandboxes may point elsewhere.
class registry {
public:
    explicit registry(std::string run_dir = std::string(default_run_dir)) : dir_(std::move(run_dir)) {
        while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    }

    const std::string& run_dir() const noexcept { return dir_; }
    std::string path(std::string_view name) const { return dir_ + "/" + std::string(name); }

    // ---- create -------------------------------------------------------------

    /// Creates RUN_DIR/NAME holding a new network namespace and returns a
    /// descriptor of it. Throws rtnl::error with iproute2's message.
    unique_fd create(std::string_view name) const {
        unique_fd fd;
        if (auto f = create_impl(name, &fd)) detail::raise(std::move(f));
        return fd;
    }
    unique_fd create(std::string_view name, std::error_code& ec) const {
        unique_fd fd;
        ec = create_impl(name, &fd).code;
        return fd;
    }
    /// Like create(), returning the iproute2-worded failure instead of throwing.
    failure try_create(std::string_view name, unique_fd* out = nullptr) const { return create_impl(name, out); }

    /// Creates many namespaces with one helper thread (thread start is paid once).
    /// Stops at the first failure, which is returned; `out` holds a descriptor for
    /// each namespace made before it (those stay made).
    ///
    /// `inside(index)` (any callable returning `failure`, index into `names`) is
    /// called on the creating helper thread while it is inside the namespace just
    /// made: set sysctls of that namespace, open sockets that belong to it. It must
    /// not start threads or keep the thread. A failure removes that namespace again
    /// and stops the batch. (A template rather than std::function: no <functional>
    /// in every translation unit, no allocation, and std::function still fits.)
    template <class Inside = detail::no_inside_hook>
    failure create_many(std::span<const std::string> names, std::vector<unique_fd>& out,
                        Inside&& inside = {}) const {
        out.clear();
        out.reserve(names.size());
        for (const auto& n : names)
            if (auto ec = validate_name(n)) return detail::fail(ec, "Invalid netns name \"" + n + "\"");
        if (auto f = prepare_dir()) return f;
        return detail::on_helper_thread([&]() -> failure {
            for (std::size_t i = 0; i < names.size(); ++i) {
                unique_fd fd;
                if (auto f = create_on_this_thread(names[i], &fd)) return f;
                if (auto f = failure(inside(i))) {
                    fd.reset();
                    remove_impl(names[i]);  // all or nothing for this name
                    return f;
                }
                out.push_back(std::move(fd));
            }
            return failure{};
        });
    }

    // ---- attach ---------------------------------------------------------------

    /// Names the network namespace process `pid` lives in (`ip netns attach NAME
    /// PID`): RUN_DIR/NAME becomes a bind mount of /proc/PID/ns/net. Same rules and
    /// rollback as create(): on failure there is no file and no mount.
    failure try_attach(std::string_view name, pid_t pid) const {
        if (auto ec = validate_name(name)) return detail::fail(ec, "Invalid netns name \"" + std::string(name) + "\"");
        if (pid <= 0) return detail::fail(std::make_error_code(std::errc::invalid_argument), "Invalid PID: " + std::to_string(pid));
        if (auto f = prepare_dir()) return f;
        const std::string p = path(name);
        const std::string proc = "/proc/" + std::to_string(pid) + "/ns/net";
        int fd = ::open(p.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0) return detail::sys_fail(errno, "Cannot create namespace file \"" + p + "\"");
        ::close(fd);
        if (::mount(proc.c_str(), p.c_str(), "none", MS_BIND, nullptr) != 0) {
            auto f = detail::sys_fail(errno, "Bind " + proc + " -> " + p + " failed");
            ::unlink(p.c_str());
            return f;
        }
        return {};
    }
    void attach(std::string_view name, pid_t pid) const {
        if (auto f = try_attach(name, pid)) detail::raise(std::move(f));
    }

    // ---- remove ---------------------------------------------------------------

    /// Removes many named namespaces. Every umount waits for an RCU grace period
    /// in the kernel (~0.5 ms, no CPU); `threads` workers let those waits overlap,
    /// so the kernel serves many removals with each grace period. Tries every name;
    /// returns the failure of the earliest name that failed. At most
    /// `max_remove_threads` threads.
    static constexpr unsigned max_remove_threads = 64;
    static constexpr unsigned default_remove_threads = 16;
    failure remove_many(std::span<const std::string> names, unsigned threads = default_remove_threads) const {
        return remove_each(names.data(), names.size(), threads);
    }

    /// Removes every namespace in the run directory at once: one lazy unmount of
    /// the directory's own mount detaches all of their bind mounts under a single
    /// RCU grace period, then the files go. Only for a run directory you own (a
    /// sandbox or test): on a shared host it would remove other people's
    /// namespaces too. Falls back to one-by-one removal when the directory is not
    /// a mount of its own. Returns how many names were removed.
    std::size_t remove_all(failure* first_failure = nullptr) const {
        auto names = list();
        if (names.empty()) return 0;
        {
            // forget the shared-mount state: the next create makes it again
            detail::static_mutex_lock lock(shared_mutex());
            for (auto& k : shared_done().keys)
                if (k.dir == dir_) k = shared_key{};
        }
        if (::umount2(dir_.c_str(), MNT_DETACH) != 0) {
            auto f = remove_each(names.data(), names.size(), default_remove_threads);
            if (first_failure) *first_failure = std::move(f);
            return names.size();
        }
        for (auto& n : names) {
            if (::unlink(path(n).c_str()) != 0 && first_failure && !*first_failure)
                *first_failure = detail::sys_fail(errno, "Cannot remove namespace file \"" + path(n) + "\"");
        }
        return names.size();
    }

    void remove(std::string_view name) const {
        if (auto f = remove_impl(name)) detail::raise(std::move(f));
    }
    void remove(std::string_view name, std::error_code& ec) const { ec = remove_impl(name).code; }
    failure try_remove(std::string_view name) const { return remove_impl(name); }

    // ---- look up ----------------------------------------------------------------

    /// Names in the run directory, in directory order (as `ip netns list`).
    /// A missing directory is an empty list.
    std::vector<std::string> list() const {
        std::error_code ec;
        auto v = list(ec);
        if (ec) detail::raise(detail::fail(ec, "Cannot list namespaces in \"" + dir_ + "\": " + ec.message()));
        return v;
    }
    std::vector<std::string> list(std::error_code& ec) const {
        ec.clear();
        std::vector<std::string> names;
        DIR* d = ::opendir(dir_.c_str());
        if (!d) {
            if (errno != ENOENT) ec = detail::last_errno();
            return names;
        }
        while (dirent* e = ::readdir(d)) {
            std::string_view n = e->d_name;
            if (n == "." || n == "..") continue;
            names.push_back(std::string(n));
        }
        ::closedir(d);
        return names;
    }

    bool exists(std::string_view name) const noexcept {
        if (validate_name(name)) return false;
        struct stat st {};
        return ::lstat(path(name).c_str(), &st) == 0;
    }

    /// A verified descriptor of the named namespace.
    unique_fd open(std::string_view name) const {
        unique_fd fd;
        if (auto f = open_impl(name, &fd)) detail::raise(std::move(f));
        return fd;
    }
    unique_fd open(std::string_view name, std::error_code& ec) const {
        unique_fd fd;
        ec = open_impl(name, &fd).code;
        return fd;
    }
    failure try_open(std::string_view name, unique_fd* out) const { return open_impl(name, out); }

    /// Names in the run directory that refer to the same namespace as `ns_fd`
    /// (`ip netns identify`).
    std::vector<std::string> identify(int ns_fd) const {
        std::vector<std::string> out;
        struct stat want {};
        if (::fstat(ns_fd, &want) != 0) return out;
        std::error_code ec;
        for (auto& n : list(ec)) {
            struct stat st {};
            if (::stat(path(n).c_str(), &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
                out.push_back(std::move(n));
        }
        return out;
    }

    /// Moves the calling thread into the named namespace until the guard ends.
    enter_guard enter(std::string_view name) const {
        unique_fd fd = open(name);
        std::error_code ec;
        auto g = netns::enter(fd.get(), ec);
        if (ec) detail::raise(detail::fail(ec, "setting the network namespace \"" + std::string(name) +
                                                   "\" failed: " + ec.message()));
        return g;
    }

    /// What `ip netns exec NAME` does before exec: join the namespace, take a
    /// private mount namespace, remount /sys for the new namespace and bind
    /// /etc/netns/NAME/* over /etc. For a process about to exec (it moves the
    /// calling thread and the mount namespace of the process).
    failure switch_for_exec(std::string_view name) const {
        unique_fd fd;
        if (auto f = open_impl(name, &fd)) return f;
        const std::string n(name);
        if (::setns(fd.get(), CLONE_NEWNET) != 0)
            return detail::sys_fail(errno, "setting the network namespace \"" + n + "\" failed");
        if (::unshare(CLONE_NEWNS) != 0) return detail::sys_fail(errno, "unshare failed");
        // Keep mounts from propagating back to the parent namespace.
        if (::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0)
            return detail::sys_fail(errno, "\"mount --make-rslave /\" failed");
        unsigned long flags = 0;
        if (::umount2("/sys", MNT_DETACH) != 0) {
            // Cannot unmount (e.g. locked): keep it read-only like iproute2 does.
            struct statvfs sv {};
            if (::statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY)) flags = MS_RDONLY;
        }
        if (::mount(n.c_str(), "/sys", "sysfs", flags, nullptr) != 0) return detail::sys_fail(errno, "mount of /sys failed");
        return bind_etc(n);
    }

private:
    /// remove_many over `count` names from `names`. Pointer and count rather than
    /// a std::span so that remove_all need not build one from its vector: the
    /// concept checks of that std::span constructor alone cost every translation
    /// unit that includes rtnl as much as remove_many itself (issue 11).
    failure remove_each(const std::string* names, std::size_t count, unsigned threads) const {
        struct shared_state {
            const registry& self;
            const std::string* names;
            std::size_t count;
            std::atomic<std::size_t> next{0};
        } st{*this, names, count};
        // Each worker keeps its own first failure (no lock); the one for the
        // earliest name wins, so the answer does not depend on scheduling.
        struct worker {
            shared_state* st = nullptr;
            std::size_t failed_at = SIZE_MAX;
            failure first;
            static void run(void* p) noexcept {
                auto& w = *static_cast<worker*>(p);
                for (std::size_t i; (i = w.st->next.fetch_add(1)) < w.st->count;) {
                    failure f;
                    try {
                        f = w.st->self.remove_impl(w.st->names[i]);
                    } catch (...) {  // only std::bad_alloc building a message
                        f = failure{std::make_error_code(std::errc::not_enough_memory), "out of memory"};
                    }
                    if (f && i < w.failed_at) {
                        w.failed_at = i;
                        w.first = std::move(f);
                    }
                }
            }
        };
        threads = static_cast<unsigned>(
            std::clamp<std::size_t>(threads, 1, std::min<std::size_t>(max_remove_threads, std::max<std::size_t>(count / 8, 1))));
        worker workers[max_remove_threads];
        pthread_t pool[max_remove_threads];
        for (unsigned t = 0; t < threads; ++t) workers[t].st = &st;
        unsigned started = 1;  // worker 0 is the calling thread
        // A thread that cannot start is not an error: the others (and this thread) do its share.
        for (unsigned t = 1; t < threads; ++t)
            if (detail::start_thread(pool[started], &worker::run, &workers[started]) == 0) ++started;
        worker::run(&workers[0]);
        for (unsigned t = 1; t < started; ++t) ::pthread_join(pool[t], nullptr);
        worker* best = &workers[0];
        for (unsigned t = 1; t < started; ++t)
            if (workers[t].failed_at < best->failed_at) best = &workers[t];
        return std::move(best->first);
    }

    failure prepare_dir() const {
        if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
            if (errno != ENOENT) return detail::sys_fail(errno, "mkdir " + dir_ + " failed");
            // mkdir -p: create missing parents too
            for (std::size_t i = 1; i < dir_.size(); ++i)
                if (dir_[i] == '/') ::mkdir(dir_.substr(0, i).c_str(), 0755);
            if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
                return detail::sys_fail(errno, "mkdir " + dir_ + " failed");
        }
        return make_shared_once();
    }

    /// Makes the run dir a shared mount, once per (mount namespace, directory) in
    /// this process, under flock against concurrent ip/rtnl processes. The key
    /// includes the directory's device and inode: a namespace inode number can be
    /// reused after its namespace dies, a fresh mount on the directory cannot look
    /// the same.
    failure make_shared_once() const {
        struct stat mnt {}, dir {};
        if (::stat("/proc/thread-self/ns/mnt", &mnt) != 0) mnt = {};
        if (::stat(dir_.c_str(), &dir) != 0) dir = {};
        const shared_key key{mnt.st_ino, dir.st_dev, dir.st_ino, dir_};
        auto& done = shared_done();
        detail::static_mutex_lock lock(shared_mutex());
        for (auto& k : done.keys)
            if (k == key) return {};
        unique_fd dfd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dfd) ::flock(dfd.get(), LOCK_EX);
        bool bound = false;
        while (::mount("", dir_.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
            if (errno != EINVAL || bound) return detail::sys_fail(errno, "mount --make-shared " + dir_ + " failed");
            // Not a mount point yet: bind it onto itself, then retry.
            if (::mount(dir_.c_str(), dir_.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0)
                return detail::sys_fail(errno, "mount --bind " + dir_ + " " + dir_ + " failed");
            bound = true;
        }
        // After a self-bind the directory is a new mount: key it by what it is now.
        if (bound && ::stat(dir_.c_str(), &dir) == 0) done.add({mnt.st_ino, dir.st_dev, dir.st_ino, dir_});
        done.add(key);
        return {};
    }

    struct shared_key {
        ino_t mnt_ns = 0;
        dev_t dev = 0;
        ino_t ino = 0;
        std::string dir;
        bool operator==(const shared_key&) const = default;
    };
    static pthread_mutex_t& shared_mutex() {
        static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        return m;
    }
    /// The (mount namespace, directory) pairs made shared, newest replacing the
    /// oldest: forgetting one only costs redoing the (idempotent) make-shared.
    struct shared_table {
        shared_key keys[64];
        std::size_t next = 0;
        void add(shared_key k) { keys[next++ % 64] = std::move(k); }
    };
    static shared_table& shared_done() {
        static shared_table done;
        return done;
    }

    failure create_impl(std::string_view name, unique_fd* out) const {
        if (auto ec = validate_name(name)) return detail::fail(ec, "Invalid netns name \"" + std::string(name) + "\"");
        if (auto f = prepare_dir()) return f;
        return detail::on_helper_thread([&] { return create_on_this_thread(name, out); });
    }

    /// Runs on a helper thread: placeholder file, unshare, bind mount; rolls back.
    failure create_on_this_thread(std::string_view name, unique_fd* out) const {
        const std::string p = path(name);
        int fd = ::open(p.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0) return detail::sys_fail(errno, "Cannot create namespace file \"" + p + "\"");
        ::close(fd);
        if (::unshare(CLONE_NEWNET) != 0) {
            auto f = detail::sys_fail(errno, "Failed to create a new network namespace \"" + std::string(name) + "\"");
            ::unlink(p.c_str());
            return f;
        }
        if (::mount("/proc/thread-self/ns/net", p.c_str(), "none", MS_BIND, nullptr) != 0) {
            auto f = detail::sys_fail(errno, "Bind /proc/self/ns/net -> " + p + " failed");
            ::unlink(p.c_str());
            return f;
        }
        if (out) {
            out->reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
            if (!*out) {
                auto f = detail::sys_fail(errno, "Cannot open network namespace \"" + std::string(name) + "\"");
                ::umount2(p.c_str(), MNT_DETACH);
                ::unlink(p.c_str());
                return f;
            }
        }
        return {};
    }

    failure remove_impl(std::string_view name) const {
        if (auto ec = validate_name(name)) return detail::fail(ec, "Invalid netns name \"" + std::string(name) + "\"");
        const std::string p = path(name);
        for (int attempt = 0;; ++attempt) {
            // EINVAL: not a mount point (a symlink or a placeholder) — unlink it all the same.
            if (::umount2(p.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno == EPERM)
                return detail::sys_fail(errno, "Cannot remove namespace file \"" + p + "\"");
            if (::unlink(p.c_str()) == 0) return {};
            if (errno != EBUSY || attempt >= 10)
                return detail::sys_fail(errno, "Cannot remove namespace file \"" + p + "\"");
            ::sched_yield();
        }
    }

    failure open_impl(std::string_view name, unique_fd* out) const {
        if (auto ec = validate_name(name)) return detail::fail(ec, "Invalid netns name \"" + std::string(name) + "\"");
        const std::string p = path(name);
        unique_fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return detail::sys_fail(errno, "Cannot open network namespace \"" + std::string(name) + "\"");
        if (auto ec = verify(fd.get()))
            return detail::fail(ec, "Cannot open network namespace \"" + std::string(name) + "\": " + ec.message());
        if (out) *out = std::move(fd);
        return {};
    }

    static failure bind_etc(const std::string& name) {
        const std::string etc_dir = "/etc/netns/" + name;
        DIR* d = ::opendir(etc_dir.c_str());
        if (!d) return {};
        failure result;
        while (dirent* e = ::readdir(d)) {
            std::string_view n = e->d_name;
            if (n == "." || n == "..") continue;
            const std::string from = etc_dir + "/" + std::string(n);
            const std::string to = "/etc/" + std::string(n);
            if (::mount(from.c_str(), to.c_str(), "none", MS_BIND, nullptr) != 0) {
                // iproute2 reports and goes on
                std::fprintf(stderr, "Bind %s -> %s failed: %s\n", from.c_str(), to.c_str(), std::strerror(errno));
            }
        }
        ::closedir(d);
        return result;
    }

    std::string dir_;
};

// ---- the default registry (/run/netns), as free functions ----------------------

inline const registry& default_registry() {
    static const registry r;
    return r;
}
inline unique_fd create(std::string_view name) { return default_registry().create(name); }
inline unique_fd create(std::string_view name, std::error_code& ec) { return default_registry().create(name, ec); }
inline void remove(std::string_view name) { default_registry().remove(name); }
inline void remove(std::string_view name, std::error_code& ec) { default_registry().remove(name, ec); }
inline std::vector<std::string> list() { return default_registry().list(); }
inline std::vector<std::string> list(std::error_code& ec) { return default_registry().list(ec); }
inline bool exists(std::string_view name) { return default_registry().exists(name); }
inline unique_fd open(std::string_view name) { return default_registry().open(name); }
inline unique_fd open(std::string_view name, std::error_code& ec) { return default_registry().open(name, ec); }
inline enter_guard enter(std::string_view name) { return default_registry().enter(name); }

}  // namespace rtnl::netns
