// The ACK/dump state machine: extended ACKs, multipart dumps, interrupted dumps,
// stale and duplicate answers. Every request completes exactly once.
#include <gtest/gtest.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <map>
#include <string>
#include <vector>

#include "rtnl/wire/exchange.hpp"
#include "support/bytes.hpp"

namespace {

using namespace rtnl;
using rtnl::test::raw;

struct recorder {
    std::map<std::size_t, std::vector<std::uint16_t>> data;  // message types per request
    std::map<std::size_t, status> done;
    std::map<std::size_t, bool> interrupted;
    int completions = 0;
    void on_message(std::size_t i, const wire::message_view& m) { data[i].push_back(m.type()); }
    void on_complete(std::size_t i, status s, bool intr) {
        ++completions;
        EXPECT_EQ(done.count(i), 0u) << "request " << i << " completed twice";
        done[i] = std::move(s);
        interrupted[i] = intr;
    }
};

/// An NLMSG_ERROR answering `seq`, with optional extack TLVs (capped echo).
raw ack(std::uint32_t seq, int err, std::string_view msg = {}, std::uint32_t offs = 0, std::uint32_t miss = 0) {
    raw tlv;
    if (!msg.empty()) tlv.nla(static_cast<std::uint16_t>(4 + msg.size() + 1), NLMSGERR_ATTR_MSG).str(msg).u8(0).pad4();
    if (offs) tlv.nla(8, NLMSGERR_ATTR_OFFS).u32(offs);
    if (miss) tlv.nla(8, NLMSGERR_ATTR_MISS_TYPE).u32(miss);
    const std::uint16_t flags = static_cast<std::uint16_t>(NLM_F_CAPPED | (tlv.size() ? NLM_F_ACK_TLVS : 0));
    raw r;
    r.nlmsg(static_cast<std::uint32_t>(16 + 4 + 16 + tlv.size()), NLMSG_ERROR, flags, seq)
        .i32(-err)
        .nlmsg(64, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq)
        .append(tlv.b);
    return r;
}

raw link_msg(std::uint32_t seq, std::uint16_t flags = NLM_F_MULTI) {
    raw r;
    r.nlmsg(32, RTM_NEWLINK, flags, seq).zeros(16);
    return r;
}

raw done(std::uint32_t seq, int err = 0, std::uint16_t extra = 0) {
    raw r;
    r.nlmsg(20, NLMSG_DONE, static_cast<std::uint16_t>(NLM_F_MULTI | extra), seq).i32(-err);
    return r;
}

TEST(Exchange, AcksCompleteTheirRequestsWithExtack) {
    wire::exchange ex;
    ex.reset(100);
    ex.add(wire::expect::ack);
    ex.add(wire::expect::ack);
    recorder rec;
    raw d;
    d.append(ack(100, 0).b).append(ack(101, EEXIST, "ipv4: Address already assigned", 40, 3).b);
    auto r = ex.feed(d.span(), rec);
    EXPECT_EQ(r.completed, 2u);
    EXPECT_FALSE(r.malformed);
    EXPECT_EQ(ex.open(), 0u);
    EXPECT_TRUE(rec.done[0].ok());
    EXPECT_EQ(rec.done[1].code, std::errc::file_exists);
    EXPECT_EQ(rec.done[1].message, "ipv4: Address already assigned");
    EXPECT_EQ(rec.done[1].offset, 40u);
    EXPECT_EQ(rec.done[1].missing_type, 3u);
    EXPECT_EQ(rec.done[1].describe(), "Error: ipv4: Address already assigned.");
}

TEST(Exchange, UncappedEchoIsSkippedToFindTheTlvs) {
    // Without NETLINK_CAP_ACK the kernel echoes the whole request before the TLVs.
    raw req;
    req.nlmsg(40, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 7).zeros(24);
    raw tlv;
    tlv.nla(4 + 10, NLMSGERR_ATTR_MSG).str("bad thing").u8(0).pad4().nla(8, NLMSGERR_ATTR_OFFS).u32(32);
    raw d;
    d.nlmsg(static_cast<std::uint32_t>(16 + 4 + req.size() + tlv.size()), NLMSG_ERROR, NLM_F_ACK_TLVS, 7)
        .i32(-EINVAL)
        .append(req.b)
        .append(tlv.b);
    auto a = wire::parse_error(wire::message_view(d.span()));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EINVAL);
    EXPECT_EQ(a->message, "bad thing");
    EXPECT_EQ(a->offset, 32u);
}

