// tools/ip/address_print.hpp — one address as `ip addr show` prints it
// (iproute2 ip/ipaddress.c print_addrinfo and print_ifa_flags), the address
// flag words, and the address filter `show` and `flush` share.
#pragma once

#include <fnmatch.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "rtnl/addr.hpp"
#include "rtnl/address.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/ip/usage.hpp"

namespace rtnl::ip {

namespace addr_detail {

[[noreturn]] inline void usage() { fail_usage(std::string(usage_text::address) + usage_text::link_types); }

/// iproute2's ifa_flag_data: argument names of address flags.
struct flag_info {
    const char* name;
    std::uint32_t mask;
    bool readonly;
    bool v6only;
};
inline constexpr flag_info flag_table[] = {
    {"secondary", IFA_F_SECONDARY, true, false},      {"temporary", IFA_F_SECONDARY, true, false},
    {"nodad", IFA_F_NODAD, false, true},              {"optimistic", IFA_F_OPTIMISTIC, false, true},
    {"dadfailed", IFA_F_DADFAILED, true, true},       {"home", IFA_F_HOMEADDRESS, false, true},
    {"deprecated", IFA_F_DEPRECATED, true, true},     {"tentative", IFA_F_TENTATIVE, true, true},
    {"permanent", IFA_F_PERMANENT, true, true},       {"mngtmpaddr", IFA_F_MANAGETEMPADDR, false, true},
    {"noprefixroute", IFA_F_NOPREFIXROUTE, false, false}, {"autojoin", IFA_F_MCAUTOJOIN, false, false},
    {"stable-privacy", IFA_F_STABLE_PRIVACY, true, true},
};
inline const flag_info* find_flag(std::string_view name) {
    for (auto& f : flag_table)
        if (name == f.name) return &f;
    return nullptr;
}

/// Address filter (iproute2's struct link_filter, address half).
struct addr_filter {
    int family = AF_UNSPEC;
    int ifindex = 0;
    unsigned scope = 0, scopemask = 0;
    std::uint32_t flags = 0, flagmask = 0;
    std::string label;
    std::optional<ip_prefix> to;
    bool up = false;
};

/// get_filter(): a flag word of `show`/`flush` ("dynamic", "-tentative" …).
inline bool parse_flag_filter(std::string_view arg, addr_filter& f) {
    bool inv = false;
    if (!arg.empty() && arg.front() == '-') {
        inv = true;
        arg.remove_prefix(1);
    }
    if (arg == "dynamic") {
        inv = !inv;
        arg = "permanent";
    } else if (arg == "primary") {
        inv = !inv;
        arg = "secondary";
    }
    const flag_info* fi = find_flag(arg);
    if (!fi) return false;
    if (inv) f.flags &= ~fi->mask;
    else f.flags |= fi->mask;
    f.flagmask |= fi->mask;
    return true;
}

inline bool prefix_matches(const std::optional<ip_prefix>& want, const std::optional<ip_address>& a) {
    if (!want) return true;
    if (!a || a->family() != want->address.family()) return false;
    const unsigned bits = want->length;
    const std::uint8_t* x = a->data();
    const std::uint8_t* y = want->address.data();
    const unsigned whole = bits / 8;
    if (std::memcmp(x, y, whole) != 0) return false;
    if (bits % 8) {
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits % 8));
        if ((x[whole] & mask) != (y[whole] & mask)) return false;
    }
    return true;
}

/// The checks print_addrinfo applies before printing (or flushing) one address.
inline bool address_selected(session& s, const address_view& a, const addr_filter& f) {
    if (f.ifindex && f.ifindex != a.index()) return false;
    if ((f.scope ^ a.scope()) & f.scopemask) return false;
    if ((f.flags ^ a.flags()) & f.flagmask) return false;
    if (f.family && f.family != a.family()) return false;
    if (!f.label.empty()) {
        const std::string label = a.label() ? std::string(*a.label()) : s.links.name(a.index());
        if (fnmatch(f.label.c_str(), label.c_str(), 0) != 0) return false;
    }
    return prefix_matches(f.to, a.local() ? a.local() : a.address());
}

