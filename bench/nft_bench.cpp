// nf_tables costs through rtnl::nft against nft, iptables-nft and a raw floor,
// all measured in the same run inside a private sandbox (nftables.md §3 has the
// numbers these reproduce). Every iteration starts from the same ruleset; the
// reset (destroy table) is not timed.
//
//   masq 1000      1000 per-container masquerade rules in one batch:
//                    rtnl (build + commit)  vs  raw floor (prebuilt bytes, sendmsg
//                    + drain only)  vs  `nft -f` of the same text  vs  1000
//                    `iptables-nft -A` processes; and rtnl's own design, 1000 set
//                    elements in one batch
//   egress setup   table + 2 base chains + 3 rules: rtnl vs `nft -f`
//   add container  one more source when 0 or 999 are there: set element (rtnl's
//                    egress) vs a rule per container (the O(rules) commit)
// At the end a ratio table is printed (goals from issue 10 next to each).
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "rtnl/nft.hpp"
#include "rtnl/ops.hpp"
#include "tools/common/sandbox.hpp"

extern char** environ;

namespace {

using namespace rtnl;
using namespace rtnl::nft;
using clock_type = std::chrono::steady_clock;

const bool quick = std::getenv("RTNL_BENCH_QUICK") != nullptr;
const std::size_t n_rules = quick ? 50 : 1000;
benchmark::IterationCount iters(benchmark::IterationCount n) { return quick ? 1 : n; }

nft::socket& nf() {
    static nft::socket s;
    return s;
}

/// Per-iteration seconds of each benchmark (all repetitions), for the ratio table.
std::map<std::string, std::vector<double>>& samples() {
    static std::map<std::string, std::vector<double>> m;
    return m;
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
struct timer {
    std::vector<double> runs;
    clock_type::time_point t0;
    void start() { t0 = clock_type::now(); }
    void stop() { runs.push_back(std::chrono::duration<double>(clock_type::now() - t0).count()); }
    void report(const std::string& name, double scale = 1) {
        for (double r : runs) samples()[name].push_back(r * scale);
    }
};

/// The loop every benchmark here shares: untimed `setup`, timed `work`, untimed `reset`.
template <class Setup, class Work, class Reset>
void timed(benchmark::State& state, const std::string& name, Setup&& setup, Work&& work, Reset&& reset, double scale = 1) {
    timer t;
    for (auto _ : state) {
        state.PauseTiming();
        setup();
        state.ResumeTiming();
        t.start();
        work();
        t.stop();
        state.PauseTiming();
        reset();
        state.ResumeTiming();
    }
    t.report(name, scale);
}
void nothing() {}

ip_address container_ip(std::size_t i) {
    return ip_address::v4({10, 88, static_cast<std::uint8_t>(1 + i / 250), static_cast<std::uint8_t>(2 + i % 250)});
}
const ip_prefix subnet = *ip_prefix::parse("10.88.0.0/16");

std::vector<expression> per_container_rule(std::size_t i) {
    auto r = match::ip_saddr(ip_prefix{container_ip(i), 32});
    match::append(r, match::ip_daddr(subnet, cmp_op::neq));
    r.push_back(masq{});
    return r;
}

void reset(std::string_view table) {
    batch b;
    b.destroy_table(family::ipv4, table);
    nf().apply(b);
}
void make_nat_chain(std::string_view table) {
    batch b;
    b.add_table({.name = std::string(table)});
    b.add_chain({family::ipv4, std::string(table), "postrouting", base_hook{"nat", hook::postrouting, 100, verdict_code::accept}});
    nf().apply(b);
}

int spawn(const std::vector<std::string>& argv) {
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ) != 0) return 127;
    posix_spawn_file_actions_destroy(&fa);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
bool have(const char* tool) { return spawn({"sh", "-c", std::string("command -v ") + tool + " >/dev/null"}) == 0; }

std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = "/tmp/rtnl-nft-bench-" + name + ".nft";
    std::ofstream(path) << text;
    return path;
}

// ---- 1000 per-container masquerade entries in one batch ---------------------

void BM_Masq_rtnl_rules(benchmark::State& state) {
    std::vector<std::vector<expression>> rules;
    for (std::size_t i = 0; i < n_rules; ++i) rules.push_back(per_container_rule(i));
    batch b;  // the fast path: one batch reused, its memory kept (clear())
    timed(state, "masq_rtnl_rules", [] { make_nat_chain("bench"); },
          [&] {
              b.clear();
              for (auto& r : rules) b.add_rule(family::ipv4, "bench", "postrouting", r);
              nf().apply(b);
          },
          [] { reset("bench"); });
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_rules));
}
BENCHMARK(BM_Masq_rtnl_rules)->Iterations(iters(30))->Unit(benchmark::kMillisecond)->UseRealTime();

