// Byte-exact encodings of every message of the ip-netns tutorial workflow.
// The expected bytes were captured from iproute2 6.1 on Linux 6.x with
//   strace -xx -e trace=sendmsg -e write=all ip <command>
// (sequence number 0x6b0c9302 there; the tests use the same). The kernel test
// suite repeats the comparison live against the installed `ip`.
#include <gtest/gtest.h>

#include "rtnl/addr.hpp"
#include "rtnl/link.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/route.hpp"
#include "support/bytes.hpp"

namespace {

using namespace rtnl;
using rtnl::test::from_hex;
using rtnl::test::to_hex;

constexpr std::uint32_t ip_seq = 0x6b0c9302;

template <class Encode>
std::string encoded(Encode&& enc) {
    wire::buffer b;
    wire::writer w(b);
    std::error_code ec = enc(w);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(w.ok());
    if (b.size() >= 16) wire::set_seq(b.data(), ip_seq);
    return to_hex(b.bytes());
}

std::string hex(std::string_view s) { return to_hex(from_hex(s)); }

// ip link add vethfoo type veth peer name vethbar
TEST(EncodeLikeIp, VethWithPeer) {
    EXPECT_EQ(encoded([](auto& w) { return link::add(w, veth{.name = "vethfoo", .peer = {.name = "vethbar"}}); }),
              hex("5c 00 00 00 10 00 05 06 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "0c 00 03 00 76 65 74 68 66 6f 6f 00 30 00 12 00"
                  "08 00 01 00 76 65 74 68 24 00 02 00 20 00 01 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "0c 00 03 00 76 65 74 68 62 61 72 00"));
}

// ip link add veth0 type veth peer name eth0 netns ns1   (ns1 open as fd 4)
TEST(EncodeLikeIp, VethWithPeerInsideANamespace) {
    EXPECT_EQ(encoded([](auto& w) {
                  return link::add(w, veth{.name = "veth0", .peer = {.name = "eth0", .netns = netns_ref::from_fd(4)}});
              }),
              hex("64 00 00 00 10 00 05 06 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "0a 00 03 00 76 65 74 68 30 00 00 00 38 00 12 00"
                  "08 00 01 00 76 65 74 68 2c 00 02 00 28 00 01 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 1c 00 04 00 00 00 09 00 03 00 65 74 68 30"
                  "00 00 00 00"));
}

// ip link add type veth
TEST(EncodeLikeIp, VethWithKernelChosenNames) {
    EXPECT_EQ(encoded([](auto& w) { return link::add(w, veth{}); }),
              hex("2c 00 00 00 10 00 05 06 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "0c 00 12 00 08 00 01 00 76 65 74 68"));
}

// ip link add br1 type bridge
TEST(EncodeLikeIp, Bridge) {
    EXPECT_EQ(encoded([](auto& w) { return link::add(w, bridge{.name = "br1"}); }),
              hex("38 00 00 00 10 00 05 06 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 03 00 62 72 31 00 10 00 12 00 0a 00 01 00"
                  "62 72 69 64 67 65 00 00"));
}

// ip link set vethfoo netns ns1   (vethfoo is ifindex 4, ns1 open as fd 4)
TEST(EncodeLikeIp, SetNetns) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 4, {.netns = netns_ref::from_fd(4)}); }),
              hex("28 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 1c 00 04 00 00 00"));
}

// ip link set vethbar name eth9   (ifindex 3)
TEST(EncodeLikeIp, Rename) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 3, {.name = "eth9"}); }),
              hex("2c 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"
                  "09 00 03 00 65 74 68 39 00 00 00 00"));
}

// ip link set eth9 up / down
TEST(EncodeLikeIp, UpAndDown) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 3, {.up = true}); }),
              hex("20 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 01 00 00 00 01 00 00 00"));
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 5, {.up = false}); }),
              hex("20 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 05 00 00 00 00 00 00 00 01 00 00 00"));
}

// ip link set eth9 master br0 / nomaster   (br0 is ifindex 2)
TEST(EncodeLikeIp, MasterAndNomaster) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 3, {.master = 2}); }),
              hex("28 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 0a 00 02 00 00 00"));
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 3, {.master = 0}); }),
              hex("28 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 0a 00 00 00 00 00"));
}

// ip link set eth9 mtu 1400
TEST(EncodeLikeIp, Mtu) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 3, {.mtu = 1400}); }),
              hex("28 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 04 00 78 05 00 00"));
}

// ip link set v3 addrgenmode none   (ifindex 2)
TEST(EncodeLikeIp, AddrGenModeNone) {
    EXPECT_EQ(encoded([](auto& w) { return link::set(w, 2, {.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE}); }),
              hex("30 00 00 00 10 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00"
                  "10 00 1a 00 0c 00 0a 00 05 00 08 00 01 00 00 00"));
}

