// Reader: every malformed-input case from pitfalls.md ("Security of the parser"),
// plus forward compatibility (unknown attributes, longer fixed headers).
#include <gtest/gtest.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <limits>

#include "rtnl/link.hpp"
#include "rtnl/wire/ack.hpp"
#include "rtnl/wire/reader.hpp"
#include "support/bytes.hpp"

namespace {

using namespace rtnl;
using rtnl::test::raw;

std::size_t count_messages(const wire::message_range& r) {
    std::size_t n = 0;
    for (auto m : r) {
        (void)m;
        ++n;
    }
    return n;
}
std::size_t count_attrs(const wire::attr_range& r) {
    std::size_t n = 0;
    for (auto a : r) {
        (void)a;
        ++n;
    }
    return n;
}

// ---- nlmsghdr bounds -----------------------------------------------------------

TEST(ReaderMessages, WellFormedDatagramSplitsIntoMessages) {
    raw d;
    d.nlmsg(16, NLMSG_NOOP, 0, 1).nlmsg(20, NLMSG_NOOP, 0, 2).zeros(4);
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 2u);
    EXPECT_FALSE(r.malformed());
}

TEST(ReaderMessages, LengthBelowHeaderSizeStops) {
    raw d;
    d.nlmsg(16, NLMSG_NOOP, 0, 1).nlmsg(15, NLMSG_NOOP, 0, 2);  // second claims 15 < 16
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 1u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderMessages, ZeroLengthDoesNotLoopForever) {
    raw d;
    d.nlmsg(0, NLMSG_NOOP, 0, 1);
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 0u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderMessages, LengthBeyondDatagramStops) {
    raw d;
    d.nlmsg(16, NLMSG_NOOP, 0, 1).nlmsg(64, NLMSG_NOOP, 0, 2);  // only 16 bytes remain
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 1u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderMessages, HugeLengthCannotOverflow) {
    raw d;
    d.nlmsg(0xffffffffu, NLMSG_NOOP, 0, 1);
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 0u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderMessages, TrailingPartialHeaderIsMalformed) {
    raw d;
    d.nlmsg(16, NLMSG_NOOP, 0, 1).zeros(8);
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 1u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderMessages, LastMessageMayOmitPadding) {
    raw d;
    d.nlmsg(18, NLMSG_NOOP, 0, 1).zeros(2);  // 18 bytes, no padding after
    wire::message_range r(d.span());
    EXPECT_EQ(count_messages(r), 1u);
    EXPECT_FALSE(r.malformed());
}

TEST(ReaderMessages, ShortFamilyHeaderYieldsNothing) {
    raw d;
    d.nlmsg(20, RTM_NEWLINK, 0, 1).zeros(4);  // ifinfomsg needs 16
    wire::message_view m(d.span());
    EXPECT_FALSE(m.header<ifinfomsg>());
    EXPECT_TRUE(m.attributes<ifinfomsg>().empty());
    link_view v(m);
    EXPECT_FALSE(v.valid());
    EXPECT_EQ(v.name(), "");
}

TEST(ReaderMessages, LongerFixedHeaderIsReadAsOurPrefix) {
    // A struct attribute from a newer kernel: 8 bytes more than our ifa_cacheinfo.
    raw d;
    d.nla(4 + sizeof(ifa_cacheinfo) + 8, IFA_CACHEINFO).u32(100).u32(200).u32(3).u32(4).u32(0xdead).u32(0xbeef);
    wire::attr_range r(d.span());
    auto ci = r.find(IFA_CACHEINFO).as<ifa_cacheinfo>();
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->ifa_prefered, 100u);
    EXPECT_EQ(ci->ifa_valid, 200u);
    // ...and a shorter one is refused rather than read past its end.
    raw s;
    s.nla(4 + 8, IFA_CACHEINFO).u32(1).u32(2);
    EXPECT_FALSE(wire::attr_range(s.span()).find(IFA_CACHEINFO).as<ifa_cacheinfo>());
}

// ---- nlattr bounds ---------------------------------------------------------------