TEST(Exchange, StaleDuplicateAndForeignSequenceNumbersAreIgnored) {
    wire::exchange ex;
    ex.reset(10);
    ex.add(wire::expect::ack);
    recorder rec;
    raw d;
    d.append(ack(9, 0).b)      // an older request's late answer
        .append(ack(12, 0).b)  // beyond the batch
        .append(ack(0, 0).b)   // unsolicited
        .append(ack(10, 0).b)  // ours
        .append(ack(10, ENOENT).b);  // duplicate after completion
    auto r = ex.feed(d.span(), rec);
    EXPECT_EQ(r.ignored, 4u);
    EXPECT_EQ(rec.completions, 1);
    EXPECT_TRUE(rec.done[0].ok()) << "the duplicate did not overwrite the first answer";
}

TEST(Exchange, SequenceNumbersWrapAround) {
    wire::exchange ex;
    ex.reset(0xffffffffu);
    ex.add(wire::expect::ack);
    ex.add(wire::expect::ack);  // seq 0 after wrap
    recorder rec;
    raw d;
    d.append(ack(0xffffffffu, 0).b).append(ack(0, EPERM).b);
    ex.feed(d.span(), rec);
    EXPECT_EQ(ex.open(), 0u);
    EXPECT_EQ(rec.done[1].code, std::errc::operation_not_permitted);
}

TEST(Exchange, DumpSpansDatagramsAndEndsWithDone) {
    wire::exchange ex;
    ex.reset(1);
    ex.add(wire::expect::dump);
    recorder rec;
    raw d1;
    d1.append(link_msg(1).b).append(link_msg(1).b);
    ex.feed(d1.span(), rec);
    EXPECT_EQ(ex.open(), 1u);
    raw d2;
    d2.append(link_msg(1).b).append(done(1).b);
    ex.feed(d2.span(), rec);
    EXPECT_EQ(ex.open(), 0u);
    EXPECT_EQ(rec.data[0].size(), 3u);
    EXPECT_TRUE(rec.done[0].ok());
    EXPECT_FALSE(rec.interrupted[0]);
}

TEST(Exchange, InterruptedDumpIsReported) {
    wire::exchange ex;
    ex.reset(1);
    ex.add(wire::expect::dump);
    recorder rec;
    raw d;
    d.append(link_msg(1, NLM_F_MULTI | NLM_F_DUMP_INTR).b).append(done(1, 0, NLM_F_DUMP_INTR).b);
    ex.feed(d.span(), rec);
    EXPECT_TRUE(rec.interrupted[0]);
    EXPECT_TRUE(rec.done[0].ok()) << "interrupted is not an error: the data is there";
}

TEST(Exchange, DoneCarryingAnErrnoAndExtack) {
    wire::exchange ex;
    ex.reset(1);
    ex.add(wire::expect::dump);
    recorder rec;
    raw tlv;
    tlv.nla(4 + 14, NLMSGERR_ATTR_MSG).str("filter is bad").u8(0).pad4();
    raw d;
    d.nlmsg(static_cast<std::uint32_t>(20 + tlv.size()), NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 1)
        .i32(-EINVAL)
        .append(tlv.b);
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.done[0].code, std::errc::invalid_argument);
    EXPECT_EQ(rec.done[0].message, "filter is bad");
}

TEST(Exchange, DumpCutShortByAnError) {
    wire::exchange ex;
    ex.reset(1);
    ex.add(wire::expect::dump);
    recorder rec;
    auto d = ack(1, EBUSY);  // a second dump on the same socket
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.done[0].code, std::errc::device_or_resource_busy);
}

TEST(Exchange, ReplyKindCompletesOnItsAck) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::reply);
    recorder rec;
    raw d;
    d.append(link_msg(5, 0).b).append(ack(5, 0).b);
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.data[0].size(), 1u);
    EXPECT_TRUE(rec.done[0].ok());
}

TEST(Exchange, DataForAnAckOnlyRequestIsIgnored) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    recorder rec;
    auto d = link_msg(5, 0);
    auto r = ex.feed(d.span(), rec);
    EXPECT_EQ(r.ignored, 1u);
    EXPECT_EQ(ex.open(), 1u);
}

TEST(Exchange, DoneForANonDumpIsUnexpected) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    recorder rec;
    auto d = done(5);
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.done[0].code, errc::unexpected_reply);
}

