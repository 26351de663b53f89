// nf_tables against the real kernel, each test in its own network namespace:
// commit semantics (all or nothing, stale generation, echo handles), idempotent
// teardown, bad input, the egress recipe, and nft (Debian `nftables`) as the
// oracle — same text applied by nft in a twin namespace lists identically, and
// our decoder reads nft's own ruleset back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "rtnl/nft.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using namespace rtnl::nft;
using rtnl::test::KernelTest;
using rtnl::test::sh;
using json = nlohmann::json;

ip_prefix prefix(std::string_view s) { return *ip_prefix::parse(s); }
ip_address addr(std::string_view s) { return *ip_address::parse(s); }

bool has_table(nft::socket& nf, std::string_view name) {
    for (auto& t : nf.list().tables)
        if (t.name == name) return true;
    return false;
}

/// nft is the oracle: a machine that runs these tests has it (run.sh installs it).
void require_nft() {
    auto r = sh("command -v nft");
    ASSERT_EQ(r.status, 0) << "nft (Debian package nftables) is not installed; run.sh installs it";
}

std::vector<expression> masq_rule() {
    auto r = match::ip_saddr(prefix("10.88.0.0/16"));
    match::append(r, match::oifname("br0", cmp_op::neq));
    r.push_back(masq{});
    return r;
}

void build_egress_file(batch& b, const std::string& table) {
    b.add_table({.name = table});
    b.add_chain({family::ipv4, table, "postrouting", base_hook{"nat", hook::postrouting, 100, verdict_code::accept}});
    b.add_chain({family::ipv4, table, "forward", base_hook{"filter", hook::forward, 0, verdict_code::accept}});
    b.add_rule({family::ipv4, table, "postrouting", masq_rule(), {}});
    auto ct = match::ct_state(match::ct_established | match::ct_related);
    ct.push_back(match::accept());
    b.add_rule({family::ipv4, table, "forward", ct, {}});
    auto iif = match::iifname("br0");
    iif.push_back(match::accept());
    b.add_rule({family::ipv4, table, "forward", iif, {}});
}

const char* egress_nft = R"(table ip rtnl2 {
    chain postrouting { type nat hook postrouting priority 100; policy accept;
        ip saddr 10.88.0.0/16 oifname != "br0" masquerade
    }
    chain forward { type filter hook forward priority 0; policy accept;
        ct state established,related accept
        iifname "br0" accept
    }
}
)";

class Nft : public KernelTest {};

TEST_F(Nft, BatchAppliesAtomicallyAndEchoesHandles) {
    nft::socket nf;
    batch b;
    b.echo(true);
    build_egress_file(b, "rtnl2");
    auto r = nf.apply(b);
    ASSERT_EQ(r.handles.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) EXPECT_GT(r.handles[i], 0u) << describe(b.entries()[i]);
    ASSERT_TRUE(r.generation);
    auto rs = nf.list(family::ipv4, "rtnl2");
    EXPECT_EQ(rs.generation, *r.generation);
    ASSERT_EQ(rs.tables.size(), 1u);
    EXPECT_EQ(rs.tables[0].handle, r.handles[0]);
    ASSERT_EQ(rs.rules.size(), 3u);
    EXPECT_EQ(rs.rules[0].handle, r.handles[3]);
    EXPECT_EQ(rs.rules[0].exprs, masq_rule());
}

