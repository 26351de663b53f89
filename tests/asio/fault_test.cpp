// Faults injected at the descriptor seam (rtnl/descriptor_io.hpp) of the Asio
// socket and the event stream, as tests/unit/socket_fault_test.cpp does for the
// blocking socket. tests/support/fake_kernel.hpp plays the kernel; its doorbell
// makes the real descriptor readable when the socket must wait on the reactor.
// For each fault the documented outcome, and that every operation completes
// exactly once, with its own answers:
//
//   fault                               asio::socket                      event_stream
//   EINTR on sendmsg                    retried; nothing visible          -
//   EAGAIN / EINTR on a read            wait on the reactor, then read    read on
//   ENOBUFS                             every request in flight:          an `overrun` event, in
//                                       replies_lost; late answers stale  order; events go on
//   MSG_TRUNC on an ACK                 that request: truncated_reply     -
//   MSG_TRUNC where replies flow        that dump: truncated_reply,       an `overrun` event
//                                       never "ok" with a part missing
//   NLM_F_DUMP_INTR                     reply.interrupted, data kept;     -
//                                       op_options::attempts retries
//   EBUSY for a dump                    that dump alone fails; no two     -
//                                       dumps ever in one sendmsg
//   answers out of order / duplicated   each reaches its own request      -
//   answers to retired sequence numbers ignored (counted stale)           -
//   a sender that is not the kernel     dropped (counted), both paths     dropped (counted)
//   no answer at all                    ETIMEDOUT at the op's deadline    -
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstring>
#include <functional>
#include <vector>

#include "rtnl/asio.hpp"
#include "support/fake_kernel.hpp"
#include "support/fault_requests.hpp"

namespace {

namespace net = boost::asio;
namespace ra = rtnl::asio;
using namespace rtnl;
using namespace std::chrono_literals;
using rtnl::test::answer_each_with_its_own;
using rtnl::test::changes;
using rtnl::test::expect_own_answers;
using rtnl::test::fake_kernel;
using rtnl::test::link_dump;
using rtnl::test::own_answer;

struct AsioFaults : ::testing::Test {
    net::io_context io;
    fake_kernel k;
    ra::socket nl{io.get_executor(), k.descriptor(), socket_options{.timeout = 300ms}, k};

    /// Runs one async_batch to its end; exactly one completion.
    std::vector<status> batch(wire::buffer b) {
        int completions = 0;
        std::vector<status> out;
        nl.async_batch(std::move(b), [&](boost::system::error_code ec, std::vector<status> s) {
            ++completions;
            EXPECT_FALSE(ec) << ec.message();
            out = std::move(s);
        });
        io.restart();
        io.run();
        EXPECT_EQ(completions, 1) << "one completion, exactly";
        return out;
    }
    /// Runs one async_dump to its end; exactly one completion.
    ra::reply dump(const ra::op_options& o = {}, boost::system::error_code* ec_out = nullptr) {
        int completions = 0;
        ra::reply out;
        nl.async_dump(link_dump(), o, [&](boost::system::error_code ec, ra::reply r) {
            ++completions;
            if (ec_out) *ec_out = ec;
            out = std::move(r);
        });
        io.restart();
        io.run();
        EXPECT_EQ(completions, 1) << "one completion, exactly";
        return out;
    }
};

std::vector<int> indexes(const ra::reply& r) {
    std::vector<int> seen;
    for (wire::message_view m : r.messages()) {
        ifinfomsg i{};
        std::memcpy(&i, m.bytes().data() + NLMSG_HDRLEN, sizeof i);
        seen.push_back(i.ifi_index);
    }
    return seen;
}

/// A dump answered with the parts `index`es, then DONE.
void answer_dumps_with(fake_kernel& k, std::vector<int> index, std::uint16_t extra_flags = 0) {
    k.answer = [index, extra_flags](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) {
            const auto flags = static_cast<std::uint16_t>(NLM_F_MULTI | extra_flags);
            for (int i : index) f.deliver(fake_kernel::link_message(q.header, i, flags));
            f.deliver(fake_kernel::done_message(q.header, 0, flags));
        }
    };
}

TEST_F(AsioFaults, EintrOnSendIsRetried) {
    k.send_errors = {EINTR, EINTR};
    answer_each_with_its_own(k);
    expect_own_answers(batch(changes(3)), 3);
    EXPECT_EQ(k.send_calls, 1u);
    EXPECT_EQ(k.sent.size(), 3u) << "nothing sent twice";
}

