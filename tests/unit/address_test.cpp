// Address value types: parse and print the way iproute2 does.
#include <gtest/gtest.h>

#include "rtnl/address.hpp"

namespace {

using namespace rtnl;

TEST(Mac, ParseAndPrint) {
    auto m = mac_address::parse("96:FE:e6:61:7e:6e");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->to_string(), "96:fe:e6:61:7e:6e");
    EXPECT_FALSE(m->is_multicast());
    EXPECT_TRUE(mac_address::parse("01:00:5e:00:00:01")->is_multicast());
    for (const char* bad : {"", "96:fe:e6:61:7e", "96:fe:e6:61:7e:6e:00", "96-fe-e6-61-7e-6e", "zz:fe:e6:61:7e:6e",
                            "96:fe:e6:61:7e:6", "+6:fe:e6:61:7e:6e"})
        EXPECT_FALSE(mac_address::parse(bad)) << bad;
}

TEST(Ip, ParseBothFamilies) {
    auto a = ip_address::parse("10.0.1.1");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_v4());
    EXPECT_EQ(a->size(), 4u);
    EXPECT_EQ(a->to_string(), "10.0.1.1");
    auto b = ip_address::parse("2001:DB8::1");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->is_v6());
    EXPECT_EQ(b->to_string(), "2001:db8::1");
    for (const char* bad : {"", "10.0.1", "10.0.1.256", "2001:db8:::1", "hello", "10.0.1.1/24",
                            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x"})
        EXPECT_FALSE(ip_address::parse(bad)) << bad;
}

TEST(Ip, FromBytesRefusesOddLengths) {
    std::byte raw[5]{};
    EXPECT_FALSE(ip_address::from_bytes({raw, 5}));
    EXPECT_FALSE(ip_address::from_bytes({raw, 0}));
    EXPECT_TRUE(ip_address::from_bytes({raw, 4}));
}

TEST(Prefix, ParseWithAndWithoutLength) {
    auto p = ip_prefix::parse("10.0.1.1/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->length, 24u);
    EXPECT_EQ(p->network().to_string(), "10.0.1.0");
    EXPECT_EQ(p->to_string(), "10.0.1.1/24");
    EXPECT_EQ(ip_prefix::parse("10.0.1.1")->length, 32u);
    EXPECT_EQ(ip_prefix::parse("2001:db8::1")->length, 128u);
    EXPECT_EQ(ip_prefix::parse("2001:db8::1/64")->network().to_string(), "2001:db8::");
    EXPECT_EQ(ip_prefix::parse("10.255.255.255/9")->network().to_string(), "10.128.0.0");
    for (const char* bad : {"10.0.1.1/33", "10.0.1.1/", "10.0.1.1/a", "10.0.1.1/-1", "::1/129", "/24"})
        EXPECT_FALSE(ip_prefix::parse(bad)) << bad;
}

}  // namespace
