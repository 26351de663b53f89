// Writer: alignment, zeroed padding, nests closed by scope, typed attributes
// checked at compile time, fixed buffers that refuse to overflow.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "rtnl/link.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"
#include "support/bytes.hpp"

namespace {

using namespace rtnl;
using rtnl::test::from_hex;
using rtnl::test::to_hex;

// ---- compile-time checking of attribute value types ------------------------
template <class A, class V>
concept can_put = requires(wire::writer& w, A a, V v) { w.put(a, v); };

static_assert(can_put<decltype(ifla::mtu), std::uint32_t>);
static_assert(can_put<decltype(ifla::mtu), int>);
static_assert(!can_put<decltype(ifla::mtu), std::string>, "a string is not a u32");
static_assert(!can_put<decltype(ifla::mtu), const char*>);
static_assert(!can_put<decltype(ifla::mtu), bool>, "bool is not an MTU");
static_assert(!can_put<decltype(ifla::mtu), mac_address>);
static_assert(can_put<decltype(ifla::ifname), std::string>);
static_assert(can_put<decltype(ifla::ifname), const char*>);
static_assert(!can_put<decltype(ifla::ifname), int>, "an int is not a name");
static_assert(can_put<decltype(ifla::address), mac_address>);
static_assert(!can_put<decltype(ifla::address), std::string>, "MACs are parsed first");
static_assert(!can_put<decltype(ifla::address), ip_address>);
static_assert(std::is_same_v<wire::read_t<decltype(ifla::mtu)>, std::uint32_t>);
static_assert(std::is_same_v<wire::read_t<decltype(ifla::ifname)>, std::string_view>);

TEST(Writer, MessageHeaderAndLength) {
    wire::buffer b;
    wire::writer w(b);
    {
        auto m = w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 7, 0);
        w.header(ifinfomsg{});
    }
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(to_hex(b.bytes()), to_hex(from_hex("20 00 00 00 10 00 05 00 07 00 00 00 00 00 00 00"
                                                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")));
}

TEST(Writer, StringAttributesArePaddedWithZeros) {
    wire::buffer b;
    // poison the storage so stale bytes would show in padding
    b.reserve(64);
    std::memset(b.data(), 0xee, 64);
    wire::writer w(b);
    w.put(ifla::ifname, std::string_view("eth0"));  // 4 + 5 = 9 → padded to 12
    w.put(ifla_info::kind, std::string_view("bridge"));  // no NUL: 4 + 6 = 10 → 12
    EXPECT_EQ(to_hex(b.bytes()), to_hex(from_hex("09 00 03 00 65 74 68 30 00 00 00 00"
                                                  "0a 00 01 00 62 72 69 64 67 65 00 00")));
}

TEST(Writer, NestsCloseWhenTheScopeEnds) {
    wire::buffer b;
    wire::writer w(b);
    {
        auto outer = w.nest(ifla::linkinfo);
        w.put(ifla_info::kind, std::string_view("veth"));
        {
            auto inner = w.nest(ifla_info::data);
            w.put(ifla::mtu, 1400u);
        }
    }
    EXPECT_EQ(to_hex(b.bytes()), to_hex(from_hex("18 00 12 00 08 00 01 00 76 65 74 68"
                                                  "0c 00 02 00 08 00 04 00 78 05 00 00")));
}

TEST(Writer, ExplicitCloseReturnsLength) {
    wire::buffer b;
    wire::writer w(b);
    auto m = w.begin(RTM_GETLINK, NLM_F_REQUEST);
    w.header(ifinfomsg{});
    EXPECT_EQ(m.close(), 32u);
    EXPECT_EQ(m.close(), 0u) << "closing twice is a no-op";
}

TEST(Writer, FixedBufferOverflowFailsInsteadOfWriting) {
    std::array<std::byte, 24> storage{};
    wire::fixed_buffer fb(storage);
    wire::fixed_writer w(fb);
    {
        auto m = w.begin(RTM_NEWLINK, NLM_F_REQUEST);
        w.header(ifinfomsg{});  // 16 + 16 = 32 > 24
        w.put(ifla::mtu, 1500u);
    }
    EXPECT_FALSE(w.ok());
    EXPECT_LE(fb.size(), storage.size());
}

TEST(Writer, FixedBufferExactFit) {
    std::array<std::byte, 40> storage{};
    wire::fixed_buffer fb(storage);
    wire::fixed_writer w(fb);
    {
        auto m = w.begin(RTM_NEWLINK, NLM_F_REQUEST);
        w.header(ifinfomsg{});
        w.put(ifla::mtu, 1500u);
    }
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(fb.size(), 40u);
}

TEST(Writer, NestLargerThan64KiBFails) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<std::byte> big(60000);
    {
        auto n = w.nest(ifla::linkinfo);
        w.put_raw(1, big);
        w.put_raw(2, big);  // nest now > 65535
    }
    EXPECT_FALSE(w.ok());
}

TEST(Writer, SingleAttributeOver64KiBFails) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<std::byte> big(70000);
    w.put_raw(1, big);
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(b.size(), 0u) << "nothing half-written";
}

TEST(Writer, FlagAttributeHasNoPayload) {
    wire::buffer b;
    wire::writer w(b);
    constexpr wire::attr<7, wire::flag> some_flag{};
    w.put(some_flag);
    EXPECT_EQ(to_hex(b.bytes()), "04 00 07 00");
}

TEST(Writer, BigEndianAttribute) {
    wire::buffer b;
    wire::writer w(b);
    constexpr wire::attr<1, wire::big_endian<std::uint16_t>> port{};
    w.put(port, 0x1234);
    EXPECT_EQ(to_hex(b.bytes()), "06 00 01 00 12 34 00 00");
    wire::attr_range r(b.bytes());
    EXPECT_EQ(r.get(port), 0x1234);
}

TEST(Writer, GrowingBufferKeepsEarlierOffsetsValid) {
    wire::buffer b;  // starts empty: every put may reallocate
    wire::writer w(b);
    {
        auto m = w.begin(RTM_NEWLINK, NLM_F_REQUEST);
        w.header(ifinfomsg{});
        auto n = w.nest(ifla::linkinfo);
        for (int i = 0; i < 1000; ++i) w.put(ifla::mtu, static_cast<std::uint32_t>(i));
    }
    ASSERT_TRUE(w.ok());
    wire::message_range msgs(b.bytes());
    auto it = msgs.begin();
    ASSERT_FALSE(it == msgs.end());
    EXPECT_EQ((*it).length(), b.size());
    auto info = (*it).attributes<ifinfomsg>().find(ifla::linkinfo);
    int count = 0;
    for (auto a : info.nested()) {
        EXPECT_EQ(a.get(ifla::mtu), static_cast<std::uint32_t>(count));
        ++count;
    }
    EXPECT_EQ(count, 1000);
}

}  // namespace