TEST_F(Nft, AnyErrorAbortsTheWholeBatchEvenWhenOthersWereAcked) {
    nft::socket nf;
    batch b;
    b.add_table({.name = "t"});
    b.add_chain({family::ipv4, "t", "c", std::nullopt});
    b.add_rule({family::ipv4, "t", "nosuchchain", {match::accept()}, {}});
    auto r = nf.commit(b, {.ack_each = true});
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.acks, 2u);  // the kernel ACKs the table and chain with 0 …
    EXPECT_EQ(r.errors, 1u);
    ASSERT_TRUE(r.failed);
    EXPECT_EQ(*r.failed, 2u);
    EXPECT_EQ(r.error.code, std::errc::no_such_file_or_directory);
    EXPECT_EQ(r.attribute, "NFTA_RULE_CHAIN");
    EXPECT_EQ(r.text, "Error: Could not process rule: No such file or directory\n"
                      "add rule ip t nosuchchain: NFTA_RULE_CHAIN");
    EXPECT_FALSE(has_table(nf, "t"));  // … yet nothing was committed
    // Without per-message ACKs (nft's way) the outcome is the same.
    auto r2 = nf.commit(b);
    EXPECT_FALSE(r2.ok());
    EXPECT_EQ(r2.failed, 2u);
    EXPECT_FALSE(has_table(nf, "t"));
}

TEST_F(Nft, StaleGenerationAppliesNothing) {
    nft::socket nf;
    const std::uint32_t gen = nf.generation();
    batch other;
    other.add_table({.name = "moved"});
    nf.apply(other);  // the ruleset moves on
    batch b(gen);
    b.add_table({.name = "late"});
    auto r = nf.commit(b, {.ack_each = true});
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.stale_generation());
    EXPECT_FALSE(r.failed);
    EXPECT_NE(r.text.find("nothing was applied"), std::string::npos) << r.text;
    EXPECT_FALSE(has_table(nf, "late"));
    batch fresh(nf.generation());
    fresh.add_table({.name = "late"});
    EXPECT_TRUE(nf.commit(fresh).ok());
    EXPECT_TRUE(has_table(nf, "late"));
}

TEST_F(Nft, DestroyTableIsIdempotentDeleteIsNot) {
    nft::socket nf;
    batch d;
    d.destroy_table(family::ipv4, "absent");
    EXPECT_TRUE(nf.commit(d, {.ack_each = true}).ok());
    batch del;
    del.delete_table(family::ipv4, "absent");
    auto r = nf.commit(del);
    EXPECT_EQ(r.error.code, std::errc::no_such_file_or_directory);
    EXPECT_EQ(r.text, "Error: Could not process rule: No such file or directory\n"
                      "delete table ip absent: NFTA_TABLE_NAME");
}

TEST_F(Nft, BadInputIsAClearErrorAndNothingIsHalfMade) {
    nft::socket nf;
    {   // nat chain on the forward hook: EOPNOTSUPP, and the table in the same batch is not made either
        batch b;
        b.add_table({.name = "t"});
        b.add_chain({family::ipv4, "t", "fwd", base_hook{"nat", hook::forward, 0, verdict_code::accept}});
        auto r = nf.commit(b);
        EXPECT_EQ(r.error.code, std::errc::operation_not_supported);
        EXPECT_EQ(r.failed, 1u);
        EXPECT_EQ(r.text.substr(0, r.text.find('\n')), "Error: Could not process rule: Operation not supported");
        EXPECT_FALSE(has_table(nf, "t"));
    }
    {   // chain in an unknown table
        batch b;
        b.add_chain({family::ipv4, "nosuchtable", "c", std::nullopt});
        auto r = nf.commit(b);
        EXPECT_EQ(r.error.code, std::errc::no_such_file_or_directory);
        EXPECT_NE(r.text.find("add chain ip nosuchtable c: NFTA_CHAIN_TABLE"), std::string::npos) << r.text;
    }
    {   // a name over 255 bytes never leaves the process
        batch b;
        b.add_table({.name = "ok"});
        b.add_table({.name = std::string(256, 'n')});
        auto r = nf.commit(b);
        EXPECT_EQ(r.error.code, std::errc::invalid_argument);
        EXPECT_NE(r.text.find("table name \""), std::string::npos);
        EXPECT_NE(r.text.find("is too long (256 bytes, at most 255)"), std::string::npos) << r.text;
        EXPECT_FALSE(has_table(nf, "ok"));
        EXPECT_THROW(nf.apply(b), rtnl::error);
    }
    EXPECT_TRUE(nf.list().tables.empty());
}