TEST(ReaderAttributes, AttributeLengthBelowHeaderStops) {
    raw d;
    d.nla(8, IFLA_MTU).u32(1500).nla(3, IFLA_GROUP).zeros(4);
    wire::attr_range r(d.span());
    EXPECT_EQ(count_attrs(r), 1u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderAttributes, AttributeBeyondParentStops) {
    raw d;
    d.nla(8, IFLA_MTU).u32(1500).nla(100, IFLA_GROUP).u32(1);
    wire::attr_range r(d.span());
    EXPECT_EQ(count_attrs(r), 1u);
    EXPECT_TRUE(r.malformed());
    EXPECT_EQ(r.get(ifla::mtu), 1500u) << "attributes before the bad one stay usable";
    EXPECT_FALSE(r.find(IFLA_GROUP));
}

TEST(ReaderAttributes, MaximalLengthWithFewBytesIsRefused) {
    raw d;
    d.nla(0xffff, IFLA_MTU).u32(1);
    wire::attr_range r(d.span());
    EXPECT_EQ(count_attrs(r), 0u);
    EXPECT_TRUE(r.malformed());
}

TEST(ReaderAttributes, NestedLengthBeyondItsParentIsRefused) {
    // outer nest is 12 bytes long, but its child claims 32
    raw d;
    d.nla(12, IFLA_LINKINFO).nla(32, IFLA_INFO_KIND).str("veth").nla(8, IFLA_MTU).u32(1);
    wire::attr_range r(d.span());
    auto info = r.find(IFLA_LINKINFO);
    ASSERT_TRUE(info);
    EXPECT_EQ(count_attrs(info.nested()), 0u);
    EXPECT_TRUE(info.nested().malformed());
    EXPECT_EQ(r.get(ifla::mtu), 1u) << "the sibling after the nest still parses";
}

TEST(ReaderAttributes, FlagsAreMaskedFromTheType) {
    raw d;
    d.nla(8, IFLA_MTU | NLA_F_NET_BYTEORDER).u32(9000).nla(4, IFLA_LINKINFO | NLA_F_NESTED);
    wire::attr_range r(d.span());
    EXPECT_EQ(r.get(ifla::mtu), 9000u);
    auto info = r.find(IFLA_LINKINFO);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info.nested_flag());
    EXPECT_TRUE(r.find(IFLA_MTU).net_byteorder_flag());
}

TEST(ReaderAttributes, UnknownAndAboveMaximumTypesAreKeptRaw) {
    raw d;
    d.nla(8, 0x3ff0).u32(0xabcdef01).nla(8, IFLA_MTU).u32(1500);
    raw msg;  // via link_view: a type above IFLA_MAX is still reachable
    msg.nlmsg(static_cast<std::uint32_t>(16 + 16 + d.size()), RTM_NEWLINK, 0, 1).zeros(16).append(d.b);
    link_view v{wire::message_view(msg.span())};
    ASSERT_TRUE(v.valid());
    EXPECT_EQ(v.mtu(), 1500u);
    auto unknown = v.attr(0x3ff0);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown.as<std::uint32_t>(), 0xabcdef01u);
}

TEST(ReaderAttributes, DuplicateAttributesLastOneWins) {
    raw d;
    d.nla(8, IFLA_MTU).u32(1000).nla(8, IFLA_MTU).u32(2000);
    wire::attr_range r(d.span());
    EXPECT_EQ(r.get(ifla::mtu), 2000u);
    raw msg;
    msg.nlmsg(static_cast<std::uint32_t>(32 + d.size()), RTM_NEWLINK, 0, 1).zeros(16).append(d.b);
    EXPECT_EQ(link_view(wire::message_view(msg.span())).mtu(), 2000u) << "link_view uses the same rule";
}

TEST(ReaderAttributes, WrongSizedIntegerIsRefusedNotMisread) {
    raw d;
    d.nla(6, IFLA_MTU).u16(1500).zeros(2).nla(12, IFLA_GROUP).u32(1).u32(2);
    wire::attr_range r(d.span());
    EXPECT_FALSE(r.get(ifla::mtu));
    EXPECT_FALSE(r.get(ifla::group));
    EXPECT_FALSE(r.malformed()) << "an odd value is not a broken structure";
}

TEST(ReaderAttributes, StringsMustBeNulTerminatedWithinTheirLength) {
    raw d;
    d.nla(8, IFLA_IFNAME).str("eth0");  // no NUL
    EXPECT_FALSE(wire::attr_range(d.span()).get(ifla::ifname));
    raw ok;
    ok.nla(9, IFLA_IFNAME).str("eth0").u8(0).pad4();
    EXPECT_EQ(wire::attr_range(ok.span()).get(ifla::ifname), "eth0");
    raw inner;  // NUL inside: the name ends there
    inner.nla(12, IFLA_IFNAME).str("ab").u8(0).str("cdefg");
    EXPECT_EQ(wire::attr_range(inner.span()).get(ifla::ifname), "ab");
    raw empty;  // zero-length payload: no NUL at all
    empty.nla(4, IFLA_IFNAME);
    EXPECT_FALSE(wire::attr_range(empty.span()).get(ifla::ifname));
}

