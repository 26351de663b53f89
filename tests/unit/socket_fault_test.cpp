// Faults injected at the blocking socket's descriptor seam (rtnl/descriptor_io.hpp,
// tests/support/fake_kernel.hpp). For each, the documented outcome, and that
// every request gets exactly its own answer — none lost, none twice, none
// another request's:
//
//   fault                               outcome
//   EINTR on sendmsg/recv/poll          retried; nothing visible
//   EAGAIN on a read                    poll until the window's deadline, then read
//   ENOBUFS (receive buffer overran)    every open request of the window: replies_lost
//                                       (it may have run); its late answers reach nobody
//                                       (ACK windows and reply/dump windows alike)
//   MSG_TRUNC on an ACK                 that request: truncated_reply; the others their ACK
//   MSG_TRUNC where replies flow        every open request of the window: truncated_reply
//   NLM_F_DUMP_INTR                     dump() says interrupted, data kept;
//                                       dump_with_retry dumps again, at most N times
//   EBUSY for a dump                    that dump fails with EBUSY alone (the socket
//                                       never has two dumps in flight: one per window)
//   answers out of order                each reaches its own request (by sequence number)
//   answers to retired sequence numbers ignored (counted as stale)
//   duplicate answers                   the first counts, the rest are stale
//   a sender that is not the kernel     dropped (counted as foreign), in both read paths
//   no answer at all                    ETIMEDOUT at the window's deadline
#include <gtest/gtest.h>

#include <linux/rtnetlink.h>

#include <algorithm>
#include <vector>

#include "rtnl/socket.hpp"
#include "support/bytes.hpp"
#include "support/fake_kernel.hpp"
#include "support/fault_requests.hpp"

namespace {

using namespace rtnl;
using rtnl::test::fake_kernel;
using rtnl::test::changes;
using rtnl::test::link_dump;
using rtnl::test::expect_own_answers;
using rtnl::test::own_answer;

std::vector<status> run(rtnl::socket& nl, wire::buffer b) {
    std::vector<status> results;
    EXPECT_FALSE(nl.transact(b, results, [](std::size_t, const wire::message_view&) {}));
    return results;
}

TEST(SocketFaults, EintrOnSendIsRetried) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.send_errors = {EINTR, EINTR};
    auto r = run(nl, changes(3));
    ASSERT_EQ(r.size(), 3u);
    for (auto& s : r) EXPECT_TRUE(s.ok()) << s.code.message();
    EXPECT_EQ(k.send_calls, 1u);
    EXPECT_EQ(k.sent.size(), 3u) << "nothing sent twice";
}

TEST(SocketFaults, EintrOnReadsAndPollIsRetried) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.recv_errors = {EINTR, EAGAIN, EINTR};
    k.poll_errors = {EINTR};
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(run(nl, changes(4)), 4);
    // and where replies flow (peek + read): a dump
    k.recv_errors = {EINTR, EINTR};
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        f.deliver(fake_kernel::link_message(rs[0].header, 7));
        f.deliver(fake_kernel::done_message(rs[0].header));
    };
    int parts = 0;
    auto d = link_dump();
    std::error_code ec;
    nl.dump(d, [&](const wire::message_view& m) { parts += m.type() == RTM_NEWLINK; }, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(parts, 1);
}

TEST(SocketFaults, EagainWaitsForTheAnswer) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.recv_errors = {EAGAIN, EAGAIN};
    auto r = run(nl, changes(2));
    for (auto& s : r) EXPECT_TRUE(s.ok());
    EXPECT_EQ(k.poll_calls, 2u);
}

TEST(SocketFaults, NoAnswerTimesOutEveryOpenRequestOnce) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) { f.deliver(own_answer(rs[0])); };
    auto r = run(nl, changes(3));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].code.value(), 11);
    EXPECT_EQ(r[1].code, std::errc::timed_out);
    EXPECT_EQ(r[2].code, std::errc::timed_out);
}

TEST(SocketFaults, EnobufsFailsTheWindowAndItsLateAnswersReachNobody) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.recv_errors = {ENOBUFS};  // the ACKs are queued, but the first read says some were dropped
    auto r = run(nl, changes(3));
    ASSERT_EQ(r.size(), 3u);
    for (auto& s : r) EXPECT_EQ(s.code, make_error_code(errc::replies_lost));
    ASSERT_EQ(k.inbox.size(), 3u) << "three late ACKs wait in the socket";
    // The next batch must get its own answers, not those three.
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(run(nl, changes(2)), 2);
    EXPECT_EQ(nl.stats().stale_messages, 3u);
}

TEST(SocketFaults, EnobufsWhereRepliesFlowFailsTheDumpOnceAndTheNextDumpIsClean) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        f.deliver(fake_kernel::link_message(rs[0].header, 1));
        f.deliver(fake_kernel::done_message(rs[0].header));
    };
    k.recv_errors = {0, 0, ENOBUFS};  // peek and read the first part, then the overrun
    auto d = link_dump();
    std::error_code ec;
    int parts = 0;
    nl.dump(d, [&](const wire::message_view&) { ++parts; }, ec);
    EXPECT_EQ(ec, make_error_code(errc::replies_lost));
    EXPECT_EQ(parts, 1);
    parts = 0;
    nl.dump(d, [&](const wire::message_view&) { ++parts; }, ec);  // the old DONE is stale
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(parts, 1);
    EXPECT_EQ(nl.stats().stale_messages, 1u);
}

