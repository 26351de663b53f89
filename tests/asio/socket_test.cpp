// rtnl::asio::socket against the real kernel: many coroutines on one socket,
// completion tokens, coalescing, windowing, cancellation, timeouts and forged
// datagrams. Every test runs in its own network + mount namespace.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/version.hpp>

#include <atomic>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "rtnl/asio.hpp"
#include "rtnl/ops.hpp"
#include "support/netlink.hpp"
#include "support/sandbox.hpp"
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#endif

namespace {

namespace net = boost::asio;
using namespace rtnl;
using rtnl::test::KernelTest;
using AsioSocket = KernelTest;

/// Runs `fn` as a coroutine on `io`, rethrowing anything it throws from run().
template <class Fn>
void spawn(net::io_context& io, Fn fn) {
    net::co_spawn(io, std::move(fn), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
}

wire::buffer encode_set_mtu(std::string_view name, std::uint32_t mtu) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_FALSE(link::set(w, name, {.mtu = mtu}));
    return b;
}
wire::buffer encode_get(std::string_view name) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_FALSE(link::get(w, name));
    return b;
}
/// An RTM_GETLINK without NLM_F_REQUEST: the kernel drops it without a word.
wire::buffer encode_unanswerable() {
    wire::buffer b;
    wire::writer w(b);
    auto m = w.begin(RTM_GETLINK, 0);
    w.header(ifinfomsg{});
    return b;
}

TEST_F(AsioSocket, TenThousandRequestsFromHundredCoroutinesEachDeliveredOnceInOrder) {
    constexpr int callers = 100, per_caller = 100;
    {
        rtnl::socket setup;
        wire::buffer b;
        wire::writer w(b);
        for (int c = 0; c < callers; ++c)
            ASSERT_FALSE(link::add(w, bridge{.name = "c" + std::to_string(c)}));
        for (auto& s : setup.batch(b)) ASSERT_TRUE(s.ok()) << s.describe();
    }
    net::io_context io;
    rtnl::asio::socket nl(io);
    ASSERT_LE(nl.receive_buffer(), 256 * 1024) << "this test is about the default-sized buffer";
    std::atomic<int> completions{0};
    std::vector<int> finished(callers, 0);
    std::vector<std::string> problems;
    for (int c = 0; c < callers; ++c) {
        spawn(io, [&, c]() -> net::awaitable<void> {
            const std::string name = "c" + std::to_string(c);
            // Even steps set a new MTU (ACK), odd steps read it back (reply): the
            // reply must name this caller's link and show this caller's last MTU.
            for (int i = 0; i < per_caller; ++i) {
                const std::uint32_t mtu = 1000 + static_cast<std::uint32_t>(c * per_caller + i - (i % 2));
                if (i % 2 == 0) {
                    auto r = co_await nl.async_request(encode_set_mtu(name, mtu), net::use_awaitable);
                    if (!r.ok()) problems.push_back(name + ": " + r.status.describe());
                } else {
                    auto r = co_await nl.async_request(encode_get(name), net::use_awaitable);
                    link_view v(r.message());
                    if (!r.ok() || v.name() != name || v.mtu() != mtu)
                        problems.push_back(name + " step " + std::to_string(i) + ": got " + std::string(v.name()) +
                                           " mtu " + std::to_string(v.mtu().value_or(0)));
                }
                ++completions;
            }
            ++finished[static_cast<std::size_t>(c)];
        });
    }
    io.run();
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
    EXPECT_EQ(completions, callers * per_caller);
    for (int c = 0; c < callers; ++c) EXPECT_EQ(finished[static_cast<std::size_t>(c)], 1) << c;
    const auto& st = nl.stats();
    EXPECT_EQ(st.requests, static_cast<std::uint64_t>(callers * per_caller));
    EXPECT_EQ(st.replies_lost, 0u);
    EXPECT_EQ(st.stale_messages, 0u);
    EXPECT_GT(st.max_batch, 10u) << "requests issued together share a sendmsg";
    EXPECT_LT(st.send_calls, static_cast<std::uint64_t>(callers * per_caller / 10)) << "coalesced";
    EXPECT_LE(st.max_in_flight * 1024, static_cast<std::size_t>(nl.receive_buffer())) << "windowed";
    // The kernel agrees with the last write of every caller.
    rtnl::socket check;
    for (int c = 0; c < callers; ++c)
        EXPECT_EQ(link::get(check, "c" + std::to_string(c)).mtu,
                  static_cast<std::uint32_t>(1000 + c * per_caller + per_caller - 2));
}

