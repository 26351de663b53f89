// Kernel operation costs through rtnl (DESIGN.md §3), measured in a private
// sandbox; every benchmark removes what it made. Per operation: µs (real time)
// and operations/s (items_per_second).
//
//   namespaces   create+remove, named (iproute2's contract) and fd-only
//   veth pairs   default queues vs 1 queue; explicit names vs the kernel's veth%d
//   placement    peer born inside a namespace vs created here and moved
//   teardown     per-link delete vs interface-group delete vs namespace delete
//   container    the whole container-style setup of one namespace
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "rtnl/rtnl.hpp"
#include "tools/common/sandbox.hpp"

namespace {

using namespace rtnl;

/// RTNL_BENCH_QUICK (the ctest smoke run) divides iteration counts by 50.
const bool quick = std::getenv("RTNL_BENCH_QUICK") != nullptr;
benchmark::IterationCount iters(benchmark::IterationCount n) { return quick ? std::max<benchmark::IterationCount>(1, n / 50) : n; }

rtnl::socket& host() {
    static rtnl::socket nl;
    return nl;
}

std::string name(const char* prefix, std::size_t i) { return std::string(prefix).append(std::to_string(i)); }

/// Deletes everything in an interface group (not timed by callers).
void drop_group(std::uint32_t group) {
    std::error_code ec;
    link::del_group(host(), group, ec);
}

// ---- namespaces ---------------------------------------------------------------------

void BM_NetnsCreateRemove_named(benchmark::State& state) {
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string n = name("nb", i++);
        netns::create(n);
        netns::remove(n);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NetnsCreateRemove_named)->Iterations(iters(300))->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_NetnsCreate_named_batch(benchmark::State& state) {
    // create_many: one helper thread for the whole batch
    std::vector<std::string> names;
    for (std::size_t i = 0; i < (quick ? 10u : 300u); ++i) names.push_back(name("nm", i));
    for (auto _ : state) {
        std::vector<unique_fd> fds;
        (void)netns::default_registry().create_many(names, fds);
        state.PauseTiming();
        fds.clear();
        (void)netns::default_registry().remove_many(names);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(names.size()));
}
BENCHMARK(BM_NetnsCreate_named_batch)->Iterations(iters(1))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NetnsCreateRemove_fd_only(benchmark::State& state) {
    for (auto _ : state) {
        unique_fd fd = netns::create_anonymous();
        benchmark::DoNotOptimize(fd.get());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NetnsCreateRemove_fd_only)->Iterations(iters(300))->Unit(benchmark::kMicrosecond)->UseRealTime();

// ---- veth pairs -------------------------------------------------------------------

/// One pair per iteration; arg 0: queues (0 = kernel default), arg 1: explicit names.
void BM_VethCreate(benchmark::State& state) {
    const auto queues = static_cast<std::uint32_t>(state.range(0));
    const bool named = state.range(1) != 0;
    std::optional<std::uint32_t> q;
    if (queues) q = queues;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string a = name("va", i), b = name("vb", i);
        ++i;
        link::add(host(), veth{.name = named ? std::string_view(a) : std::string_view(), .group = 21,
                               .num_tx_queues = q, .num_rx_queues = q,
                               .peer = {.name = named ? std::string_view(b) : std::string_view(), .num_tx_queues = q,
                                        .num_rx_queues = q}});
    }
    state.SetItemsProcessed(state.iterations());
    // cleanup, after timing
    drop_group(21);
}
BENCHMARK(BM_VethCreate)
    ->ArgNames({"queues", "named"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Iterations(iters(500))
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

/// The same pairs in one pipelined batch (the fast path: one sendmsg per window).
void BM_VethCreate_batch(benchmark::State& state) {
    const std::size_t n = quick ? 10 : 500;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < n; ++i) names.push_back(name("vc", i));
    for (auto _ : state) {
        wire::buffer b;
        wire::writer w(b);
        for (auto& s : names)
            (void)link::add(w, veth{.name = s, .group = 22, .num_tx_queues = 1, .num_rx_queues = 1,
                                    .peer = {.num_tx_queues = 1, .num_rx_queues = 1}});
        for (auto& r : host().batch(b))
            if (!r.ok()) state.SkipWithError(r.describe().c_str());
        state.PauseTiming();
        drop_group(22);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_VethCreate_batch)->Iterations(iters(2))->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- placement: born inside vs moved ------------------------------------------------

void BM_VethPeerBornInNamespace(benchmark::State& state) {
    unique_fd ns = netns::create("placed");
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string a = name("pa", i), b = name("pb", i);
        ++i;
        link::add(host(), veth{.name = a, .group = 23, .num_tx_queues = 1, .num_rx_queues = 1,
                               .peer = {.name = b, .num_tx_queues = 1, .num_rx_queues = 1, .netns = ns}});
    }
    state.SetItemsProcessed(state.iterations());
    // cleanup, after timing
    drop_group(23);
    netns::remove("placed");
}
BENCHMARK(BM_VethPeerBornInNamespace)->Iterations(iters(200))->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_VethCreatedThenMoved(benchmark::State& state) {
    unique_fd ns = netns::create("moved");
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string a = name("ma", i), b = name("mb", i);
        ++i;
        link::add(host(), veth{.name = a, .group = 24, .num_tx_queues = 1, .num_rx_queues = 1,
                               .peer = {.name = b, .num_tx_queues = 1, .num_rx_queues = 1}});
        link::set(host(), b, {.netns = ns});
    }
    state.SetItemsProcessed(state.iterations());
    // cleanup, after timing
    drop_group(24);
    netns::remove("moved");
}
BENCHMARK(BM_VethCreatedThenMoved)->Iterations(iters(30))->Unit(benchmark::kMicrosecond)->UseRealTime();

// ---- teardown ----------------------------------------------------------------------

const std::size_t teardown_pairs = quick ? 10 : 100;

/// Makes `teardown_pairs` pairs in group 25 (peers inside `ns` if given).
void make_pairs(const unique_fd* ns) {
    wire::buffer b;
    wire::writer w(b);
    for (std::size_t i = 0; i < teardown_pairs; ++i) {
        const std::string a = name("ta", i), p = name("tp", i);
        veth v{.name = a, .group = 25, .num_tx_queues = 1, .num_rx_queues = 1,
               .peer = {.name = p, .num_tx_queues = 1, .num_rx_queues = 1}};
        if (ns) v.peer.netns = *ns;
        (void)link::add(w, v);
    }
    host().batch(b);
}

std::size_t in_group(std::uint32_t g) {
    std::size_t n = 0;
    for (auto& l : link::list(host()))
        if (l.group == g) ++n;
    return n;
}

void BM_Delete_per_link(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        make_pairs(nullptr);
        wire::buffer b;
        wire::writer w(b);
        for (std::size_t i = 0; i < teardown_pairs; ++i) (void)link::del(w, name("ta", i));
        state.ResumeTiming();
        host().batch(b);  // pipelined, yet every delete waits for its own RCU grace period
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(teardown_pairs));
}
BENCHMARK(BM_Delete_per_link)->Iterations(iters(1))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Delete_group(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        make_pairs(nullptr);
        state.ResumeTiming();
        link::del_group(host(), 25);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(teardown_pairs));
}
BENCHMARK(BM_Delete_group)->Iterations(iters(3))->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Delete_namespace(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        unique_fd ns = netns::create("doomed");
        make_pairs(&ns);
        ns.reset();
        state.ResumeTiming();
        netns::remove("doomed");
        // "deleted" is not "gone": the kernel tears the namespace down asynchronously
        while (in_group(25) > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(teardown_pairs));
}
BENCHMARK(BM_Delete_namespace)->Iterations(iters(3))->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- the container-style setup of one namespace ------------------------------------------