TEST_F(Nft, EgressRecipeIsOneElementPerSourceAndTearsDownIdempotently) {
    nft::socket nf;
    egress::config cfg{.table = "rtnl", .set = "net0", .bridge = "br0", .subnet = prefix("10.88.0.0/16")};
    egress::ensure(nf, cfg);
    const auto gen = nf.generation();
    egress::ensure(nf, cfg);  // nothing to do: no commit at all
    EXPECT_EQ(nf.generation(), gen);

    auto rs = nf.list(family::ipv4, "rtnl");
    ASSERT_EQ(rs.tables.size(), 1u);
    EXPECT_EQ(rs.tables[0].comment, egress::tag);
    ASSERT_EQ(rs.rules.size(), 1u);
    EXPECT_EQ(rs.rules[0].exprs, egress::rule_for(cfg));
    EXPECT_EQ(rs.rules[0].comment, "net0");

    egress::add_source(nf, cfg, addr("10.88.0.2"));
    egress::add_source(nf, cfg, addr("10.88.0.3"));
    egress::add_source(nf, cfg, addr("10.88.0.2"));  // again: fine
    EXPECT_EQ(egress::sources(nf, cfg).size(), 2u);
    EXPECT_EQ(nf.list(family::ipv4, "rtnl").rules.size(), 1u);  // still one rule
    egress::remove_source(nf, cfg, addr("10.88.0.2"));
    egress::remove_source(nf, cfg, addr("10.88.0.2"));  // again: fine
    ASSERT_EQ(egress::sources(nf, cfg).size(), 1u);
    EXPECT_EQ(egress::sources(nf, cfg)[0], addr("10.88.0.3"));

    // A second network shares the table; tearing the first down leaves it.
    egress::config cfg2{.table = "rtnl", .set = "net1", .bridge = "br1", .subnet = prefix("10.89.0.0/16")};
    egress::ensure(nf, cfg2);
    egress::teardown(nf, cfg);
    rs = nf.list(family::ipv4, "rtnl");
    ASSERT_EQ(rs.rules.size(), 1u);
    EXPECT_EQ(rs.rules[0].comment, "net1");
    ASSERT_EQ(rs.sets.size(), 1u);
    egress::teardown(nf, cfg);  // again: fine
    egress::teardown(nf, cfg2);
    EXPECT_FALSE(has_table(nf, "rtnl"));
    egress::teardown(nf, cfg2);  // nothing left: fine
    egress::remove_source(nf, cfg2, addr("10.89.0.9"));  // network gone: fine
}

TEST_F(Nft, EgressRefusesATableThatIsNotOurs) {
    nft::socket nf;
    batch b;
    b.add_table({.name = "rtnl"});  // someone else's, untagged
    nf.apply(b);
    egress::config cfg{.set = "net0", .bridge = "br0"};
    try {
        egress::ensure(nf, cfg);
        FAIL() << "ensure took over a foreign table";
    } catch (const rtnl::error& e) {
        EXPECT_NE(std::string(e.what()).find("not managed by rtnl"), std::string::npos) << e.what();
    }
    EXPECT_THROW(egress::teardown(nf, cfg), rtnl::error);
    EXPECT_TRUE(has_table(nf, "rtnl"));
}

// ---- nft as the oracle ------------------------------------------------------

json ruleset_json(const std::string& cmd) {
    auto r = sh(cmd);
    EXPECT_EQ(r.status, 0) << cmd << ": " << r.err;
    auto j = json::parse(r.out.empty() ? "{}" : r.out);
    json out = json::array();
    for (auto& o : j["nftables"])
        if (!o.contains("metainfo")) out.push_back(o);
    return out;
}