TEST_F(AsioSocket, AThousandCallbacksWithoutWaitingCompleteInIssueOrderAndNoneIsLost) {
    // Far more ACKs than the default receive buffer holds (~256): the window
    // keeps the kernel from dropping any. Every other add is a duplicate, so
    // half the answers are errors carrying extack text.
    rtnl::socket setup;
    link::add(setup, bridge{.name = "br0"});
    const int br = link::index(setup, "br0");
    net::io_context io;
    rtnl::asio::socket nl(io);
    std::vector<int> order;
    std::vector<status> results(1000);
    for (int i = 0; i < 1000; ++i) {
        const int host = i / 2 + 1;
        wire::buffer b;
        wire::writer w(b);
        ASSERT_FALSE(addr::add(w, {.index = br, .prefix = *ip_prefix::parse("10.1." + std::to_string(host / 250) + "." +
                                                                         std::to_string(host % 250) + "/32")}));
        nl.async_request(std::move(b), [&, i](rtnl::asio::error_code e, rtnl::asio::reply r) {
            EXPECT_EQ(e, rtnl::asio::to_error_code(r.status.code)) << "the error_code is the request's outcome";
            order.push_back(i);
            results[static_cast<std::size_t>(i)] = std::move(r.status);
        });
    }
    io.run();
    ASSERT_EQ(order.size(), 1000u);
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
        const auto& s = results[static_cast<std::size_t>(i)];
        if (i % 2 == 0) EXPECT_TRUE(s.ok()) << i << ": " << s.describe();
        else {
            EXPECT_EQ(s.code, std::errc::file_exists) << i;
            EXPECT_EQ(s.message, "ipv4: Address already assigned") << i;
        }
    }
    EXPECT_EQ(addr::list(setup, AF_INET, br).size(), 500u);
    EXPECT_GT(nl.stats().send_calls, 1u) << "the window split the burst";
    EXPECT_EQ(nl.stats().replies_lost, 0u);
}

TEST_F(AsioSocket, UseFutureFromAnotherThreadAndTypedErrorsCarryExtack) {
    net::io_context io;
    rtnl::asio::socket nl(io);
    auto guard = net::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    // Initiated from this thread, run on the io thread.
    rtnl::asio::link::async_add(nl, bridge{.name = "f0", .up = true}, net::use_future).get();
    const link_info f0 = rtnl::asio::link::async_get(nl, "f0", net::use_future).get();
    EXPECT_EQ(f0.name, "f0");
    EXPECT_TRUE(f0.is_up());
    rtnl::asio::addr::async_add(nl, {.index = f0.index, .prefix = *ip_prefix::parse("10.2.0.1/24")}, net::use_future).get();
    // use_future throws boost::system::system_error (Asio's convention); the
    // extack text comes through op_options::details.
    status why;
    try {
        rtnl::asio::addr::async_add(nl, {.index = f0.index, .prefix = *ip_prefix::parse("10.2.0.1/24")},
                                    {.details = &why}, net::use_future)
            .get();
        ADD_FAILURE() << "a duplicate address must fail";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), boost::system::errc::file_exists);
        EXPECT_EQ(why.describe(), "Error: ipv4: Address already assigned.");
        EXPECT_EQ(why.code, std::errc::file_exists);
    }
    try {
        rtnl::asio::link::async_get(nl, "nope", {.details = &why}, net::use_future).get();
        ADD_FAILURE() << "no such link";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), rtnl::errc::no_such_device);
        EXPECT_EQ(why.describe(), "Cannot find device \"nope\"");
    }
    try {
        rtnl::asio::link::async_add(nl, bridge{.name = "a/b"}, {.details = &why}, net::use_future).get();
        ADD_FAILURE() << "an invalid name is refused before sending";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), rtnl::errc::invalid_name);
        EXPECT_EQ(why.describe(), "Error: \"a/b\" is not a valid interface name: invalid name.");
    }
    auto links = rtnl::asio::link::async_list(nl, net::use_future).get();
    EXPECT_EQ(links.size(), 2u);
    auto addrs = rtnl::asio::addr::async_list(nl, AF_INET, f0.index, net::use_future).get();
    ASSERT_EQ(addrs.size(), 1u);
    EXPECT_EQ(addrs[0].prefix.to_string(), "10.2.0.1/24");
    guard.reset();
    runner.join();
}

