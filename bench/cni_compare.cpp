// bench/cni_compare.cpp — rtnl-cni against the reference bridge + host-local CNI
// plugins, paid the way a runtime pays them: fork+exec+wait per operation, the
// network configuration on stdin, the result read from stdout.
//
// Inside a private sandbox (own network and mount namespaces, tmpfs /run and
// /var/lib), one run:
//   sequential  N containers: VERSION, ADD, CHECK (prevResult), DEL, the two
//               plugins alternating operation by operation, each on its own
//               bridge and network of the same shape (podman's default config)
//   parallel    N ADDs then N DELs from W workers per plugin (the plugins take
//               turns), as runtimes that do not serialise call them
//   ipMasq      M containers with ipMasq (alternating): the ADD cost of container
//               1 against container M (the reference adds iptables chains, rtnl-cni
//               one nf_tables set element); --timing adds rtnl-cni's own step
//               times (RTNL_CNI_TIMING) for those two windows
// Prints a table (median and p90 per operation, ratio rtnl/reference) and writes JSON.
//
// usage: cni_compare [--containers N] [--workers W] [--masq M] [--json FILE]
//                    [--rtnl PATH] [--reference DIR] [--timing]
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "tools/common/sandbox.hpp"

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;
using nlohmann::json;

struct plugin {
    std::string label;  // "reference" | "rtnl-cni"
    std::string path;
    std::string type;
    std::string network;
    std::string bridge;
    std::string subnet;
};

std::string conf_for(const plugin& p, const std::string& network, const std::string& bridge, const std::string& subnet) {
    json c = {{"cniVersion", "1.0.0"}, {"name", network}, {"type", p.type}, {"bridge", bridge}, {"isGateway", true},
              {"ipMasq", false}, {"hairpinMode", false},
              {"ipam", {{"type", "host-local"}, {"ranges", json::array({json::array({{{"subnet", subnet}}})})},
                        {"routes", json::array({{{"dst", "0.0.0.0/0"}}})}}}};
    return c.dump();
}

struct outcome {
    double ms = 0;
    int status = 0;
    std::string out;
};

/// One fork+exec+wait of a plugin, stdin from a pipe, stdout captured.
outcome exec_plugin(const std::string& path, const std::string& command, const std::string& id,
                    const std::string& netns, const std::string& input, const std::string& cni_path,
                    const std::string& timing_file = {}) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return {0, -1, {}};
    std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND=" + command, "CNI_PATH=" + cni_path};
    if (command != "VERSION") {
        env.push_back("CNI_CONTAINERID=" + id);
        env.push_back("CNI_NETNS=" + netns);
        env.push_back("CNI_IFNAME=eth0");
        env.push_back("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=" + id);
    } else {  // as podman sends it
        env.push_back("CNI_NETNS=dummy");
        env.push_back("CNI_IFNAME=dummy");
    }
    if (!timing_file.empty()) env.push_back("RTNL_CNI_TIMING=1");  // rtnl-cni's step times, on stderr
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawnattr_t attr;  // the driver ignores SIGPIPE; the plugin gets the default back
    posix_spawnattr_init(&attr);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    if (!timing_file.empty()) posix_spawn_file_actions_addopen(&fa, 2, timing_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
    const auto t0 = clock_type::now();
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, path.c_str(), &fa, &attr, argv, envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    outcome o;
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        o.status = -1;
        return o;
    }
    (void)!::write(in[1], input.data(), input.size());
    ::close(in[1]);
    char buf[8192];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) o.out.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    o.ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return o;
}

struct stats {
    double median = 0, p90 = 0, total_s = 0;
    std::size_t n = 0, failures = 0;
};

stats summarise(std::vector<double> v, std::size_t failures, double total_s = 0) {
    stats s;
    s.n = v.size();
    s.failures = failures;
    s.total_s = total_s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    s.p90 = v[std::min(v.size() - 1, static_cast<std::size_t>(0.9 * static_cast<double>(v.size())))];
    return s;
}