/// The floor: the same bytes prebuilt, timed from sendmsg to the empty drain, on a raw socket.
void BM_Masq_raw_floor(benchmark::State& state) {
    batch b;
    for (std::size_t i = 0; i < n_rules; ++i) b.add_rule(family::ipv4, "bench", "postrouting", per_container_rule(i));
    auto& bytes = b.finish();
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    int size = 16 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    std::vector<char> rx(65536);
    bool error = false;
    timed(state, "masq_raw_floor", [] { make_nat_chain("bench"); },
          [&] {
              if (::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
                  error = true;
              for (ssize_t n; (n = ::recv(fd, rx.data(), rx.size(), MSG_DONTWAIT)) > 0;) error = true;
          },
          [] { reset("bench"); });
    ::close(fd);
    if (error) state.SkipWithError("the kernel refused the floor batch");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_rules));
}
BENCHMARK(BM_Masq_raw_floor)->Iterations(iters(30))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Masq_rtnl_set_elements(benchmark::State& state) {
    egress::config cfg{.table = "bench", .set = "net0", .bridge = "br0", .subnet = subnet};
    std::vector<data> keys;
    for (std::size_t i = 0; i < n_rules; ++i) keys.push_back(data::address(container_ip(i)));
    timed(state, "masq_rtnl_set",
          [&] {
              batch setup;
              egress::build(setup, cfg);
              nf().apply(setup);
          },
          [&] {
              batch b;
              b.add_elements(family::ipv4, "bench", "net0", keys);
              nf().apply(b);
          },
          [] { reset("bench"); });
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_rules));
}
BENCHMARK(BM_Masq_rtnl_set_elements)->Iterations(iters(30))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Masq_nft_f(benchmark::State& state) {
    if (!have("nft")) return state.SkipWithError("nft is not installed (Debian package nftables)");
    std::string text;
    for (std::size_t i = 0; i < n_rules; ++i)
        text += "add rule ip bench postrouting ip saddr " + container_ip(i).to_string() + " ip daddr != 10.88.0.0/16 masquerade\n";
    const auto path = write_file("masq", text);
    int failed = 0;
    timed(state, "masq_nft_f", [] { make_nat_chain("bench"); }, [&] { failed += spawn({"nft", "-f", path}) != 0; },
          [] { reset("bench"); });
    if (failed) state.SkipWithError("nft -f failed");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_rules));
}
BENCHMARK(BM_Masq_nft_f)->Iterations(iters(10))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Masq_iptables_nft_A(benchmark::State& state) {
    if (!have("iptables-nft")) return state.SkipWithError("iptables-nft is not installed (Debian package iptables)");
    const std::size_t n = quick ? 5 : n_rules;
    int failed = 0;
    timed(state, "masq_iptables_nft_A", nothing,
          [&] {
              for (std::size_t i = 0; i < n; ++i)
                  failed += spawn({"iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-s", container_ip(i).to_string(), "!",
                                   "-d", "10.88.0.0/16", "-j", "MASQUERADE"}) != 0;
          },
          [] { reset("nat"); }, static_cast<double>(n_rules) / static_cast<double>(n));
    if (failed) state.SkipWithError("iptables-nft -A failed");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_Masq_iptables_nft_A)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- egress setup: table, two base chains, three rules ------------------------

void build_egress(batch& b) {
    b.add_table({.name = "egress"});
    b.add_chain({family::ipv4, "egress", "postrouting", base_hook{"nat", hook::postrouting, 100, verdict_code::accept}});
    b.add_chain({family::ipv4, "egress", "forward", base_hook{"filter", hook::forward, 0, verdict_code::accept}});
    auto masq_r = match::ip_saddr(subnet);
    match::append(masq_r, match::oifname("br0", cmp_op::neq));
    masq_r.push_back(masq{});
    b.add_rule({family::ipv4, "egress", "postrouting", masq_r, {}});
    auto ct_r = match::ct_state(match::ct_established | match::ct_related);
    ct_r.push_back(match::accept());
    b.add_rule({family::ipv4, "egress", "forward", ct_r, {}});
    auto iif = match::iifname("br0");
    iif.push_back(match::accept());
    b.add_rule({family::ipv4, "egress", "forward", iif, {}});
}

