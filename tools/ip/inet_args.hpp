// tools/ip/inet_args.hpp — IP addresses and prefixes on the command line, read
// as iproute2's get_addr / get_prefix read them (lib/utils.c), with the same
// messages. iproute2 exits with status 1 (not 255) on a malformed address.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

#include "rtnl/address.hpp"
#include "tools/common/args.hpp"

namespace rtnl::ip {

/// iproute2's inet_prefix, the parts we use.
struct inet_arg {
    int family = AF_UNSPEC;
    ip_address address{};       ///< empty for "default"
    unsigned bitlen = 0;
    bool length_given = false;  ///< PREFIXLEN_SPECIFIED
    bool is_default = false;

    unsigned bytelen() const noexcept { return static_cast<unsigned>(address.size()); }
};

/// iproute2's family_name: "inet", "inet6", … ("???" for others).
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

/// The family in get_prefix/get_addr errors: "any valid" when none was asked for.
inline const char* family_word(int family) { return family == AF_UNSPEC ? "any valid" : family_name(family); }

/// get_prefix_1: "default"/"any"/"all", ADDR or ADDR/LEN, of `family` if given.
inline std::optional<inet_arg> parse_inet(std::string_view text, int family, bool prefix) {
    inet_arg out;
    if (prefix && (text == "default" || text == "any" || text == "all")) {
        if (family == AF_MPLS) return std::nullopt;
        out.family = family;
        out.is_default = true;
        out.length_given = true;
        return out;
    }
    std::string_view addr = text;
    std::optional<unsigned> len;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        if (!prefix) return std::nullopt;
        addr = text.substr(0, slash);
        auto n = tools::parse_number<unsigned>(text.substr(slash + 1));
        if (!n) return std::nullopt;
        len = *n;
    }
    auto a = ip_address::parse(addr);
    if (!a) return std::nullopt;
    if (family != AF_UNSPEC && a->family() != family) return std::nullopt;
    out.family = a->family();
    out.address = *a;
    out.bitlen = a->bits();
    if (len) {
        if (*len > a->bits()) return std::nullopt;
        out.bitlen = *len;
        out.length_given = true;
    }
    return out;
}

/// get_prefix: exits 1 with iproute2's message on bad input.
inline inet_arg get_prefix(const std::string& text, int family) {
    if (family == AF_PACKET)
        throw tools::exit_now{1, "Error: \"" + text + "\" may be inet prefix, but it is not allowed in this context.\n"};
    auto p = parse_inet(text, family, true);
    if (!p) throw tools::exit_now{1, std::string("Error: ") + family_word(family) + " prefix is expected rather than \"" + text + "\".\n"};
    return *p;
}

/// get_addr: exits 1 with iproute2's message on bad input.
inline inet_arg get_addr(const std::string& text, int family) {
    auto p = parse_inet(text, family, false);
    if (family == AF_PACKET || !p)
        throw tools::exit_now{1, std::string("Error: ") + family_word(family) + " address is expected rather than \"" + text + "\".\n"};
    return *p;
}

}  // namespace rtnl::ip
