// Golden vectors: rtnl's nf_tables batches against the bytes nft 1.0.6 sent for
// the same commands (tests/data/nft-captures, strace of nft in a scratch netns),
// and the decoder against the kernel's own dump replies in the same captures.
#include <gtest/gtest.h>

#include "rtnl/nft.hpp"
#include "support/bytes.hpp"
#include "support/nft_captures.hpp"

namespace {

using namespace rtnl;
using namespace rtnl::nft;
using rtnl::test::captured_batch;
using rtnl::test::captured_replies;
using rtnl::test::to_hex;

ip_prefix prefix(std::string_view s) { return *ip_prefix::parse(s); }

std::string built(batch& b) { return to_hex(b.finish().bytes()); }
std::string golden(const std::string& file) {
    auto g = captured_batch(file);
    EXPECT_FALSE(g.empty()) << "no sendmsg in " << file;
    return to_hex(g);
}

base_hook nat_postrouting() { return {"nat", hook::postrouting, 100, verdict_code::accept}; }
base_hook filter_forward() { return {"filter", hook::forward, 0, verdict_code::accept}; }

std::vector<expression> masq_rule(std::string_view saddr, std::string_view oif) {
    auto r = match::ip_saddr(prefix(saddr));
    match::append(r, match::oifname(oif, cmp_op::neq));
    r.push_back(masq{});
    return r;
}
std::vector<expression> ct_accept() {
    auto r = match::ct_state(match::ct_established | match::ct_related);
    r.push_back(match::accept());
    return r;
}
std::vector<expression> iif_accept(std::string_view name) {
    auto r = match::iifname(name);
    r.push_back(match::accept());
    return r;
}

// nft add table ip rtnl
TEST(NftGolden, AddTable) {
    batch b;
    b.add_table({.name = "rtnl"});
    EXPECT_EQ(built(b), golden("01-add-table.txt"));
}

// nft add chain ip rtnl postrouting '{ type nat hook postrouting priority 100; }'
TEST(NftGolden, AddNatChain) {
    batch b;
    b.add_chain({family::ipv4, "rtnl", "postrouting", nat_postrouting()});
    EXPECT_EQ(built(b), golden("02-add-chain-post.txt"));
}

// nft add rule ip rtnl postrouting ip saddr 10.88.0.0/16 oifname != "br0" masquerade
TEST(NftGolden, MasqueradeRuleByteAlignedPrefix) {
    batch b;
    b.add_rule({family::ipv4, "rtnl", "postrouting", masq_rule("10.88.0.0/16", "br0"), {}});
    EXPECT_EQ(built(b), golden("03-add-rule-masq.txt"));
}

// nft add chain ip rtnl forward '{ type filter hook forward priority 0; }'
TEST(NftGolden, AddFilterChain) {
    batch b;
    b.add_chain({family::ipv4, "rtnl", "forward", filter_forward()});
    EXPECT_EQ(built(b), golden("04-add-chain-fwd.txt"));
}

// nft add rule ip rtnl forward ct state established,related accept
TEST(NftGolden, CtStateHostByteOrder) {
    batch b;
    b.add_rule({family::ipv4, "rtnl", "forward", ct_accept(), {}});
    EXPECT_EQ(built(b), golden("05-add-rule-ct.txt"));
}

// nft add rule ip rtnl forward iifname "br0" accept
TEST(NftGolden, IifnameSixteenBytes) {
    batch b;
    b.add_rule({family::ipv4, "rtnl", "forward", iif_accept("br0"), {}});
    EXPECT_EQ(built(b), golden("06-add-rule-iif.txt"));
}

// nft add rule ip rtnl postrouting ip saddr 10.89.0.5 oifname != "br0" counter masquerade
TEST(NftGolden, HostAddressWithCounter) {
    batch b;
    auto r = match::ip_saddr(prefix("10.89.0.5"));
    match::append(r, match::oifname("br0", cmp_op::neq));
    r.push_back(match::count());
    r.push_back(masq{});
    b.add_rule({family::ipv4, "rtnl", "postrouting", r, {}});
    EXPECT_EQ(built(b), golden("07-add-rule-counter.txt"));
}

// nft add rule ip rtnl postrouting ip saddr 10.88.16.0/20 oifname != "br*" masquerade
TEST(NftGolden, UnalignedPrefixUsesBitwiseAndWildcardIsPrefixCompare) {
    batch b;
    b.add_rule({family::ipv4, "rtnl", "postrouting", masq_rule("10.88.16.0/20", "br*"), {}});
    EXPECT_EQ(built(b), golden("07c-add-rule-prefix20.txt"));
}

// nft delete table ip rtnl
TEST(NftGolden, DeleteTable) {
    batch b;
    b.delete_table(family::ipv4, "rtnl");
    EXPECT_EQ(built(b), golden("09-delete-table.txt"));
}

// nft --echo add rule ip rtnl postrouting ip saddr 10.88.0.0/16 oifname != "br0" masquerade
TEST(NftGolden, EchoFlag) {
    batch b;
    b.echo(true);
    b.add_rule({family::ipv4, "rtnl", "postrouting", masq_rule("10.88.0.0/16", "br0"), {}});
    EXPECT_EQ(built(b), golden("10-echo-add-rule.txt"));
}

// nft -f egress.nft: table, two base chains, three rules — 936 bytes, one sendmsg.
TEST(NftGolden, WholeEgressFile) {
    batch b;
    b.add_table({.name = "rtnl2"});
    b.add_chain({family::ipv4, "rtnl2", "postrouting", nat_postrouting()});
    b.add_chain({family::ipv4, "rtnl2", "forward", filter_forward()});
    b.add_rule({family::ipv4, "rtnl2", "postrouting", masq_rule("10.88.0.0/16", "br0"), {}});
    b.add_rule({family::ipv4, "rtnl2", "forward", ct_accept(), {}});
    b.add_rule({family::ipv4, "rtnl2", "forward", iif_accept("br0"), {}});
    EXPECT_EQ(b.finish().size(), 936u);
    EXPECT_EQ(built(b), golden("14-nft-f-egress.txt"));
}

TEST(NftBatch, GenerationIdMakesBeginCarryIt) {
    batch b(7);
    b.add_table({.name = "t"});
    auto bytes = b.finish().bytes();
    wire::message_view begin(bytes.first(28));
    EXPECT_EQ(begin.length(), 28u);  // like iptables-nft: BATCH_BEGIN + NFNL_BATCH_GENID
    EXPECT_EQ(get_be32(begin.attributes<nfgenmsg>().find(NFNL_BATCH_GENID)), 7u);
}

TEST(NftBatch, RefusesBadNamesBeforeSending) {
    batch b;
    b.add_table({.name = std::string(300, 'x')});
    EXPECT_FALSE(b.ok());
    EXPECT_NE(b.problem().find("too long"), std::string::npos) << b.problem();
    batch e;
    e.add_chain({family::ipv4, "t", "", std::nullopt});
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(e.problem(), "chain name is empty");
}

TEST(NftBatch, EntriesDescribeMessagesLikeNft) {
    batch b;
    b.add_table({.name = "rtnl"});
    b.add_rule({family::ipv4, "rtnl", "postrouting", {masq{}}, {}});
    b.destroy_table(family::inet, "x");
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(describe(b.entries()[0]), "add table ip rtnl");
    EXPECT_EQ(describe(b.entries()[1]), "add rule ip rtnl postrouting");
    EXPECT_EQ(describe(b.entries()[2]), "destroy table inet x");
}

// The kernel's extack offset for capture 13 (unknown chain) points at NFTA_RULE_CHAIN.
TEST(NftBatch, ExtackOffsetMapsToAttributePath) {
    batch b;
    b.add_rule({family::ipv4, "rtnl", "nosuchchain", {match::accept()}, {}});
    EXPECT_EQ(built(b), golden("13-err-bad-chain-add.txt"));
    const auto& e = b.entries()[0];
    auto msg = b.bytes().subspan(e.offset, 100);
    EXPECT_EQ(nft::detail::attribute_path(msg, object::rule, 32), "NFTA_RULE_CHAIN");
    EXPECT_EQ(nft::detail::attribute_path(msg, object::rule, 20), "NFTA_RULE_TABLE");
    EXPECT_EQ(nft::detail::attribute_path(msg, object::rule, 92),
              "NFTA_RULE_EXPRESSIONS › expression 1 (immediate) › attribute 2 › attribute 2 › attribute 2 › attribute 1");
    EXPECT_EQ(nft::detail::attribute_path(msg, object::rule, 9999), "");
}

TEST(NftBatch, CommentIsNftUserdata) {
    batch b;
    b.add_table({.name = "t", .comment = "managed by rtnl"});
    auto m = wire::message_view(b.bytes().subspan(b.entries()[0].offset));
    auto ud = m.attributes<nfgenmsg>().find(NFTA_TABLE_USERDATA);
    ASSERT_TRUE(ud);
    EXPECT_EQ(comment_of(ud.payload()), "managed by rtnl");
}

// ---- decoding the kernel's replies -----------------------------------------

std::vector<wire::message_view> messages(const rtnl::test::bytes& d) {
    std::vector<wire::message_view> out;
    for (auto m : wire::message_range(d)) out.push_back(m);
    return out;
}

// nft list ruleset after the egress setup: the decoder reads back the same rules we build.
TEST(NftDecode, ListRulesetReadsBackOurRules) {
    ruleset rs;
    auto replies = captured_replies("08-list-ruleset.txt");
    ASSERT_FALSE(replies.empty());
    for (auto& d : replies)
        for (auto m : messages(d)) collect(m, rs);
    ASSERT_EQ(rs.tables.size(), 1u);
    EXPECT_EQ(rs.tables[0].name, "rtnl");
    EXPECT_EQ(rs.tables[0].fam, family::ipv4);
    ASSERT_EQ(rs.chains.size(), 2u);
    for (auto& c : rs.chains) {
        ASSERT_TRUE(c.hook);
        if (c.name == "postrouting") {
            EXPECT_EQ(c.hook->type, "nat");
            EXPECT_EQ(c.hook->num, hook::postrouting);
            EXPECT_EQ(c.hook->priority, 100);
        }
    }
    ASSERT_GE(rs.rules.size(), 3u);
    // The first rule in the capture is 03's masquerade rule.
    EXPECT_EQ(rs.rules[0].chain, "postrouting");
    EXPECT_TRUE(rs.rules[0].complete);
    EXPECT_EQ(rs.rules[0].exprs, masq_rule("10.88.0.0/16", "br0"));
    EXPECT_GT(rs.rules[0].handle, 0u);
    bool saw_ct = false;
    for (auto& r : rs.rules) saw_ct |= r.exprs == ct_accept();
    EXPECT_TRUE(saw_ct);
}

TEST(NftDecode, EchoCarriesHandleAndGeneration) {
    auto replies = captured_replies("10-echo-add-rule.txt");
    std::uint64_t handle = 0;
    std::optional<std::uint32_t> gen;
    for (auto& d : replies)
        for (auto m : messages(d)) {
            if (nft_msg_of(m.type()) == NFT_MSG_NEWRULE) handle = parse_handle(m);
            if (auto g = parse_generation(m); g && m.seq() == 1) gen = g;
        }
    EXPECT_EQ(handle, 2u);
    EXPECT_EQ(gen, 22u);
}

TEST(NftDecode, UnknownExpressionKeptRawAndReencodedIdentically) {
    // An xt "match" as iptables-nft writes it: opaque to rtnl, kept byte for byte.
    wire::buffer b;
    wire::writer w(b);
    {
        auto list = nest(w, NFTA_RULE_EXPRESSIONS);
        auto elem = nest(w, NFTA_LIST_ELEM);
        put_str<NFTA_EXPR_NAME>(w, "match");
        auto d = nest(w, NFTA_EXPR_DATA);
        put_str<1>(w, "conntrack");
        put_be32<2>(w, 3);
        const std::byte info[6] = {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}, std::byte{5}, std::byte{6}};
        w.put_raw(3, info);
    }
    wire::attr_view list(b.data(), static_cast<std::uint16_t>(b.size()));
    std::vector<expression> exprs;
    ASSERT_TRUE(decode_expressions(list, exprs));
    ASSERT_EQ(exprs.size(), 1u);
    auto* u = std::get_if<unknown>(&exprs[0]);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->name, "match");
    wire::buffer again;
    wire::writer w2(again);
    {
        auto l = nest(w2, NFTA_RULE_EXPRESSIONS);
        encode(w2, exprs[0]);
    }
    EXPECT_EQ(to_hex(again.bytes()), to_hex(b.bytes()));
}

TEST(NftDecode, MalformedExpressionListIsFlaggedNotDropped) {
    auto r = masq_rule("10.88.0.0/16", "br0");
    batch b;
    b.add_rule({family::ipv4, "t", "c", r, {}});
    auto bytes = rtnl::test::bytes(b.bytes().begin(), b.bytes().end());
    // Cut the message inside its last expression and fix the lengths up to that point.
    wire::message_view m(std::span<const std::byte>(bytes).subspan(b.entries()[0].offset));
    auto msg = rtnl::test::bytes(m.bytes().begin(), m.bytes().end() - 8);
    const auto len = static_cast<std::uint32_t>(msg.size());
    std::memcpy(msg.data(), &len, 4);
    auto parsed = parse_rule(wire::message_view(msg));
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->complete);
    EXPECT_LT(parsed->exprs.size(), r.size() + 1);
}

}  // namespace
