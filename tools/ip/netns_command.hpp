// tools/ip/netns_command.hpp — `rtnl-ip netns …` (iproute2 ip/ipnetns.c).
//
// Named namespaces live in the run dir (/run/netns) with iproute2's on-disk
// contract (rtnl/netns.hpp), so `ip netns` and `rtnl-ip netns` see the same
// ones. Messages and exit statuses are iproute2's; names are checked more
// strictly (control characters are refused too).
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "rtnl/netns.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/ops.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

namespace netns_detail {

[[noreturn]] inline void usage() {
    fail_usage(
        "Usage:\tip netns list\n"
        "\tip netns add NAME\n"
        "\tip netns attach NAME PID\n"
        "\tip netns set NAME NETNSID\n"
        "\tip [-all] netns delete [NAME]\n"
        "\tip netns identify [PID]\n"
        "\tip netns pids NAME\n"
        "\tip [-all] netns exec [NAME] cmd ...\n"
        "\tip netns monitor\n"
        "\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n"
        "NETNSID := auto | POSITIVE-INT\n");
}

inline bool is_pid(std::string_view s) {
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

/// `ip netns list`: run-dir order, with the id our namespace gives each one.
inline int list(session& s) {
    struct stat st {};
    if (::stat(s.registry.run_dir().c_str(), &st) != 0) return 0;  // iproute2: no dir, no output (not even [])
    std::error_code ec;
    auto names = s.registry.list(ec);
    if (ec) return 0;
    s.out.begin();
    for (auto& n : names) {
        s.out.open_object();
        s.out.string(to::any, "name", "%s", n);
        const int fd = s.netns_fd(n);
        if (fd >= 0) {
            std::error_code e2;
            const int id = nsid::get(s.nl(), netns_ref::from_fd(fd), e2);
            if (!e2 && id >= 0) s.out.integer(to::any, "id", " (id: %d)", id);
        }
        s.out.string(to::text, nullptr, "%s", "\n");
        s.out.close_object();
    }
    s.out.end();
    s.out.flush();
    return 0;
}

/// `ip netns list-id`: every nsid our namespace has assigned.
inline int list_id(session& s, arg_list args) {
    int only = -1;
    while (!args.empty()) {
        if (args.peek() == "nsid") {
            if (only >= 0) duplicate_argument("nsid", args.peek());
            const std::string& v = args.next_value();
            auto n = parse_number<int>(v);
            if (!n) invalid_argument("\"nsid\" value is invalid", v);
            if (*n < 0) invalid_argument("\"nsid\" value should be >= 0", v);
            only = *n;
        } else {
            usage();
        }
        args.advance();
    }
    std::error_code ec;
    auto ids = nsid::list(s.nl(), ec);
    if (ec) {
        s.complain("Dump terminated\n");
        throw exit_now{1, {}};
    }
    s.out.begin();
    for (int id : ids) {
        if (only >= 0 && id != only) continue;
        s.out.open_object();
        s.out.integer(to::any, "nsid", "nsid %d ", id);
        if (auto n = s.netns_name_of(id)) s.out.string(to::any, "name", "(iproute2 netns name: %s)", *n);
        s.out.string(to::text, nullptr, "%s", "\n");
        s.out.close_object();
    }
    s.out.end();
    s.out.flush();
    return 0;
}

inline int add(session& s, arg_list args) {
    if (args.empty()) {
        s.complain("No netns name specified\n");
        return 1;
    }
    s.forget_netns();
    if (auto f = s.registry.try_create(args.current())) {
        s.complain(f.what + "\n");
        return 1;
    }
    return 0;
}

inline int attach(session& s, arg_list args) {
    if (args.size() < 2) {
        s.complain("No netns name and PID specified\n");
        return 1;
    }
    auto pid = parse_number<std::int32_t>(args.rest()[1]);
    if (!pid || *pid == 0) {
        s.complain("Invalid PID: " + args.rest()[1] + "\n");
        return 1;
    }
    s.forget_netns();
    if (auto f = s.registry.try_attach(args.current(), *pid)) {
        s.complain(f.what + "\n");
        return 1;
    }
    return 0;
}

inline int remove(session& s, arg_list args) {
    s.forget_netns();
    if (s.opt.all) {
        std::error_code ec;
        for (auto& n : s.registry.list(ec))
            if (auto f = s.registry.try_remove(n)) {
                s.complain(f.what + "\n");
                break;
            }
        return 0;
    }
    if (args.empty()) {
        s.complain("No netns name specified\n");
        return 1;
    }
    if (auto f = s.registry.try_remove(args.current())) {
        s.complain(f.what + "\n");
        return 1;
    }
    return 0;
}

inline int set(session& s, arg_list args) {
    if (args.empty()) {
        s.complain("No netns name specified\n");
        return 1;
    }
    if (args.size() < 2) {
        s.complain("No nsid specified\n");
        return 1;
    }
    const std::string& name = args.current();
    const std::string& value = args.rest()[1];
    int id = -1;
    if (value != "auto") {
        auto n = parse_number<int>(value);
        if (!n) invalid_argument("Invalid \"netnsid\" value", value);
        if (*n < 0) invalid_argument("\"netnsid\" value should be >= 0", value);
        id = *n;
    }
    s.forget_netns();
    unique_fd fd(::open(s.registry.path(name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        s.complain("Cannot open network namespace \"" + name + "\": " + std::strerror(errno) + "\n");
        return 1;
    }
    std::error_code ec;
    nsid::set(s.nl(), fd, id, ec);
    if (ec) {
        s.sync();
        report(s.nl().last_status());
        return 2;
    }
    return 0;
}

inline int identify(session& s, arg_list args) {
    std::string pid = "self";
    if (args.size() > 1) {
        s.complain("extra arguments specified\n");
        return 1;
    }
    if (!args.empty()) {
        pid = args.current();
        if (!is_pid(pid)) {
            s.complain("Specified string '" + pid + "' is not a pid\n");
            return 1;
        }
    }
    unique_fd fd(::open(("/proc/" + pid + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        s.complain(std::string("Cannot open network namespace: ") + std::strerror(errno) + "\n");
        return 1;
    }
    auto names = s.registry.identify(fd.get());
    s.sync();
    // iproute2 keeps the last match in directory order
    std::printf("%s\n", names.empty() ? "" : names.back().c_str());
    std::fflush(stdout);
    return 0;
}

inline int pids(session& s, arg_list args) {
    if (args.empty()) {
        s.complain("No netns name specified\n");
        return 1;
    }
    if (args.size() > 1) {
        s.complain("extra arguments specified\n");
        return 1;
    }
    unique_fd ns(::open(s.registry.path(args.current()).c_str(), O_RDONLY | O_CLOEXEC));
    struct stat want {};
    if (!ns) {
        s.complain(std::string("Cannot open network namespace: ") + std::strerror(errno) + "\n");
        return 1;
    }
    if (::fstat(ns.get(), &want) != 0) {
        s.complain(std::string("Stat of netns failed: ") + std::strerror(errno) + "\n");
        return 1;
    }
    DIR* d = ::opendir("/proc/");
    if (!d) {
        s.complain(std::string("Open of /proc failed: ") + std::strerror(errno) + "\n");
        return 1;
    }
    s.sync();
    while (dirent* e = ::readdir(d)) {
        if (!is_pid(e->d_name)) continue;
        struct stat st {};
        const std::string p = std::string("/proc/") + e->d_name + "/ns/net";
        if (::stat(p.c_str(), &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
            std::printf("%s\n", e->d_name);
    }
    ::closedir(d);
    std::fflush(stdout);
    return 0;
}

/// Runs argv in namespace `name` (the calling process execs). Returns only on failure.
[[noreturn]] inline void exec_in(session& s, const std::string& name, std::span<const std::string> argv,
                                 int setup_failure_status) {
    std::fflush(stdout);
    if (auto f = s.registry.switch_for_exec(name)) {
        std::fprintf(stderr, "%s\n", f.what.c_str());
        std::fflush(stderr);
        ::_exit(setup_failure_status);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec of \"%s\" failed: %s\n", args[0], std::strerror(errno));
    std::fflush(stderr);
    ::_exit(1);
}

/// Forks, runs argv in `name`, waits: the child's exit status (1 if it died by a signal).
inline int run_in(session& s, const std::string& name, std::span<const std::string> argv) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("fork");
        throw exit_now{1, {}};
    }
    if (pid == 0) exec_in(s, name, argv, 255);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            std::perror("waitpid");
            throw exit_now{1, {}};
        }
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    throw exit_now{1, {}};  // iproute2 exits 1 when the child was killed
}

inline int exec(session& s, arg_list args) {
    if (s.opt.all) {
        if (args.empty()) {
            s.complain("No command specified\n");
            return 1;
        }
        s.sync();
        std::error_code ec;
        for (auto& n : s.registry.list(ec)) {
            std::printf("\nnetns: %s\n", n.c_str());
            run_in(s, n, args.rest());
        }
        return 0;
    }
    if (args.empty()) {
        s.complain("No netns name specified\n");
        return 1;
    }
    if (args.size() < 2) {
        s.complain("No command specified\n");
        return 1;
    }
    s.sync();
    const std::string name = args.current();
    args.advance();
    // Outside a batch the process itself becomes the command (no extra fork), so
    // inherited descriptors such as bash's `--rcfile <(…)` stay usable.
    if (!s.batch_mode) exec_in(s, name, args.rest(), 255);
    return run_in(s, name, args.rest());
}

}  // namespace netns_detail

/// `rtnl-ip netns …`
inline int netns_command(session& s, arg_list args) {
    using namespace netns_detail;
    if (args.empty()) return list(s);
    if (!s.opt.all && args.size() > 1 && netns::validate_name(args.rest()[1]))
        fail_usage("Invalid netns name \"" + args.rest()[1] + "\"\n");
    const std::string_view cmd = args.peek();
    args.advance();
    if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) return list(s);
    if (matches(cmd, "list-id")) return list_id(s, args);
    if (matches(cmd, "help")) usage();
    if (matches(cmd, "add")) return add(s, args);
    if (matches(cmd, "set")) return set(s, args);
    if (matches(cmd, "delete")) return remove(s, args);
    if (matches(cmd, "identify")) return identify(s, args);
    if (matches(cmd, "pids")) return pids(s, args);
    if (matches(cmd, "exec")) return exec(s, args);
    if (matches(cmd, "monitor")) refuse("rtnl-ip: \"netns monitor\" is not supported\n");
    if (matches(cmd, "attach")) return attach(s, args);
    fail_usage("Command \"" + std::string(cmd) + "\" is unknown, try \"ip netns help\".\n");
}

}  // namespace rtnl::ip
