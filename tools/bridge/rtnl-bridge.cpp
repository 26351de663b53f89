// rtnl-bridge — iproute2's `bridge link|vlan|fdb|mdb` on the rtnl library: the same
// text and -j output, messages and exit statuses as bridge(8) 6.1.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/bridge/fdb.hpp"
#include "tools/bridge/link_set.hpp"
#include "tools/bridge/link_show.hpp"
#include "tools/bridge/mdb.hpp"
#include "tools/bridge/vlan.hpp"
#include "tools/common/args.hpp"
#include "tools/common/batch_driver.hpp"
#include "tools/common/session.hpp"

namespace {

using namespace rtnl::tools;

[[noreturn]] void usage() {
    fail_usage(
        "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n"
        "       bridge [ -force ] -batch filename\n"
        "where  OBJECT := { link | fdb | mdb | vlan | monitor }\n"
        "       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n"
        "                    -o[neline] | -t[imestamp] | -n[etns] name |\n"
        "                    -c[ompressvlans] -color -p[retty] -j[son] }\n");
}

[[noreturn]] void link_usage() { fail_usage(rtnl::bridge_tool::link_usage_text); }

int link_command(session& s, arg_list args) {
    if (args.empty()) return rtnl::bridge_tool::link_show(s, args);
    const std::string cmd = args.current();
    args.advance();
    if (matches(cmd, "set") || matches(cmd, "change")) return rtnl::bridge_tool::link_set(s, args);
    if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list")) return rtnl::bridge_tool::link_show(s, args);
    if (matches(cmd, "help")) link_usage();
    fail_usage("Command \"" + cmd + "\" is unknown, try \"bridge link help\".\n");
}

/// bridge's do_cmd: the object's status is the exit status (a -1 becomes 255).
int dispatch(session& s, const std::vector<std::string>& words) {
    arg_list args(words);
    const std::string object = args.current();
    args.advance();
    static const char* objects[] = {"link", "fdb", "mdb", "vlan", "vni", "monitor", "help"};
    for (const char* o : objects) {
        if (!matches(object, o)) continue;
        if (std::string(o) == "link") return link_command(s, args);
        if (std::string(o) == "vlan") return rtnl::bridge_tool::vlan_command(s, args);
        if (std::string(o) == "fdb") return rtnl::bridge_tool::fdb_command(s, args);
        if (std::string(o) == "mdb") return rtnl::bridge_tool::mdb_command(s, args);
        if (std::string(o) == "help") usage();
        refuse("rtnl-bridge: object \"" + std::string(o) + "\" is not supported; use bridge(8) for it\n");
    }
    s.complain("Object \"" + object + "\" is unknown, try \"bridge help\".\n");
    return 255;
}

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
        if (matches(opt, "-help")) {
            usage();
        } else if (matches(opt, "-Version")) {
            std::printf("bridge utility, 6.1.0 compatible (rtnl-bridge)\n");
            throw exit_now{0, {}};
        } else if (matches(opt, "-stats") || matches(opt, "-statistics")) {
            ++s.opt.stats;
        } else if (matches(opt, "-details")) {
            ++s.opt.details;
        } else if (matches(opt, "-oneline")) {
            s.opt.oneline = true;
        } else if (matches(opt, "-timestamp")) {
        } else if (matches(opt, "-family")) {
            const std::string f = value();
            if (f == "inet") s.opt.family = AF_INET;
            else if (f == "inet6") s.opt.family = AF_INET6;
            else if (f == "help") usage();
            else invalid_argument("invalid protocol family", f);
        } else if (opt == "-4") {
            s.opt.family = AF_INET;
        } else if (opt == "-6") {
            s.opt.family = AF_INET6;
        } else if (matches(opt, "-netns")) {
            if (i + 1 >= argc) incomplete_command();
            netns = argv[++i];
        } else if (matches(opt.substr(0, opt.find('=')), "-color")) {
        } else if (matches(opt, "-compressvlans")) {
            s.opt.compress_vlans = true;
        } else if (matches(opt, "-force")) {
            s.opt.force = true;
        } else if (matches(opt, "-json")) {
            s.opt.json = true;
        } else if (matches(opt, "-pretty")) {
            s.opt.pretty = true;
        } else if (matches(opt, "-batch")) {
            s.opt.batch = value();
            s.opt.batch_given = true;
        } else {
            fail_usage("Option \"" + opt + "\" is unknown, try \"bridge help\".\n");
        }
    }
    return i;
}

}  // namespace

int main(int argc, char** argv) {
    session s;
    try {
        std::string netns;
        const int first = parse_options(s, argc, argv, netns);
        if (!netns.empty())
            if (auto f = s.registry.switch_for_exec(netns)) fail_usage(f.what + "\n");
        s.out.configure(s.opt.json, s.opt.pretty, s.opt.oneline);
        s.open(s.opt.batch_given);  // -batch: a receive buffer that holds a whole window of ACKs, as rtnl-ip
        if (s.opt.batch_given) return run_batch(s, dispatch);
        if (first >= argc) usage();
        std::vector<std::string> words(argv + first, argv + argc);
        int status = 0;
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
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "rtnl-bridge: %s\n", e.what());
        return 1;
    }
}