TEST_F(Nft, SameTextListsIdenticallyToNftInATwinNamespace) {
    require_nft();
    nft::socket nf;
    batch b;
    build_egress_file(b, "rtnl2");
    nf.apply(b);
    const json ours = ruleset_json("nft -j list ruleset");
    const json theirs = ruleset_json("unshare --net sh -c 'nft -f - && nft -j list ruleset' <<'EOF'\n" +
                                     std::string(egress_nft) + "EOF\n");
    EXPECT_EQ(ours.size(), 6u);
    EXPECT_EQ(ours, theirs) << "ours:   " << ours.dump() << "\ntheirs: " << theirs.dump();
}

TEST_F(Nft, EgressRecipeListsLikeTheSameTextThroughNft) {
    require_nft();
    nft::socket nf;
    egress::config cfg{.table = "rtnl", .set = "net0", .bridge = "br0", .subnet = prefix("10.88.0.0/16")};
    egress::ensure(nf, cfg);
    egress::add_source(nf, cfg, addr("10.88.0.2"));
    const std::string text = R"(table ip rtnl {
    comment "managed by rtnl"
    set net0 { type ipv4_addr; elements = { 10.88.0.2 } }
    chain postrouting { type nat hook postrouting priority 100; policy accept;
        ip saddr @net0 ip daddr != 10.88.0.0/16 ip daddr != 224.0.0.0/4 oifname != "br0" masquerade comment "net0"
    }
}
)";
    const json ours = ruleset_json("nft -j list ruleset");
    const json theirs = ruleset_json("unshare --net sh -c 'nft -f - && nft -j list ruleset' <<'EOF'\n" + text + "EOF\n");
    EXPECT_EQ(ours, theirs) << "ours:   " << ours.dump() << "\ntheirs: " << theirs.dump();
}

TEST_F(Nft, Ip6EgressRecipeListsLikeTheSameTextThroughNft) {
    require_nft();
    nft::socket nf;
    egress::config cfg{.fam = family::ipv6, .table = "rtnl", .set = "net6", .bridge = "br0",
                       .subnet = prefix("fd00:88::/64")};
    egress::ensure(nf, cfg);
    egress::add_source(nf, cfg, addr("fd00:88::2"));
    egress::add_source(nf, cfg, addr("fd00:88::3"));
    egress::remove_source(nf, cfg, addr("fd00:88::3"));
    const std::string text = R"(table ip6 rtnl {
    comment "managed by rtnl"
    set net6 { type ipv6_addr; elements = { fd00:88::2 } }
    chain postrouting { type nat hook postrouting priority 100; policy accept;
        ip6 saddr @net6 ip6 daddr != fd00:88::/64 ip6 daddr != ff00::/8 oifname != "br0" masquerade comment "net6"
    }
}
)";
    const json ours = ruleset_json("nft -j list ruleset");
    const json theirs = ruleset_json("unshare --net sh -c 'nft -f - && nft -j list ruleset' <<'EOF'\n" + text + "EOF\n");
    EXPECT_EQ(ours, theirs) << "ours:   " << ours.dump() << "\ntheirs: " << theirs.dump();
    // an IPv4 network may share the table name: nft keeps a table per family
    egress::config v4{.table = "rtnl", .set = "net4", .bridge = "br0", .subnet = prefix("10.88.0.0/16")};
    egress::ensure(nf, v4);
    EXPECT_EQ(egress::sources(nf, cfg), std::vector<ip_address>{addr("fd00:88::2")});
    try {  // the wrong family for the network: refused before anything is sent
        egress::add_source(nf, cfg, addr("10.88.0.2"));
        FAIL() << "an IPv4 source went into an ip6 set";
    } catch (const rtnl::error& e) {
        EXPECT_NE(std::string(e.what()).find("takes IPv6 source addresses, not \"10.88.0.2\""), std::string::npos)
            << e.what();
    }
    egress::teardown(nf, cfg);
    EXPECT_EQ(nf.list(family::ipv6).tables.size(), 0u);
    EXPECT_EQ(nf.list(family::ipv4).tables.size(), 1u) << "the IPv4 table is another table";
    egress::teardown(nf, v4);
}

