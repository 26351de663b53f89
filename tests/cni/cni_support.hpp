// tests/cni/cni_support.hpp — running CNI plugins (rtnl-cni and the reference
// bridge + host-local, the oracle) inside a test's sandbox, and reading back the
// kernel state they leave, normalised so twin sandboxes can be compared.
//
// Each test runs in the KernelTest sandbox (fresh netns, private mount ns, tmpfs
// /run) plus a tmpfs over /var/lib, so host-local's /var/lib/cni is private too.
// "Hosts" are named namespaces: a plugin is exec'd after setns() into one, so two
// plugins can each own a host of their own (twin sandboxes).
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace rtnl::test::cni {

using nlohmann::json;
using rtnl::test::sh;

inline const std::string rtnl_cni = RTNL_CNI_BIN;
inline const std::string ref_dir = "/usr/lib/cni";
inline const std::string ref_bridge = ref_dir + "/bridge";

/// Why the reference plugins cannot be used, or "".
inline std::string reference_missing() {
    if (::access(ref_bridge.c_str(), X_OK) != 0 || ::access((ref_dir + "/host-local").c_str(), X_OK) != 0)
        return "the reference CNI plugins are missing (" + ref_bridge +
               "): apt-get install containernetworking-plugins (run.sh installs it)";
    return {};
}

struct plugin_result {
    int status = -1;
    std::string out;
    std::string err;
    json parsed() const {
        auto j = json::parse(out, nullptr, false);
        return j.is_discarded() ? json() : j;
    }
};

/// What one exec of a plugin gets: CNI_* variables and stdin.
struct invocation {
    std::string command{};
    std::string container_id = "c1";
    std::string netns{};   // path
    std::string ifname = "eth0";
    std::string args{};
    std::string path = ref_dir;
    std::string stdin_text{};
    std::map<std::string, std::string> extra_env{};
    bool unset_netns = false;
};

/// Starts `plugin` inside the namespace `host_ns` (-1: the caller's); returns its pid.
inline pid_t spawn_plugin(const std::string& plugin, const invocation& in, int host_ns, int out_fd, int err_fd, int in_fd) {
    std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND=" + in.command};
    if (!in.container_id.empty()) env.push_back("CNI_CONTAINERID=" + in.container_id);
    if (!in.netns.empty() && !in.unset_netns) env.push_back("CNI_NETNS=" + in.netns);
    if (!in.ifname.empty()) env.push_back("CNI_IFNAME=" + in.ifname);
    if (!in.args.empty()) env.push_back("CNI_ARGS=" + in.args);
    if (!in.path.empty()) env.push_back("CNI_PATH=" + in.path);
    for (auto& [k, v] : in.extra_env) env.push_back(k + "=" + v);
    pid_t pid = ::fork();
    if (pid == 0) {
        if (host_ns >= 0 && ::setns(host_ns, CLONE_NEWNET) != 0) ::_exit(126);
        ::dup2(in_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        std::vector<char*> envp;
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        char* argv[] = {const_cast<char*>(plugin.c_str()), nullptr};
        ::execve(plugin.c_str(), argv, envp.data());
        ::_exit(127);
    }
    return pid;
}

/// A file holding `text`, positioned at its start (a plugin's stdin).
inline int stdin_file(const std::string& text) {
    char tmpl[] = "/tmp/cni-in.XXXXXX";
    int fd = ::mkstemp(tmpl);
    ::unlink(tmpl);
    (void)!::write(fd, text.data(), text.size());
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

/// Runs a plugin to completion.
inline plugin_result run_plugin(const std::string& plugin, const invocation& in, int host_ns = -1) {
    char tmpl_out[] = "/tmp/cni-out.XXXXXX", tmpl_err[] = "/tmp/cni-err.XXXXXX", tmpl_in[] = "/tmp/cni-in.XXXXXX";
    int out = ::mkstemp(tmpl_out), err = ::mkstemp(tmpl_err), inp = ::mkstemp(tmpl_in);
    ::unlink(tmpl_out), ::unlink(tmpl_err), ::unlink(tmpl_in);
    (void)!::write(inp, in.stdin_text.data(), in.stdin_text.size());
    ::lseek(inp, 0, SEEK_SET);
    pid_t pid = spawn_plugin(plugin, in, host_ns, out, err, inp);
    int st = 0;
    ::waitpid(pid, &st, 0);
    plugin_result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    auto slurp = [](int fd) {
        std::string s;
        ::lseek(fd, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
        ::close(fd);
        return s;
    };
    r.out = slurp(out);
    r.err = slurp(err);
    ::close(inp);
    return r;
}

/// The CNI test fixture: the kernel sandbox plus a private /var/lib.
class CniTest : public KernelTest {
protected:
    void SetUp() override {
        KernelTest::SetUp();
        if (IsSkipped()) return;
        ASSERT_EQ(::mount("cni-varlib", "/var/lib", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), 0) << std::strerror(errno);
        ASSERT_EQ(::mkdir("/var/lib/cni", 0755), 0);
    }
    /// A named namespace in the sandbox's /run/netns; its descriptor stays open.
    int make_ns(const std::string& name) {
        auto fd = netns::registry().create(name);
        const int raw = fd.get();
        fds_[name] = std::move(fd);
        return raw;
    }
    /// Removes a named namespace (and closes our descriptor of it): the netns goes away.
    void remove_ns(const std::string& name) {
        fds_.erase(name);
        netns::registry().remove(name);
    }
    static std::string ns_path(const std::string& name) { return "/run/netns/" + name; }

    std::map<std::string, unique_fd> fds_;
};

// ---- kernel state, normalised ----------------------------------------------

/// veth + 8 hex digits (host ends are named at random by the reference) → "vethHOST".
inline std::string norm_name(const std::string& n) {
    static const std::regex host_veth("^veth[0-9a-f]{8}$");
    return std::regex_match(n, host_veth) ? std::string("vethHOST") : n;
}

inline json ip_json(const std::string& ns, const std::string& args) {
    auto r = sh("ip -n " + ns + " -j " + args);
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::array() : j;
}

/// Links, addresses, routes, bridge ports and sysctls of one namespace, without
/// what is random (MACs, host veth names, IPv6 link-local addresses).
inline json snapshot(const std::string& ns, int ns_fd) {
    // first let IPv6 duplicate address detection finish (its local routes come after it)
    for (int i = 0; i < 100 && sh("ip -n " + ns + " addr show tentative").out.find("inet6") != std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    json s;
    std::vector<std::string> names;
    for (auto& l : ip_json(ns, "-d link show")) {
        const std::string name = l.value("ifname", "");
        names.push_back(name);
        std::vector<std::string> flags = l.value("flags", std::vector<std::string>{});
        json info = l.value("linkinfo", json::object());
        // a bridge's carrier follows its ports through linkwatch, up to a second late: not compared
        const bool bridge = info.value("info_kind", "") == "bridge";
        if (bridge) std::erase_if(flags, [](const std::string& f) { return f == "LOWER_UP" || f == "NO-CARRIER"; });
        std::sort(flags.begin(), flags.end());
        json slave = info.value("info_slave_data", json::object());
        s["links"][norm_name(name)] = {
            {"flags", flags}, {"mtu", l.value("mtu", 0)}, {"operstate", bridge ? "" : l.value("operstate", "")},
            {"master", norm_name(l.value("master", ""))}, {"txqlen", l.value("txqlen", -1)},
            {"promiscuity", l.value("promiscuity", -1)}, {"kind", info.value("info_kind", "")},
            {"slave_kind", info.value("info_slave_kind", "")}, {"hairpin", slave.value("hairpin", false)},
            {"port_state", slave.value("state", "")},
            {"stp_state", info.value("info_data", json::object()).value("stp_state", -1)},
            {"forward_delay", info.value("info_data", json::object()).value("forward_delay", -1)}};
    }
    json addrs = json::array();
    for (auto& l : ip_json(ns, "addr show"))
        for (auto& a : l.value("addr_info", json::array())) {
            if (a.value("scope", "") == "link" && a.value("family", "") == "inet6") continue;
            addrs.push_back({{"dev", norm_name(l.value("ifname", ""))}, {"family", a.value("family", "")},
                             {"local", a.value("local", "")}, {"prefixlen", a.value("prefixlen", 0)},
                             {"broadcast", a.value("broadcast", "")}, {"scope", a.value("scope", "")}});
        }
    std::sort(addrs.begin(), addrs.end());
    s["addrs"] = addrs;
    json routes = json::array();
    for (const char* fam : {"-4", "-6"})
        for (auto& r : ip_json(ns, std::string(fam) + " route show table all")) {
            const std::string dst = r.value("dst", "");
            if (dst.rfind("fe80", 0) == 0 || dst.rfind("ff00", 0) == 0 || dst.rfind("multicast", 0) == 0) continue;
            json x = r;
            if (x.contains("dev")) x["dev"] = norm_name(x["dev"].get<std::string>());
            if (x.value("type", "") == "local" && dst.rfind("fe80", 0) == 0) continue;
            if (x.value("table", "") == "local" && x.value("prefsrc", "").rfind("fe80", 0) == 0) continue;
            x.erase("expires");
            // local routes of IPv6 link-local addresses carry random bits
            if (dst.find("fe80") != std::string::npos) continue;
            routes.push_back(x);
        }
    std::sort(routes.begin(), routes.end());
    s["routes"] = routes;
    // sysctls a CNI bridge plugin changes
    std::vector<std::string> keys = {"ipv4/ip_forward", "ipv6/conf/all/forwarding"};
    for (auto& n : names) {
        if (n == "lo") continue;
        for (const char* k : {"ipv4/conf/%/arp_notify", "ipv4/conf/%/forwarding", "ipv6/conf/%/accept_ra",
                              "ipv6/conf/%/accept_dad", "ipv6/conf/%/enhanced_dad", "ipv6/conf/%/disable_ipv6"}) {
            std::string key = k;
            key.replace(key.find('%'), 1, n);
            keys.push_back(key);
        }
    }
    keys.push_back("ipv6/conf/lo/disable_ipv6");
    auto values = netns::run_in(ns_fd, [&] {
        std::map<std::string, std::string> v;
        for (auto& k : keys) {
            std::ifstream f("/proc/sys/net/" + k);
            std::string x;
            std::getline(f, x);
            std::string nk = k;
            for (auto& n : names)
                if (auto p = nk.find("/" + n + "/"); p != std::string::npos) nk.replace(p + 1, n.size(), norm_name(n));
            v[nk] = x;
        }
        return v;
    });
    s["sysctls"] = values;
    return s;
}

/// A result (or error) with random parts replaced: MACs, host veth names, sandbox paths.
inline json normalise_result(json j, const std::string& sandbox) {
    if (!j.is_object()) return j;
    if (j.contains("interfaces"))
        for (auto& i : j["interfaces"]) {
            if (i.contains("mac")) i["mac"] = "MAC";
            if (i.contains("name")) i["name"] = norm_name(i["name"].get<std::string>());
            if (i.contains("sandbox")) i["sandbox"] = i["sandbox"] == sandbox ? "SANDBOX" : i["sandbox"];
        }
    return j;
}

/// Lease files (name → content) of a host-local data dir.
inline std::map<std::string, std::string> leases(const std::string& dir) {
    std::map<std::string, std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n == "." || n == ".." || n == "lock") continue;
            std::ifstream f(dir + "/" + n);
            std::stringstream ss;
            ss << f.rdbuf();
            out[n] = ss.str();
        }
        ::closedir(d);
    }
    return out;
}

/// Links of a namespace by name (for "nothing left behind").
inline std::vector<std::string> link_names(int ns_fd) {
    return netns::run_in(ns_fd, [] {
        rtnl::socket nl;
        std::vector<std::string> out;
        for (auto& l : link::list(nl)) out.push_back(l.name);
        return out;
    });
}

/// A network config with @NAME@ @TYPE@ @DATADIR@ substituted.
inline std::string config(std::string text, const std::string& name, const std::string& type, const std::string& data_dir) {
    auto sub = [&](const std::string& from, const std::string& to) {
        for (std::size_t p; (p = text.find(from)) != std::string::npos;) text.replace(p, from.size(), to);
    };
    sub("@NAME@", name);
    sub("@TYPE@", type);
    sub("@DATADIR@", data_dir);
    return text;
}

}  // namespace rtnl::test::cni