// ip link del eth9 / ip link del group 5
TEST(EncodeLikeIp, DeleteByIndexAndGroup) {
    EXPECT_EQ(encoded([](auto& w) { return link::del(w, 3); }),
              hex("20 00 00 00 11 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00"));
    EXPECT_EQ(encoded([](auto& w) { return link::del_group(w, 5); }),
              hex("28 00 00 00 11 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                  "08 00 1b 00 05 00 00 00"));
}

// ip addr add 10.0.1.1/24 dev eth9 / ip addr del 10.0.1.1/24 dev veth0
TEST(EncodeLikeIp, AddressV4AddAndDelete) {
    EXPECT_EQ(encoded([](auto& w) {
                  return addr::add(w, {.index = 3, .prefix = *ip_prefix::parse("10.0.1.1/24")});
              }),
              hex("28 00 00 00 14 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 18 00 00 03 00 00 00 08 00 02 00 0a 00 01 01"
                  "08 00 01 00 0a 00 01 01"));
    EXPECT_EQ(encoded([](auto& w) {
                  return addr::del(w, {.index = 5, .prefix = *ip_prefix::parse("10.0.1.1/24")});
              }),
              hex("28 00 00 00 15 00 05 00 02 93 0c 6b 00 00 00 00"
                  "02 18 00 00 05 00 00 00 08 00 02 00 0a 00 01 01"
                  "08 00 01 00 0a 00 01 01"));
}

// ip -6 addr add 2001:db8::1/64 dev eth9
TEST(EncodeLikeIp, AddressV6) {
    EXPECT_EQ(encoded([](auto& w) {
                  return addr::add(w, {.index = 3, .prefix = *ip_prefix::parse("2001:db8::1/64")});
              }),
              hex("40 00 00 00 14 00 05 06 02 93 0c 6b 00 00 00 00"
                  "0a 40 00 00 03 00 00 00 14 00 02 00 20 01 0d b8"
                  "00 00 00 00 00 00 00 00 00 00 00 01 14 00 01 00"
                  "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"));
}

// ip route add default via 10.0.1.254 / ip route del default via 10.0.1.254
TEST(EncodeLikeIp, DefaultRoute) {
    EXPECT_EQ(encoded([](auto& w) { return route::add(w, {.gateway = ip_address::parse("10.0.1.254")}); }),
              hex("24 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 00 00 00 fe 03 00 01 00 00 00 00 08 00 05 00"
                  "0a 00 01 fe"));
    EXPECT_EQ(encoded([](auto& w) { return route::del(w, {.gateway = ip_address::parse("10.0.1.254")}); }),
              hex("24 00 00 00 19 00 05 00 02 93 0c 6b 00 00 00 00"
                  "02 00 00 00 fe 00 ff 00 00 00 00 00 08 00 05 00"
                  "0a 00 01 fe"));
}

// ip route add 10.9.0.0/16 via 10.0.1.2 dev v0 (ifindex 3) / ip route add 10.8.0.0/16 dev v0
// ip route add 10.7.0.0/16 via 10.0.1.3 table 1000 / ... metric 50
TEST(EncodeLikeIp, PrefixRoutes) {
    EXPECT_EQ(encoded([](auto& w) {
                  return route::add(w, {.dst = ip_prefix::parse("10.9.0.0/16"),
                                        .gateway = ip_address::parse("10.0.1.2"), .oif = 3});
              }),
              hex("34 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 10 00 00 fe 03 00 01 00 00 00 00 08 00 01 00"
                  "0a 09 00 00 08 00 05 00 0a 00 01 02 08 00 04 00"
                  "03 00 00 00"));
    EXPECT_EQ(encoded([](auto& w) { return route::add(w, {.dst = ip_prefix::parse("10.8.0.0/16"), .oif = 3}); }),
              hex("2c 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 10 00 00 fe 03 fd 01 00 00 00 00 08 00 01 00"
                  "0a 08 00 00 08 00 04 00 03 00 00 00"));
    EXPECT_EQ(encoded([](auto& w) {
                  return route::add(w, {.dst = ip_prefix::parse("10.7.0.0/16"),
                                        .gateway = ip_address::parse("10.0.1.3"), .table = 1000});
              }),
              hex("34 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 10 00 00 00 03 00 01 00 00 00 00 08 00 01 00"
                  "0a 07 00 00 08 00 05 00 0a 00 01 03 08 00 0f 00"
                  "e8 03 00 00"));
    EXPECT_EQ(encoded([](auto& w) {
                  return route::add(w, {.dst = ip_prefix::parse("10.6.0.0/16"),
                                        .gateway = ip_address::parse("10.0.1.3"), .metric = 50});
              }),
              hex("34 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                  "02 10 00 00 fe 03 00 01 00 00 00 00 08 00 01 00"
                  "0a 06 00 00 08 00 05 00 0a 00 01 03 08 00 06 00"
                  "32 00 00 00"));
}

// ip netns set foo 5   (foo open as fd 6)
TEST(EncodeLikeIp, SetNsid) {
    EXPECT_EQ(encoded([](auto& w) { return nsid::set(w, netns_ref::from_fd(6), 5); }),
              hex("24 00 00 00 58 00 05 00 02 93 0c 6b 00 00 00 00"
                  "00 00 00 00 08 00 03 00 06 00 00 00 08 00 01 00"
                  "05 00 00 00"));
}

// ---- refusals before anything is encoded ------------------------------------------

TEST(EncodeRefuses, NamesOver15Bytes) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_EQ(link::add(w, veth{.name = "aaaaaaaaaaaaaaaa"}), errc::name_too_long);
    EXPECT_EQ(link::add(w, veth{.name = "ok", .peer = {.name = "bbbbbbbbbbbbbbbb"}}), errc::name_too_long);
    EXPECT_EQ(link::add(w, bridge{.name = "cccccccccccccccc"}), errc::name_too_long);
    EXPECT_EQ(link::set(w, 3, {.name = "dddddddddddddddd"}), errc::name_too_long);
    EXPECT_EQ(b.size(), 0u) << "nothing was written";
    EXPECT_FALSE(link::add(w, veth{.name = "aaaaaaaaaaaaaaa"})) << "15 bytes is fine";
}

TEST(EncodeRefuses, InvalidInterfaceNames) {
    for (std::string_view bad : {".", "..", "a/b", "a b", "a:b", "tab\there"}) {
        wire::buffer b;
        wire::writer w(b);
        EXPECT_EQ(link::add(w, bridge{.name = bad}), errc::invalid_name) << bad;
        EXPECT_EQ(b.size(), 0u);
    }
}

TEST(EncodeRefuses, NamespaceByNameIsForTheSocketLevel) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_EQ(link::add(w, veth{.name = "a", .peer = {.netns = netns_ref::named("ns1")}}), std::errc::invalid_argument);
    EXPECT_EQ(link::set(w, 3, {.netns = netns_ref::named("ns1")}), std::errc::invalid_argument);
    EXPECT_EQ(nsid::set(w, netns_ref::named("ns1"), 3), std::errc::invalid_argument);
    EXPECT_EQ(b.size(), 0u);
}

