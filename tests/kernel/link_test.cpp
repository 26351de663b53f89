// Links against the real kernel: veth pairs (also born inside a namespace),
// bridges, moves, renames, group deletes, and the kernel's error texts.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/netlink.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;
using rtnl::test::error_text;

using Links = KernelTest;

TEST_F(Links, VethPairWithExplicitNames) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "vethfoo", .peer = {.name = "vethbar"}});
    auto a = link::get(nl, "vethfoo");
    auto b = link::get(nl, "vethbar");
    EXPECT_EQ(a.kind, "veth");
    EXPECT_EQ(b.kind, "veth");
    EXPECT_EQ(a.link, b.index) << "IFLA_LINK names the peer";
    EXPECT_EQ(b.link, a.index);
    EXPECT_FALSE(a.link_netnsid) << "same namespace: no netnsid";
    EXPECT_EQ(a.mtu, 1500u);
    EXPECT_TRUE(a.address);
    EXPECT_FALSE(a.is_up());
}

TEST_F(Links, VethWithKernelDefaultNames) {
    rtnl::socket nl;
    link::add(nl, veth{});
    link::add(nl, veth{});
    std::vector<std::string> names;
    for (auto& l : link::list(nl, {.kind = "veth"})) names.push_back(l.name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"veth0", "veth1", "veth2", "veth3"}));
}

TEST_F(Links, VethPeerCreatedDirectlyInsideANamespace) {
    rtnl::socket nl;
    unique_fd ns = netns::create("c1");
    auto mac = *mac_address::parse("02:00:00:00:00:42");
    link::add(nl, veth{.name = "h-c1", .num_tx_queues = 1, .num_rx_queues = 1,
                       .peer = {.name = "eth0", .address = mac, .mtu = 1400, .group = 9, .num_tx_queues = 1,
                                .num_rx_queues = 1, .netns = ns}});
    auto host = link::get(nl, "h-c1");
    ASSERT_TRUE(host.link_netnsid) << "the peer lives in another namespace";
    std::error_code ec;
    link::get(nl, "eth0", ec);
    EXPECT_EQ(ec, errc::no_such_device) << "the peer was never here";

    auto inside = socket::in_namespace(ns.get());
    auto eth0 = link::get(inside, "eth0");
    EXPECT_EQ(eth0.address, mac);
    EXPECT_EQ(eth0.mtu, 1400u);
    EXPECT_EQ(eth0.group, 9u);
    EXPECT_FALSE(eth0.is_up());
    EXPECT_EQ(eth0.link, host.index);
    // queue counts reached the peer too
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(link::get(w, "eth0"));
    std::optional<std::uint32_t> tx;
    inside.query(b, [&](const wire::message_view& m) { tx = link_view(m).num_tx_queues(); });
    EXPECT_EQ(tx, 1u);
}

TEST_F(Links, NamespacesByName) {
    rtnl::socket nl;
    netns::create("by-name");
    nsid::set(nl, netns_ref::named("by-name"), 9);  // before a veth makes the kernel pick one
    link::add(nl, veth{.name = "n0", .peer = {.name = "eth0", .netns = netns_ref::named("by-name")}});
    link::add(nl, veth{.name = "n1", .peer = {.name = "n2"}});
    link::set(nl, "n2", {.netns = netns_ref::named("by-name")});
    EXPECT_EQ(nsid::get(nl, netns_ref::named("by-name")), 9);
    EXPECT_EQ(link::get(nl, "n0").link_netnsid, 9);
    unique_fd fd = netns::open("by-name");
    auto inside = socket::in_namespace(fd.get());
    EXPECT_EQ(link::list(inside).size(), 3u) << "lo, eth0, n2";
    EXPECT_EQ(error_text([&] { link::add(nl, veth{.name = "n3", .peer = {.netns = netns_ref::named("nowhere")}}); }),
              "Cannot open network namespace \"nowhere\": No such file or directory");
    EXPECT_EQ(error_text([&] { link::set(nl, "n0", {.netns = netns_ref::named("nowhere")}); }),
              "Cannot open network namespace \"nowhere\": No such file or directory");
    std::error_code ec;
    link::get(nl, "n3", ec);
    EXPECT_EQ(ec, errc::no_such_device) << "nothing made";
}