TEST(SocketFaults, TruncatedAckFailsOnlyItsRequest) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (std::size_t i = 0; i < rs.size(); ++i) f.deliver(own_answer(rs[i]), 0, i == 1);
    };
    auto r = run(nl, changes(3));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].code.value(), 11);
    EXPECT_EQ(r[1].code, make_error_code(errc::truncated_reply));
    EXPECT_EQ(r[2].code.value(), 13);
}

TEST(SocketFaults, TruncatedDatagramWhereRepliesFlowFailsTheWindow) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        f.deliver(fake_kernel::link_message(rs[0].header, 1), 0, true);
        f.deliver(fake_kernel::done_message(rs[0].header));
    };
    auto d = link_dump();
    std::error_code ec;
    int parts = 0;
    nl.dump(d, [&](const wire::message_view&) { ++parts; }, ec);
    EXPECT_EQ(ec, make_error_code(errc::truncated_reply));
    EXPECT_EQ(parts, 0) << "a cut datagram is never parsed";
    // the DONE left behind belongs to a retired dump: the next request is not confused
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(run(nl, changes(2)), 2);
}

TEST(SocketFaults, InterruptedDumpIsReportedWithItsDataAndRetriedABoundedNumberOfTimes) {
    fake_kernel k;
    auto nl = k.make_socket();
    int interrupted_answers = 2;
    k.answer = [&](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        const std::uint16_t intr = interrupted_answers-- > 0 ? NLM_F_DUMP_INTR : 0;
        f.deliver(fake_kernel::link_message(rs[0].header, 1, static_cast<std::uint16_t>(NLM_F_MULTI | intr)));
        f.deliver(fake_kernel::done_message(rs[0].header, 0, static_cast<std::uint16_t>(NLM_F_MULTI | intr)));
    };
    auto d = link_dump();
    int parts = 0, resets = 0;
    std::error_code ec;
    auto r = nl.dump(d, [&](const wire::message_view&) { ++parts; }, ec);
    EXPECT_FALSE(ec);
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(parts, 1) << "the data of an interrupted dump is still delivered";
    // one more interrupted attempt, then a consistent one
    parts = 0;
    nl.dump_with_retry(d, [&] { ++resets, parts = 0; }, [&](const wire::message_view&) { ++parts; }, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(resets, 2);
    EXPECT_EQ(parts, 1);
    // always interrupted: bounded, then dump_interrupted
    interrupted_answers = 1000;
    const auto before = k.sent.size();
    nl.dump_with_retry(d, [] {}, [](const wire::message_view&) {}, ec, 5);
    EXPECT_EQ(ec, make_error_code(errc::dump_interrupted));
    EXPECT_EQ(k.sent.size() - before, 5u);
}

TEST(SocketFaults, EbusyForADumpFailsThatDumpAloneAndDumpsNeverShareAWindow) {
    fake_kernel k;
    auto nl = k.make_socket();
    auto b = rtnl::test::dump_change_dump_second_busy(k);
    rtnl::test::expect_second_dump_busy_alone(run(nl, std::move(b)), k);  // a dump ends its window
}

TEST(SocketFaults, AnswersOutOfOrderReachTheirOwnRequests) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto it = rs.rbegin(); it != rs.rend(); ++it) f.deliver(own_answer(*it));
    };
    expect_own_answers(run(nl, changes(8)), 8);
    EXPECT_EQ(nl.stats().stale_messages, 0u);
}

TEST(SocketFaults, AnswersForRetiredSequenceNumbersAreIgnored) {
    fake_kernel k;
    auto nl = k.make_socket();
    std::vector<fake_kernel::request> unanswered;
    k.answer = [&](fake_kernel&, const std::vector<fake_kernel::request>& rs) { unanswered = rs; };
    auto r = run(nl, changes(2));
    for (auto& s : r) EXPECT_EQ(s.code, std::errc::timed_out);
    // the late answers (errors) arrive before the next batch's own
    k.answer = [&](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : unanswered) f.deliver(fake_kernel::error_message(q.header, -EPERM));
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(run(nl, changes(2)), 2);
    EXPECT_EQ(nl.stats().stale_messages, 2u);
}

TEST(SocketFaults, DuplicateAnswersCompleteOnce) {
    fake_kernel k;
    auto nl = k.make_socket();
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) {
            f.deliver(own_answer(q));
            f.deliver(fake_kernel::error_message(q.header, -EPERM));
        }
    };
    expect_own_answers(run(nl, changes(3)), 3);
    // the duplicates of the last request may still wait; the next batch is not confused
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) f.deliver(own_answer(q));
    };
    expect_own_answers(run(nl, changes(3)), 3);
    EXPECT_EQ(nl.stats().stale_messages, 3u);
}

TEST(SocketFaults, APeerThatIsNotTheKernelIsIgnoredInBothReadPaths) {
    fake_kernel k;
    auto nl = k.make_socket();
    rtnl::test::answer_with_forgeries_first(k);
    expect_own_answers(run(nl, changes(3)), 3);  // ACK path (recvmmsg)
    EXPECT_EQ(nl.stats().foreign_datagrams, 3u);
    auto d = link_dump();  // reply path (peek + read)
    std::vector<int> seen;
    std::error_code ec;
    nl.dump(d, [&](const wire::message_view& m) {
        ifinfomsg i{};
        std::memcpy(&i, m.bytes().data() + NLMSG_HDRLEN, sizeof i);
        seen.push_back(i.ifi_index);
    }, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(seen, std::vector<int>{1});
    EXPECT_EQ(nl.stats().foreign_datagrams, 5u);
}

}  // namespace
