// rtnl/nft/egress.hpp — masquerade for a set of source addresses (container egress).
//
//     nft::socket nf;                                       // long-lived
//     nft::egress::config cfg{.set = "net0", .bridge = "br0",
//                             .subnet = rtnl::ip_prefix::parse("10.88.0.0/16")};
//     nft::egress::ensure(nf, cfg);                         // once per network, idempotent
//     nft::egress::add_source(nf, cfg, ip);                 // per container: one set element
//     nft::egress::remove_source(nf, cfg, ip);              // idempotent
//     nft::egress::teardown(nf, cfg);                       // the network's rule and set; idempotent
//
// What it makes, in one table of its own tagged with a comment (never anyone
// else's table, never a flush of theirs):
//
//     table ip <table> {                        comment "managed by rtnl"
//         set <set> { type ipv4_addr; }
//         chain postrouting { type nat hook postrouting priority srcnat; policy accept;
//             ip saddr @<set> ip daddr != <subnet> ip daddr != 224.0.0.0/4 oifname != "<bridge>"
//                 masquerade comment "<set>"
//         }
//     }
//
// With `.fam = family::ipv6` the same in `table ip6 <table>`: `type ipv6_addr`,
// `ip6 saddr @<set> ip6 daddr != <subnet> ip6 daddr != ff00::/8` — nft keeps a table per family, so an
// IPv4 and an IPv6 network may share one table name.
//
// Adding a container is one NEWSETELEM — O(1) whatever the number of containers
// (a rule per container costs O(rules) per commit: nftables.md §3). Several
// networks share the table: each has its own set and one rule, found again by
// its comment. Changes to the shared parts are compare-and-swap (the batch
// carries the generation of the dump it was planned from) and retried.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/error.hpp"
#include "rtnl/nft/batch.hpp"
#include "rtnl/nft/match.hpp"
#include "rtnl/nft/socket.hpp"

namespace rtnl::nft::egress {

/// The comment that marks a table as rtnl's.
inline constexpr std::string_view tag = "managed by rtnl";

struct config {
    family fam = family::ipv4;           ///< ipv4: `table ip`, IPv4 sources; ipv6: `table ip6`, IPv6 sources
    std::string table = "rtnl";          ///< shared by every network of the family that uses it
    std::string chain = "postrouting";   ///< nat chain on the postrouting hook
    std::string set = "masquerade";      ///< this network's sources (also the rule's comment)
    std::string bridge{};                  ///< not masqueraded when leaving through it ("": no check)
    std::optional<ip_prefix> subnet{};     ///< not masqueraded towards it (none: no check)
    /// Not masqueraded towards multicast (224.0.0.0/4, ff00::/8), as the CNI
    /// plugins' ipMasq does: containers keep talking multicast on the local network.
    bool skip_multicast = true;
    std::int32_t priority = 100;         ///< srcnat
};

/// The expressions of the network's masquerade rule.
inline std::vector<expression> rule_for(const config& c) {
    auto r = c.fam == family::ipv6 ? match::ip6_saddr_in(c.set) : match::ip_saddr_in(c.set);
    if (c.subnet) match::append(r, match::ip_daddr(*c.subnet, cmp_op::neq));
    if (c.skip_multicast) {
        const auto multicast = ip_prefix::parse(c.fam == family::ipv6 ? "ff00::/8" : "224.0.0.0/4");
        match::append(r, match::ip_daddr(*multicast, cmp_op::neq));
    }
    if (!c.bridge.empty()) match::append(r, match::oifname(c.bridge, cmp_op::neq));
    r.push_back(masq{});
    return r;
}

namespace detail {
inline void refuse_foreign(const ruleset& rs, const config& c) {
    for (const auto& t : rs.tables)
        if (t.name == c.table && t.comment != tag) {
            status s = make_status(std::make_error_code(std::errc::file_exists));
            throw error(s, "Error: table " + std::string(family_name(c.fam)) + " " + c.table + " exists and is not managed by rtnl (no comment \"" +
                               std::string(tag) + "\"); refusing to change it");
        }
}

/// Plans against a snapshot and commits with its generation; retries when the
/// ruleset moved in between. `plan` returns false when there is nothing to do.
template <class Plan>
inline void compare_and_swap(socket& nf, const config& c, Plan&& plan) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        ruleset rs = nf.list(c.fam, c.table);
        refuse_foreign(rs, c);
        batch b(rs.generation);
        if (!plan(rs, b)) return;
        auto r = nf.commit(b);
        if (r.ok()) return;
        if (!r.stale_generation()) throw error(r.error, r.text);
    }
    throw error(make_status(errc::dump_interrupted), "Error: the ruleset kept changing; egress not applied");
}
inline table table_of(const config& c) { return {.fam = c.fam, .name = c.table, .flags = 0, .comment = std::string(tag)}; }
inline chain chain_of(const config& c) {
    return {c.fam, c.table, c.chain, base_hook{"nat", hook::postrouting, c.priority, verdict_code::accept}};
}
inline set set_of(const config& c) {
    const bool v6 = c.fam == family::ipv6;
    return {.fam = c.fam, .table = c.table, .name = c.set, .key_type = v6 ? type_ipv6_addr : type_ipv4_addr,
            .key_len = v6 ? 16u : 4u};
}
}  // namespace detail