inline void print_ifa_flags(printer& o, int family, std::uint32_t flags) {
    for (const auto& fd : flag_table) {
        if (fd.mask == IFA_F_PERMANENT) {
            if (!(flags & fd.mask)) o.boolean(to::any, "dynamic", "dynamic ", true);
        } else if (flags & fd.mask) {
            if (fd.mask == IFA_F_SECONDARY && family == AF_INET6) {
                o.boolean(to::any, "temporary", "temporary ", true);
            } else {
                o.string(to::text, nullptr, "%s ", fd.name);
                o.boolean(to::json, fd.name, nullptr, true);
            }
        }
        flags &= ~fd.mask;
    }
    if (flags) {
        char b[16];
        std::snprintf(b, sizeof b, "%02x", flags);
        if (o.json()) o.string(to::json, "ifa_flags", nullptr, b);
        else o.string(to::text, nullptr, "flags %s ", b);
    }
}

/// Lifetime the kernel reports for addresses that never expire.
inline constexpr std::uint32_t infinity_life_time = 0xFFFFFFFFu;

/// iproute2's print_addrinfo (the list form).
inline void print_addrinfo(session& s, const address_view& a, bool with_index) {
    printer& o = s.out;
    auto local = a.local();
    auto address = a.address();
    if (!local) local = address;
    if (!address) address = local;
    if (with_index) {
        const std::string dev = s.links.name(a.index());
        if (o.json()) {
            o.integer(to::json, "index", nullptr, a.index());
            o.string(to::json, "dev", nullptr, dev);
        } else {
            std::fprintf(o.stream(), "%u: %s", static_cast<unsigned>(a.index()), dev.c_str());
        }
    }
    if (!s.opt.brief) {
        const char* fam = family_name(a.family());
        if (*fam != '?') o.string(to::any, "family", "    %s ", fam);
        else o.integer(to::any, "family_index", "    family %d ", a.family());
    }
    if (local) {
        o.string(to::any, "local", "%s", local->to_string());
        if (address && !(*address == *local)) {
            o.string(to::text, nullptr, " %s ", "peer");
            o.string(to::any, "address", "%s", address->to_string());
        }
        o.integer(to::any, "prefixlen", "/%d ", static_cast<int>(a.prefix_length()));
        if (auto m = a.attributes().find(IFA_RT_PRIORITY).as<std::uint32_t>())
            o.uinteger(to::any, "metric", "metric %u ", *m);
    }
    if (s.opt.brief) return;
    if (auto b = a.broadcast()) {
        o.string(to::text, nullptr, "%s ", "brd");
        o.string(to::any, "broadcast", "%s ", b->to_string());
    }
    if (auto any = a.attributes().find(IFA_ANYCAST).as<wire::ip>()) {
        o.string(to::text, nullptr, "%s ", "any");
        o.string(to::any, "anycast", "%s ", any->to_string());
    }
    o.string(to::any, "scope", "scope %s ", s.tables.scopes.name(a.scope()));
    print_ifa_flags(o, a.family(), a.flags());
    if (auto l = a.label()) o.string(to::any, "label", "%s", std::string(*l));
    if (auto ci = a.cacheinfo()) {
        o.nl();
        o.string(to::text, nullptr, "       valid_lft ", nullptr);
        if (ci->ifa_valid == infinity_life_time) {
            o.uinteger(to::json, "valid_life_time", nullptr, infinity_life_time);
            o.string(to::text, nullptr, "%s", "forever");
        } else {
            o.uinteger(to::any, "valid_life_time", "%usec", ci->ifa_valid);
        }
        o.string(to::text, nullptr, " preferred_lft ", nullptr);
        if (ci->ifa_prefered == infinity_life_time) {
            o.uinteger(to::json, "preferred_life_time", nullptr, infinity_life_time);
            o.string(to::text, nullptr, "%s", "forever");
        } else if (a.flags() & IFA_F_DEPRECATED) {
            o.integer(to::any, "preferred_life_time", "%dsec", static_cast<int>(ci->ifa_prefered));
        } else {
            o.uinteger(to::any, "preferred_life_time", "%usec", ci->ifa_prefered);
        }
    }
    o.string(to::text, nullptr, "%s", "\n");
}

}  // namespace addr_detail

}  // namespace rtnl::ip