TEST_F(Nft, DecoderReadsNftsOwnRulesetBack) {
    require_nft();
    auto r = sh("nft -f -", egress_nft);
    ASSERT_EQ(r.status, 0) << r.err;
    nft::socket nf;
    auto rs = nf.list();
    ASSERT_EQ(rs.tables.size(), 1u);
    ASSERT_EQ(rs.chains.size(), 2u);
    ASSERT_EQ(rs.rules.size(), 3u);
    batch ref;
    build_egress_file(ref, "rtnl2");
    // Re-encode what we decoded: the rule messages are nft's, byte for byte (sequence numbers aside).
    batch again;
    for (auto& rule : rs.rules) again.add_rule(rule.fam, rule.table, rule.chain, rule.exprs);
    auto without_seq = [](std::span<const std::byte> m) {
        std::vector<std::byte> v(m.begin(), m.end());
        std::fill_n(v.begin() + offsetof(nlmsghdr, nlmsg_seq), 4, std::byte{0});
        return v;
    };
    auto ours = ref.finish().bytes();
    auto back = again.finish().bytes();
    for (std::size_t i = 0; i < 3; ++i) {
        const auto a = ref.entries()[3 + i].offset, a_end = i < 2 ? ref.entries()[4 + i].offset : ours.size() - 20;
        const auto c = again.entries()[i].offset, c_end = i < 2 ? again.entries()[i + 1].offset : back.size() - 20;
        EXPECT_EQ(without_seq(ours.subspan(a, a_end - a)), without_seq(back.subspan(c, c_end - c))) << "rule " << i;
    }
}

TEST_F(Nft, ErrorsAreWordedLikeNft) {
    require_nft();
    auto theirs = sh("nft add rule ip nosuchtable c accept");
    EXPECT_NE(theirs.status, 0);
    nft::socket nf;
    batch b;
    b.add_rule({family::ipv4, "nosuchtable", "c", {match::accept()}, {}});
    auto r = nf.commit(b);
    const std::string first = r.text.substr(0, r.text.find('\n'));
    EXPECT_NE(theirs.err.find(first), std::string::npos) << "nft said: " << theirs.err << "\nwe say: " << r.text;
}

}  // namespace

namespace {

// A dump races a writer that changes another table all the time: every list()
// still returns one consistent snapshot (retrying while the generation moves),
// never a mix, and says how often it had to retry.
TEST_F(Nft, ListIsConsistentWhileTheRulesetChanges) {
    nft::socket nf;
    batch b;
    b.add_table({.name = "big"});
    b.add_chain({family::ipv4, "big", "c", std::nullopt});
    for (int i = 0; i < 2000; ++i) b.add_rule({family::ipv4, "big", "c", {counter{}, match::accept()}, {}});
    nf.apply(b);

    std::atomic<bool> stop{false};
    std::atomic<int> commits{0};
    std::thread writer([&] {
        nft::socket w;
        for (int i = 0; !stop && i < 400; ++i) {
            batch t;
            if (i % 2 == 0) t.add_table({.name = "churn"});
            else t.destroy_table(family::ipv4, "churn");
            if (w.commit(t).ok()) ++commits;
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    });
    std::size_t lists = 0;
    for (; lists < 20; ++lists) {
        std::error_code ec;
        auto rs = nf.list(family::ipv4, "big", ec);
        if (ec == rtnl::errc::dump_interrupted) continue;  // 8 moving attempts in a row: said, not hidden
        ASSERT_FALSE(ec) << ec.message();
        EXPECT_EQ(rs.rules.size(), 2000u);
        EXPECT_EQ(rs.chains.size(), 1u);
    }
    stop = true;
    writer.join();
    EXPECT_GT(commits.load(), 0);
    std::printf("list() retried %llu times over %zu lists while %d commits ran\n",
                static_cast<unsigned long long>(nf.dump_retries()), lists, commits.load());
}

}  // namespace