void BM_EgressSetup_rtnl(benchmark::State& state) {
    timed(state, "egress_rtnl", nothing,
          [] {
              batch b;
              build_egress(b);
              nf().apply(b);
          },
          [] { reset("egress"); });
}
BENCHMARK(BM_EgressSetup_rtnl)->Iterations(iters(200))->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_EgressSetup_nft_f(benchmark::State& state) {
    if (!have("nft")) return state.SkipWithError("nft is not installed (Debian package nftables)");
    const auto path = write_file("egress", R"(table ip egress {
    chain postrouting { type nat hook postrouting priority 100; policy accept;
        ip saddr 10.88.0.0/16 oifname != "br0" masquerade
    }
    chain forward { type filter hook forward priority 0; policy accept;
        ct state established,related accept
        iifname "br0" accept
    }
}
)");
    int failed = 0;
    timed(state, "egress_nft_f", nothing, [&] { failed += spawn({"nft", "-f", path}) != 0; }, [] { reset("egress"); });
    if (failed) state.SkipWithError("nft -f failed");
}
BENCHMARK(BM_EgressSetup_nft_f)->Iterations(iters(50))->Unit(benchmark::kMicrosecond)->UseRealTime();

// ---- adding one container when 0 or 999 are there ---------------------------

void BM_AddContainer_set_element(benchmark::State& state) {
    const auto existing = static_cast<std::size_t>(state.range(0));
    egress::config cfg{.table = "bench", .set = "net0", .bridge = "br0", .subnet = subnet};
    egress::ensure(nf(), cfg);
    std::vector<data> keys;
    for (std::size_t i = 0; i < existing; ++i) keys.push_back(data::address(container_ip(i)));
    if (!keys.empty()) {
        batch b;
        b.add_elements(family::ipv4, "bench", "net0", keys);
        nf().apply(b);
    }
    const ip_address next = container_ip(existing);
    timed(state, "add_set_" + std::to_string(existing + 1), nothing, [&] { egress::add_source(nf(), cfg, next); },
          [&] { egress::remove_source(nf(), cfg, next); });
    reset("bench");
}
BENCHMARK(BM_AddContainer_set_element)->Arg(0)->Arg(999)->Iterations(iters(300))->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_AddContainer_rule(benchmark::State& state) {
    const auto existing = static_cast<std::size_t>(state.range(0));
    make_nat_chain("bench");
    if (existing) {
        batch b;
        for (std::size_t i = 0; i < existing; ++i) b.add_rule(family::ipv4, "bench", "postrouting", per_container_rule(i));
        nf().apply(b);
    }
    const auto rule = per_container_rule(existing);
    std::uint64_t handle = 0;
    timed(state, "add_rule_" + std::to_string(existing + 1), nothing,
          [&] {
              batch b;
              b.echo(true);
              b.add_rule(family::ipv4, "bench", "postrouting", rule);
              handle = nf().apply(b).handles[0];
          },
          [&] {
              batch d;
              d.delete_rule(family::ipv4, "bench", "postrouting", handle);
              nf().apply(d);
          });
    reset("bench");
}
BENCHMARK(BM_AddContainer_rule)->Arg(0)->Arg(999)->Iterations(iters(100))->Unit(benchmark::kMicrosecond)->UseRealTime();

void print_ratios() {
    auto& m = samples();
    auto ratio = [&](const char* what, const char* a, const char* b, const char* goal) {
        if (!m.count(a) || !m.count(b)) return;
        const double x = median(m[a]), y = median(m[b]);
        std::printf("  %-44s %11.1f us / %11.1f us = %7.2fx   (goal %s)\n", what, x * 1e6, y * 1e6, x / y, goal);
    };
    std::printf("\nnft_bench ratios of medians (%zu entries; same run):\n", n_rules);
    ratio("rtnl rules / raw floor", "masq_rtnl_rules", "masq_raw_floor", "<= 1.2x");
    ratio("nft -f / rtnl rules", "masq_nft_f", "masq_rtnl_rules", ">= 3x");
    ratio("iptables-nft -A x N / rtnl rules", "masq_iptables_nft_A", "masq_rtnl_rules", "-");
    ratio("rtnl set elements / rtnl rules", "masq_rtnl_set", "masq_rtnl_rules", "-");
    ratio("egress setup: rtnl / nft -f", "egress_rtnl", "egress_nft_f", "<= 0.5x");
    ratio("add container 1000 / 1 (set element)", "add_set_1000", "add_set_1", "<= 1x");
    ratio("add container 1000 / 1 (rule per container)", "add_rule_1000", "add_rule_1", "-");
}

}  // namespace

int main(int argc, char** argv) {
    if (auto why = tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "nft_bench: %s\n", why.c_str());
        return 1;
    }
    rtnl::socket nl;
    link::set(nl, "lo", {.up = true});
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    print_ratios();
    return 0;
}
