// rtnl/nft/coexist.hpp — living next to other firewalls: finding the drops that
// rtnl's own accepts cannot undo.
//
// nf_tables runs the base chains of *every* table on a hook, in priority order;
// an `accept` only ends the chain it is in. So a `policy drop` on the forward
// hook in someone else's table (Docker's iptables-nft `FORWARD DROP`, firewalld,
// a hand-written inet filter) drops container traffic that rtnl's table
// accepted (nftables.md §4, reproduced there). rtnl never edits those tables;
// it reads the ruleset and says, in words, what will drop the traffic and how
// to let it through.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/nft/decode.hpp"
#include "rtnl/nft/expr.hpp"

namespace rtnl::nft {

/// A base chain on the forward hook, outside our tables, that drops by default
/// or ends with an unconditional drop.
struct forward_drop {
    family fam = family::unspec;
    std::string table{};
    std::string chain{};
    std::int32_t priority = 0;
    bool policy_drop = false;      ///< `policy drop` (else: a rule that drops everything left)
    std::size_t rules = 0;         ///< rules in the chain (some may accept the traffic)
    bool iptables = false;         ///< an iptables-nft table (managed by iptables, not nft)

    /// What happens and what to do, for a person.
    std::string explain(const std::optional<ip_prefix>& subnet = std::nullopt) const {
        std::string where = "table " + std::string(family_name(fam)) + " " + table + ", chain " + chain;
        if (iptables) where += " (iptables-nft)";
        std::string s = where + (policy_drop ? ": policy drop" : ": an unconditional drop rule") +
                        " on the forward hook (priority " + std::to_string(priority) + "). nf_tables runs every "
                        "table's forward chain, so an accept in rtnl's table does not stop this one from dropping "
                        "forwarded traffic";
        if (rules) s += " unless one of its " + std::to_string(rules) + " rule" + (rules == 1 ? "" : "s") + " accepts it";
        s += ". Let it through there";
        const std::string net = subnet ? subnet->network().to_string() + "/" + std::to_string(subnet->length) : "<subnet>";
        if (iptables)
            s += ", e.g. iptables -I " + chain + " -s " + net + " -j ACCEPT; iptables -I " + chain + " -d " + net +
                 " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT";
        else
            s += ", e.g. nft insert rule " + std::string(family_name(fam)) + " " + table + " " + chain + " ip saddr " + net +
                 " accept; nft insert rule " + std::string(family_name(fam)) + " " + table + " " + chain + " ip daddr " +
                 net + " ct state established,related accept";
        return s + ".";
    }
};

namespace detail {
inline bool drops_everything(const rule_info& r) {
    // [counter] drop — nothing that could fail to match before the verdict
    for (std::size_t i = 0; i < r.exprs.size(); ++i) {
        const auto& e = r.exprs[i];
        if (std::holds_alternative<counter>(e)) continue;
        auto* imm = std::get_if<immediate>(&e);
        return imm && imm->dreg == reg_verdict && imm->code == verdict_code::drop && i + 1 == r.exprs.size();
    }
    return false;
}
}  // namespace detail

/// The forward-hook drops in tables whose comment is not `own_tag`, for IPv4
/// traffic (ip and inet tables).
inline std::vector<forward_drop> foreign_forward_drops(const ruleset& rs, std::string_view own_tag) {
    std::vector<forward_drop> out;
    auto foreign = [&](family f, const std::string& table) {
        for (const auto& t : rs.tables)
            if (t.fam == f && t.name == table) return t.comment != own_tag;
        return true;
    };
    for (const auto& c : rs.chains) {
        if (!c.hook || c.hook->num != hook::forward) continue;
        if (c.fam != family::ipv4 && c.fam != family::inet) continue;
        if (!foreign(c.fam, c.table)) continue;
        forward_drop d{c.fam, c.table, c.name, c.hook->priority, c.hook->policy == verdict_code::drop, 0, false};
        bool tail_drop = false;
        for (const auto& r : rs.rules)
            if (r.fam == c.fam && r.table == c.table && r.chain == c.name) {
                ++d.rules;
                tail_drop = detail::drops_everything(r);
            }
        if (!d.policy_drop && !tail_drop) continue;
        if (tail_drop && !d.policy_drop) --d.rules;  // the drop rule itself
        // iptables-nft's tables: ip filter with the upper-case built-in chains
        d.iptables = c.fam == family::ipv4 && c.table == "filter" && c.name == "FORWARD";
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace rtnl::nft
