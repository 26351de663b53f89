// tools/ip/address_list.hpp — `rtnl-ip link show`, `rtnl-ip addr show|flush`
// (iproute2 ip/ipaddress.c ipaddr_list_flush_or_save, ipaddr_flush).
//
// Like iproute2: one link dump (or one GET for a single device), one address
// dump, links filtered by their addresses, then each link with its addresses.
// A flush dumps the matching addresses and deletes them all in one pipelined
// batch, round after round until nothing matches (secondaries get promoted).
#pragma once

#include <fnmatch.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "rtnl/addr.hpp"
#include "rtnl/link.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/address_print.hpp"
#include "tools/ip/link_parse.hpp"
#include "tools/ip/link_print.hpp"
#include "tools/ip/link_stats.hpp"

namespace rtnl::ip {

namespace addr_detail {

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
            append_as(dels, m.view(), RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK);
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
            refuse("rtnl-ip: \"vrf\" is not supported; use ip(8) for it\n");
        } else {
            if (a == "dev") args.next_value();
            else if (matches(a, "help")) do_link ? link_detail::usage() : usage();
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
        if (s.opt.stats) keep_stats(req);
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
        if (s.opt.stats) keep_stats(req);
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
        if (res > 0 && !lf.do_link && s.opt.stats) {
            print_link_stats(s, v);  // print_link_stats, then print_nl
            s.out.nl();
        }
        s.out.close_object();
    }
    s.out.end();
    s.out.flush();
    return 0;
}

}  // namespace rtnl::ip