TEST_F(Links, MoveRenameUpAndMaster) {
    rtnl::socket nl;
    unique_fd ns = netns::create("ns0");
    link::add(nl, veth{.name = "veth0", .peer = {.name = "veth1"}});
    link::add(nl, bridge{.name = "br0"});
    const int br = link::index(nl, "br0");
    link::set(nl, "veth0", {.master = br});
    link::set(nl, "veth0", {.up = true});
    link::set(nl, "br0", {.up = true});
    EXPECT_EQ(link::get(nl, "veth0").master, br);
    EXPECT_TRUE(link::get(nl, "veth0").is_up());

    link::set(nl, "veth1", {.netns = ns});
    std::error_code ec;
    link::get(nl, "veth1", ec);
    EXPECT_EQ(ec, errc::no_such_device);
    auto inside = socket::in_namespace(ns.get());
    link::set(inside, "veth1", {.name = "eth0"});
    link::set(inside, "eth0", {.up = true, .mtu = 1400});
    auto eth0 = link::get(inside, "eth0");
    EXPECT_TRUE(eth0.is_up());
    EXPECT_EQ(eth0.mtu, 1400u);
    EXPECT_TRUE(eth0.link_netnsid);

    // nomaster, rename by index, down
    const int v0 = link::index(nl, "veth0");
    link::set(nl, "veth0", {.master = 0});
    EXPECT_FALSE(link::get(nl, "veth0").master);
    link::set(nl, v0, {.name = "renamed0"});
    EXPECT_EQ(link::get(nl, v0).name, "renamed0");
    link::set(nl, v0, {.up = false});
    EXPECT_FALSE(link::get(nl, v0).is_up());
}

TEST_F(Links, RenameByNameWithoutKnowingTheIndex) {
    rtnl::socket nl;
    link::add(nl, bridge{.name = "old0"});
    link::set(nl, "old0", {.name = "new0"});
    EXPECT_EQ(link::get(nl, "new0").kind, "bridge");
}

TEST_F(Links, SetAddressAndGroupAndTxqlen) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "a0", .peer = {.name = "a1"}});
    auto mac = *mac_address::parse("02:11:22:33:44:55");
    link::set(nl, "a0", {.address = mac, .group = 3, .txqlen = 500});
    auto l = link::get(nl, "a0");
    EXPECT_EQ(l.address, mac);
    EXPECT_EQ(l.group, 3u);
    EXPECT_EQ(l.txqlen, 500u);
}

TEST_F(Links, DeleteByNameIndexAndGroup) {
    rtnl::socket nl;
    for (int i = 0; i < 20; ++i) link::add(nl, veth{});  // veth0 … veth39, group 0
    // and a group of explicitly named pairs, both ends in group 77
    wire::buffer b;
    wire::writer w(b);
    std::vector<std::string> names;
    for (int i = 0; i < 50; ++i) names.push_back("grp" + std::to_string(i));
    for (auto& n : names) ASSERT_FALSE(link::add(w, veth{.name = n, .group = 77, .peer = {.group = 77}}));
    for (auto& s : nl.batch(b)) ASSERT_TRUE(s.ok()) << s.describe();
    EXPECT_EQ(link::list(nl).size(), 1u + 40u + 100u);
    link::del_group(nl, 77);
    EXPECT_EQ(link::list(nl).size(), 1u + 40u) << "both ends of every pair in group 77 are gone";
    link::del(nl, "veth0");
    const int idx = link::index(nl, "veth2");
    link::del(nl, idx);
    EXPECT_EQ(link::list(nl).size(), 1u + 36u);
    EXPECT_EQ(error_text([&] { link::del_group(nl, 77); }), "RTNETLINK answers: No such device");
}