void BM_ContainerSetup(benchmark::State& state) {
    link::add(host(), bridge{.name = "cbr0", .address = mac_address{{2, 0, 0, 0, 0, 1}}, .up = true, .mcast_snooping = 0});
    const int br = link::index(host(), "cbr0");
    std::size_t i = 0;
    std::vector<std::string> made;
    for (auto _ : state) {
        const std::string ns_name = name("c", i), host_end = name("h", i);
        // namespace, with a netlink socket opened inside by the creating thread
        std::vector<unique_fd> fds;
        unique_fd inside_fd;
        const std::string one[] = {ns_name};
        (void)netns::default_registry().create_many(one, fds, [&](std::size_t) -> netns::failure {
            inside_fd.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
            return {};
        });
        made.push_back(ns_name);
        // veth with eth0 born inside, host end up on the bridge
        link::add(host(), veth{.name = host_end, .group = 26, .num_tx_queues = 1, .num_rx_queues = 1, .master = br,
                               .up = true, .peer = {.name = "eth0", .num_tx_queues = 1, .num_rx_queues = 1, .netns = fds[0]}});
        // inside: lo up, eth0 up (no IPv6 link-local), address — one sendmsg
        rtnl::socket in(std::move(inside_fd));
        wire::buffer b;
        wire::writer w(b);
        (void)link::set(w, 1, {.up = true});
        (void)link::set(w, 2, {.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE});
        (void)link::set(w, 2, {.up = true});
        (void)addr::add(w, {.index = 2, .prefix = {ip_address::v4({10, 200, static_cast<std::uint8_t>(i >> 8),
                                                                    static_cast<std::uint8_t>(i)}), 16}});
        for (auto& r : in.batch(b))
            if (!r.ok()) state.SkipWithError(r.describe().c_str());
        ++i;
    }
    state.SetItemsProcessed(state.iterations());
    // cleanup, after timing
    drop_group(26);
    link::del(host(), "cbr0");
    (void)netns::default_registry().remove_many(made);
}
BENCHMARK(BM_ContainerSetup)->Iterations(iters(300))->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    if (auto why = tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "kernel_bench: %s\n", why.c_str());
        return 1;
    }
    link::set(host(), "lo", {.up = true});
    // Host-side devices need no IPv6 here (see rtnl-stress): keep the sandbox's FIB small.
    (void)netns::write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