TEST_F(AsioFaults, EagainOrEintrOnAReadWaitsOnTheReactorThenReads) {
    answer_each_with_its_own(k);
    k.recv_errors = {EAGAIN};
    expect_own_answers(batch(changes(4)), 4);
    k.recv_errors = {EINTR};
    expect_own_answers(batch(changes(2)), 2);
    EXPECT_GE(k.rings, 2u) << "the answers came only after a wait on the reactor";
    // and where replies flow (peek + read)
    answer_dumps_with(k, {7});
    k.recv_errors = {EAGAIN, 0, EINTR};
    auto r = dump();
    EXPECT_TRUE(r.ok()) << r.status.describe();
    EXPECT_EQ(indexes(r), std::vector<int>{7});
    EXPECT_EQ(nl.stats().timeouts, 0u);
}

TEST_F(AsioFaults, NoAnswerTimesOutEveryOpenRequestOnce) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) { f.deliver(own_answer(rs[0])); };
    auto r = batch(changes(3));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].code.value(), 11);
    EXPECT_EQ(r[1].code, std::errc::timed_out);
    EXPECT_EQ(r[2].code, std::errc::timed_out);
    EXPECT_TRUE(r[1].local) << "the kernel never answered: not worded as if it had";
}

TEST_F(AsioFaults, EnobufsFailsEveryRequestInFlightAndTheirLateAnswersReachNobody) {
    k.recv_errors = {ENOBUFS};  // the ACKs are queued, but the first read says some were dropped
    auto r = batch(changes(3));
    ASSERT_EQ(r.size(), 3u);
    for (auto& s : r) EXPECT_EQ(s.code, make_error_code(errc::replies_lost));
    EXPECT_EQ(nl.stats().replies_lost, 1u);
    answer_each_with_its_own(k);
    expect_own_answers(batch(changes(2)), 2);
    EXPECT_EQ(nl.stats().stale_messages, 3u) << "the three late ACKs were read and given to nobody";
}

TEST_F(AsioFaults, TruncatedAckFailsOnlyItsRequest) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (std::size_t i = 0; i < rs.size(); ++i) f.deliver(own_answer(rs[i]), 0, i == 1);
    };
    auto r = batch(changes(3));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].code.value(), 11);
    EXPECT_EQ(r[1].code, make_error_code(errc::truncated_reply));
    EXPECT_EQ(r[2].code.value(), 13);
}

TEST_F(AsioFaults, TruncatedDumpPartFailsTheDumpInsteadOfCompletingWithoutIt) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        f.deliver(fake_kernel::link_message(rs[0].header, 1));
        f.deliver(fake_kernel::link_message(rs[0].header, 2), 0, true);
        f.deliver(fake_kernel::done_message(rs[0].header));
    };
    boost::system::error_code ec;
    auto r = dump({}, &ec);
    EXPECT_EQ(r.status.code, make_error_code(errc::truncated_reply));
    EXPECT_TRUE(ec);
    // the DONE left behind belongs to a retired dump: the next batch is not confused
    answer_each_with_its_own(k);
    expect_own_answers(batch(changes(2)), 2);
}

TEST_F(AsioFaults, InterruptedDumpKeepsItsDataAndAttemptsRetryIt) {
    int interrupted_answers = 2;
    k.answer = [&](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        const std::uint16_t intr = interrupted_answers-- > 0 ? NLM_F_DUMP_INTR : 0;
        const auto flags = static_cast<std::uint16_t>(NLM_F_MULTI | intr);
        f.deliver(fake_kernel::link_message(rs[0].header, 1, flags));
        f.deliver(fake_kernel::done_message(rs[0].header, 0, flags));
    };
    auto r = dump();
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(indexes(r), std::vector<int>{1}) << "the data of an interrupted dump is still delivered";
    const auto before = k.sent.size();
    r = dump({.attempts = 3});  // one more interrupted answer, then a consistent one
    EXPECT_TRUE(r.ok());
    EXPECT_FALSE(r.interrupted);
    EXPECT_EQ(indexes(r), std::vector<int>{1}) << "the retry's data only, not both attempts'";
    EXPECT_EQ(k.sent.size() - before, 2u);
    interrupted_answers = 1000;  // always interrupted: bounded
    r = dump({.attempts = 5});
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(k.sent.size() - before, 2u + 5u);
}

TEST_F(AsioFaults, EbusyForADumpFailsThatDumpAloneAndNoSendCarriesTwoDumps) {
    auto b = rtnl::test::dump_change_dump_second_busy(k);
    rtnl::test::expect_second_dump_busy_alone(batch(std::move(b)), k);
}