TEST(Exchange, OverrunFailsTheRequest) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    recorder rec;
    raw d;
    d.nlmsg(16, NLMSG_OVERRUN, 0, 5);
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.done[0].code, errc::replies_lost);
}

TEST(Exchange, MalformedErrorPayloadCompletesWithMalformedReply) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    recorder rec;
    raw d;
    d.nlmsg(16, NLMSG_ERROR, 0, 5);  // no room for the error code
    ex.feed(d.span(), rec);
    EXPECT_EQ(rec.done[0].code, errc::malformed_reply);
}

TEST(Exchange, MalformedDatagramIsFlaggedAfterTheGoodPart) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    ex.add(wire::expect::ack);
    recorder rec;
    raw d;
    d.append(ack(5, 0).b).nlmsg(999, NLMSG_ERROR, 0, 6);
    auto r = ex.feed(d.span(), rec);
    EXPECT_TRUE(r.malformed);
    EXPECT_EQ(rec.completions, 1);
}

TEST(Exchange, AbandonCompletesOnceAndLateAnswersAreIgnored) {
    wire::exchange ex;
    ex.reset(5);
    ex.add(wire::expect::ack);
    recorder rec;
    EXPECT_TRUE(ex.abandon(0, make_status(std::make_error_code(std::errc::timed_out)), rec));
    EXPECT_FALSE(ex.abandon(0, make_status(std::make_error_code(std::errc::timed_out)), rec));
    auto d = ack(5, 0);
    EXPECT_EQ(ex.feed(d.span(), rec).ignored, 1u);
    EXPECT_EQ(rec.done[0].code, std::errc::timed_out);
}

TEST(Exchange, DroppingTheCompletedPrefixKeepsNumbersAndRetiresThem) {
    wire::exchange ex;
    ex.reset(0xfffffffeu);  // the window slides across the 32-bit wrap
    for (int i = 0; i < 4; ++i) ex.add(wire::expect::ack);
    recorder rec;
    auto first = ack(0xfffffffeu, 0);
    ex.feed(first.span(), rec);
    EXPECT_EQ(ex.drop_completed_prefix(), 1u);
    EXPECT_EQ(ex.drop_completed_prefix(), 0u) << "the new front is still open";
    EXPECT_EQ(ex.size(), 3u);
    EXPECT_EQ(ex.seq_of(0), 0xffffffffu);
    EXPECT_EQ(ex.seq_of(2), 1u);
    EXPECT_EQ(ex.feed(first.span(), rec).ignored, 1u) << "a dropped number is retired";
    auto last = ack(1, 0);
    ex.feed(last.span(), rec);
    EXPECT_TRUE(rec.done.count(2)) << "indices shifted down by one";
    ex.add(wire::expect::ack);
    EXPECT_EQ(ex.seq_of(3), 2u);
}

TEST(Status, DescribeLikeIproute2) {
    status s = make_status(std::make_error_code(std::errc::file_exists));
    EXPECT_EQ(s.describe(), "RTNETLINK answers: File exists");
    s.message = "mtu greater than device maximum";
    EXPECT_EQ(s.describe(), "Error: mtu greater than device maximum.");
    s.message = "already has a dot.";
    EXPECT_EQ(s.describe(), "Error: already has a dot.");
    status p = make_status(std::make_error_code(std::errc::operation_not_permitted));
    p.hint = "CAP_NET_ADMIN is missing";
    EXPECT_EQ(p.describe(), "RTNETLINK answers: Operation not permitted (CAP_NET_ADMIN is missing)");
    EXPECT_EQ(make_status(errc::dump_interrupted).describe(),
              "dump interrupted by concurrent changes (NLM_F_DUMP_INTR)");
    status w;
    w.message = "some warning";
    EXPECT_EQ(w.describe(), "Warning: some warning.");
    EXPECT_EQ(error(s).what(), std::string("Error: already has a dot."));
    EXPECT_EQ(std::string(error(p).what()).find('-'), std::string::npos) << "never a negative errno";
}

TEST(Status, CategoryNamesEveryCode) {
    for (int e = 1; e <= static_cast<int>(errc::no_such_device); ++e)
        EXPECT_NE(category().message(e), "unknown rtnl error") << e;
    EXPECT_EQ(std::string(category().name()), "rtnl");
    std::error_code ec = errc::name_too_long;
    EXPECT_EQ(ec.category(), category());
}

}  // namespace
