// tools/cni/ipam.hpp — IPAM: host-local runs in-process (no second exec); any
// other "ipam.type" is delegated by exec through CNI_PATH, as SPEC.md says, so
// dhcp, static, whereabouts … keep working.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/host_local.hpp"
#include "tools/cni/result.hpp"

namespace rtnl::cni {

namespace ipam_detail {

/// The first executable CNI_PATH/<type>.
inline std::string find_plugin(const std::string& type, const std::string& path) {
    if (type.find('/') != std::string::npos) fail(invalid_config, "invalid IPAM plugin type \"" + type + "\"");
    std::string_view rest = path;
    while (true) {
        auto colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        if (!dir.empty()) {
            std::string candidate = dir + "/" + type;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    fail(generic, "failed to find plugin \"" + type + "\" in path [" + path + "]");
}

struct exec_output {
    int status = 0;
    std::string out;
};

/// fork+exec with the same environment but CNI_COMMAND = command; stdin = config.
inline exec_output exec_plugin(const std::string& file, const std::string& command, const std::string& input) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) fail(io_failure, std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(out, O_CLOEXEC) != 0) fail(io_failure, std::string("pipe: ") + std::strerror(errno));
    // a plugin that exits without reading its stdin must not kill us with SIGPIPE
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::sigaction(SIGPIPE, &old, nullptr);
        fail(io_failure, std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::sigaction(SIGPIPE, &old, nullptr);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::setenv("CNI_COMMAND", command.c_str(), 1);
        ::execl(file.c_str(), file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    std::size_t off = 0;
    while (off < input.size()) {
        const ssize_t n = ::write(in[1], input.data() + off, input.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    exec_output r;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        r.out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    ::sigaction(SIGPIPE, &old, nullptr);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

/// A delegated plugin's failure, passed on with its own code and message.
[[noreturn]] inline void rethrow(const std::string& type, const exec_output& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    // a well-formed error passes on as it is; anything else is reported whole below
    if (j.is_object() && j.contains("msg") && j["msg"].is_string() && j.value("code", nlohmann::json(0)).is_number_integer()) {
        const auto details = j.find("details");
        fail(j.value("code", static_cast<int>(generic)), j["msg"].get<std::string>(),
             details != j.end() && details->is_string() ? details->get<std::string>() : std::string());
    }
    fail(generic, "IPAM plugin \"" + type + "\" failed (exit " + std::to_string(r.status) + ")", r.out);
}

}  // namespace ipam_detail

inline bool builtin_ipam(const net_config& c) { return c.ipam.type == "host-local"; }

inline result ipam_add(const net_config& c, const environment& env) {
    if (builtin_ipam(c)) return host_local_add(c, env.container_id, env.ifname);
    const std::string file = ipam_detail::find_plugin(c.ipam.type, env.path);
    auto r = ipam_detail::exec_plugin(file, "ADD", c.raw);
    if (r.status != 0) ipam_detail::rethrow(c.ipam.type, r);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object()) fail(decoding_failure, "IPAM plugin \"" + c.ipam.type + "\" returned no JSON result", r.out);
    return from_json(j);
}

/// Never fails on what is already gone; delegated failures are reported.
inline void ipam_del(const net_config& c, const environment& env) {
    if (builtin_ipam(c)) {
        host_local_del(c, env.container_id, env.ifname);
        return;
    }
    const std::string file = ipam_detail::find_plugin(c.ipam.type, env.path);
    auto r = ipam_detail::exec_plugin(file, "DEL", c.raw);
    if (r.status != 0) ipam_detail::rethrow(c.ipam.type, r);
}

inline void ipam_check(const net_config& c, const environment& env) {
    if (builtin_ipam(c)) return host_local_check(c, env.container_id, env.ifname);
    const std::string file = ipam_detail::find_plugin(c.ipam.type, env.path);
    auto r = ipam_detail::exec_plugin(file, "CHECK", c.raw);
    if (r.status != 0) ipam_detail::rethrow(c.ipam.type, r);
}

/// GC and STATUS reach delegated plugins only from 1.1.0 on.
inline void ipam_forward(const net_config& c, const environment& env, const std::string& command) {
    if (c.ipam.type.empty() || builtin_ipam(c) || compare_versions(c.cni_version, "1.1.0") < 0) return;
    const std::string file = ipam_detail::find_plugin(c.ipam.type, env.path);
    auto r = ipam_detail::exec_plugin(file, command, c.raw);
    if (r.status != 0) ipam_detail::rethrow(c.ipam.type, r);
}

}  // namespace rtnl::cni
