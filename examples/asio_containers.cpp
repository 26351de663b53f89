// rtnl-asio-containers: builds N container-style network namespaces with
// coroutines on one io_context, shows them, and tears them down — inside a
// sandbox (a private network + mount namespace), so the host is never touched.
//
//   rtnl-asio-containers [N]      (default 16; needs root)
//
// Each container: `ip netns add cN`, a veth pair vcN <-> eth0 with eth0 born
// inside cN, vcN up on bridge br0, and inside: lo up, eth0 up, 10.200.x.y/16.
// Namespace syscalls run on a small worker pool; all netlink traffic of all
// containers is pipelined on the io_context thread, which never changes
// namespace.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "examples/containers.hpp"
#include "tools/common/sandbox.hpp"

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

static double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

int main(int argc, char** argv) try {
    const int n = argc > 1 ? std::atoi(argv[1]) : 16;
    if (n <= 0 || n > 1000) {
        std::fprintf(stderr, "usage: %s [N]   (1..1000 containers; a bridge holds at most 1023 ports)\n", argv[0]);
        return 255;
    }
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return 1;
    }
    net::io_context io;
    rtnl::asio::socket host(io);
    rtnl::asio::netns_pool pool(io.get_executor());

    rtnl::socket blocking;  // setup and inspection in the sandbox's own namespace
    rtnl::link::set(blocking, "lo", {.up = true});
    rtnl::link::add(blocking, rtnl::bridge{.name = "br0", .up = true});
    const int br0 = rtnl::link::index(blocking, "br0");

    auto t0 = clock_type::now();
    rtnl::examples::build_with_coroutines(io, host, pool, br0, 0, n);
    const double build_ms = ms_since(t0);

    std::printf("%d containers on br0 (%zu ports):\n", n, rtnl::link::list(blocking, {.master = br0}).size());
    const int shown = n < 4 ? n : 4;
    for (int i = 0; i < shown; ++i) {
        auto inside = rtnl::socket::in_namespace(pool.registry().open(rtnl::examples::container_name(i)).get());
        for (const auto& l : rtnl::link::list(inside)) {
            std::printf("  %-4s %-4s %s", rtnl::examples::container_name(i).c_str(), l.name.c_str(),
                        l.is_up() ? "UP  " : "DOWN");
            for (const auto& a : rtnl::addr::list(inside, AF_INET, l.index)) std::printf(" %s", a.prefix.to_string().c_str());
            std::printf("\n");
        }
    }
    if (shown < n) std::printf("  … and %d more\n", n - shown);
    const auto& st = host.stats();
    std::printf("built in %.1f ms (%.2f ms per container); host socket: %llu requests in %llu sendmsg calls\n",
                build_ms, build_ms / n, static_cast<unsigned long long>(st.requests),
                static_cast<unsigned long long>(st.send_calls));

    t0 = clock_type::now();
    rtnl::examples::remove_with_coroutines(io, pool, 0, n);
    rtnl::link::del(blocking, "br0");
    std::printf("removed in %.1f ms; namespaces left: %zu\n", ms_since(t0), rtnl::netns::list().size());
    return rtnl::netns::list().empty() ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