TEST_F(AsioSocket, BatchesAndDumpsInterleaveWithoutEbusy) {
    net::io_context io;
    rtnl::asio::socket nl(io);
    std::vector<std::size_t> dump_sizes;
    std::vector<status> batch;
    spawn(io, [&]() -> net::awaitable<void> {
        wire::buffer b;
        wire::writer w(b);
        for (int i = 0; i < 20; ++i) EXPECT_FALSE(link::add(w, bridge{.name = "d" + std::to_string(i)}));
        EXPECT_FALSE(link::add(w, bridge{.name = "d0"}));  // a duplicate inside the batch
        batch = co_await nl.async_batch(std::move(b), net::use_awaitable);
    });
    // Five dumps issued at once: the kernel allows one per socket at a time.
    for (int d = 0; d < 5; ++d)
        spawn(io, [&]() -> net::awaitable<void> {
            wire::buffer b;
            wire::writer w(b);
            EXPECT_FALSE(link::dump(w));
            auto r = co_await nl.async_dump(std::move(b), net::use_awaitable);
            EXPECT_TRUE(r.ok()) << r.status.describe();
            std::size_t n = 0;
            for (auto m : r.messages()) n += m.type() == RTM_NEWLINK;
            dump_sizes.push_back(n);
        });
    io.run();
    ASSERT_EQ(batch.size(), 21u);
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(batch[static_cast<std::size_t>(i)].ok());
    EXPECT_EQ(batch[20].code, std::errc::file_exists);
    ASSERT_EQ(dump_sizes.size(), 5u);
    for (auto n : dump_sizes) EXPECT_EQ(n, 21u) << "lo and 20 bridges: every dump ran after the batch (FIFO)";
}

TEST_F(AsioSocket, ARequestTheKernelNeverAnswersTimesOutAndOthersGoOn) {
    net::io_context io;
    rtnl::asio::socket nl(io, {.timeout = std::chrono::milliseconds(150)});
    status lost, answered;
    nl.async_request(encode_unanswerable(), [&](rtnl::asio::error_code, rtnl::asio::reply r) { lost = r.status; });
    rtnl::asio::link::async_add(nl, bridge{.name = "t0"}, [&](rtnl::asio::error_code e) {
        answered = e ? make_status(std::make_error_code(std::errc::io_error)) : status{};
    });
    io.run();  // returns once the timeout fired: nothing keeps it waiting
    EXPECT_EQ(lost.code, std::errc::timed_out);
    EXPECT_TRUE(answered.ok());
    EXPECT_EQ(nl.stats().timeouts, 1u);
    // A per-operation timeout overrides the socket's.
    io.restart();
    status quick;
    nl.async_request(encode_unanswerable(), {.timeout = std::chrono::milliseconds(20)},
                     [&](rtnl::asio::error_code, rtnl::asio::reply r) { quick = r.status; });
    io.run();
    EXPECT_EQ(quick.code, std::errc::timed_out);
}

