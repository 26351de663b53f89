// asio_bench — rtnl::asio throughput against the kernel, all in one run:
//
//   raw_floor        a minimal hand-written loop: the same messages encoded into
//                    one buffer, sent 128 per sendmsg, ACKs drained by recvmmsg
//                    (no library, no matching beyond counting) — the floor
//   asio_pipelined   N async_request calls issued at once (callbacks)
//   asio_coroutines  the same N requests from 64 coroutines, each awaiting its own
//   asio_batch       one async_batch of N requests
//   asio_one_by_one  one coroutine awaiting each request before the next
//   blocking_one_by_one  rtnl::socket::execute per request (the blocking API)
//
// for three cheap operations: link set mtu (to the MTU it has), link set up
// (already up), addr add (a new /32 each time, removed between iterations). A
// real MTU change costs ~9 us in the kernel (notifier chain, RTM_NEWLINK
// broadcast): kernel-bound, so pipelining gains little there.
// Then container-style setup: coroutines (rtnl::asio + netns_pool) against the
// blocking API, same recipe (examples/containers.hpp).
//
// Hermetic: main() enters a private network + mount namespace first; everything
// made dies with the process. Needs root.
#include <benchmark/benchmark.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <cstdio>
#include <string>
#include <vector>

#include "examples/containers.hpp"
#include "tools/common/sandbox.hpp"

