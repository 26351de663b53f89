// rtnl::asio across namespaces and events: sockets in 100 namespaces on one
// io_context thread that never moves, namespaces made on the worker pool while
// coroutines configure them, notifications, overruns and resync.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rtnl/asio.hpp"
#include "rtnl/ops.hpp"
#include "support/sandbox.hpp"

namespace {

namespace net = boost::asio;
using namespace rtnl;
using rtnl::test::KernelTest;
using AsioNamespaces = KernelTest;
using AsioEvents = KernelTest;

template <class Fn>
void spawn(net::io_context& io, Fn fn) {
    net::co_spawn(io, std::move(fn), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
}

ino_t thread_netns() {
    struct stat st {};
    EXPECT_EQ(::stat("/proc/thread-self/ns/net", &st), 0);
    return st.st_ino;
}

/// Fails the test instead of hanging it if `io` has not finished by then.
void deadline(net::io_context& io, net::steady_timer& t, std::chrono::seconds s) {
    t.expires_after(s);
    t.async_wait([&io](const boost::system::error_code& ec) {
        if (ec) return;
        ADD_FAILURE() << "timed out";
        io.stop();
    });
}

TEST_F(AsioNamespaces, HundredNamespacesDrivenByOneThreadThatNeverChangesNamespace) {
    constexpr int count = 100;
    const ino_t home = thread_netns();
    std::vector<unique_fd> ns;
    for (int i = 0; i < count; ++i) ns.push_back(netns::create_anonymous());
    net::io_context io;
    std::vector<rtnl::asio::socket> sockets;
    for (auto& fd : ns) sockets.push_back(rtnl::asio::socket::in_namespace(io.get_executor(), fd.get()));
    EXPECT_EQ(thread_netns(), home);

    std::set<ino_t> seen;  // the io thread's namespace at every resumption
    std::vector<std::vector<std::string>> names(count);
    for (int i = 0; i < count; ++i)
        spawn(io, [&, i]() -> net::awaitable<void> {
            auto& nl = sockets[static_cast<std::size_t>(i)];
            const std::string br = "b" + std::to_string(i);
            co_await rtnl::asio::link::async_set(nl, "lo", {.up = true}, net::use_awaitable);
            seen.insert(thread_netns());
            co_await rtnl::asio::link::async_add(nl, bridge{.name = br, .up = true}, net::use_awaitable);
            seen.insert(thread_netns());
            for (auto& l : co_await rtnl::asio::link::async_list(nl, net::use_awaitable))
                names[static_cast<std::size_t>(i)].push_back(l.name);
            seen.insert(thread_netns());
        });
    io.run();
    EXPECT_EQ(seen, std::set<ino_t>{home});
    EXPECT_EQ(thread_netns(), home);
    for (int i = 0; i < count; ++i) {
        auto& n = names[static_cast<std::size_t>(i)];
        std::sort(n.begin(), n.end());
        EXPECT_EQ(n, (std::vector<std::string>{"b" + std::to_string(i), "lo"})) << "namespace " << i;
    }
    rtnl::socket here;
    EXPECT_EQ(link::list(here).size(), 1u) << "nothing leaked into the caller's namespace";
    auto inside = rtnl::socket::in_namespace(ns[42].get());
    EXPECT_TRUE(link::get(inside, "b42").is_up());
}

TEST_F(AsioNamespaces, PoolCreatesNamedNamespacesWhileCoroutinesConfigureThem) {
    constexpr int count = 8;
    net::io_context io;
    rtnl::asio::netns_pool pool(io.get_executor());
    rtnl::asio::socket nl(io);
    rtnl::socket host;
    link::add(host, bridge{.name = "br0", .up = true});
    const int br = link::index(host, "br0");
    std::vector<std::string> addresses(count);
    for (int i = 0; i < count; ++i)
        spawn(io, [&, i]() -> net::awaitable<void> {
            const std::string name = "c" + std::to_string(i);
            unique_fd ns = co_await pool.async_create(name, net::use_awaitable);
            co_await rtnl::asio::link::async_add(
                nl,
                veth{.name = "v" + name, .num_tx_queues = 1, .num_rx_queues = 1, .master = br, .up = true,
                     .peer = {.name = "eth0", .num_tx_queues = 1, .num_rx_queues = 1, .netns = ns}},
                net::use_awaitable);
            rtnl::asio::socket inside = co_await pool.async_open_socket(ns.get(), net::use_awaitable);
            co_await rtnl::asio::link::async_set(inside, "lo", {.up = true}, net::use_awaitable);
            co_await rtnl::asio::link::async_set(inside, "eth0", {.up = true}, net::use_awaitable);
            const link_info eth0 = co_await rtnl::asio::link::async_get(inside, "eth0", net::use_awaitable);
            co_await rtnl::asio::addr::async_add(
                inside, {.index = eth0.index, .prefix = *ip_prefix::parse("10.3.0." + std::to_string(i + 1) + "/24")},
                net::use_awaitable);
            for (auto& a : co_await rtnl::asio::addr::async_list(inside, AF_INET, eth0.index, net::use_awaitable))
                addresses[static_cast<std::size_t>(i)] = a.prefix.to_string();
        });
    io.run();
    for (int i = 0; i < count; ++i)
        EXPECT_EQ(addresses[static_cast<std::size_t>(i)], "10.3.0." + std::to_string(i + 1) + "/24");
    EXPECT_EQ(netns::list().size(), static_cast<std::size_t>(count));
    EXPECT_EQ(link::list(host, {.master = br}).size(), static_cast<std::size_t>(count));

    // Errors travel back through the pool too.
    io.restart();
    bool refused = false;
    spawn(io, [&]() -> net::awaitable<void> {
        status why;
        rtnl::asio::error_code ec;
        auto fd = co_await pool.async_create("c0", {.details = &why}, net::redirect_error(net::use_awaitable, ec));
        refused = ec == boost::system::errc::file_exists && !fd &&
                  why.describe() == "Cannot create namespace file \"" + netns::default_registry().path("c0") +
                                        "\": File exists";
        for (int i = 0; i < count; ++i) co_await pool.async_remove("c" + std::to_string(i), net::use_awaitable);
    });
    io.run();
    EXPECT_TRUE(refused);
    EXPECT_TRUE(netns::list().empty());
}

TEST_F(AsioEvents, LinkAndAddressChangesArriveAsEvents) {
    net::io_context io;
    rtnl::asio::event_stream events(io, {.groups = {rtnl::asio::groups::link, rtnl::asio::groups::ipv4_addr}});
    rtnl::asio::socket nl(io);
    net::steady_timer guard(io);
    deadline(io, guard, std::chrono::seconds(5));
    std::vector<std::string> seen;
    spawn(io, [&]() -> net::awaitable<void> {
        co_await rtnl::asio::link::async_add(nl, bridge{.name = "ev0"}, net::use_awaitable);
        const auto ev0 = co_await rtnl::asio::link::async_get(nl, "ev0", net::use_awaitable);
        co_await rtnl::asio::addr::async_add(nl, {.index = ev0.index, .prefix = *ip_prefix::parse("10.4.0.1/24")},
                                             net::use_awaitable);
        while (seen.empty() || seen.back().rfind("addr", 0) != 0) {
            rtnl::asio::event e = co_await events.async_next(net::use_awaitable);
            EXPECT_FALSE(e.overrun());
            if (e.message().type() == RTM_NEWLINK) seen.push_back("link " + std::string(link_view(e.message()).name()));
            if (e.message().type() == RTM_NEWADDR)
                seen.push_back("addr " + address_view(e.message()).prefix()->to_string());
        }
        guard.cancel();
    });
    io.run();
    ASSERT_GE(seen.size(), 2u);
    EXPECT_EQ(seen.front(), "link ev0");
    EXPECT_EQ(seen.back(), "addr 10.4.0.1/24");
    EXPECT_EQ(events.stats().overruns, 0u);
}

TEST_F(AsioEvents, AnOverrunOnATinyBufferIsReportedAndTheResyncEqualsAFreshDump) {
    net::io_context io;
    rtnl::asio::event_stream events(io, {.receive_buffer = 1});  // the kernel's minimum
    ASSERT_LT(events.receive_buffer(), 16384);
    rtnl::socket blocking;
    link::add(blocking, bridge{.name = "ov0", .up = true});
    const int ov0 = link::index(blocking, "ov0");
    {
        // A burst of notifications nobody reads: far more than the buffer holds.
        wire::buffer b;
        wire::writer w(b);
        for (int i = 0; i < 300; ++i)
            ASSERT_FALSE(addr::add(w, {.index = ov0, .prefix = *ip_prefix::parse("10.5." + std::to_string(i / 200) + "." +
                                                                              std::to_string(i % 200 + 1) + "/32")}));
        for (auto& s : blocking.batch(b)) ASSERT_TRUE(s.ok()) << s.describe();
    }
    rtnl::asio::socket nl(io);
    net::steady_timer guard(io);
    deadline(io, guard, std::chrono::seconds(5));
    bool overrun = false;
    int before = 0;
    rtnl::asio::snapshot snap;
    spawn(io, [&]() -> net::awaitable<void> {
        while (!overrun) {
            auto e = co_await events.async_next(net::use_awaitable);
            if (e.overrun()) overrun = true;
            else ++before;
        }
        snap = co_await rtnl::asio::async_snapshot(nl, events.resync_parts(), net::use_awaitable);
        guard.cancel();
    });
    io.run();
    EXPECT_TRUE(overrun);
    EXPECT_LT(before, 300) << "the kernel dropped notifications";
    EXPECT_EQ(events.stats().overruns, 1u);

    // The resync is what a fresh blocking dump says.
    auto key_links = [](const std::vector<link_info>& v) {
        std::set<std::tuple<int, std::string, unsigned, std::uint32_t>> s;
        for (auto& l : v) s.emplace(l.index, l.name, l.flags, l.mtu);
        return s;
    };
    auto key_addrs = [](const std::vector<address_info>& v) {
        std::set<std::pair<int, std::string>> s;
        for (auto& a : v) s.emplace(a.index, a.prefix.to_string());
        return s;
    };
    auto key_routes = [](const std::vector<route_info>& v) {
        std::set<std::tuple<std::uint32_t, std::string, int>> s;
        for (auto& r : v) s.emplace(r.table, r.dst ? r.dst->to_string() : "default", r.oif);
        return s;
    };
    EXPECT_EQ(key_links(snap.links), key_links(link::list(blocking)));
    EXPECT_EQ(key_addrs(snap.addresses), key_addrs(addr::list(blocking)));
    EXPECT_EQ(key_routes(snap.routes), key_routes(route::list(blocking, AF_UNSPEC, RT_TABLE_UNSPEC)));
    EXPECT_EQ(snap.addresses.size(), addr::list(blocking).size());
    EXPECT_GE(snap.addresses.size(), 300u);
    EXPECT_FALSE(snap.routes.empty());
}

TEST_F(AsioEvents, ListenAllNsidTagsEventsFromPeerNamespaces) {
    net::io_context io;
    rtnl::asio::event_stream events(io, {.groups = {rtnl::asio::groups::link}, .listen_all_nsid = true});
    rtnl::socket here;
    unique_fd peer = netns::create_anonymous();
    nsid::set(here, peer, 7);
    auto inside = rtnl::socket::in_namespace(peer.get());
    link::add(inside, bridge{.name = "far0"});
    net::steady_timer guard(io);
    deadline(io, guard, std::chrono::seconds(5));
    std::optional<std::int32_t> id;
    std::string name;
    spawn(io, [&]() -> net::awaitable<void> {
        while (name != "far0") {
            auto e = co_await events.async_next(net::use_awaitable);
            if (e.overrun() || e.message().type() != RTM_NEWLINK) continue;
            name = std::string(link_view(e.message()).name());
            id = e.nsid;
        }
        guard.cancel();
    });
    io.run();
    EXPECT_EQ(name, "far0");
    EXPECT_EQ(id, 7);
}

}  // namespace