TEST_F(AsioSocket, CancelledRequestsRetireTheirNumbersAndForgedDatagramsAreIgnored) {
    net::io_context io;
    rtnl::asio::socket nl(io, {.timeout = std::chrono::milliseconds(300)});
    rtnl::socket helper;
    link::add(helper, bridge{.name = "x0"});
    const int x0 = link::index(helper, "x0");

    rtnl::asio::cancel_signal cancel;
    std::uint32_t cancelled_seq = 0, waiting_seq = 0;
    status first, second;
    // Issued on the io thread, where initiation runs at once (from elsewhere it
    // is dispatched there), so next_sequence() is the number each one gets.
    net::post(io, [&] {
        cancelled_seq = nl.next_sequence();
        nl.async_request(encode_unanswerable(), {.cancel = &cancel},
                         [&](rtnl::asio::error_code, rtnl::asio::reply r) { first = r.status; });
        waiting_seq = nl.next_sequence();
        nl.async_request(encode_unanswerable(), [&](rtnl::asio::error_code, rtnl::asio::reply r) { second = r.status; });
        EXPECT_EQ(waiting_seq, cancelled_seq + 1);
    });

    net::steady_timer later(io);
    later.expires_after(std::chrono::milliseconds(20));
    later.async_wait([&](auto) {
        cancel.emit();
        // 1. The kernel itself answers the cancelled number (a real ACK, sender
        //    nl_pid 0): the number is retired, so this completes nothing.
        wire::buffer b;
        wire::writer w(b);
        ASSERT_FALSE(link::set(w, x0, {.mtu = 1400}));
        wire::set_seq(b.data(), cancelled_seq);
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        ASSERT_EQ(::sendto(nl.native_handle(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel),
                  static_cast<ssize_t>(b.size()));
        // 2. Another socket forges a success for the request still waiting.
        ASSERT_GT(rtnl::test::forge_ack(nl.port_id(), waiting_seq, 0), 0);
    });
    io.run();
    EXPECT_EQ(first.code, std::errc::operation_canceled);
    EXPECT_EQ(second.code, std::errc::timed_out) << "neither the late ACK nor the forgery completed it";
    EXPECT_EQ(nl.stats().stale_messages, 1u);
    EXPECT_EQ(nl.stats().foreign_datagrams, 1u);
    EXPECT_EQ(link::get(helper, "x0").mtu, 1400u) << "the raw request did run";
    // And the socket goes on working.
    io.restart();
    bool ok = false;
    rtnl::asio::link::async_set(nl, "x0", {.mtu = 1500}, [&](rtnl::asio::error_code e) { ok = !e; });
    io.run();
    EXPECT_TRUE(ok);
}

TEST_F(AsioSocket, CancellingBeforeTheSendMeansTheKernelNeverSeesIt) {
    net::io_context io;
    rtnl::asio::socket nl(io);
    rtnl::socket helper;
    link::add(helper, bridge{.name = "y0"});
    rtnl::asio::cancel_signal cancel;
    std::vector<std::pair<int, status>> done;
    // Issued in one turn: all three would share a sendmsg; the middle one is
    // cancelled before the pump runs, so only the other two go out.
    net::post(io, [&] {
        nl.async_request(encode_set_mtu("y0", 1300),
                         [&](rtnl::asio::error_code, rtnl::asio::reply r) { done.emplace_back(0, r.status); });
        nl.async_request(encode_set_mtu("y0", 1200), {.cancel = &cancel},
                         [&](rtnl::asio::error_code, rtnl::asio::reply r) { done.emplace_back(1, r.status); });
        nl.async_request(encode_get("y0"), [&](rtnl::asio::error_code, rtnl::asio::reply r) {
            done.emplace_back(2, r.status);
            EXPECT_EQ(link_view(r.message()).mtu(), 1300u) << "the cancelled MTU change never ran";
        });
        cancel.emit();
    });
    io.run();
    ASSERT_EQ(done.size(), 3u);
    std::map<int, status> by_id(done.begin(), done.end());
    EXPECT_TRUE(by_id[0].ok());
    EXPECT_EQ(by_id[1].code, std::errc::operation_canceled);
    EXPECT_TRUE(by_id[2].ok());
    EXPECT_EQ(nl.stats().requests, 2u);
    EXPECT_EQ(link::get(helper, "y0").mtu, 1300u);
}

TEST_F(AsioSocket, AsioCancellationSlotsCancelOneOperation) {
#if !RTNL_ASIO_HAS_CANCELLATION_SLOT
    GTEST_SKIP() << "this Boost (" << BOOST_LIB_VERSION << ") has no cancellation slots (1.77+); cancel_signal covers it";
#else
    using namespace boost::asio::experimental::awaitable_operators;
    net::io_context io;
    rtnl::asio::socket nl(io);
    net::cancellation_signal signal;
    status terminal, total_only;
    // Terminal cancellation of a sent request: completes with ECANCELED.
    nl.async_request(encode_unanswerable(), net::bind_cancellation_slot(signal.slot(), [&](rtnl::asio::error_code, rtnl::asio::reply r) {
                         terminal = r.status;
                     }));
    net::post(io, [&] { net::post(io, [&] { signal.emit(net::cancellation_type::terminal); }); });
    io.run();
    EXPECT_EQ(terminal.code, std::errc::operation_canceled);
    // "Total" cancellation promises no side effects; a sent request may have
    // run, so it is refused and the request times out instead.
    io.restart();
    nl.async_request(encode_unanswerable(), {.timeout = std::chrono::milliseconds(50)},
                     net::bind_cancellation_slot(signal.slot(), [&](rtnl::asio::error_code, rtnl::asio::reply r) {
                         total_only = r.status;
                     }));
    net::post(io, [&] { net::post(io, [&] { signal.emit(net::cancellation_type::total); }); });
    io.run();
    EXPECT_EQ(total_only.code, std::errc::timed_out);
    // Awaitable operators: the timer wins, the request is cancelled, the socket goes on.
    io.restart();
    std::size_t winner = 0, links = 0, event_winner = 0;
    spawn(io, [&]() -> net::awaitable<void> {
        auto ex = co_await net::this_coro::executor;
        net::steady_timer t(ex, std::chrono::milliseconds(30));
        auto r = co_await (nl.async_request(encode_unanswerable(), net::use_awaitable) || t.async_wait(net::use_awaitable));
        winner = r.index();
        links = (co_await rtnl::asio::link::async_list(nl, net::use_awaitable)).size();
        rtnl::asio::event_stream events(ex);
        net::steady_timer t2(ex, std::chrono::milliseconds(30));
        auto r2 = co_await (events.async_next(net::use_awaitable) || t2.async_wait(net::use_awaitable));
        event_winner = r2.index();
    });
    io.run();
    EXPECT_EQ(winner, 1u);
    EXPECT_EQ(links, 1u);
    EXPECT_EQ(event_winner, 1u);
    EXPECT_EQ(nl.stats().cancellations, 2u);
#endif
}

TEST_F(AsioSocket, SocketCancelAndCloseCompleteEverythingPending) {
    net::io_context io;
    std::vector<status> got;
    {
        rtnl::asio::socket nl(io);
        for (int i = 0; i < 3; ++i)
            nl.async_request(encode_unanswerable(), [&](rtnl::asio::error_code, rtnl::asio::reply r) { got.push_back(r.status); });
        net::post(io, [&] { nl.cancel(); });
        io.run();
        ASSERT_EQ(got.size(), 3u);
        for (auto& s : got) EXPECT_EQ(s.code, std::errc::operation_canceled);
        // Destroying the socket with an operation pending completes it too.
        io.restart();
        nl.async_request(encode_unanswerable(), [&](rtnl::asio::error_code, rtnl::asio::reply r) { got.push_back(r.status); });
        io.poll();
    }
    io.run();
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[3].code, std::errc::operation_canceled);
    // A closed socket refuses new work (EBADF).
    rtnl::asio::socket closed;
    bool threw = false;
    closed.async_request(encode_get("lo"), net::bind_executor(io, [&](rtnl::asio::error_code e, rtnl::asio::reply) {
                             threw = static_cast<bool>(e);
                         }));
    io.restart();
    io.run();
    EXPECT_TRUE(threw);
}

