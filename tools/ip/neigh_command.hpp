// tools/ip/neigh_command.hpp — `rtnl-ip neigh add|change|replace|del|get|show|flush`
// (iproute2 6.1 ip/ipneigh.c), on rtnl/neigh.hpp.
//
// As ip: a change the kernel refuses ends the process with status 2 at once
// (ipneigh_modify calls exit(2)), even inside -force -batch — so a neigh change
// line is sent and answered before the next line is read (a later line must
// not take effect when this one ends the run). A flush dumps and deletes round
// after round (at most 10) until nothing matches.
#pragma once

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "rtnl/neigh.hpp"
#include "tools/common/link_format.hpp"
#include "tools/common/messages.hpp"
#include "tools/common/session.hpp"
#include "tools/ip/address_print.hpp"
#include "tools/ip/inet_args.hpp"
#include "tools/ip/link_parse.hpp"

namespace rtnl::ip {

namespace neigh_detail {

inline constexpr const char* usage_text =
    "Usage: ip neigh { add | del | change | replace }\n"
    "                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }\n"
    "                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]\n"
    "                [ protocol PROTO ]\n"
    "\n"
    "	ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]\n"
    "				  [ vrf NAME ] [ nomaster ]\n"
    "	ip neigh get { ADDR | proxy ADDR } dev DEV\n"
    "\n"
    "STATE := { delay | failed | incomplete | noarp | none |\n"
    "           permanent | probe | reachable | stale }\n";

[[noreturn]] inline void usage() { fail_usage(usage_text); }

/// nud_state_a2n: a NUD name (some by prefix) or a power of two below 0x100.
inline std::optional<unsigned> nud_state(const std::string& a) {
    if (matches(a, "permanent")) return NUD_PERMANENT;
    if (matches(a, "reachable")) return NUD_REACHABLE;
    if (a == "noarp") return NUD_NOARP;
    if (a == "none") return NUD_NONE;
    if (a == "stale") return NUD_STALE;
    if (a == "incomplete") return NUD_INCOMPLETE;
    if (a == "delay") return NUD_DELAY;
    if (a == "probe") return NUD_PROBE;
    if (matches(a, "failed")) return NUD_FAILED;
    auto n = parse_number<unsigned>(a);
    if (!n || *n >= 0x100 || (*n & (*n - 1))) return std::nullopt;
    return *n;
}

/// iproute2's neighbour filter.
struct neigh_filter {
    int family = AF_UNSPEC;
    int index = 0;
    unsigned state = ~0u;
    bool unused_only = false;
    std::optional<ip_prefix> to;
    int master = 0;
    unsigned protocol = 0;
    std::uint8_t ndm_flags = 0;
    bool flush = false;
};

/// print_neigh. Returns false when the filter drops the entry.
inline bool print_neigh(session& s, const wire::message_view& m, const neigh_filter& f, bool& warned) {
    printer& o = s.out;
    const std::uint16_t type = m.type();
    if (type != RTM_NEWNEIGH && type != RTM_DELNEIGH && type != RTM_GETNEIGH) return false;
    neighbour_view n(m);
    if (!n.valid()) return false;
    if (f.flush && type != RTM_NEWNEIGH) return false;
    if (f.family && f.family != n.family()) return false;
    if (f.index && f.index != n.index()) return false;
    if (!(f.state & n.state()) && !(n.flags() & NTF_PROXY) && !(n.flags() & NTF_EXT_LEARNED) &&
        (n.state() || !(f.state & 0x100)))
        return false;
    if (f.master && !(m.flags() & NLM_F_DUMP_FILTERED) && !warned) {
        warned = true;
        std::fprintf(stdout, "\nWARNING: Kernel does not support filtering by master device\n\n");
    }
    std::optional<ip_address> dst;
    if (auto d = n.attr(NDA_DST)) dst = ip_address::from_bytes(d.payload());
    if (f.to && f.to->length > 0 && dst && !addr_detail::prefix_matches(f.to, dst)) return false;
    const std::uint8_t protocol = n.protocol().value_or(0);
    if (f.protocol && f.protocol != protocol) return false;
    if (f.unused_only)
        if (auto ci = n.cacheinfo(); ci && ci->ndm_refcnt) return false;
    if (f.flush) return true;  // the caller deletes it

    o.open_object();
    if (type == RTM_DELNEIGH) o.boolean(to::any, "deleted", "Deleted ", true);
    else if (type == RTM_GETNEIGH) o.null(to::any, "miss", "%s ", "miss");
    const char* dst_fmt = s.opt.brief ? "%-39s " : "%s ";
    if (dst) o.string(to::any, "dst", dst_fmt, dst->to_string());
    if (!f.index && n.index()) {
        if (!s.opt.brief && !o.json()) o.text("dev ");
        o.string(to::any, "dev", s.opt.brief ? "%-16s " : "%s ", s.links.name(n.index()));
    }
    if (auto ll = n.lladdr()) {
        const std::string text = link_address(*ll, ARPHRD_ETHER);
        if (!s.opt.brief && !o.json()) o.text("lladdr ");
        o.string(to::any, "lladdr", s.opt.brief ? "%s" : "%s ", text);
    }
    if (s.opt.brief) {
        o.string(to::text, nullptr, "%s", "\n");
        o.close_object();
        o.flush();
        return true;
    }
    if (n.flags() & NTF_ROUTER) o.null(to::any, "router", "%s ", "router");
    if (n.flags() & NTF_PROXY) o.null(to::any, "proxy", "%s ", "proxy");
    if (n.ext_flags() & NTF_EXT_MANAGED) o.null(to::any, "managed", "%s ", "managed");
    if (n.flags() & NTF_EXT_LEARNED) o.null(to::any, "extern_learn", "%s ", "extern_learn");
    if (n.flags() & NTF_OFFLOADED) o.null(to::any, "offload", "%s ", "offload");
    if (s.opt.stats) {
        if (auto ci = n.cacheinfo()) {
            static const long hz = ::sysconf(_SC_CLK_TCK);
            const auto h = static_cast<unsigned>(hz > 0 ? hz : 100);
            if (ci->ndm_refcnt) o.uinteger(to::any, "refcnt", " ref %u", ci->ndm_refcnt);
            o.uinteger(to::any, "used", " used %u", ci->ndm_used / h);
            o.uinteger(to::any, "confirmed", "/%u", ci->ndm_confirmed / h);
            o.uinteger(to::any, "updated", "/%u", ci->ndm_updated / h);
        }
        if (auto p = n.attr(NDA_PROBES).as<std::uint32_t>()) o.uinteger(to::any, "probes", "probes %u ", *p);
    }
    if (unsigned nud = n.state()) {
        o.open_array(to::json, "state");
        static constexpr std::pair<unsigned, const char*> names[] = {
            {NUD_INCOMPLETE, "INCOMPLETE"}, {NUD_REACHABLE, "REACHABLE"}, {NUD_STALE, "STALE"},
            {NUD_DELAY, "DELAY"},           {NUD_PROBE, "PROBE"},         {NUD_FAILED, "FAILED"},
            {NUD_NOARP, "NOARP"},           {NUD_PERMANENT, "PERMANENT"}};
        for (auto [bit, name] : names)
            if (nud & bit) o.string(to::any, nullptr, "%s ", name);
        o.close_array(to::json, nullptr);
    }
    if (protocol) o.string(to::any, "protocol", "proto %s ", s.tables.protocols.name(protocol));
    o.string(to::text, nullptr, "\n", "");
    o.close_object();
    o.flush();
    return true;
}

/// ipneigh_modify.
inline int modify(session& s, arg_list args, std::uint16_t type, std::uint16_t flags) {
    neighbour_spec spec;
    std::string dev;
    bool dev_ok = false, dst_ok = false;
    std::optional<std::string> lla;
    inet_arg dst;
    while (!args.empty()) {
        const std::string_view a = args.peek();  // compared with literals: length first, no memcmp per keyword
        if (matches(a, "lladdr")) {
            const std::string& v = args.next_value();
            if (lla) duplicate_argument("lladdr", v);
            lla = v;
        } else if (a == "nud") {
            const std::string& v = args.next_value();
            auto st = nud_state(v);
            if (!st) invalid_argument("nud state is bad", v);
            spec.state = static_cast<std::uint16_t>(*st);
        } else if (matches(a, "proxy")) {
            const std::string& v = args.next_value();
            if (matches(v, "help")) usage();
            if (dst_ok) duplicate_argument("address", v);
            dst = get_addr(v, s.opt.family);
            dst_ok = dev_ok = true;
            spec.flags |= NTF_PROXY;
        } else if (a == "router") {
            spec.flags |= NTF_ROUTER;
        } else if (a == "use") {
            spec.flags |= NTF_USE;
        } else if (a == "managed") {
            spec.ext_flags |= NTF_EXT_MANAGED;
            spec.state = NUD_NONE;
        } else if (matches(a, "extern_learn")) {
            spec.flags |= NTF_EXT_LEARNED;
        } else if (a == "dev") {
            dev = args.next_value();
            dev_ok = true;
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) invalid_argument("\"protocol\" value is invalid\n", v);
            spec.protocol = static_cast<std::uint8_t>(*p);
        } else {
            if (a == "to") args.next_value();
            if (matches(args.current(), "help")) args.next_value();
            if (dst_ok) duplicate_or_garbage("to", args.current());
            dst = get_addr(args.current(), s.opt.family);
            dst_ok = true;
        }
        args.advance();
    }
    if (!dev_ok || !dst_ok || dst.family == AF_UNSPEC) fail_usage("Device and destination are required arguments.\n");
    spec.dst = dst.address;
    try {
        if (lla && *lla != "null") spec.lladdr = link_detail::parse_lladdr(*lla);
    } catch (const link_detail::soft_error& e) {
        s.complain(e.message);
        return 1;
    }
    if (!dev.empty()) {
        spec.index = s.links.index(dev);
        if (!spec.index) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
    }
    wire::buffer request;
    wire::writer w(request);
    (void)neigh::detail::encode(w, type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags), spec);
    bool fatal = false;
    s.pipe.queue(request, s.line, [&fatal](const status& st) {
        if (report(st) != 0) fatal = true;  // the message is printed; ip then exits 2
        return 0;
    });
    s.sync();
    if (fatal) throw exit_now{2, {}};
    return 0;
}