TEST(EncodeRefuses, MixedAddressFamilies) {
    wire::buffer b;
    wire::writer w(b);
    EXPECT_TRUE(addr::add(w, {.index = 1, .prefix = *ip_prefix::parse("10.0.0.1/8"),
                              .peer = ip_address::parse("::1")}));
    EXPECT_TRUE(route::add(w, {.dst = ip_prefix::parse("10.0.0.0/8"), .gateway = ip_address::parse("fe80::1")}));
    EXPECT_TRUE(route::add(w, {.dst = ip_prefix::parse("10.0.0.0/8")})) << "neither gateway nor device";
    EXPECT_EQ(b.size(), 0u);
}

// ---- options the tutorial does not use, in iproute2's order -----------------------

TEST(Encode, VethPeerIsAFullLinkRequest) {
    wire::buffer b;
    wire::writer w(b);
    auto mac = *mac_address::parse("02:00:00:00:00:01");
    ASSERT_FALSE(link::add(w, veth{.name = "h0", .mtu = 9000, .group = 7, .num_tx_queues = 1, .num_rx_queues = 1,
                                   .master = 12, .up = true,
                                   .peer = {.name = "eth0", .address = mac, .mtu = 9000, .group = 7,
                                            .num_tx_queues = 1, .num_rx_queues = 1,
                                            .netns = netns_ref::from_fd(9)}}));
    wire::message_view m(b.bytes());
    link_view host(m);
    EXPECT_EQ(host.name(), "h0");
    EXPECT_EQ(host.mtu(), 9000u);
    EXPECT_EQ(host.group(), 7u);
    EXPECT_EQ(host.num_tx_queues(), 1u);
    EXPECT_EQ(host.master(), 12);
    EXPECT_TRUE(host.is_up());
    EXPECT_EQ(host.kind(), "veth");
    auto peer = host.info_data().find(veth_info::peer);
    ASSERT_TRUE(peer);
    auto ph = peer.header<ifinfomsg>();
    ASSERT_TRUE(ph);
    EXPECT_EQ(ph->ifi_flags, 0u) << "a peer cannot be brought up at creation (ENOTCONN)";
    auto pa = peer.nested_after<ifinfomsg>();
    EXPECT_EQ(pa.get(ifla::ifname), "eth0");
    EXPECT_EQ(pa.get(ifla::address), mac);
    EXPECT_EQ(pa.get(ifla::mtu), 9000u);
    EXPECT_EQ(pa.get(ifla::group), 7u);
    EXPECT_EQ(pa.get(ifla::num_rx_queues), 1u);
    EXPECT_EQ(pa.get(ifla::net_ns_fd), 9u);
    EXPECT_FALSE(pa.find(IFLA_MASTER)) << "the kernel would ignore a peer master";
}