TEST_F(AsioFaults, AnswersOutOfOrderOrTwiceReachTheirOwnRequestsOnce) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto it = rs.rbegin(); it != rs.rend(); ++it) {
            f.deliver(own_answer(*it));
            f.deliver(fake_kernel::error_message(it->header, -EPERM));  // a duplicate
        }
    };
    expect_own_answers(batch(changes(8)), 8);
    answer_each_with_its_own(k);
    expect_own_answers(batch(changes(2)), 2);
    EXPECT_GE(nl.stats().stale_messages, 1u) << "duplicates counted, never delivered";
}

TEST_F(AsioFaults, LateAnswersForTimedOutRequestsReachNobody) {
    std::vector<fake_kernel::request> unanswered;
    k.answer = [&](fake_kernel&, const std::vector<fake_kernel::request>& rs) { unanswered = rs; };
    for (auto& s : batch(changes(2))) EXPECT_EQ(s.code, std::errc::timed_out);
    k.answer = [&](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : unanswered) f.deliver(fake_kernel::error_message(q.header, -EPERM));
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(batch(changes(2)), 2);
    EXPECT_EQ(nl.stats().stale_messages, 2u);
}

TEST_F(AsioFaults, APeerThatIsNotTheKernelIsIgnoredInBothReadPaths) {
    rtnl::test::answer_with_forgeries_first(k);
    expect_own_answers(batch(changes(3)), 3);  // ACK path (recvmmsg)
    EXPECT_EQ(nl.stats().foreign_datagrams, 3u);
    auto r = dump();  // reply path (peek + read)
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(indexes(r), std::vector<int>{1});
    EXPECT_EQ(nl.stats().foreign_datagrams, 5u);
}

// ---- the event stream -------------------------------------------------------------

struct AsioEventFaults : ::testing::Test {
    net::io_context io;
    fake_kernel k;
    // No groups: only the fake's notifications reach it.
    ra::event_stream events{io.get_executor(), k.descriptor(), ra::event_options{.groups = {}}, k};

    static std::vector<std::byte> notification(int ifindex) {
        return fake_kernel::link_message(nlmsghdr{}, ifindex, 0);
    }
    /// The next `n` events, each as its ifindex, or -1 for an overrun.
    std::vector<int> next(int n) {
        std::vector<int> got;
        std::function<void()> one = [&] {
            events.async_next([&](boost::system::error_code ec, ra::event e) {
                ASSERT_FALSE(ec) << ec.message();
                if (e.overrun()) {
                    got.push_back(-1);
                } else {
                    ifinfomsg i{};
                    std::memcpy(&i, e.message().bytes().data() + NLMSG_HDRLEN, sizeof i);
                    got.push_back(i.ifi_index);
                }
                if (static_cast<int>(got.size()) < n) one();
            });
        };
        one();
        io.restart();
        io.run_for(2s);
        return got;
    }
};

TEST_F(AsioEventFaults, EnobufsIsAnOverrunEventInOrderAndTheStreamGoesOn) {
    k.deliver(notification(1));
    k.deliver(notification(2));
    k.recv_errors = {0, 0, 0, 0, ENOBUFS};  // peek + read each, then the overrun
    EXPECT_EQ(next(3), (std::vector<int>{1, 2, -1}));
    k.deliver(notification(3));
    k.ring();
    EXPECT_EQ(next(1), std::vector<int>{3});
    EXPECT_EQ(events.stats().overruns, 1u);
}

TEST_F(AsioEventFaults, EagainAndEintrWaitThenRead) {
    k.deliver(notification(4));
    k.recv_errors = {EAGAIN, EINTR};
    EXPECT_EQ(next(1), std::vector<int>{4});
    EXPECT_GE(k.rings, 1u);
}

TEST_F(AsioEventFaults, ACutDatagramIsNeverParsedAndReportedAsAnOverrun) {
    k.deliver(notification(5), 0, true);
    k.deliver(notification(6));
    EXPECT_EQ(next(2), (std::vector<int>{-1, 6}));
}

TEST_F(AsioEventFaults, ANotificationNotFromTheKernelIsDropped) {
    k.deliver(notification(66), 4242);
    k.deliver(notification(7));
    EXPECT_EQ(next(1), std::vector<int>{7});
    EXPECT_EQ(events.stats().foreign_datagrams, 1u);
}

TEST_F(AsioEventFaults, ANotificationArrivingWhileWaitingIsDelivered) {
    std::vector<int> got;
    events.async_next([&](boost::system::error_code ec, ra::event e) {
        EXPECT_FALSE(ec);
        got.push_back(e.overrun() ? -1 : 1);
    });
    io.restart();
    io.run_for(50ms);
    EXPECT_TRUE(got.empty()) << "nothing to read yet";
    k.deliver(notification(8));
    k.ring();
    io.restart();
    io.run_for(2s);
    EXPECT_EQ(got, std::vector<int>{1});
}

}  // namespace
