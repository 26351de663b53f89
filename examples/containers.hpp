// examples/containers.hpp — container-style network setup, two ways: coroutines
// on rtnl::asio (many containers at once) and the blocking API (one after the
// other). Shared by examples/asio_containers.cpp and bench/asio_bench.cpp.
//
// A container here is what a runtime makes for each one: a named namespace, a
// veth pair whose peer is born inside it as eth0 (IFLA_NET_NS_FD, no move), the
// host end up on a bridge, then inside: lo up, eth0 up, an address. The peer
// cannot be brought up in the creating message (the kernel answers ENOTCONN:
// it configures the peer before the pair is joined), so eth0 goes up from a
// socket inside the namespace.
#pragma once

#include <utility>  // before awaitable.hpp: Boost 1.74 uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "rtnl/asio.hpp"
#include "rtnl/ops.hpp"

namespace rtnl::examples {

namespace net = boost::asio;

inline std::string container_name(int i) { return "c" + std::to_string(i); }
inline std::string host_end(int i) { return "vc" + std::to_string(i); }
/// 10.200.0.2/16, 10.200.0.3/16, … (65,000 containers before it repeats).
inline ip_prefix container_address(int i) {
    const int host = i % 65000 + 2;
    return *ip_prefix::parse("10.200." + std::to_string(host / 256) + "." + std::to_string(host % 256) + "/16");
}

inline veth container_veth(const std::string& host, int bridge, const unique_fd& ns) {
    // One TX and one RX queue on both ends: creation is ~2x cheaper (DESIGN §3).
    return veth{.name = host, .num_tx_queues = 1, .num_rx_queues = 1, .master = bridge, .up = true,
                .peer = {.name = "eth0", .num_tx_queues = 1, .num_rx_queues = 1, .netns = ns}};
}

/// Inside the namespace, in one batch (one sendmsg): lo up, eth0 up, the address.
inline wire::buffer inside_setup(int eth0_index, const ip_prefix& address) {
    wire::buffer b;
    wire::writer w(b);
    (void)link::set(w, "lo", {.up = true});
    (void)link::set(w, eth0_index, {.up = true});
    (void)addr::add(w, {.index = eth0_index, .prefix = address});
    return b;
}

/// One container, as a coroutine. Many run at once on one io_context. A failure
/// comes back as a status (in the blocking API's words, extack included), never
/// as an exception lost in a detached coroutine.
inline net::awaitable<status> build_container(asio::socket& host, asio::netns_pool& pool, int bridge, int i) {
    const std::string name = container_name(i), veth_name = host_end(i);
    status why;
    asio::error_code ec;
    const asio::op_options o{.details = &why};
    auto checked = net::redirect_error(net::use_awaitable, ec);  // ec instead of an exception (not const: Boost 1.74)
    unique_fd ns = co_await pool.async_create(name, o, checked);
    if (ec) co_return why;
    co_await asio::link::async_add(host, container_veth(veth_name, bridge, ns), o, checked);
    if (ec) co_return why;
    asio::socket inside = co_await pool.async_open_socket(ns.get(), checked);
    if (ec) co_return make_status(ec);
    const link_info eth0 = co_await asio::link::async_get(inside, "eth0", o, checked);
    if (ec) co_return why;
    for (status& s : co_await inside.async_batch(inside_setup(eth0.index, container_address(i)), o, checked))
        if (!s.ok()) co_return std::move(s);
    co_return ec ? why : status{};
}

/// Builds containers [first_index, first_index + n) concurrently; returns when
/// all are up, throws the first failure (every one is collected, none dropped).
inline void build_with_coroutines(net::io_context& io, asio::socket& host, asio::netns_pool& pool, int bridge,
                                  int first_index, int n) {
    std::vector<status> failures;
    for (int i = first_index; i < first_index + n; ++i)
        net::co_spawn(io, build_container(host, pool, bridge, i), [&](std::exception_ptr e, status s) {
            if (e) std::rethrow_exception(e);  // a bug (bad_alloc …): out of io.run()
            if (!s.ok()) failures.push_back(std::move(s));
        });
    io.run();
    io.restart();
    if (!failures.empty()) throw error(failures.front());
}

/// The same containers with the blocking API, one after the other.
inline void build_blocking(rtnl::socket& host, int bridge, int first_index, int n) {
    for (int i = first_index; i < first_index + n; ++i) {
        unique_fd ns = netns::create(container_name(i));
        link::add(host, container_veth(host_end(i), bridge, ns));
        auto inside = rtnl::socket::in_namespace(ns.get());
        const int eth0 = link::index(inside, "eth0");
        auto setup = inside_setup(eth0, container_address(i));
        for (const status& s : inside.batch(setup))
            if (!s.ok()) throw error(s);
    }
}

/// Removes containers [first_index, first_index + n): the namespaces go (and their veth pairs with them).
inline void remove_with_coroutines(net::io_context& io, asio::netns_pool& pool, int first_index, int n) {
    status first;
    std::vector<status> details(static_cast<std::size_t>(n));
    for (int i = first_index; i < first_index + n; ++i)
        pool.async_remove(container_name(i), {.details = &details[static_cast<std::size_t>(i - first_index)]},
                          [&, i](asio::error_code ec) {
                              if (ec && first.ok()) first = details[static_cast<std::size_t>(i - first_index)];
                          });
    io.run();
    io.restart();
    if (!first.ok()) throw error(first);
}

}  // namespace rtnl::examples