/// ipneigh_get.
inline int get(session& s, arg_list args) {
    std::string dev;
    bool dev_ok = false, dst_ok = false;
    std::uint8_t ndm_flags = 0;
    inet_arg dst;
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "dev") {
            dev = args.next_value();
            dev_ok = true;
        } else if (matches(a, "proxy")) {
            const std::string& v = args.next_value();
            if (matches(v, "help")) usage();
            if (dst_ok) duplicate_argument("address", v);
            dst = get_addr(v, s.opt.family);
            dst_ok = dev_ok = true;
            ndm_flags |= NTF_PROXY;
        } else {
            if (a == "to") args.next_value();
            if (matches(args.current(), "help")) usage();
            if (dst_ok) duplicate_or_garbage("to", args.current());
            dst = get_addr(args.current(), s.opt.family);
            dst_ok = true;
        }
        args.advance();
    }
    if (!dev_ok || !dst_ok || dst.family == AF_UNSPEC) {
        s.complain("Device and address are required arguments.\n");
        return 1;
    }
    int index = 0;
    if (!dev.empty()) {
        index = s.links.index(dev);
        if (!index) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
    }
    s.sync();
    wire::buffer req;
    wire::writer w(req);
    (void)neigh::get(w, index, dst.address, ndm_flags);
    std::error_code ec;
    auto reply = get_message(s.nl(), req, ec);
    if (ec) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", s.nl().last_status().describe().c_str());
        return 2;
    }
    // print_neigh outside any JSON document: ip prints text even with -j
    neigh_filter f;
    bool warned = false;
    for (auto& m : reply) print_neigh(s, m.view(), f, warned);
    return 0;
}

