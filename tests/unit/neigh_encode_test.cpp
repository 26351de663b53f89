// Byte-exact encodings of neighbour and fdb requests. The expected bytes were
// captured from iproute2 6.1 (ip, bridge) with
//   strace -xx -e trace=sendmsg -e write=all ip neigh … / bridge fdb …
// in a fresh namespace (lo = 1, v0 = 4); sequence number 0x6b115f2d there.
#include <gtest/gtest.h>

#include "rtnl/neigh.hpp"
#include "support/bytes.hpp"

namespace {

using namespace rtnl;
using rtnl::test::from_hex;
using rtnl::test::to_hex;

constexpr std::uint32_t seq = 0x6b115f2d;

template <class Encode>
std::string encoded(Encode&& enc) {
    wire::buffer b;
    wire::writer w(b);
    std::error_code ec = enc(w);
    EXPECT_FALSE(ec) << ec.message();
    if (b.size() >= 16) wire::set_seq(b.data(), seq);
    return to_hex(b.bytes());
}
std::string hex(std::string_view s) { return to_hex(from_hex(s)); }

ip_address addr(const char* s) { return *ip_address::parse(s); }
std::vector<std::uint8_t> mac2() { return {0x02, 0, 0, 0, 0, 0x02}; }

// ip neigh add 10.0.1.2 lladdr 02:00:00:00:00:02 dev lo nud permanent
TEST(NeighEncode, AddPermanent) {
    EXPECT_EQ(encoded([](auto& w) { return neigh::add(w, {.index = 1, .dst = addr("10.0.1.2"), .lladdr = mac2()}); }),
              hex("30 00 00 00 1c 00 05 06 2d 5f 11 6b 00 00 00 00"
                  "02 00 00 00 01 00 00 00 80 00 00 00 08 00 01 00"
                  "0a 00 01 02 0a 00 02 00 02 00 00 00 00 02 00 00"));
}

// ip neigh replace 2001:db8::2 lladdr 02:00:00:00:00:02 dev lo nud reachable router protocol static
TEST(NeighEncode, ReplaceWithProtocolAndFlags) {
    EXPECT_EQ(encoded([](auto& w) {
                  return neigh::replace(w, {.index = 1, .dst = addr("2001:db8::2"), .lladdr = mac2(),
                                            .state = NUD_REACHABLE, .flags = NTF_ROUTER, .protocol = RTPROT_STATIC});
              }),
              hex("44 00 00 00 1c 00 05 05 2d 5f 11 6b 00 00 00 00"
                  "0a 00 00 00 01 00 00 00 02 00 80 00 05 00 0c 00"
                  "04 00 00 00 14 00 01 00 20 01 0d b8 00 00 00 00"
                  "00 00 00 00 00 00 00 02 0a 00 02 00 02 00 00 00"
                  "00 02 00 00"));
}

// ip neigh del 10.0.1.2 dev lo
TEST(NeighEncode, Delete) {
    EXPECT_EQ(encoded([](auto& w) { return neigh::del(w, {.index = 1, .dst = addr("10.0.1.2")}); }),
              hex("24 00 00 00 1d 00 05 00 2d 5f 11 6b 00 00 00 00"
                  "02 00 00 00 01 00 00 00 80 00 00 00 08 00 01 00"
                  "0a 00 01 02"));
}

// ip neigh get 2001:db8::2 dev lo (the GETNEIGH; ip looks lo up first)
TEST(NeighEncode, Get) {
    EXPECT_EQ(encoded([](auto& w) { return neigh::get(w, 1, addr("2001:db8::2")); }),
              hex("30 00 00 00 1e 00 01 00 2d 5f 11 6b 00 00 00 00"
                  "0a 00 00 00 01 00 00 00 00 00 00 00 14 00 01 00"
                  "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"));
}

// bridge fdb add 02:00:00:00:00:03 dev v0 master vlan 5 static
TEST(FdbEncode, AddMasterVlan) {
    EXPECT_EQ(encoded([](auto& w) {
                  return fdb::add(w, {.index = 4, .lladdr = *mac_address::parse("02:00:00:00:00:03"),
                                      .state = NUD_NOARP | NUD_REACHABLE, .flags = NTF_MASTER, .vlan = 5});
              }),
              hex("30 00 00 00 1c 00 05 06 2d 5f 11 6b 00 00 00 00"
                  "07 00 00 00 04 00 00 00 42 00 04 00 0a 00 02 00"
                  "02 00 00 00 00 03 00 00 06 00 05 00 05 00 00 00"));
}

// bridge fdb append 00:00:00:00:00:00 dev v0 dst 10.0.0.9 port 4789 vni 100 src_vni 7 via lo
TEST(FdbEncode, AppendVxlanRemote) {
    EXPECT_EQ(encoded([](auto& w) {
                  return fdb::request(w, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND,
                                      {.index = 4, .lladdr = {}, .flags = NTF_SELF, .dst = addr("10.0.0.9"),
                                       .port = 4789, .vni = 100, .via = 1, .src_vni = 7});
              }),
              hex("50 00 00 00 1c 00 05 0c 2d 5f 11 6b 00 00 00 00"
                  "07 00 00 00 04 00 00 00 c0 00 02 00 0a 00 02 00"
                  "00 00 00 00 00 00 00 00 08 00 01 00 0a 00 00 09"
                  "06 00 06 00 12 b5 00 00 08 00 07 00 64 00 00 00"
                  "08 00 0b 00 07 00 00 00 08 00 08 00 01 00 00 00"));
}

TEST(NeighEncode, RefusesAnEmptyDestination) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_TRUE(neigh::add(w, {.index = 1}));
    EXPECT_EQ(b.size(), 0u);
}

}  // namespace
