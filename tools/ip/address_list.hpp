// tools/ip/address_list.hpp — `rtnl-ip link show`, `rtnl-ip addr show|flush`
// (iproute2 ip/ipaddress.c ipaddr_list_flush_or_save, print_addrinfo).
//
// Like iproute2: one link dump (or one GET for a single device), one address
// dump, links filtered by their addresses, then each link with its addresses.
// A flush dumps the matching addresses and deletes them all in one pipelined
// batch, round after round until nothing matches (secondaries get promoted).
#pragma once

#include <arpa/inet.h>
#include <fnmatch.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "rtnl/addr.hpp"
#include "rtnl/address.hpp"
#include "rtnl/link.hpp"
#include "tools/common/messages.hpp"
#include "tools/ip/link_print.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

namespace addr_detail {

[[noreturn]] inline void usage() {
    fail_usage(
        "Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]\n"
        "                                                      [ CONFFLAG-LIST ]\n"
        "       ip address del IFADDR dev IFNAME [mngtmpaddr]\n"
        "       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]\n"
        "                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]\n"
        "       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]\n"
        "                         [ nomaster ]\n"
        "                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]\n"
        "                         [ label LABEL ] [up] [ vrf NAME ] ]\n"
        "       ip address {showdump|restore}\n"
        "IFADDR := PREFIX | ADDR peer PREFIX\n"
        "          [ broadcast ADDR ] [ anycast ADDR ]\n"
        "          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]\n"
        "SCOPE-ID := [ host | link | global | NUMBER ]\n"
        "FLAG-LIST := [ FLAG-LIST ] FLAG\n"
        "FLAG  := [ permanent | dynamic | secondary | primary |\n"
        "           [-]tentative | [-]deprecated | [-]dadfailed | temporary |\n"
        "           CONFFLAG-LIST ]\n"
        "CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG\n"
        "CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]\n"
        "LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]\n"
        "LFT := forever | SECONDS\n");
}

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

inline const char* family_name(int family) {
    switch (family) {
        case AF_INET: return "inet";
        case AF_INET6: return "inet6";
        case AF_PACKET: return "link";
        case AF_MPLS: return "mpls";
        case AF_BRIDGE: return "bridge";
        default: return "???";
    }
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

/// Flush: rounds of dump + pipelined deletes (iproute2 ipaddr_flush).
inline int flush(session& s, const addr_filter& f) {
    for (int round = 0; round < 10; ++round) {
        wire::buffer req;
        wire::writer w(req);
        (void)addr::dump(w, f.family, f.ifindex);
        std::error_code ec;
        auto msgs = dump_messages(s.nl(), req, RTM_NEWADDR, ec);
        if (ec) {
            s.complain("Flush terminated\n");
            throw exit_now{1, {}};
        }
        wire::buffer dels;
        std::size_t n = 0;
        for (auto& m : msgs) {
            address_view a(m.view());
            if (!a.valid() || !address_selected(s, a, f)) continue;
            // iproute2 sends the address message back as RTM_DELADDR
            auto b = m.view().bytes();
            const std::size_t at = dels.size();
            dels.append(b.data(), b.size());
            nlmsghdr h;
            std::memcpy(&h, dels.data() + at, sizeof h);
            h.nlmsg_type = RTM_DELADDR;
            h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
            std::memcpy(dels.data() + at, &h, sizeof h);
            while (dels.size() % 4) dels.append("\0", 1);
            ++n;
        }
        if (n == 0) {
            if (s.opt.stats) {
                if (round == 0) std::printf("Nothing to flush.\n");
                else std::printf("*** Flush is complete after %d round%s ***\n", round, round > 1 ? "s" : "");
            }
            std::fflush(stdout);
            return 0;
        }
        for (auto& st : s.nl().batch(dels)) {
            if (!st.ok() && st.code != std::errc::address_not_available) {
                s.complain("Failed to send flush request: " + st.code.message() + "\n");
                return 255;
            }
        }
        if (s.opt.stats) {
            std::printf("\n*** Round %d, deleting %zu addresses ***\n", round + 1, n);
            std::fflush(stdout);
        }
        if (!(f.flags & IFA_F_SECONDARY) && (f.flagmask & IFA_F_SECONDARY)) {
            if (s.opt.stats) std::printf("*** Flush is complete after %d round%s ***\n", round + 1, round > 0 ? "s" : "");
            return 0;
        }
    }
    s.complain("*** Flush remains incomplete after 10 rounds. ***\n");
    return 255;
}

}  // namespace addr_detail

/// ipaddr_list_flush_or_save for `link show` (do_link), `addr show` and `addr flush`.
inline int list_or_flush(session& s, arg_list args, bool do_link, bool flushing) {
    using namespace addr_detail;
    s.sync();
    link_filter lf;
    lf.do_link = do_link;
    lf.family = do_link ? AF_PACKET : s.opt.family;
    addr_filter af;
    af.family = lf.family;
    std::string dev;

    if (flushing) {
        if (args.empty()) {
            s.complain("Flush requires arguments.\n");
            return 1;
        }
        if (af.family == AF_PACKET) {
            s.complain("Cannot flush link addresses.\n");
            return 1;
        }
    }
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "to") {
            const std::string& v = args.next_value();
            auto p = ip_prefix::parse(v);
            if (!p || (af.family && af.family != AF_PACKET && p->address.family() != af.family))
                invalid_argument("invalid \"to\"\n", v);
            af.to = p;
            if (af.family == AF_UNSPEC) af.family = p->address.family();
        } else if (a == "scope") {
            const std::string& v = args.next_value();
            af.scopemask = ~0u;
            if (auto sc = s.tables.scopes.id(v); sc && *sc < 256) {
                af.scope = *sc;
            } else {
                if (v != "all") invalid_argument("invalid \"scope\"\n", v);
                af.scope = RT_SCOPE_NOWHERE;
                af.scopemask = 0;
            }
        } else if (a == "up") {
            af.up = true;
            lf.up = true;
        } else if (parse_flag_filter(a, af)) {
        } else if (a == "label") {
            af.label = args.next_value();
        } else if (a == "group") {
            const std::string& v = args.next_value();
            auto g = s.tables.groups.id(v);
            if (!g) invalid_argument("Invalid \"group\" value\n", v);
            lf.group = static_cast<int>(*g);
        } else if (a == "master") {
            const std::string& v = args.next_value();
            const int idx = s.links.index(v);
            if (!idx) invalid_argument("Device does not exist\n", v);
            lf.master = idx;
        } else if (a == "nomaster") {
            lf.master = -1;
        } else if (a == "type") {
            std::string t = args.next_value();
            if (t.size() > 6 && t.compare(t.size() - 6, 6, "_slave") == 0) lf.slave_kind = t.substr(0, t.size() - 6);
            else lf.kind = t;
        } else if (a == "vrf") {
            fail_usage("rtnl-ip: \"vrf\" is not supported; use ip(8) for it\n");
        } else {
            if (a == "dev") args.next_value();
            else if (matches(a, "help")) usage();
            if (!dev.empty()) duplicate_or_garbage("dev", args.current());
            dev = args.current();
        }
        args.advance();
    }

    std::vector<stored_message> links;
    std::error_code ec;
    if (!dev.empty()) {
        // one GET by name: the index, and the link itself
        wire::buffer req;
        wire::writer w(req);
        if (link::get(w, dev)) {
            // not a valid primary name: ask by alternative name
            req.clear();
            auto msg = w.begin(RTM_GETLINK, NLM_F_REQUEST);
            w.header(ifinfomsg{});
            w.put(ifla::ext_mask, std::uint32_t{RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS});
            w.put(ifla::alt_ifname, dev);
        }
        links = get_message(s.nl(), req, ec);
        if (ec || links.empty()) {
            s.complain("Device \"" + dev + "\" does not exist.\n");
            return 1;
        }
        link_view v(links.front().view());
        af.ifindex = lf.ifindex = v.index();
        s.links.remember(v);
        if (auto peer = v.link(); peer && !v.link_netnsid()) s.links.forget_index(*peer);  // fresh flags for M-DOWN
        if (do_link && lf.group == -1) {
            s.out.begin();
            s.out.open_object();
            link_filter single = lf;
            single.master = 0;
            single.kind.clear();
            single.slave_kind.clear();
            single.up = false;
            print_linkinfo(s, v, single);
            s.out.close_object();
            s.out.end();
            s.out.flush();
            return 0;
        }
    }
    if (flushing) return flush(s, af);

    if (dev.empty()) {
        wire::buffer req;
        wire::writer w(req);
        rtnl::link_filter kf;
        if (lf.master) kf.master = lf.master;
        kf.kind = lf.kind;
        (void)link::dump(w, kf);
        links = dump_messages(s.nl(), req, RTM_NEWLINK, ec);
        if (ec) {
            s.complain("Dump terminated\n");
            return 1;
        }
        for (auto& m : links) s.links.remember(link_view(m.view()));
    }

    std::vector<stored_message> addrs;
    if (lf.family != AF_PACKET) {
        wire::buffer req;
        wire::writer w(req);
        (void)addr::dump(w, af.family, af.ifindex);
        addrs = dump_messages(s.nl(), req, RTM_NEWADDR, ec);
        if (ec) {
            s.complain("Dump terminated\n");
            return 1;
        }
        // ipaddr_filter: keep links with a matching address, or with none at all
        std::vector<stored_message> kept;
        for (auto& l : links) {
            link_view v(l.view());
            bool ok = false, any = false;
            for (auto& m : addrs) {
                address_view a(m.view());
                if (a.index() != v.index()) continue;
                any = true;
                if (af.family && af.family != a.family()) continue;
                if ((af.scope ^ a.scope()) & af.scopemask) continue;
                if ((af.flags ^ a.flags()) & af.flagmask) continue;
                if (!af.label.empty()) {
                    const std::string label = a.label() ? std::string(*a.label()) : s.links.name(a.index());
                    if (fnmatch(af.label.c_str(), label.c_str(), 0) != 0) continue;
                }
                if (!prefix_matches(af.to, a.local() ? a.local() : a.address())) continue;
                ok = true;
                break;
            }
            if (!any && (af.family == AF_UNSPEC || af.family == AF_PACKET)) ok = true;
            if (ok) kept.push_back(std::move(l));
        }
        links = std::move(kept);
    }

    // -oneline: addresses only, each prefixed with its link (iproute2's no_link)
    const bool no_link = s.opt.oneline && lf.family != AF_PACKET;
    s.out.begin();
    for (auto& l : links) {
        link_view v(l.view());
        s.out.open_object();
        int res = 0;
        if (s.opt.brief || !no_link) res = print_linkinfo(s, v, lf);
        if (res >= 0 && lf.family != AF_PACKET) {
            s.out.open_array(to::json, "addr_info");
            for (auto& m : addrs) {
                address_view a(m.view());
                if (a.index() != v.index() || (af.family && af.family != a.family())) continue;
                if (af.up && !(v.flags() & IFF_UP)) continue;
                s.out.open_object();  // iproute2 leaves {} for addresses its filter rejects
                if (address_selected(s, a, af)) print_addrinfo(s, a, s.opt.oneline && !s.opt.brief);
                s.out.close_object();
            }
            s.out.close_array(to::json, nullptr);
            if (s.opt.brief) {
                s.out.string(to::text, nullptr, "%s", "\n");
                s.out.flush();
            }
        }
        s.out.close_object();
    }
    s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::ip
