// rtnl-cni — a CNI plugin: the reference `bridge` + `host-local` behaviour on rtnl.
//
// Runtimes exec it per container with CNI_COMMAND = ADD | DEL | CHECK | VERSION |
// STATUS | GC, the network configuration on stdin, and read a result or an error
// on stdout (SPEC.md). VERSION runs at least twice per `podman run`, so it is
// answered before anything else is parsed or opened.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/cni/bridge_add.hpp"
#include "tools/cni/bridge_check.hpp"
#include "tools/cni/bridge_del.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/result.hpp"
#include "tools/cni/version.hpp"
#include "tools/cni/version_answer.hpp"
#include "tools/cni/version_entry.hpp"

namespace {

using namespace rtnl::cni;

/// stdin, continuing from what the early VERSION entry point already read.
std::string read_stdin() {
    const early_input early = early_stdin();
    std::string s(early.data ? early.data : "", early.size);
    if (early.eof) return s;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        s.append(buf, static_cast<std::size_t>(n));
    }
    return s;
}

void write_stdout(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::write(1, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

/// The request's cniVersion when it can be read, for the shape of errors.
std::string version_of(std::string_view input) {
    auto j = nlohmann::json::parse(input, nullptr, false);
    if (j.is_object())
        if (auto v = j.find("cniVersion"); v != j.end() && v->is_string() && is_supported(v->get<std::string>()))
            return v->get<std::string>();
    return std::string(latest_version);
}

int report(const failure& f, std::string_view input) {
    nlohmann::json e = {{"cniVersion", version_of(input)}, {"code", f.code}, {"msg", f.msg}};
    if (!f.details.empty()) e["details"] = f.details;
    write_stdout(e.dump() + "\n");
    return 1;
}

int version_command(std::string_view input) {
    write_stdout(version_answer(input));
    return 0;
}

void require_at_least(const net_config& c, const char* version, const char* command) {
    if (compare_versions(c.cni_version, version) < 0)
        fail(incompatible_version, std::string("config version does not allow ") + command,
             "config is \"" + c.cni_version + "\", " + command + " needs " + version + " or later");
}

}  // namespace

int main() {
    const char* command = std::getenv("CNI_COMMAND");
    if (!command || !*command) {
        std::fprintf(stderr, "CNI rtnl-cni plugin (bridge + host-local on rtnl)\nCNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n");
        return 0;
    }
    const std::string input = read_stdin();
    if (std::strcmp(command, "VERSION") == 0) return version_command(input);
    try {
        const environment env = read_environment();
        const std::string_view cmd = env.command;
        if (cmd != "ADD" && cmd != "DEL" && cmd != "CHECK" && cmd != "GC" && cmd != "STATUS")
            fail(invalid_environment, "unknown CNI_COMMAND: " + env.command);
        require(env);
        check_cni_args(env.args);
        const net_config conf = parse_config(input, env);
        if (cmd == "ADD") {
            const result r = cmd_add(conf, env);
            write_stdout(to_json(r, conf.cni_version).dump() + "\n");
        } else if (cmd == "DEL") {
            cmd_del(conf, env);
        } else if (cmd == "CHECK") {
            require_at_least(conf, "0.4.0", "CHECK");
            cmd_check(conf, env);
        } else if (cmd == "GC") {
            require_at_least(conf, "1.1.0", "GC");
            cmd_gc(conf, env);
        } else {
            require_at_least(conf, "1.1.0", "STATUS");
            cmd_status(conf, env);
        }
        return 0;
    } catch (const failure& f) {
        return report(f, input);
    } catch (const std::exception& e) {
        return report(failure{generic, e.what()}, input);
    }
}