/// rtnl-cni's "rtnl-cni timing: <step> <ms> ms" lines (RTNL_CNI_TIMING), in order.
std::vector<std::pair<std::string, double>> read_steps(const std::string& file) {
    std::vector<std::pair<std::string, double>> out;
    std::ifstream f(file);
    const std::string tag = "rtnl-cni timing: ";
    for (std::string line; std::getline(f, line);) {
        if (line.rfind(tag, 0) != 0 || line.size() < tag.size() + 4) continue;
        line = line.substr(tag.size(), line.size() - tag.size() - 3);  // drop " ms"
        const auto sp = line.rfind(' ');
        if (sp == std::string::npos) continue;
        out.emplace_back(line.substr(0, sp), std::atof(line.c_str() + sp + 1));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 200;
    unsigned workers = 4;
    std::size_t masq_n = 0;
    bool timing = false;  // --timing: rtnl-cni's ADD steps for ipMasq containers 1-10 and the last 10
    std::string json_path, rtnl_path = "build/release/cni/rtnl-cni", ref_dir = "/usr/lib/cni";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--containers") n = std::stoul(next());
        else if (a == "--workers") workers = static_cast<unsigned>(std::stoul(next()));
        else if (a == "--masq") masq_n = std::stoul(next());
        else if (a == "--json") json_path = next();
        else if (a == "--rtnl") rtnl_path = next();
        else if (a == "--reference") ref_dir = next();
        else if (a == "--timing") timing = true;
        else {
            std::fprintf(stderr, "usage: %s [--containers N] [--workers W] [--masq M] [--json FILE] [--rtnl PATH] [--reference DIR] [--timing]\n", argv[0]);
            return 2;
        }
    }
    ::signal(SIGPIPE, SIG_IGN);  // a plugin may exit before reading all of its stdin
    char resolved[PATH_MAX];
    if (!::realpath(rtnl_path.c_str(), resolved) || ::access(resolved, X_OK) != 0) {
        std::fprintf(stderr, "cni_compare: no rtnl-cni at %s (build it: cmake --build --preset release --target rtnl-cni)\n", rtnl_path.c_str());
        return 1;
    }
    rtnl_path = resolved;
    if (::access((ref_dir + "/bridge").c_str(), X_OK) != 0) {
        std::fprintf(stderr, "cni_compare: the reference plugins are missing in %s (apt-get install containernetworking-plugins)\n", ref_dir.c_str());
        return 1;
    }
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "cni_compare: %s\n", why.c_str());
        return 1;
    }
    if (::mount("cni-bench", "/var/lib", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
        std::perror("cni_compare: tmpfs on /var/lib");
        return 1;
    }
    // a sysfs of the sandbox's network namespace, as a runtime's host has (and as
    // `ip netns exec` and the podman harness make): /sys/class/net shows our links
    if (::mount("cni-bench-sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        std::perror("cni_compare: sysfs on /sys");
        return 1;
    }
    {
        rtnl::socket nl;
        rtnl::link::set(nl, "lo", {.up = true});
    }
    plugin plugins[2] = {{"reference", ref_dir + "/bridge", "bridge", "", "", ""}, {"rtnl-cni", rtnl_path, "rtnl-cni", "", "", ""}};

    // one namespace per container and plugin, made up front (not timed)
    rtnl::netns::registry reg;
    auto ns_name = [](int p, const std::string& phase, std::size_t i) { return phase + std::to_string(p) + "-" + std::to_string(i); };
    std::vector<std::string> names;
    for (const char* phase : {"s", "w", "m"})
        for (int p = 0; p < 2; ++p)
            for (std::size_t i = 0; i < (phase[0] == 'm' ? masq_n : n); ++i) names.push_back(ns_name(p, phase, i));
    std::vector<rtnl::unique_fd> ns_fds;
    if (auto f = reg.create_many(names, ns_fds)) {
        std::fprintf(stderr, "cni_compare: %s\n", f.what.c_str());
        return 1;
    }

    std::map<std::string, std::vector<double>> times[2];
    std::map<std::string, std::size_t> failures[2];
    auto record = [&](int p, const std::string& op, const outcome& o) {
        if (o.status != 0) ++failures[p][op];
        else times[p][op].push_back(o.ms);
    };

    // ---- sequential, alternating operation by operation (which plugin goes first alternates too)
    std::string conf[2];
    for (int p = 0; p < 2; ++p)
        conf[p] = conf_for(plugins[p], "seq" + std::to_string(p), "cnibr" + std::to_string(p), "10.20" + std::to_string(p) + ".0.0/16");
    std::vector<std::string> results[2];
    results[0].resize(n), results[1].resize(n);
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < 2; ++k) {
            const int p = static_cast<int>((i + static_cast<std::size_t>(k)) % 2);
            record(p, "VERSION", exec_plugin(plugins[p].path, "VERSION", "", "", R"({"cniVersion":"1.0.0"})", ref_dir));
        }
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < 2; ++k) {
            const int p = static_cast<int>((i + static_cast<std::size_t>(k)) % 2);
            auto o = exec_plugin(plugins[p].path, "ADD", "seq" + std::to_string(i), "/run/netns/" + ns_name(p, "s", i), conf[p], ref_dir);
            record(p, "ADD", o);
            results[p][i] = o.out;
        }
    for (const char* op : {"CHECK", "DEL"})  // with the ADD's result as prevResult, as a runtime sends them
        for (std::size_t i = 0; i < n; ++i)
            for (int k = 0; k < 2; ++k) {
                const int p = static_cast<int>((i + static_cast<std::size_t>(k)) % 2);
                json c = json::parse(conf[p]);
                c["prevResult"] = json::parse(results[p][i], nullptr, false);
                record(p, op, exec_plugin(plugins[p].path, op, "seq" + std::to_string(i), "/run/netns/" + ns_name(p, "s", i), c.dump(), ref_dir));
            }

    // ---- parallel: W workers per plugin, the plugins take turns
    double par_s[2][2] = {};  // [plugin][0 ADD, 1 DEL] wall seconds
    for (int p = 0; p < 2; ++p) {
        const std::string pconf = conf_for(plugins[p], "par" + std::to_string(p), "parbr" + std::to_string(p), "10.21" + std::to_string(p) + ".0.0/16");
        for (int phase = 0; phase < 2; ++phase) {
            const std::string op = phase == 0 ? "ADD" : "DEL";
            std::atomic<std::size_t> next{0};
            std::vector<std::vector<outcome>> got(workers);
            const auto t0 = clock_type::now();
            std::vector<std::thread> ts;
            for (unsigned w = 0; w < workers; ++w)
                ts.emplace_back([&, w] {
                    for (std::size_t i; (i = next++) < n;)
                        got[w].push_back(exec_plugin(plugins[p].path, op, "par" + std::to_string(i), "/run/netns/" + ns_name(p, "w", i), pconf, ref_dir));
                });
            for (auto& t : ts) t.join();
            par_s[p][phase] = std::chrono::duration<double>(clock_type::now() - t0).count();
            for (auto& v : got)
                for (auto& o : v) record(p, op + " x" + std::to_string(workers), o);
        }
    }

    // ---- ipMasq: container 1 against container M
    std::vector<double> masq_ms[2];
    std::size_t masq_fail[2] = {0, 0};
    std::vector<std::string> step_order;                       // rtnl-cni's ADD steps, first seen first
    std::map<std::string, std::vector<double>> step_ms[2];     // [first 10, last 10] step -> ms
    const std::string timing_file = "/run/cni-compare-timing";  // the sandbox's tmpfs /run
    if (masq_n > 0) {
        std::string mconf[2];
        for (int p = 0; p < 2; ++p) {
            json c = json::parse(conf_for(plugins[p], "masq" + std::to_string(p), "mbr" + std::to_string(p), "10.22" + std::to_string(p) + ".0.0/16"));
            c["ipMasq"] = true;
            mconf[p] = c.dump();
        }
        for (std::size_t i = 0; i < masq_n; ++i)
            for (int k = 0; k < 2; ++k) {
                const int p = static_cast<int>((i + static_cast<std::size_t>(k)) % 2);
                const bool first = i < 10, last = masq_n >= 20 && i >= masq_n - 10;
                const bool timed = timing && p == 1 && (first || last);
                auto o = exec_plugin(plugins[p].path, "ADD", "m" + std::to_string(i), "/run/netns/" + ns_name(p, "m", i), mconf[p], ref_dir,
                                     timed ? timing_file : std::string());
                if (timed && o.status == 0) {
                    double sum = 0;
                    auto& into = step_ms[first ? 0 : 1];
                    for (auto& [step, ms] : read_steps(timing_file)) {
                        if (std::find(step_order.begin(), step_order.end(), step) == step_order.end()) step_order.push_back(step);
                        into[step].push_back(ms);
                        sum += ms;
                    }
                    into["exec, start-up, parse, exit"].push_back(o.ms - sum);
                }
                if (o.status != 0) ++masq_fail[p];
                masq_ms[p].push_back(o.status == 0 ? o.ms : 0);
            }
    }

    // ---- report
    const std::vector<std::string> ops = {"VERSION", "ADD", "CHECK", "DEL", "ADD x" + std::to_string(workers), "DEL x" + std::to_string(workers)};
    json out;
    out["containers"] = n;
    out["workers"] = workers;
    out["machine"] = {{"cpus", std::thread::hardware_concurrency()}};
    std::printf("CNI plugins, fork+exec+wait per operation, %zu containers (ms; ratio = rtnl-cni / reference)\n", n);
    std::printf("%-10s %10s %10s %10s %10s %8s %8s\n", "operation", "ref med", "ref p90", "rtnl med", "rtnl p90", "med x", "p90 x");
    for (auto& op : ops) {
        stats s[2];
        for (int p = 0; p < 2; ++p) s[p] = summarise(times[p][op], failures[p][op]);
        std::printf("%-10s %10.2f %10.2f %10.2f %10.2f %8.2f %8.2f", op.c_str(), s[0].median, s[0].p90, s[1].median, s[1].p90,
                    s[0].median > 0 ? s[1].median / s[0].median : 0, s[0].p90 > 0 ? s[1].p90 / s[0].p90 : 0);
        if (s[0].failures || s[1].failures) std::printf("   failures: ref %zu rtnl %zu", s[0].failures, s[1].failures);
        std::printf("\n");
        for (int p = 0; p < 2; ++p)
            out["operations"][op][plugins[p].label] = {{"median_ms", s[p].median}, {"p90_ms", s[p].p90}, {"n", s[p].n}, {"failures", s[p].failures}};
        out["operations"][op]["median_ratio"] = s[0].median > 0 ? s[1].median / s[0].median : 0;
    }
    auto first_last = [&](int p) {
        auto& v = times[p]["ADD"];
        return std::pair<double, double>{v.empty() ? 0 : v.front(), v.empty() ? 0 : v.back()};
    };
    for (int p = 0; p < 2; ++p) {
        auto [f, l] = first_last(p);
        out["add_first_last_ms"][plugins[p].label] = {f, l};
    }
    for (int phase = 0; phase < 2; ++phase) {
        const char* op = phase == 0 ? "ADD" : "DEL";
        const double r0 = static_cast<double>(n) / par_s[0][phase], r1 = static_cast<double>(n) / par_s[1][phase];
        std::printf("%s/s with %u workers: reference %.0f, rtnl-cni %.0f (%.2fx)\n", op, workers, r0, r1, r1 / r0);
        out["throughput_per_s"][op] = {{"reference", r0}, {"rtnl-cni", r1}, {"ratio", r1 / r0}};
    }
    if (masq_n > 0) {
        auto window = [&](int p, std::size_t from) {  // median of 10 ADDs starting at `from`
            std::vector<double> v(masq_ms[p].begin() + static_cast<std::ptrdiff_t>(from),
                                  masq_ms[p].begin() + static_cast<std::ptrdiff_t>(std::min(from + 10, masq_ms[p].size())));
            return summarise(v, 0).median;
        };
        const std::size_t last = masq_n > 10 ? masq_n - 10 : 0;
        std::printf("ipMasq ADD, median of containers 1-10 vs %zu-%zu (ms):\n", last + 1, masq_n);
        for (int p = 0; p < 2; ++p) {
            const double a = window(p, 0), b = window(p, last);
            std::printf("  %-10s %8.2f -> %8.2f  (%.2fx)%s\n", plugins[p].label.c_str(), a, b, a > 0 ? b / a : 0,
                        masq_fail[p] ? "  (some ADDs failed)" : "");
            out["ipmasq_add_ms"][plugins[p].label] = {{"first10_median", a}, {"last10_median", b}, {"containers", masq_n}, {"failures", masq_fail[p]}};
        }
        if (timing && !step_ms[0].empty()) {
            step_order.push_back("exec, start-up, parse, exit");
            std::printf("rtnl-cni ipMasq ADD by step, median of containers 1-10 vs %zu-%zu (ms; RTNL_CNI_TIMING):\n", last + 1, masq_n);
            for (auto& step : step_order) {
                const double a = summarise(step_ms[0][step], 0).median, b = summarise(step_ms[1][step], 0).median;
                std::printf("  %-34s %8.3f -> %8.3f\n", step.c_str(), a, b);
                out["ipmasq_add_steps_ms"][step] = {{"first10_median", a}, {"last10_median", b}};
            }
        }
    }
    if (!json_path.empty()) {
        std::ofstream f(json_path);
        f << out.dump(2) << "\n";
    }
    return 0;
}
