// Every typed verb of rtnl/asio/ops.hpp with every completion token kind Asio
// documents: a plain callback, use_future, use_awaitable, redirect_error, and on
// Boost >= 1.80 as_tuple, deferred, experimental::parallel_group, awaitable
// operators and per-operation cancellation slots. One scenario (the verbs in a
// row, each checked against the kernel) runs once per token kind; the
// completions are void(boost::system::error_code, T) throughout.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/version.hpp>

#include <future>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "rtnl/asio.hpp"
#include "rtnl/ops.hpp"
#include "support/sandbox.hpp"

#if BOOST_VERSION >= 108000  // deferred left experimental in 1.80
#define RTNL_TEST_MODERN_TOKENS 1
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#else
#define RTNL_TEST_MODERN_TOKENS 0
#endif

namespace {

namespace net = boost::asio;
namespace ra = rtnl::asio;
using namespace rtnl;
using ra::error_code;
using AsioTokens = rtnl::test::KernelTest;

/// The completion of one operation, whatever token delivered it.
template <class... Args>
using outcome = std::tuple<error_code, Args...>;

enum class token_kind { callback, future, awaitable, redirect_error, as_tuple, deferred, cancelled };

const char* name_of(token_kind k) {
    switch (k) {
        case token_kind::callback: return "callback";
        case token_kind::future: return "use_future";
        case token_kind::awaitable: return "use_awaitable";
        case token_kind::redirect_error: return "redirect_error";
        case token_kind::as_tuple: return "as_tuple";
        case token_kind::deferred: return "deferred";
        case token_kind::cancelled: return "cancellation slot";
    }
    return "?";
}

/// Runs `op(token)` to completion with the token kind `kind`; returns what the
/// handler got (use_future and use_awaitable: the thrown system_error's code).
template <class... Args, class Op>
outcome<Args...> run(net::io_context& io, token_kind kind, Op op) {
    std::optional<outcome<Args...>> got;
#if RTNL_TEST_MODERN_TOKENS
    net::cancellation_signal signal;  // outlives the operation (its slot points here)
#endif
    auto store = [&](error_code ec, Args... v) { got.emplace(ec, std::move(v)...); };
    auto coroutine = [&](auto body) {
        net::co_spawn(io, body, [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    };
    switch (kind) {
        case token_kind::callback: op(store); break;
        case token_kind::future: {
            auto f = op(net::use_future);
            io.run();
            io.restart();
            try {
                if constexpr (sizeof...(Args) == 0) {
                    f.get();
                    got.emplace(error_code{});
                } else {
                    got.emplace(error_code{}, f.get());
                }
            } catch (const boost::system::system_error& e) {
                got.emplace(e.code(), Args{}...);
            }
            return *got;
        }
        case token_kind::awaitable:
            coroutine([&]() -> net::awaitable<void> {
                try {
                    if constexpr (sizeof...(Args) == 0) {
                        co_await op(net::use_awaitable);
                        got.emplace(error_code{});
                    } else {
                        got.emplace(error_code{}, co_await op(net::use_awaitable));
                    }
                } catch (const boost::system::system_error& e) {
                    got.emplace(e.code(), Args{}...);
                }
            });
            break;
        case token_kind::redirect_error:
            coroutine([&]() -> net::awaitable<void> {
                error_code ec;
                if constexpr (sizeof...(Args) == 0) {
                    co_await op(net::redirect_error(net::use_awaitable, ec));
                    got.emplace(ec);
                } else {
                    auto v = co_await op(net::redirect_error(net::use_awaitable, ec));
                    got.emplace(ec, std::move(v));
                }
            });
            break;
#if RTNL_TEST_MODERN_TOKENS
        case token_kind::as_tuple:
            coroutine([&]() -> net::awaitable<void> { got.emplace(co_await op(net::as_tuple(net::use_awaitable))); });
            break;
        case token_kind::deferred: {
            auto d = op(net::deferred);  // nothing starts until it is given a handler
            io.poll();
            io.restart();
            EXPECT_FALSE(got) << "deferred: started before it was launched";
            std::move(d)(store);
            break;
        }
        case token_kind::cancelled: {
            // Terminal cancellation right after initiation, before the socket
            // pumps: the operation completes with operation_aborted, nothing sent.
            op(net::bind_cancellation_slot(signal.slot(), store));
            signal.emit(net::cancellation_type::terminal);
            break;
        }
#else
        default: ADD_FAILURE() << name_of(kind) << " needs Boost >= 1.80"; return {};
#endif
    }
    io.run();
    io.restart();
    EXPECT_TRUE(got) << name_of(kind) << ": the handler never ran";
    return got ? *got : outcome<Args...>{};
}

/// Each typed verb once with `kind`, checked against the kernel through the
/// blocking API. `k` keeps the names of one run apart from the others'.
void every_verb(token_kind kind, int k) {
    SCOPED_TRACE(name_of(kind));
    const bool cancelled = kind == token_kind::cancelled;
    const error_code aborted = net::error::operation_aborted;
    net::io_context io;
    ra::socket nl(io);
    rtnl::socket check;
    const std::string br = "t" + std::to_string(k), ns_name = "n" + std::to_string(k);
    const std::string prefix = "10.9." + std::to_string(k) + ".1/24";
    auto expect_done = [&](const error_code& ec, const char* verb) {
        if (cancelled) EXPECT_EQ(ec, aborted) << verb;
        else EXPECT_FALSE(ec) << verb << ": " << ec.message();
    };
    if (cancelled) link::add(check, bridge{.name = br});  // what the later verbs need

    auto [add_ec] = run(io, kind, [&](auto t) { return ra::link::async_add(nl, bridge{.name = br}, t); });
    expect_done(add_ec, "link::async_add");
    const int index = link::index(check, br);

    auto [set_ec] = run(io, kind, [&](auto t) { return ra::link::async_set(nl, br, {.mtu = 1400}, t); });
    expect_done(set_ec, "link::async_set");
    EXPECT_EQ(link::get(check, br).mtu, cancelled ? 1500u : 1400u);

    auto [get_ec, got] = run<link_info>(io, kind, [&](auto t) { return ra::link::async_get(nl, br, t); });
    expect_done(get_ec, "link::async_get");
    if (!cancelled) { EXPECT_EQ(got.name, br); }

    auto [list_ec, links] = run<std::vector<link_info>>(io, kind, [&](auto t) { return ra::link::async_list(nl, t); });
    expect_done(list_ec, "link::async_list");
    if (!cancelled) { EXPECT_EQ(links.size(), link::list(check).size()); }

    auto [kind_ec, bridges] = run<std::vector<link_info>>(
        io, kind, [&](auto t) { return ra::link::async_list(nl, link_filter{.kind = "bridge"}, t); });
    expect_done(kind_ec, "link::async_list(filter)");
    if (!cancelled) { EXPECT_EQ(bridges.size(), 1u); }

    auto [addr_ec] = run(io, kind, [&](auto t) { return ra::addr::async_add(nl, br, prefix, t); });
    expect_done(addr_ec, "addr::async_add(name, prefix)");
    if (cancelled) addr::add(check, br, prefix);
    EXPECT_EQ(addr::list(check, AF_INET, index).size(), 1u);

    auto [alist_ec, addrs] =
        run<std::vector<address_info>>(io, kind, [&](auto t) { return ra::addr::async_list(nl, AF_INET, t); });
    expect_done(alist_ec, "addr::async_list(family)");
    if (!cancelled) { EXPECT_EQ(addrs.size(), addr::list(check, AF_INET).size()); }

    link::set(check, br, {.up = true});
    const route_spec r{.dst = ip_prefix::parse("10.77." + std::to_string(k) + ".0/24"), .oif = index};
    auto [radd_ec] = run(io, kind, [&](auto t) { return ra::route::async_add(nl, r, t); });
    expect_done(radd_ec, "route::async_add");
    auto [rlist_ec, routes] = run<std::vector<route_info>>(io, kind, [&](auto t) { return ra::route::async_list(nl, t); });
    expect_done(rlist_ec, "route::async_list (short form)");
    if (!cancelled) { EXPECT_EQ(routes.size(), route::list(check).size()); }
    auto [rdel_ec] = run(io, kind, [&](auto t) { return ra::route::async_del(nl, r, t); });
    expect_done(rdel_ec, "route::async_del");

    auto [adel_ec] = run(io, kind, [&](auto t) {
        return ra::addr::async_del(nl, {.index = index, .prefix = *ip_prefix::parse(prefix)}, t);
    });
    expect_done(adel_ec, "addr::async_del");
    EXPECT_EQ(addr::list(check, AF_INET, index).size(), cancelled ? 1u : 0u);

    unique_fd ns = netns::create(ns_name);
    auto [nsid_ec] = run(io, kind, [&](auto t) { return ra::nsid::async_set(nl, netns_ref::named(ns_name), k + 1, t); });
    expect_done(nsid_ec, "nsid::async_set(by name)");
    if (cancelled) nsid::set(check, ns, k + 1);
    auto [nget_ec, id] = run<std::int32_t>(io, kind, [&](auto t) { return ra::nsid::async_get(nl, netns_ref(ns), t); });
    expect_done(nget_ec, "nsid::async_get");
    if (!cancelled) { EXPECT_EQ(id, k + 1); }
    auto [nlist_ec, ids] = run<std::vector<std::int32_t>>(io, kind, [&](auto t) { return ra::nsid::async_list(nl, t); });
    expect_done(nlist_ec, "nsid::async_list");
    if (!cancelled) { EXPECT_EQ(ids, std::vector<std::int32_t>{k + 1}); }

    auto [snap_ec, snap] = run<ra::snapshot>(
        io, kind, [&](auto t) { return ra::async_snapshot(nl, ra::snapshot_parts::all, t); });
    expect_done(snap_ec, "async_snapshot");
    if (!cancelled) { EXPECT_EQ(snap.links.size(), link::list(check).size()); }

    auto [del_ec] = run(io, kind, [&](auto t) { return ra::link::async_del(nl, br, t); });
    expect_done(del_ec, "link::async_del");
    EXPECT_EQ(link::list(check, {.kind = "bridge"}).size(), cancelled ? 1u : 0u);
    std::error_code ignored;
    link::del(check, br, ignored);  // left by the cancelled run

    link::add(check, bridge{.name = br, .group = 7});
    auto [group_ec] = run(io, kind, [&](auto t) { return ra::link::async_del_group(nl, 7, t); });
    expect_done(group_ec, "link::async_del_group");
    EXPECT_EQ(link::list(check, {.kind = "bridge"}).size(), cancelled ? 1u : 0u);

    if (cancelled) { EXPECT_EQ(nl.stats().requests, 0u) << "a request cancelled before the send is never sent"; }
}

TEST_F(AsioTokens, EveryVerbWithACallback) { every_verb(token_kind::callback, 1); }
TEST_F(AsioTokens, EveryVerbWithUseFuture) { every_verb(token_kind::future, 2); }
TEST_F(AsioTokens, EveryVerbWithUseAwaitable) { every_verb(token_kind::awaitable, 3); }
TEST_F(AsioTokens, EveryVerbWithRedirectError) { every_verb(token_kind::redirect_error, 4); }
#if RTNL_TEST_MODERN_TOKENS
TEST_F(AsioTokens, EveryVerbWithAsTuple) { every_verb(token_kind::as_tuple, 5); }
TEST_F(AsioTokens, EveryVerbWithDeferred) { every_verb(token_kind::deferred, 6); }
TEST_F(AsioTokens, EveryVerbCancelledThroughItsCancellationSlot) { every_verb(token_kind::cancelled, 7); }

TEST_F(AsioTokens, ParallelGroupAndAwaitableOperatorsComposeTypedVerbs) {
    using namespace net::experimental::awaitable_operators;
    net::io_context io;
    ra::socket nl(io);
    rtnl::socket check;
    link::add(check, bridge{.name = "p0"});
    std::size_t links = 0;
    std::string name;
    error_code missing;
    std::size_t winner = 9;
    net::co_spawn(io, [&]() -> net::awaitable<void> {
        // Typed verbs as deferred operations in one parallel group.
        auto [order, e1, l, e2, all, e3] =
            co_await net::experimental::make_parallel_group(ra::link::async_get(nl, "p0", net::deferred),
                                                            ra::link::async_list(nl, net::deferred),
                                                            ra::addr::async_add(nl, "nope", "10.1.1.1/24", net::deferred))
                .async_wait(net::experimental::wait_for_all(), net::use_awaitable);
        EXPECT_EQ(order.size(), 3u);
        EXPECT_FALSE(e1);
        EXPECT_FALSE(e2);
        name = l.name;
        links = all.size();
        missing = e3;
        // wait_for_one_error: the failure cancels the other (never answered) operation.
        ra::socket slow(co_await net::this_coro::executor, {.timeout = std::chrono::seconds(5)});
        wire::buffer never;
        {
            wire::writer w(never);
            auto m = w.begin(RTM_GETLINK, 0);  // no NLM_F_REQUEST: the kernel never answers
            w.header(ifinfomsg{});
        }
        auto t0 = std::chrono::steady_clock::now();
        auto [order2, r1, rep, r2, info2] =
            co_await net::experimental::make_parallel_group(slow.async_request(std::move(never), net::deferred),
                                                            ra::link::async_get(slow, "nope", net::deferred))
                .async_wait(net::experimental::wait_for_one_error(), net::use_awaitable);
        EXPECT_EQ(r1, net::error::operation_aborted);
        EXPECT_EQ(r2, rtnl::errc::no_such_device);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4)) << "cancelled, not timed out";
        // Awaitable operators: a verb against a timer.
        net::steady_timer timer(co_await net::this_coro::executor, std::chrono::seconds(5));
        auto r = co_await (ra::link::async_get(nl, "p0", net::use_awaitable) || timer.async_wait(net::use_awaitable));
        winner = r.index();
    }, [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    io.run();
    EXPECT_EQ(name, "p0");
    EXPECT_EQ(links, 2u);
    EXPECT_EQ(missing, rtnl::errc::no_such_device);
    EXPECT_EQ(winner, 0u);
}
#endif

TEST_F(AsioTokens, PerOperationTimeoutAndCancelSignalOnTypedVerbs) {
    net::io_context io;
    ra::socket nl(io);
    ra::cancel_signal cancel;
    status why;
    error_code cancelled, timed_out, ok;
    // Cancelled before the pump runs: nothing is sent.
    net::post(io, [&] {  // on the executor, where initiation runs at once
        ra::link::async_add(nl, bridge{.name = "q0"}, {.cancel = &cancel, .details = &why},
                            [&](error_code ec) { cancelled = ec; });
        cancel.emit();
    });
    io.run();
    io.restart();
    EXPECT_EQ(cancelled, net::error::operation_aborted);
    EXPECT_TRUE(why.local);
    EXPECT_EQ(why.describe(), "Operation canceled") << "never \"RTNETLINK answers\": the kernel said nothing";
    rtnl::socket check;
    EXPECT_TRUE(link::list(check, {.kind = "bridge"}).empty());
    // A deadline of 1 ms on a dump of a namespace with 200 links: either it
    // finishes or it times out, worded as a local timeout.
    ra::link::async_add(nl, bridge{.name = "q1"}, {.timeout = std::chrono::seconds(5)},
                        [&](error_code ec) { ok = ec; });
    io.run();
    io.restart();
    EXPECT_FALSE(ok);
    wire::buffer never;
    {
        wire::writer w(never);
        auto m = w.begin(RTM_GETLINK, 0);
        w.header(ifinfomsg{});
    }
    status late;
    nl.async_request(std::move(never), {.timeout = std::chrono::milliseconds(20), .details = &late},
                     [&](error_code ec, ra::reply) { timed_out = ec; });
    io.run();
    EXPECT_EQ(timed_out, net::error::timed_out);
    EXPECT_EQ(late.describe(), "Connection timed out");
}

}  // namespace