/// do_show_or_flush.
inline int show_or_flush(session& s, arg_list args, bool flush) {
    s.sync();
    neigh_filter f;
    f.family = s.opt.family == AF_PACKET ? AF_UNSPEC : s.opt.family;
    f.flush = flush;
    std::string dev;
    bool have_dev = false, state_given = false;
    if (flush) {
        if (args.empty()) {
            s.complain("Flush requires arguments.\n");
            return 1;
        }
        f.state = ~static_cast<unsigned>(NUD_PERMANENT | NUD_NOARP);
    } else {
        f.state = 0xFF & ~static_cast<unsigned>(NUD_NOARP);
    }
    while (!args.empty()) {
        const std::string a = args.current();
        if (a == "dev") {
            const std::string& v = args.next_value();
            if (have_dev) duplicate_argument("dev", v);
            dev = v;
            have_dev = true;
        } else if (a == "master") {
            const std::string& v = args.next_value();
            const int idx = s.links.index(v);
            if (!idx) invalid_argument("Device does not exist\n", v);
            f.master = idx;
        } else if (a == "vrf") {
            refuse("rtnl-ip: \"vrf\" is not supported; use ip(8) for it\n");
        } else if (a == "nomaster") {
            f.master = -1;
        } else if (a == "unused") {
            f.unused_only = true;
        } else if (a == "nud") {
            const std::string& v = args.next_value();
            if (!state_given) {
                state_given = true;
                f.state = 0;
            }
            unsigned st;
            if (auto x = nud_state(v)) {
                st = *x;
            } else {
                if (v != "all") invalid_argument("nud state is bad", v);
                st = ~0u;
                if (flush) st &= ~static_cast<unsigned>(NUD_NOARP);
            }
            if (st == 0) st = 0x100;
            f.state |= st;
        } else if (a == "proxy") {
            f.ndm_flags = NTF_PROXY;
        } else if (matches(a, "protocol")) {
            const std::string& v = args.next_value();
            auto p = s.tables.protocols.id(v);
            if (!p || *p > 255) {
                if (v != "all") invalid_argument("invalid \"protocol\"\n", v);
                p = 0;
            }
            f.protocol = *p;
        } else {
            if (a == "to") args.next_value();
            if (matches(args.current(), "help")) usage();
            const inet_arg p = get_prefix(args.current(), f.family);  // exits 1 on a bad prefix
            if (!p.is_default) f.to = ip_prefix{p.address, p.bitlen};
            if (f.family == AF_UNSPEC) f.family = p.family;
        }
        args.advance();
    }
    if (have_dev) {
        f.index = s.links.index(dev);
        if (!f.index) {
            s.complain("Cannot find device \"" + dev + "\"\n");
            return 1;
        }
    }
    auto dump = [&](std::error_code& ec) {
        wire::buffer req;
        wire::writer w(req);
        (void)neigh::dump(w, {.family = f.family, .index = f.index, .master = f.master, .flags = f.ndm_flags});
        return dump_messages(s.nl(), req, RTM_NEWNEIGH, ec);
    };
    bool warned = false;
    if (!flush) {
        std::error_code ec;
        auto msgs = dump(ec);
        if (ec) {
            s.complain("Dump terminated\n");
            throw exit_now{1, {}};
        }
        s.out.begin();
        for (auto& m : msgs) print_neigh(s, m.view(), f, warned);
        s.out.end();
        return 0;
    }
    for (int round = 0; round < 10; ++round) {
        std::error_code ec;
        auto msgs = dump(ec);
        if (ec) {
            s.complain("Flush terminated\n");
            throw exit_now{1, {}};
        }
        // each selected entry goes back as RTM_DELNEIGH (iproute2's flush buffer)
        wire::buffer dels;
        int flushed = 0;
        for (auto& m : msgs) {
            if (!print_neigh(s, m.view(), f, warned)) continue;
            append_as(dels, m.view(), RTM_DELNEIGH, NLM_F_REQUEST);
            ++flushed;
        }
        if (flushed == 0) {
            if (s.opt.stats) {
                if (round == 0) std::printf("Nothing to flush.\n");
                else std::printf("*** Flush is complete after %d round%s ***\n", round, round > 1 ? "s" : "");
            }
            std::fflush(stdout);
            return 0;
        }
        (void)s.nl().batch(dels);  // an entry gone meanwhile is not an error of the flush
        if (s.opt.stats) {
            std::printf("\n*** Round %d, deleting %d entries ***\n", round + 1, flushed);
            std::fflush(stdout);
        }
        f.state &= ~static_cast<unsigned>(NUD_FAILED);
    }
    std::printf("*** Flush not complete bailing out after %d rounds\n", 10);
    return 1;
}

}  // namespace neigh_detail

inline int neigh_command(session& s, arg_list args) {
    using namespace neigh_detail;
    if (args.empty()) return show_or_flush(s, args, false);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return modify(s, args, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(cmd, "change") || cmd == "chg") return modify(s, args, RTM_NEWNEIGH, NLM_F_REPLACE);
    if (matches(cmd, "replace")) return modify(s, args, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(cmd, "delete")) return modify(s, args, RTM_DELNEIGH, 0);
    if (matches(cmd, "get")) return get(s, args);
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return show_or_flush(s, args, false);
    if (matches(cmd, "flush")) return show_or_flush(s, args, true);
    if (matches(cmd, "help")) usage();
    fail_usage("Command \"" + cmd + "\" is unknown, try \"ip neigh help\".\n");
}

}  // namespace rtnl::ip
