// rtnl-ip — iproute2's `ip` for namespaces, links, addresses and routes, on the
// rtnl library (no libnl, no libmnl, no iproute2).
//
// Same words, same output (text and -j), same messages and exit statuses as
// iproute2 6.1 for what it supports (see README "Tools"). -batch keeps
// iproute2's semantics and adds speed: with -force, changes from many lines go
// out many per sendmsg; device names need no round trip per line.
#if RTNL_IP_MONITOR
// first: Boost.Asio brings <net/if.h>, which must come before <linux/if.h>
#include "rtnl/asio/events.hpp"
#endif
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/common/args.hpp"
#include "tools/common/batch_driver.hpp"
#include "tools/ip/address_command.hpp"
#include "tools/ip/address_list.hpp"
#include "tools/ip/link_command.hpp"
#include "tools/ip/neigh_command.hpp"
#if RTNL_IP_MONITOR
#include "tools/ip/monitor_command.hpp"
#endif
#include "tools/ip/netns_command.hpp"
#include "tools/ip/route_command.hpp"
#include "tools/ip/route_get.hpp"
#include "tools/ip/route_list.hpp"
#include "tools/ip/rule_command.hpp"
#include "tools/ip/usage.hpp"
#include "tools/common/session.hpp"

namespace {

using namespace rtnl::ip;
using rtnl::tools::arg_list;
using rtnl::tools::exit_now;
using rtnl::tools::fail_usage;
using rtnl::tools::matches;

[[noreturn]] void usage() { fail_usage(usage_text::main); }

int link_command(session& s, arg_list args) {
    if (args.empty()) return list_or_flush(s, args, true, false);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return link_detail::modify(s, args, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(cmd, "set") || matches(cmd, "change")) return link_detail::modify(s, args, RTM_NEWLINK, 0);
    if (matches(cmd, "replace")) return link_detail::modify(s, args, RTM_NEWLINK, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(cmd, "delete")) return link_detail::modify(s, args, RTM_DELLINK, 0);
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return list_or_flush(s, args, true, false);
    if (matches(cmd, "xstats") || matches(cmd, "afstats") || matches(cmd, "property"))
        refuse("rtnl-ip: \"link " + cmd + "\" is not supported; use ip(8) for it\n");
    if (matches(cmd, "help")) {
        // iproute2's do_help: the kind's own usage on stdout
        const char* text = args.peek() == "veth" ? "Usage: ip link <options> type veth [peer <options>]\n"
                                                   "To get <options> type 'ip link add help'\n"
                         : args.peek() == "bridge"       ? kind_usage::bridge
                         : args.peek() == "bridge_slave" ? kind_usage::bridge_slave
                         : args.peek() == "vxlan"        ? kind_usage::vxlan
                         : args.peek() == "vlan"         ? kind_usage::vlan
                         : args.peek() == "dummy"        ? "Usage: ... dummy\n"
                         : args.peek() == "ifb"          ? "Usage: ... ifb\n"
                         : args.peek() == "nlmon"        ? "Usage: ... nlmon\n"
                                                         : nullptr;
        const std::string kind(args.peek());
        const std::string generated = kind == "macvlan" || kind == "macvtap" ? kind_usage::macvlan(kind)
                                    : kind == "ipvlan" || kind == "ipvtap"   ? kind_usage::ipvlan(kind)
                                                                             : std::string();
        if (!generated.empty()) text = generated.c_str();
        if (text) {
            s.sync();
            std::fputs(text, stdout);
            return 0;
        }
        link_detail::usage();
    }
    fail_usage("Command \"" + cmd + "\" is unknown, try \"ip link help\".\n");
}

int address_command(session& s, arg_list args) {
    if (args.empty()) return list_or_flush(s, args, false, false);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return address_modify(s, args, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(cmd, "change") || cmd == "chg") return address_modify(s, args, RTM_NEWADDR, NLM_F_REPLACE);
    if (matches(cmd, "replace")) return address_modify(s, args, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(cmd, "delete")) return address_modify(s, args, RTM_DELADDR, 0);
    if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) return list_or_flush(s, args, false, false);
    if (matches(cmd, "flush")) return list_or_flush(s, args, false, true);
    if (matches(cmd, "save") || matches(cmd, "showdump") || matches(cmd, "restore"))
        refuse("rtnl-ip: \"address " + cmd + "\" is not supported; use ip(8) for it\n");
    if (matches(cmd, "help")) addr_detail::usage();
    fail_usage("Command \"" + cmd + "\" is unknown, try \"ip address help\".\n");
}

