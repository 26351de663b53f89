// tools/common/rt_names.hpp — iproute2's name tables (lib/rt_names.c): device
// groups, route scopes, protocols, tables and types, with the built-in names
// iproute2 has and the entries of /etc/iproute2/{group,rt_scopes,rt_protos,
// rt_tables} (read lazily, once).
#pragma once

#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tools/common/args.hpp"

namespace rtnl::tools {

/// One table: id ↔ name, built-ins first, then the file's entries.
class name_table {
public:
    name_table(std::map<std::uint32_t, std::string> builtin, const char* file) : names_(std::move(builtin)), file_(file) {}

    /// The name of `id`, or its number.
    std::string name(std::uint32_t id) {
        load();
        if (auto it = names_.find(id); it != names_.end()) return it->second;
        return std::to_string(id);
    }
    /// A name or a number (any base iproute2 accepts).
    std::optional<std::uint32_t> id(std::string_view text) {
        load();
        for (auto& [k, v] : names_)
            if (v == text) return k;
        return parse_number<std::uint32_t>(text);
    }

private:
    void load() {
        if (loaded_ || !file_) return;
        loaded_ = true;
        std::FILE* f = std::fopen(file_, "r");
        if (!f) return;
        char line[512];
        while (std::fgets(line, sizeof line, f)) {
            char* p = line;
            while (*p == ' ' || *p == '\t') ++p;
            if (*p == '#' || *p == '\n' || *p == '\0') continue;
            char word[256];
            unsigned long id = 0;
            if (std::sscanf(p, "0x%lx %255s", &id, word) == 2 || std::sscanf(p, "%lu %255s", &id, word) == 2) {
                if (word[0] != '#') names_[static_cast<std::uint32_t>(id)] = word;
            }
        }
        std::fclose(f);
    }

    std::map<std::uint32_t, std::string> names_;
    const char* file_;
    bool loaded_ = false;
};

/// The tables a process needs (iproute2 keeps them global, so do we).
struct rt_names {
    name_table groups{{{0, "default"}}, "/etc/iproute2/group"};
    name_table scopes{{{RT_SCOPE_UNIVERSE, "global"}, {RT_SCOPE_NOWHERE, "nowhere"}, {RT_SCOPE_HOST, "host"},
                       {RT_SCOPE_LINK, "link"}, {RT_SCOPE_SITE, "site"}},
                      "/etc/iproute2/rt_scopes"};
    name_table protocols{{{RTPROT_UNSPEC, "unspec"}, {RTPROT_REDIRECT, "redirect"}, {RTPROT_KERNEL, "kernel"},
                          {RTPROT_BOOT, "boot"}, {RTPROT_STATIC, "static"}, {RTPROT_GATED, "gated"},
                          {RTPROT_RA, "ra"}, {RTPROT_MRT, "mrt"}, {RTPROT_ZEBRA, "zebra"}, {RTPROT_BIRD, "bird"},
                          {RTPROT_BABEL, "babel"}, {RTPROT_DNROUTED, "dnrouted"}, {RTPROT_XORP, "xorp"},
                          {RTPROT_NTK, "ntk"}, {RTPROT_DHCP, "dhcp"}, {RTPROT_KEEPALIVED, "keepalived"},
                          {RTPROT_BGP, "bgp"}, {RTPROT_ISIS, "isis"}, {RTPROT_OSPF, "ospf"}, {RTPROT_RIP, "rip"},
                          {RTPROT_EIGRP, "eigrp"}},
                         "/etc/iproute2/rt_protos"};
    name_table tables{{{RT_TABLE_DEFAULT, "default"}, {RT_TABLE_MAIN, "main"}, {RT_TABLE_LOCAL, "local"}},
                      "/etc/iproute2/rt_tables"};
    name_table types{{{RTN_UNSPEC, "none"}, {RTN_UNICAST, "unicast"}, {RTN_LOCAL, "local"},
                      {RTN_BROADCAST, "broadcast"}, {RTN_ANYCAST, "anycast"}, {RTN_MULTICAST, "multicast"},
                      {RTN_BLACKHOLE, "blackhole"}, {RTN_UNREACHABLE, "unreachable"}, {RTN_PROHIBIT, "prohibit"},
                      {RTN_THROW, "throw"}, {RTN_NAT, "nat"}, {RTN_XRESOLVE, "xresolve"}},
                     nullptr};
};

}  // namespace rtnl::tools