namespace {

namespace net = boost::asio;
using namespace rtnl;

constexpr int ops_per_iteration = 1000;
constexpr const char* target = "bb0";

enum class op { mtu, up, addr };

int target_index() {
    static int index = [] {
        rtnl::socket nl;
        link::add(nl, bridge{.name = target, .up = true});
        return link::index(nl, target);
    }();
    return index;
}

/// Request number i of the run for `o` (i counts across iterations for addr).
template <class S>
void encode(wire::basic_writer<S>& w, op o, long i) {
    switch (o) {
        case op::mtu: (void)link::set(w, target_index(), {.mtu = 1500u}); break;  // unchanged: no notification
        case op::up: (void)link::set(w, target_index(), {.up = true}); break;
        case op::addr: {
            const long h = i % 60000 + 1;
            (void)addr::add(w, {.index = target_index(),
                                .prefix = *ip_prefix::parse("10.9." + std::to_string(h / 250) + "." +
                                                            std::to_string(h % 250 + 1) + "/32")});
            break;
        }
    }
}

/// Removes the addresses an addr benchmark iteration added (outside the timing).
void cleanup(benchmark::State& state, op o) {
    if (o != op::addr) return;
    state.PauseTiming();
    rtnl::socket nl;
    addr::flush(nl, target);
    state.ResumeTiming();
}

void check(benchmark::State& state, bool ok) {
    if (!ok) state.SkipWithError("a request failed");
}

// ---- the floor: a minimal raw netlink loop ---------------------------------------

void raw_floor(benchmark::State& state, op o) {
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    const int one = 1;
    ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
    constexpr int chunk = 128, slot = 4096;
    std::vector<std::byte> rx(chunk * slot);
    mmsghdr msgs[chunk];
    iovec riov[chunk];
    long n = 0;
    bool ok = true;
    std::uint32_t seq = 1;
    for (auto _ : state) {
        wire::buffer buf;
        wire::writer w(buf);
        std::vector<std::size_t> starts;
        for (int i = 0; i < ops_per_iteration; ++i) {
            starts.push_back(buf.size());
            encode(w, o, n++);
            wire::set_seq(buf.data() + starts.back(), seq++);
        }
        starts.push_back(buf.size());
        for (int first = 0; first < ops_per_iteration; first += chunk) {
            const int count = std::min(chunk, ops_per_iteration - first);
            sockaddr_nl kernel{};
            kernel.nl_family = AF_NETLINK;
            iovec iov{buf.data() + starts[static_cast<std::size_t>(first)],
                      starts[static_cast<std::size_t>(first + count)] - starts[static_cast<std::size_t>(first)]};
            msghdr mh{};
            mh.msg_name = &kernel;
            mh.msg_namelen = sizeof kernel;
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            ok = ok && ::sendmsg(fd, &mh, 0) >= 0;
            for (int got = 0; got < count;) {
                for (int k = 0; k < chunk; ++k) {
                    riov[k] = {rx.data() + k * slot, slot};
                    msgs[k].msg_hdr = msghdr{};
                    msgs[k].msg_hdr.msg_iov = &riov[k];
                    msgs[k].msg_hdr.msg_iovlen = 1;
                }
                const int r = ::recvmmsg(fd, msgs, static_cast<unsigned>(count - got), 0, nullptr);
                if (r <= 0) {
                    ok = false;
                    break;
                }
                for (int k = 0; k < r; ++k) {
                    std::int32_t err;
                    std::memcpy(&err, rx.data() + k * slot + NLMSG_HDRLEN, sizeof err);
                    ok = ok && err == 0;
                }
                got += r;
            }
        }
        cleanup(state, o);
    }
    ::close(fd);
    check(state, ok);
    state.SetItemsProcessed(state.iterations() * ops_per_iteration);
}

// ---- rtnl::asio ---------------------------------------------------------------------

/// One io_context and socket for the whole run; each iteration `issue`s its
/// 1000 requests (counting failures), runs the io_context dry, then cleans up.
template <class Issue>
asio::socket_stats drive(benchmark::State& state, op o, Issue issue) {
    net::io_context io;
    asio::socket nl(io);
    long n = 0;
    int failures = 0;
    for (auto _ : state) {
        issue(io, nl, n, failures);
        io.run();
        io.restart();
        cleanup(state, o);
    }
    check(state, failures == 0);
    state.SetItemsProcessed(state.iterations() * ops_per_iteration);
    return nl.stats();
}

/// Request number n of the run, in a buffer of its own (as a caller would build it).
wire::buffer request(op o, long n) {
    wire::buffer b;
    wire::writer w(b);
    encode(w, o, n);
    return b;
}

void asio_pipelined(benchmark::State& state, op o) {
    const auto stats = drive(state, o, [o](net::io_context& io, asio::socket& nl, long& n, int& failures) {
        // Issued from a handler, as in any Asio program (from outside the
        // io_context each initiation would be posted to it first).
        net::post(io, [&, o] {
            for (int i = 0; i < ops_per_iteration; ++i)
                nl.async_request(request(o, n++),
                                 [&](asio::error_code ec, asio::reply) { failures += static_cast<bool>(ec); });
        });
    });
    state.counters["per_sendmsg"] = static_cast<double>(stats.requests) / static_cast<double>(stats.send_calls);
}

void asio_coroutines(benchmark::State& state, op o) {
    constexpr int workers = 64;
    drive(state, o, [o](net::io_context& io, asio::socket& nl, long& n, int& failures) {
        for (int c = 0; c < workers; ++c)
            net::co_spawn(io, [&, o, c]() -> net::awaitable<void> {
                for (int i = c; i < ops_per_iteration; i += workers) {
                    auto r = co_await nl.async_request(request(o, n++), net::use_awaitable);
                    failures += !r.ok();
                }
            }, net::detached);
    });
}

void asio_batch(benchmark::State& state, op o) {
    drive(state, o, [o](net::io_context&, asio::socket& nl, long& n, int& failures) {
        wire::buffer b;
        wire::writer w(b);
        for (int i = 0; i < ops_per_iteration; ++i) encode(w, o, n++);
        nl.async_batch(std::move(b), [&](asio::error_code e, std::vector<status> r) {
            failures += static_cast<bool>(e);
            for (auto& s : r) failures += !s.ok();
        });
    });
}

void asio_one_by_one(benchmark::State& state, op o) {
    drive(state, o, [o](net::io_context& io, asio::socket& nl, long& n, int& failures) {
        net::co_spawn(io, [&, o]() -> net::awaitable<void> {
            for (int i = 0; i < ops_per_iteration; ++i) {
                auto r = co_await nl.async_request(request(o, n++), net::use_awaitable);
                failures += !r.ok();
            }
        }, net::detached);
    });
}

void blocking_one_by_one(benchmark::State& state, op o) {
    rtnl::socket nl;
    long n = 0;
    int failures = 0;
    for (auto _ : state) {
        for (int i = 0; i < ops_per_iteration; ++i) {
            wire::buffer b = request(o, n++);
            std::error_code ec;
            nl.execute(b, ec);
            failures += ec ? 1 : 0;
        }
        cleanup(state, o);
    }
    check(state, failures == 0);
    state.SetItemsProcessed(state.iterations() * ops_per_iteration);
}

// Wall-clock throughput (the kernel's share of the work is not all on our thread).
#define RTNL_OPS(fn)                                                                            \
    BENCHMARK_CAPTURE(fn, link_set_mtu, op::mtu)->Unit(benchmark::kMicrosecond)->UseRealTime(); \
    BENCHMARK_CAPTURE(fn, link_set_up, op::up)->Unit(benchmark::kMicrosecond)->UseRealTime();   \
    BENCHMARK_CAPTURE(fn, addr_add, op::addr)->Unit(benchmark::kMicrosecond)->UseRealTime()

RTNL_OPS(raw_floor);
RTNL_OPS(asio_pipelined);
RTNL_OPS(asio_coroutines);
RTNL_OPS(asio_batch);
RTNL_OPS(asio_one_by_one);
RTNL_OPS(blocking_one_by_one);

// ---- container-style setup -----------------------------------------------------------

constexpr int containers_per_iteration = 32;

/// Removes the namespaces and waits until the kernel has torn their veth pairs
/// down (the bridge has no ports left), so iterations do not overlap.
void remove_containers(int first, int bridge) {
    for (int i = first; i < first + containers_per_iteration; ++i) netns::remove(examples::container_name(i));
    rtnl::socket nl;
    while (!link::list(nl, {.master = bridge}).empty()) ::usleep(1000);
}

int fresh_bridge(const std::string& name) {
    rtnl::socket nl;
    link::add(nl, bridge{.name = name, .up = true});
    return link::index(nl, name);
}

void containers_coroutines(benchmark::State& state) {
    static int next = 0;
    const int br = fresh_bridge("brc");
    net::io_context io;
    asio::socket host(io);
    asio::netns_pool pool(io.get_executor());
    for (auto _ : state) {
        const int first = next;
        next += containers_per_iteration;
        examples::build_with_coroutines(io, host, pool, br, first, containers_per_iteration);
        state.PauseTiming();
        remove_containers(first, br);
        state.ResumeTiming();
    }
    rtnl::socket nl;
    link::del(nl, "brc");
    state.SetItemsProcessed(state.iterations() * containers_per_iteration);
}

void containers_blocking(benchmark::State& state) {
    static int next = 100000;
    const int br = fresh_bridge("brb");
    rtnl::socket host;
    for (auto _ : state) {
        const int first = next;
        next += containers_per_iteration;
        examples::build_blocking(host, br, first, containers_per_iteration);
        state.PauseTiming();
        remove_containers(first, br);
        state.ResumeTiming();
    }
    link::del(host, "brb");
    state.SetItemsProcessed(state.iterations() * containers_per_iteration);
}

BENCHMARK(containers_coroutines)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(containers_blocking)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "asio_bench: %s\n", why.c_str());
        return 1;
    }
    {
        rtnl::socket nl;
        link::set(nl, "lo", {.up = true});
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
