// tools/stress/options.hpp — rtnl-stress command line.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtnl/address.hpp"

namespace rtnl::stress {

inline constexpr const char* usage_text =
    "Usage: rtnl-stress --namespaces N [--bridge-ports K] [--queues Q] [--subnet CIDR] [--ipv6]\n"
    "                   [--verify S] [--keep] [--json FILE] [--host] [--chunk C]\n"
    "       rtnl-stress --cleanup\n"
    "\n"
    "Creates N container-style network namespaces (named namespace; veth with its peer\n"
    "eth0 created inside it; an address; lo and eth0 up; host end on a bridge, bridges\n"
    "sharded at K ports), optionally pings S sampled pairs, then tears everything down\n"
    "by group and namespace deletes and checks that nothing is left.\n"
    "\n"
    "  --namespaces N    how many (1 … 1000000)\n"
    "  --bridge-ports K  ports per bridge before a new one is made (1 … 1023, default 256)\n"
    "  --queues Q        tx/rx queues per veth end (default 1: the cheap kernel path)\n"
    "  --subnet CIDR     IPv4 subnet for the namespaces (default 10.0.0.0/8)\n"
    "  --ipv6            also give each namespace an IPv6 address (fd00::/64, no DAD)\n"
    "  --verify S        ping S sampled pairs of namespaces on the same bridge\n"
    "  --keep            do not tear down (in the sandbox: wait for Enter first)\n"
    "  --json FILE       write the results as JSON\n"
    "  --host            work in the host's namespaces and /run/netns instead of a\n"
    "                    private sandbox (names rtnl-stress-N, st-N, stbr-N)\n"
    "  --chunk C         namespaces per pipeline step (default 1024)\n"
    "  --serial          do not overlap namespace creation with link work (to compare)\n"
    "  --cleanup         remove what a --host run killed before its teardown left behind:\n"
    "                    namespaces rtnl-stress-N and links st-N, stbr-N (nothing else)\n";

struct options {
    std::size_t namespaces = 0;
    std::size_t bridge_ports = 256;
    std::uint32_t queues = 1;
    ip_prefix subnet = *ip_prefix::parse("10.0.0.0/8");
    bool ipv6 = false;
    std::size_t verify = 0;
    bool keep = false;
    std::string json;
    bool host = false;
    std::size_t chunk = 1024;
    bool serial = false;  ///< make namespaces only while links wait (no overlap), for comparison
    bool cleanup = false; ///< remove the leftovers of a killed --host run, then exit
};

/// Parses argv; on error returns the message (the caller prints it and exits 2).
inline std::optional<std::string> parse(int argc, char** argv, options& o) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    bool have_n = false;
    auto number = [](std::string_view s, std::size_t lo, std::size_t hi, std::size_t& out) {
        std::size_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < lo || v > hi) return false;
        out = v;
        return true;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        std::string_view value;
        bool has_inline = false;
        if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_inline = true;
        }
        auto take = [&](std::string_view& v) -> bool {
            if (has_inline) {
                v = value;
                return true;
            }
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        std::string_view v;
        if (a == "--help" || a == "-h") return std::string();  // usage, exit 2 as well
        if (a == "--ipv6") o.ipv6 = true;
        else if (a == "--keep") o.keep = true;
        else if (a == "--host") o.host = true;
        else if (a == "--serial") o.serial = true;
        else if (a == "--cleanup") o.cleanup = true;
        else if (a == "--namespaces" || a == "-n") {
            if (!take(v) || !number(v, 1, 1000000, o.namespaces))
                return "--namespaces needs a number from 1 to 1000000";
            have_n = true;
        } else if (a == "--bridge-ports") {
            if (!take(v) || !number(v, 1, 1023, o.bridge_ports))
                return "--bridge-ports needs a number from 1 to 1023 (a bridge holds at most 1023 ports)";
        } else if (a == "--queues") {
            std::size_t q;
            if (!take(v) || !number(v, 1, 256, q)) return "--queues needs a number from 1 to 256";
            o.queues = static_cast<std::uint32_t>(q);
        } else if (a == "--subnet") {
            auto p = take(v) ? ip_prefix::parse(v) : std::nullopt;
            if (!p || !p->address.is_v4() || p->length > 30) return "--subnet needs an IPv4 prefix such as 10.0.0.0/8";
            o.subnet = *p;
        } else if (a == "--verify") {
            if (!take(v) || !number(v, 0, 1000000, o.verify)) return "--verify needs a number";
        } else if (a == "--json") {
            if (!take(v) || v.empty()) return "--json needs a file name";
            o.json = std::string(v);
        } else if (a == "--chunk") {
            if (!take(v) || !number(v, 1, 4096, o.chunk)) return "--chunk needs a number from 1 to 4096";
        } else {
            return "unknown argument '" + std::string(args[i]) + "'";
        }
    }
    if (o.cleanup) return have_n ? std::optional<std::string>("--cleanup takes no other argument") : std::nullopt;
    if (!have_n) return "--namespaces is required";
    const std::uint64_t hosts = (std::uint64_t{1} << (32 - o.subnet.length)) - 2;
    if (o.namespaces > hosts)
        return "--subnet " + o.subnet.to_string() + " has room for " + std::to_string(hosts) + " addresses, not " +
               std::to_string(o.namespaces);
    if (o.verify > o.namespaces) o.verify = o.namespaces;
    return std::nullopt;
}

}  // namespace rtnl::stress