TEST_F(AsioSocket, ABatchWithARefusedRequestCompletesWithTheRefusalAndSendsNothing) {
    net::io_context io;
    rtnl::asio::socket nl(io);
    wire::buffer b;
    wire::writer w(b);
    EXPECT_FALSE(link::add(w, bridge{.name = "r0"}));
    EXPECT_EQ(link::add(w, bridge{.name = "r/1"}), rtnl::errc::invalid_name);  // refused: writes nothing
    EXPECT_FALSE(link::add(w, bridge{.name = "r2"}));
    rtnl::asio::error_code got;
    std::size_t statuses = 99;
    status why;
    nl.async_batch(std::move(b), {.details = &why}, [&](rtnl::asio::error_code e, std::vector<status> s) {
        got = e;
        statuses = s.size();
    });
    io.run();
    EXPECT_EQ(got, rtnl::errc::invalid_name);
    EXPECT_EQ(statuses, 0u);
    EXPECT_TRUE(why.local);
    EXPECT_EQ(nl.stats().requests, 0u);
    rtnl::socket check;
    EXPECT_TRUE(link::list(check, {.kind = "bridge"}).empty());
}

TEST_F(AsioSocket, MalformedAndMultiMessageRequestsAreRefused) {
    net::io_context io;
    rtnl::asio::socket nl(io);
    int refused = 0;
    wire::buffer two;
    {
        wire::writer w(two);
        ASSERT_FALSE(link::get(w, "lo"));
        ASSERT_FALSE(link::get(w, "lo"));
    }
    nl.async_request(std::move(two), [&](rtnl::asio::error_code e, rtnl::asio::reply) { refused += static_cast<bool>(e); });
    wire::buffer junk;
    junk.append("\x30\0\0\0abc", 7);
    nl.async_batch(std::move(junk), [&](rtnl::asio::error_code e, std::vector<status>) { refused += static_cast<bool>(e); });
    io.run();
    EXPECT_EQ(refused, 2);
    EXPECT_EQ(nl.stats().requests, 0u);
}

}  // namespace