int route_command(session& s, arg_list args) {
    if (args.empty()) return route_list(s, args);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "add")) return route_modify(s, args, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(cmd, "change") || cmd == "chg") return route_modify(s, args, RTM_NEWROUTE, NLM_F_REPLACE);
    if (matches(cmd, "replace")) return route_modify(s, args, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(cmd, "prepend")) return route_modify(s, args, RTM_NEWROUTE, NLM_F_CREATE);
    if (matches(cmd, "append")) return route_modify(s, args, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND);
    if (matches(cmd, "test")) return route_modify(s, args, RTM_NEWROUTE, NLM_F_EXCL);
    if (matches(cmd, "delete")) return route_modify(s, args, RTM_DELROUTE, 0);
    if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst")) return route_list(s, args);
    if (matches(cmd, "get")) return route_get(s, args);
    if (matches(cmd, "flush")) return route_list(s, args, true);
    if (matches(cmd, "save") || matches(cmd, "restore") || matches(cmd, "showdump"))
        refuse("rtnl-ip: \"route " + cmd + "\" is not supported; use ip(8) for it\n");
    if (matches(cmd, "help")) route_detail::usage();
    fail_usage("Command \"" + cmd + "\" is unknown, try \"ip route help\".\n");
}

int monitor_entry(session& s, arg_list args) {
#if RTNL_IP_MONITOR
    return monitor_command(s, args);
#else
    (void)s;
    (void)args;
    refuse("rtnl-ip: \"monitor\" needs rtnl::asio (Boost), which this build lacks; use ip(8) for it\n");
#endif
}

/// iproute2's do_cmd: the object word, by prefix, in iproute2's table order (so
/// "n" is neighbour, as in ip, and "netns" must be typed as "netn…").
int dispatch(session& s, const std::vector<std::string>& words) {
    arg_list args(words);
    const std::string object = args.current();
    args.advance();
    using handler = int (*)(session&, arg_list);
    struct object_entry {
        const char* name;
        handler run;  ///< nullptr: an iproute2 object rtnl-ip does not implement
    };
    static const object_entry table[] = {
        {"address", address_command}, {"addrlabel", nullptr}, {"maddress", nullptr}, {"route", route_command},
        {"rule", rule_command}, {"neighbor", neigh_command}, {"neighbour", neigh_command}, {"ntable", nullptr}, {"ntbl", nullptr},
        {"link", link_command}, {"l2tp", nullptr}, {"fou", nullptr}, {"ila", nullptr}, {"macsec", nullptr},
        {"tunnel", nullptr}, {"tunl", nullptr}, {"tuntap", nullptr}, {"tap", nullptr}, {"token", nullptr},
        {"tcpmetrics", nullptr}, {"tcp_metrics", nullptr}, {"monitor", monitor_entry}, {"xfrm", nullptr},
        {"mroute", nullptr}, {"mrule", nullptr}, {"netns", netns_command}, {"netconf", nullptr}, {"vrf", nullptr},
        {"sr", nullptr}, {"nexthop", nullptr}, {"mptcp", nullptr}, {"ioam", nullptr}, {"help", nullptr},
        {"stats", nullptr}};
    for (const auto& e : table) {
        if (!matches(object, e.name)) continue;
        if (e.run) return e.run(s, args);
        if (std::strcmp(e.name, "help") == 0) usage();
        refuse("rtnl-ip: object \"" + std::string(e.name) + "\" is not supported; use ip(8) for it\n");
    }
    s.complain("Object \"" + object + "\" is unknown, try \"ip help\".\n");
    return 1;
}