TEST_F(Links, KernelErrorTextsAreSurfaced) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "va", .peer = {.name = "vb"}});
    EXPECT_EQ(error_text([&] { link::add(nl, veth{.name = "va", .peer = {.name = "vc"}}); }),
              "RTNETLINK answers: File exists");
    EXPECT_EQ(error_text([&] { link::set(nl, "va", {.mtu = 100000}); }), "Error: mtu greater than device maximum.");
    EXPECT_EQ(error_text([&] { link::set(nl, "va", {.mtu = 10}); }), "Error: mtu less than device minimum.");
    EXPECT_EQ(error_text([&] { link::set(nl, "nope", {.up = true}); }), "Cannot find device \"nope\"");
    EXPECT_EQ(error_text([&] { link::del(nl, "nope"); }), "Cannot find device \"nope\"");
    EXPECT_EQ(error_text([&] { link::get(nl, "nope"); }), "Cannot find device \"nope\"");
    // the failed add left nothing half-made
    std::error_code ec;
    link::get(nl, "vc", ec);
    EXPECT_EQ(ec, errc::no_such_device);
    // ec form keeps the extack for the caller
    link::set(nl, "va", {.mtu = 100000}, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_EQ(nl.last_status().message, "mtu greater than device maximum");
    // a policy failure points at the offending attribute in our request
    wire::buffer b;
    wire::writer w(b);
    {
        auto m = w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.header(ifinfomsg{});
        w.put(ifla::mtu, 1500u);
        w.put(ifla::ifname, std::string_view("twenty-bytes-long-xx"));  // bypasses validate_ifname
    }
    nl.execute(b, ec);
    EXPECT_EQ(ec, std::errc::result_out_of_range);
    EXPECT_EQ(nl.last_status().message, "Attribute failed policy validation");
    EXPECT_EQ(nl.last_status().offset, 40u) << "IFLA_IFNAME sits after the header (32) and IFLA_MTU (8)";
}

TEST_F(Links, SixteenByteNamesAreRefusedBeforeAnythingIsMade) {
    rtnl::socket nl;
    const auto before = link::list(nl).size();
    const std::uint64_t sent = nl.stats().requests;
    EXPECT_EQ(error_text([&] { link::add(nl, veth{.name = "aaaaaaaaaaaaaaaa"}); }),
              "Error: \"aaaaaaaaaaaaaaaa\" is not a valid interface name: name too long (at most 15 bytes).");
    EXPECT_EQ(error_text([&] { link::add(nl, veth{.name = "ok", .peer = {.name = "bbbbbbbbbbbbbbbb"}}); }),
              "Error: \"bbbbbbbbbbbbbbbb\" is not a valid interface name: name too long (at most 15 bytes).");
    std::error_code ec;
    link::add(nl, bridge{.name = "cccccccccccccccc"}, ec);
    EXPECT_EQ(ec, errc::name_too_long);
    EXPECT_EQ(nl.stats().requests, sent) << "nothing was sent";
    EXPECT_EQ(link::list(nl).size(), before);
}

TEST_F(Links, BridgePortsAndNamespaceDeleteTearsDownPeers) {
    rtnl::socket nl;
    unique_fd ns = netns::create("x");
    link::add(nl, bridge{.name = "br0", .up = true});
    const int br = link::index(nl, "br0");
    for (int i = 0; i < 10; ++i)
        link::add(nl, veth{.name = "p" + std::to_string(i), .master = br, .up = true,
                           .peer = {.name = "e" + std::to_string(i), .netns = ns}});
    EXPECT_EQ(link::list(nl, {.master = br}).size(), 10u);
    ns.reset();
    netns::remove("x");
    // Namespace teardown is asynchronous: wait (bounded) for the host ends to go.
    for (int i = 0; i < 200 && link::list(nl, {.master = br}).size() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(link::list(nl, {.master = br}).size(), 0u);
}

}  // namespace