TEST(Encode, SetByNameLetsTheKernelLookUp) {
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(link::set(w, "veth0", {.up = true, .mtu = 1400}));
    link_view v{wire::message_view(b.bytes())};
    EXPECT_EQ(v.index(), 0);
    EXPECT_EQ(v.name(), "veth0");
    EXPECT_EQ(v.mtu(), 1400u);
}

TEST(Encode, RenameNeedsTheIndex) {
    wire::buffer b;
    wire::writer w(b);
    // the kernel looks a link up by IFLA_IFNAME first, which a rename must use for the new name
    EXPECT_EQ(link::set(w, "old0", {.name = "new0"}), std::errc::invalid_argument);
    EXPECT_EQ(b.size(), 0u);
}

TEST(Encode, LoopbackAddressGetsHostScope) {
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(addr::add(w, {.index = 1, .prefix = *ip_prefix::parse("127.0.0.2/8")}));
    address_view v{wire::message_view(b.bytes())};
    EXPECT_EQ(v.scope(), RT_SCOPE_HOST);
}

// ---- decode → encode round trips ---------------------------------------------------

TEST(RoundTrip, AddressMessage) {
    auto golden = from_hex("40 00 00 00 14 00 05 06 02 93 0c 6b 00 00 00 00"
                           "0a 40 00 00 03 00 00 00 14 00 02 00 20 01 0d b8"
                           "00 00 00 00 00 00 00 00 00 00 00 01 14 00 01 00"
                           "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01");
    address_view v{wire::message_view(golden)};
    auto info = address_info::from(v);
    wire::buffer b;
    wire::writer w(b);
    auto spec = info.to_spec();
    ASSERT_FALSE(addr::add(w, spec));
    wire::set_seq(b.data(), ip_seq);
    EXPECT_EQ(to_hex(b.bytes()), to_hex(golden));
}

TEST(RoundTrip, RouteMessage) {
    auto golden = from_hex("34 00 00 00 18 00 05 06 02 93 0c 6b 00 00 00 00"
                           "02 10 00 00 fe 03 00 01 00 00 00 00 08 00 01 00"
                           "0a 09 00 00 08 00 05 00 0a 00 01 02 08 00 04 00"
                           "03 00 00 00");
    route_view v{wire::message_view(golden)};
    auto r = route_info::from(v);
    route_spec s{.dst = r.dst, .gateway = r.gateway, .oif = r.oif, .metric = r.metric, .table = r.table,
                 .protocol = r.protocol, .type = r.type};
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(route::add(w, s));
    wire::set_seq(b.data(), ip_seq);
    EXPECT_EQ(to_hex(b.bytes()), to_hex(golden));
}

TEST(RoundTrip, VethRequestDecodesToItsSpec) {
    auto golden = from_hex("64 00 00 00 10 00 05 06 02 93 0c 6b 00 00 00 00"
                           "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                           "0a 00 03 00 76 65 74 68 30 00 00 00 38 00 12 00"
                           "08 00 01 00 76 65 74 68 2c 00 02 00 28 00 01 00"
                           "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                           "08 00 1c 00 04 00 00 00 09 00 03 00 65 74 68 30"
                           "00 00 00 00");
    link_view v{wire::message_view(golden)};
    ASSERT_TRUE(v.valid());
    EXPECT_FALSE(v.malformed());
    auto peer = v.info_data().find(veth_info::peer).nested_after<ifinfomsg>();
    std::string peer_name(*peer.get(ifla::ifname));
    veth spec{.name = v.name(), .peer = {.name = peer_name, .netns = netns_ref::from_fd(static_cast<int>(*peer.get(ifla::net_ns_fd)))}};
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(link::add(w, spec));
    wire::set_seq(b.data(), ip_seq);
    EXPECT_EQ(to_hex(b.bytes()), to_hex(golden));
}

}  // namespace