/// Global options; returns the index of the first non-option word.
int parse_options(session& s, int argc, char** argv, std::string& netns) {
    int i = 1;
    auto value = [&]() -> std::string {
        if (i + 1 >= argc) usage();
        return argv[++i];
    };
    for (; i < argc; ++i) {
        std::string opt = argv[i];
        if (opt == "--") {
            ++i;
            break;
        }
        if (opt.empty() || opt[0] != '-') break;
        if (opt.size() > 1 && opt[1] == '-') opt.erase(0, 1);
        if (matches(opt, "-loops")) {
            value();
        } else if (matches(opt, "-family")) {
            const std::string f = value();
            if (f == "help") usage();
            s.opt.family = f == "inet" ? AF_INET : f == "inet6" ? AF_INET6 : f == "link" ? AF_PACKET
                         : f == "bridge" ? AF_BRIDGE : f == "mpls" ? AF_MPLS : AF_UNSPEC;
            if (s.opt.family == AF_UNSPEC) rtnl::tools::invalid_argument("invalid protocol family", f);
        } else if (opt == "-4") {
            s.opt.family = AF_INET;
        } else if (opt == "-6") {
            s.opt.family = AF_INET6;
        } else if (opt == "-0") {
            s.opt.family = AF_PACKET;
        } else if (opt == "-M") {
            s.opt.family = AF_MPLS;
        } else if (opt == "-B") {
            s.opt.family = AF_BRIDGE;
        } else if (matches(opt, "-human") || matches(opt, "-human-readable") || matches(opt, "-iec")) {
        } else if (matches(opt, "-stats") || matches(opt, "-statistics")) {
            ++s.opt.stats;
        } else if (matches(opt, "-details")) {
            ++s.opt.details;
        } else if (matches(opt, "-resolve")) {
            refuse("rtnl-ip: -resolve is not supported\n");
        } else if (matches(opt, "-oneline")) {
            s.opt.oneline = true;
        } else if (matches(opt, "-timestamp")) {
            s.opt.timestamp = true;
        } else if (matches(opt, "-tshort")) {
            s.opt.timestamp = s.opt.timestamp_short = true;
        } else if (matches(opt, "-Version")) {
            std::printf("ip utility, iproute2-6.1.0 compatible (rtnl-ip)\n");
            throw exit_now{0, {}};
        } else if (matches(opt, "-force")) {
            s.opt.force = true;
        } else if (matches(opt, "-batch")) {
            s.opt.batch = value();
            s.opt.batch_given = true;
        } else if (matches(opt, "-brief")) {
            s.opt.brief = true;
        } else if (matches(opt, "-json")) {
            s.opt.json = true;
        } else if (matches(opt, "-pretty")) {
            s.opt.pretty = true;
        } else if (matches(opt, "-rcvbuf")) {
            value();
        } else if (matches(opt.substr(0, opt.find('=')), "-color")) {
        } else if (matches(opt, "-help")) {
            usage();
        } else if (matches(opt, "-netns")) {
            if (i + 1 >= argc) rtnl::tools::incomplete_command();
            netns = argv[++i];
        } else if (matches(opt, "-Numeric")) {
        } else if (matches(opt, "-all")) {
            s.opt.all = true;
        } else {
            fail_usage("Option \"" + std::string(argv[i]) + "\" is unknown, try \"ip -help\".\n");
        }
    }
    return i;
}

}  // namespace

int main(int argc, char** argv) {
    session s;
    int status = 0;  // the queued command's result (outlives the try block: the catch still syncs)
    try {
        std::string netns;
        const int first = parse_options(s, argc, argv, netns);
        if (!netns.empty()) {
            // iproute2's netns_switch: this process moves (network, and a private mount namespace)
            if (auto f = s.registry.switch_for_exec(netns)) fail_usage(f.what + "\n");
        }
        s.out.configure(s.opt.json, s.opt.pretty, s.opt.oneline);
        s.open(s.opt.batch_given);
        if (s.opt.batch_given) return rtnl::tools::run_batch(s, dispatch);
        if (first >= argc) usage();
        std::vector<std::string> words(argv + first, argv + argc);
        s.pipe.on_result([&](int, int rc) { status = rc; });
        const int rc = dispatch(s, words);
        if (rc != queued) return rc;
        s.sync();
        return status;
    } catch (const exit_now& e) {
        s.sync();
        std::fflush(stdout);
        std::fputs(e.message.c_str(), stderr);
        return e.status;
    } catch (const rtnl::error& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", e.what());
        return e.code() == std::errc::no_such_device ? 1 : 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "rtnl-ip: %s\n", e.what());
        return 1;
    }
}