TEST(ReaderAttributes, KindStringWithOrWithoutNul) {
    raw a;
    a.nla(8, IFLA_INFO_KIND).str("veth");
    EXPECT_EQ(wire::attr_range(a.span()).get(ifla_info::kind), "veth");
    raw b;
    b.nla(11, IFLA_INFO_KIND).str("bridge").u8(0).pad4();
    EXPECT_EQ(wire::attr_range(b.span()).get(ifla_info::kind), "bridge");
}

TEST(ReaderAttributes, NestingDepthIsCapped) {
    // 40 levels of nests, each wrapping the next
    const int depth = 40;
    std::vector<std::byte> inner;
    {
        raw leaf;
        leaf.nla(8, IFLA_MTU).u32(1);
        inner = leaf.b;
    }
    for (int i = 0; i < depth; ++i) {
        raw n;
        n.nla(static_cast<std::uint16_t>(4 + inner.size()), 1).append(inner);
        inner = n.b;
    }
    wire::attr_range r(inner);
    int reached = 0;
    wire::attr_view cur = *r.begin();
    while (cur && cur.type() == 1) {
        auto next = cur.nested();
        if (next.empty()) {
            EXPECT_TRUE(next.malformed()) << "a nest too deep reads as malformed";
            break;
        }
        cur = *next.begin();
        ++reached;
    }
    EXPECT_LE(reached, wire::max_nesting_depth);
    EXPECT_GT(reached, 4);
}

TEST(ReaderAttributes, TrailingSlackShorterThanHeaderEndsTheRange) {
    raw d;
    d.nla(8, IFLA_MTU).u32(1).zeros(2);
    wire::attr_range r(d.span());
    EXPECT_EQ(count_attrs(r), 1u);
    EXPECT_TRUE(r.malformed());
}

// ---- NLMSG_ERROR / NLMSG_DONE -----------------------------------------------------

TEST(ReaderAck, FourBytePayloadErrorIsEnoughForTheCode) {
    raw d;
    d.nlmsg(20, NLMSG_ERROR, 0, 5).i32(-EEXIST);
    auto a = wire::parse_error(wire::message_view(d.span()));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EEXIST);
    EXPECT_FALSE(wire::echoed_request(wire::message_view(d.span())));
}

TEST(ReaderAck, ErrorWithoutPayloadIsMalformed) {
    raw d;
    d.nlmsg(16, NLMSG_ERROR, 0, 5);
    EXPECT_FALSE(wire::parse_error(wire::message_view(d.span())));
}

TEST(ReaderAck, EchoedLengthBeyondMessageIsCaught) {
    // NLM_F_ACK_TLVS without CAPPED: the echoed request claims 4096 bytes
    raw d;
    d.nlmsg(0, NLMSG_ERROR, NLM_F_ACK_TLVS, 5).i32(-EINVAL).nlmsg(4096, RTM_NEWLINK, 0, 5);
    d.set_u32(0, static_cast<std::uint32_t>(d.size()));
    auto a = wire::parse_error(wire::message_view(d.span()));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, EINVAL);
    EXPECT_TRUE(a->extack_malformed);
    EXPECT_TRUE(a->message.empty());
}

TEST(ReaderAck, AbsurdErrnoBecomesEproto) {
    raw d;
    d.nlmsg(20, NLMSG_ERROR, 0, 5).i32(std::numeric_limits<std::int32_t>::min());
    EXPECT_EQ(wire::parse_error(wire::message_view(d.span()))->error, EPROTO);
    raw p;
    p.nlmsg(20, NLMSG_ERROR, 0, 5).i32(17);  // positive: never sent by a kernel
    EXPECT_EQ(wire::parse_error(wire::message_view(p.span()))->error, EPROTO);
}

TEST(ReaderAck, DoneWithoutPayloadIsSuccess) {
    raw d;
    d.nlmsg(16, NLMSG_DONE, NLM_F_MULTI, 5);
    auto a = wire::parse_done(wire::message_view(d.span()));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->error, 0);
}

TEST(ReaderAck, DoneWithTruncatedErrnoIsMalformed) {
    raw d;
    d.nlmsg(18, NLMSG_DONE, NLM_F_MULTI, 5).u16(0);
    EXPECT_FALSE(wire::parse_done(wire::message_view(d.span())));
}

}  // namespace
