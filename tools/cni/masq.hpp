// tools/cni/masq.hpp — ipMasq on the library's nf_tables egress recipe: one table
// ("rtnl-cni", tagged as rtnl's), one set of source addresses and one masquerade
// rule per network. Adding a container is one set element, O(1) however many
// containers there are (the reference adds a chain and rules per container, O(n)).
//
//     table ip rtnl-cni {
//         set cni-<network> { type ipv4_addr; }
//         chain postrouting { type nat hook postrouting priority srcnat;
//             ip saddr @cni-<network> ip daddr != <subnet> ip daddr != 224.0.0.0/4
//                 oifname != "<bridge>" masquerade }
//     }
//
// and for IPv6 addresses the same in `table ip6 rtnl-cni` (ipv6_addr, ip6 saddr/daddr),
// as the reference masquerades IPv6 with ip6tables.
#pragma once

#include <string>
#include <vector>

#include "rtnl/nft/egress.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/result.hpp"

namespace rtnl::cni {

inline nft::egress::config masq_config(const net_config& c, bool v6, const std::optional<ip_prefix>& subnet) {
    nft::egress::config m;
    m.fam = v6 ? nft::family::ipv6 : nft::family::ipv4;
    m.table = "rtnl-cni";
    m.set = "cni-" + c.name;
    m.bridge = c.bridge;
    if (subnet) m.subnet = ip_prefix{subnet->network(), subnet->length};
    return m;
}

/// One set element per address, in the table of its family; the table, set and
/// rule of a family are made the first time one of its addresses comes.
inline void masq_add(const net_config& c, const result& r) {
    try {
        nft::socket nf;
        for (const bool v6 : {false, true}) {
            std::optional<ip_prefix> subnet;
            std::vector<ip_address> mine;
            for (auto& ip : r.ips)
                if (ip.address.address.is_v6() == v6) {
                    if (!subnet) subnet = ip.address;
                    mine.push_back(ip.address.address);
                }
            if (mine.empty()) continue;
            const auto cfg = masq_config(c, v6, subnet);
            for (auto& a : mine) {
                try {
                    nft::egress::add_source(nf, cfg, a);
                } catch (const rtnl::error&) {
                    nft::egress::ensure(nf, cfg);  // first container of the network (or the table was removed)
                    nft::egress::add_source(nf, cfg, a);
                }
            }
        }
    } catch (const rtnl::error& e) {
        fail(generic, std::string("failed to set up ipMasq: ") + e.what());
    }
}

/// Removes the addresses' set elements; nothing to do is not an error.
inline void masq_del(const net_config& c, const std::vector<ip_address>& ips) {
    if (ips.empty()) return;
    try {
        nft::socket nf;
        for (auto& a : ips) nft::egress::remove_source(nf, masq_config(c, a.is_v6(), std::nullopt), a);
    } catch (const rtnl::error& e) {
        fail(generic, std::string("failed to tear down ipMasq: ") + e.what());
    }
}

}  // namespace rtnl::cni
