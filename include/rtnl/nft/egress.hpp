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
//             ip saddr @<set> ip daddr != <subnet> oifname != "<bridge>" masquerade comment "<set>"
//         }
//     }
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
    std::string table = "rtnl";          ///< an `ip` table, shared by every network that uses it
    std::string chain = "postrouting";   ///< nat chain on the postrouting hook
    std::string set = "masquerade";      ///< this network's sources (also the rule's comment)
    std::string bridge{};                  ///< not masqueraded when leaving through it ("": no check)
    std::optional<ip_prefix> subnet{};     ///< not masqueraded towards it (none: no check)
    std::int32_t priority = 100;         ///< srcnat
};

/// The expressions of the network's masquerade rule.
inline std::vector<expression> rule_for(const config& c) {
    auto r = match::ip_saddr_in(c.set);
    if (c.subnet) match::append(r, match::ip_daddr(*c.subnet, cmp_op::neq));
    if (!c.bridge.empty()) match::append(r, match::oifname(c.bridge, cmp_op::neq));
    r.push_back(masq{});
    return r;
}

namespace detail {
inline void refuse_foreign(const ruleset& rs, const config& c) {
    for (const auto& t : rs.tables)
        if (t.name == c.table && t.comment != tag) {
            status s = make_status(std::make_error_code(std::errc::file_exists));
            throw error(s, "Error: table ip " + c.table + " exists and is not managed by rtnl (no comment \"" +
                               std::string(tag) + "\"); refusing to change it");
        }
}

/// Plans against a snapshot and commits with its generation; retries when the
/// ruleset moved in between. `plan` returns false when there is nothing to do.
template <class Plan>
inline void compare_and_swap(socket& nf, const config& c, Plan&& plan) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        ruleset rs = nf.list(family::ipv4, c.table);
        refuse_foreign(rs, c);
        batch b(rs.generation);
        if (!plan(rs, b)) return;
        auto r = nf.commit(b);
        if (r.ok()) return;
        if (!r.stale_generation()) throw error(r.error, r.text);
    }
    throw error(make_status(errc::dump_interrupted), "Error: the ruleset kept changing; egress not applied");
}
}  // namespace detail

/// Appends what makes the network's egress to `b`, all of it, unconditionally:
/// for a fresh namespace or a caller that batches several things at once.
inline void build(batch& b, const config& c) {
    b.add_table({.fam = family::ipv4, .name = c.table, .flags = 0, .comment = std::string(tag)});
    b.add_chain({family::ipv4, c.table, c.chain, base_hook{"nat", hook::postrouting, c.priority, verdict_code::accept}});
    b.add_set({.fam = family::ipv4, .table = c.table, .name = c.set});
    b.add_rule(family::ipv4, c.table, c.chain, rule_for(c), c.set);
}

/// Makes the table, chain, set and rule exist as `c` says — adding only what is
/// missing, replacing this network's rule if it differs. Idempotent.
inline void ensure(socket& nf, const config& c) {
    const auto want = rule_for(c);
    detail::compare_and_swap(nf, c, [&](const ruleset& rs, batch& b) {
        if (rs.tables.empty())
            b.add_table({.fam = family::ipv4, .name = c.table, .flags = 0, .comment = std::string(tag)});
        bool have_chain = false, have_set = false, have_rule = false;
        for (const auto& ch : rs.chains) have_chain |= ch.name == c.chain;
        for (const auto& s : rs.sets) have_set |= s.name == c.set;
        if (!have_chain)
            b.add_chain({family::ipv4, c.table, c.chain, base_hook{"nat", hook::postrouting, c.priority, verdict_code::accept}});
        if (!have_set) b.add_set({.fam = family::ipv4, .table = c.table, .name = c.set});
        for (const auto& r : rs.rules) {
            if (r.chain != c.chain || r.comment != c.set) continue;
            if (!have_rule && r.exprs == want) have_rule = true;
            else b.delete_rule(family::ipv4, c.table, c.chain, r.handle);  // stale or duplicate
        }
        if (!have_rule) b.add_rule(family::ipv4, c.table, c.chain, want, c.set);
        return !b.empty();
    });
}

namespace detail {
inline data key_of(const ip_address& a) {
    if (!a.is_v4()) throw error(make_status(std::make_error_code(std::errc::address_family_not_supported)),
                                "Error: egress masquerade takes IPv4 source addresses, not \"" + a.to_string() + "\"");
    return data::address(a);
}
inline bool absent(const std::error_code& ec) { return ec == std::errc::no_such_file_or_directory; }
inline bool unsupported(const std::error_code& ec) {
    return ec == std::errc::invalid_argument || ec == std::errc::operation_not_supported;
}
}  // namespace detail

/// Masquerades `source` (one set element; adding it twice is fine).
inline void add_source(socket& nf, const config& c, const ip_address& source) {
    const data k = detail::key_of(source);
    batch b;
    b.add_elements(family::ipv4, c.table, c.set, std::span(&k, 1));
    nf.apply(b);
}

/// Stops masquerading `source`; not an error if it was not there, or the
/// network is already gone (teardown after a crash must not fail).
inline void remove_source(socket& nf, const config& c, const ip_address& source) {
    const data k = detail::key_of(source);
    batch b;
    b.destroy_elements(family::ipv4, c.table, c.set, std::span(&k, 1));
    auto r = nf.commit(b);
    if (r.ok() || detail::absent(r.error.code)) return;
    if (detail::unsupported(r.error.code)) {  // before 6.3: DELSETELEM, ENOENT means done
        batch d;
        d.delete_elements(family::ipv4, c.table, c.set, std::span(&k, 1));
        r = nf.commit(d);
        if (r.ok() || detail::absent(r.error.code)) return;
    }
    throw error(r.error, r.text);
}

/// The sources currently masqueraded.
inline std::vector<ip_address> sources(socket& nf, const config& c) {
    std::vector<ip_address> out{};
    for (const data& k : nf.elements(family::ipv4, c.table, c.set))
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
            if (r.chain == c.chain && r.comment == c.set) b.delete_rule(family::ipv4, c.table, c.chain, r.handle);
            else ++others;
        }
        bool other_sets = false;
        for (const auto& s : rs.sets) other_sets |= s.name != c.set;
        if (others == 0 && !other_sets) {
            b.clear(rs.generation);
            b.delete_table(family::ipv4, c.table);  // DELTABLE under the generation check: no race with a new network
            return true;
        }
        for (const auto& s : rs.sets)
            if (s.name == c.set) b.delete_set(family::ipv4, c.table, c.set);  // after its rule: no longer in use
        return !b.empty();
    });
}

}  // namespace rtnl::nft::egress
