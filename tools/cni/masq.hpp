// tools/cni/masq.hpp — ipMasq on the library's nf_tables egress recipe: one table
// ("rtnl-cni", tagged as rtnl's), one set of source addresses and one masquerade
// rule per network. Adding a container is one set element, O(1) however many
// containers there are (the reference adds a chain and rules per container, O(n)).
//
//     table ip rtnl-cni {
//         set cni-<network> { type ipv4_addr; }
//         chain postrouting { type nat hook postrouting priority srcnat;
//             ip saddr @cni-<network> ip daddr != <subnet> oifname != "<bridge>" masquerade }
//     }
#pragma once

#include <string>
#include <vector>

#include "rtnl/nft/egress.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/result.hpp"

namespace rtnl::cni {

inline nft::egress::config masq_config(const net_config& c, const std::optional<ip_prefix>& subnet) {
    nft::egress::config m;
    m.table = "rtnl-cni";
    m.set = "cni-" + c.name;
    m.bridge = c.bridge;
    if (subnet) m.subnet = ip_prefix{subnet->network(), subnet->length};
    return m;
}

/// ipMasq covers IPv4 (the recipe's set holds ipv4_addr): refuse IPv6 plainly.
inline void require_masq_supported(const result& r) {
    for (auto& ip : r.ips)
        if (ip.address.address.is_v6())
            fail(generic, "ipMasq is not supported yet for IPv6 addresses (" + ip.address.to_string() + ")");
}

/// One set element per IPv4 address; the table, set and rule are made the first time.
inline void masq_add(const net_config& c, const result& r) {
    std::optional<ip_prefix> subnet;
    std::vector<ip_address> v4;
    for (auto& ip : r.ips)
        if (ip.address.address.is_v4()) {
            if (!subnet) subnet = ip.address;
            v4.push_back(ip.address.address);
        }
    if (v4.empty()) return;
    const auto cfg = masq_config(c, subnet);
    try {
        nft::socket nf;
        for (auto& a : v4) {
            try {
                nft::egress::add_source(nf, cfg, a);
            } catch (const rtnl::error&) {
                nft::egress::ensure(nf, cfg);  // first container of the network (or the table was removed)
                nft::egress::add_source(nf, cfg, a);
            }
        }
    } catch (const rtnl::error& e) {
        fail(generic, std::string("failed to set up ipMasq: ") + e.what());
    }
}

/// Removes the addresses' set elements; nothing to do is not an error.
inline void masq_del(const net_config& c, const std::vector<ip_address>& ips) {
    std::vector<ip_address> v4;
    for (auto& a : ips)
        if (a.is_v4()) v4.push_back(a);
    if (v4.empty()) return;
    const auto cfg = masq_config(c, std::nullopt);
    try {
        nft::socket nf;
        for (auto& a : v4) nft::egress::remove_source(nf, cfg, a);
    } catch (const rtnl::error& e) {
        fail(generic, std::string("failed to tear down ipMasq: ") + e.what());
    }
}

}  // namespace rtnl::cni