/// Appends what makes the network's egress to `b`, all of it, unconditionally:
/// for a fresh namespace or a caller that batches several things at once.
inline void build(batch& b, const config& c) {
    b.add_table(detail::table_of(c));
    b.add_chain(detail::chain_of(c));
    b.add_set(detail::set_of(c));
    b.add_rule(c.fam, c.table, c.chain, rule_for(c), c.set);
}

/// Makes the table, chain, set and rule exist as `c` says — adding only what is
/// missing, replacing this network's rule if it differs. Idempotent.
inline void ensure(socket& nf, const config& c) {
    const auto want = rule_for(c);
    detail::compare_and_swap(nf, c, [&](const ruleset& rs, batch& b) {
        if (rs.tables.empty()) b.add_table(detail::table_of(c));
        bool have_chain = false, have_set = false, have_rule = false;
        for (const auto& ch : rs.chains) have_chain |= ch.name == c.chain;
        for (const auto& s : rs.sets) have_set |= s.name == c.set;
        if (!have_chain) b.add_chain(detail::chain_of(c));
        if (!have_set) b.add_set(detail::set_of(c));
        for (const auto& r : rs.rules) {
            if (r.chain != c.chain || r.comment != c.set) continue;
            if (!have_rule && r.exprs == want) have_rule = true;
            else b.delete_rule(c.fam, c.table, c.chain, r.handle);  // stale or duplicate
        }
        if (!have_rule) b.add_rule(c.fam, c.table, c.chain, want, c.set);
        return !b.empty();
    });
}

namespace detail {
inline data key_of(const config& c, const ip_address& a) {
    if (a.is_v6() != (c.fam == family::ipv6))
        throw error(make_status(std::make_error_code(std::errc::address_family_not_supported)),
                    std::string("Error: this egress masquerade (table ") + std::string(family_name(c.fam)) + " " + c.table +
                        ") takes " + (c.fam == family::ipv6 ? "IPv6" : "IPv4") + " source addresses, not \"" +
                        a.to_string() + "\"");
    return data::address(a);
}
inline bool absent(const std::error_code& ec) { return ec == std::errc::no_such_file_or_directory; }
inline bool unsupported(const std::error_code& ec) {
    return ec == std::errc::invalid_argument || ec == std::errc::operation_not_supported;
}
}  // namespace detail

/// Masquerades `source` (one set element; adding it twice is fine).
inline void add_source(socket& nf, const config& c, const ip_address& source) {
    const data k = detail::key_of(c, source);
    batch b;
    b.add_elements(c.fam, c.table, c.set, std::span(&k, 1));
    nf.apply(b);
}

/// Stops masquerading `source`; not an error if it was not there, or the
/// network is already gone (teardown after a crash must not fail).
inline void remove_source(socket& nf, const config& c, const ip_address& source) {
    const data k = detail::key_of(c, source);
    batch b;
    b.destroy_elements(c.fam, c.table, c.set, std::span(&k, 1));
    auto r = nf.commit(b);
    if (r.ok() || detail::absent(r.error.code)) return;
    if (detail::unsupported(r.error.code)) {  // before 6.3: DELSETELEM, ENOENT means done
        batch d;
        d.delete_elements(c.fam, c.table, c.set, std::span(&k, 1));
        r = nf.commit(d);
        if (r.ok() || detail::absent(r.error.code)) return;
    }
    throw error(r.error, r.text);
}

/// The sources currently masqueraded.
inline std::vector<ip_address> sources(socket& nf, const config& c) {
    std::vector<ip_address> out{};
    for (const data& k : nf.elements(c.fam, c.table, c.set))
        if (auto a = ip_address::from_bytes(k.view())) out.push_back(*a);
    return out;
}

/// Removes the network's rule and set; the table too once no rtnl rule is left
/// in it. Idempotent; refuses a table that is not rtnl's.
inline void teardown(socket& nf, const config& c) {
    detail::compare_and_swap(nf, c, [&](const ruleset& rs, batch& b) {
        if (rs.tables.empty()) return false;
        std::size_t others = 0;
        for (const auto& r : rs.rules) {
            if (r.chain == c.chain && r.comment == c.set) b.delete_rule(c.fam, c.table, c.chain, r.handle);
            else ++others;
        }
        bool other_sets = false;
        for (const auto& s : rs.sets) other_sets |= s.name != c.set;
        if (others == 0 && !other_sets) {
            b.clear(rs.generation);
            b.delete_table(c.fam, c.table);  // DELTABLE under the generation check: no race with a new network
            return true;
        }
        for (const auto& s : rs.sets)
            if (s.name == c.set) b.delete_set(c.fam, c.table, c.set);  // after its rule: no longer in use
        return !b.empty();
    });
}

}  // namespace rtnl::nft::egress
