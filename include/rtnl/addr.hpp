// rtnl/addr.hpp — IPv4/IPv6 interface addresses (RTM_NEWADDR / DELADDR / GETADDR).
//
//     rtnl::addr::add(w, {.index = 3, .prefix = *rtnl::ip_prefix::parse("10.0.1.1/24")});
//
// emits the bytes of `ip addr add 10.0.1.1/24 dev IF`: IFA_LOCAL then IFA_ADDRESS
// (equal unless a peer is given), scope "host" for 127/8 as iproute2 picks it.
#pragma once

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "rtnl/address.hpp"
#include "rtnl/error.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// IFA_* schema.
namespace ifa {
using wire::attr;
inline constexpr attr<IFA_ADDRESS, wire::ip> address{};
inline constexpr attr<IFA_LOCAL, wire::ip> local{};
inline constexpr attr<IFA_LABEL, wire::cstring> label{};
inline constexpr attr<IFA_BROADCAST, wire::ip> broadcast{};
inline constexpr attr<IFA_ANYCAST, wire::ip> anycast{};
inline constexpr attr<IFA_CACHEINFO, ifa_cacheinfo> cacheinfo{};
inline constexpr attr<IFA_FLAGS, std::uint32_t> flags{};
inline constexpr attr<IFA_TARGET_NETNSID, std::int32_t> target_netnsid{};
}  // namespace ifa

/// One address on one link (`ip addr add PREFIX [peer P] [broadcast B] [scope S] [label L] dev IF`).
struct address_spec {
    int index = 0;                           ///< ifindex of the link
    ip_prefix prefix{};                        ///< address and prefix length
    std::optional<ip_address> peer{};          ///< point-to-point peer (IFA_ADDRESS)
    std::optional<ip_address> broadcast{};     ///< IPv4 broadcast
    std::optional<std::uint8_t> scope{};       ///< default: host for 127/8, else global
    std::string_view label{};
    std::uint32_t flags = 0;                 ///< IFA_F_* (nodad, noprefixroute …)
};

namespace addr {
namespace detail {
inline std::uint8_t default_scope(const ip_address& a) noexcept {
    return (a.is_v4() && a.data()[0] == 127) ? static_cast<std::uint8_t>(RT_SCOPE_HOST) : static_cast<std::uint8_t>(RT_SCOPE_UNIVERSE);
}

template <class S>
std::error_code encode(wire::basic_writer<S>& w, std::uint16_t type, std::uint16_t flags, const address_spec& a) {
    if (a.prefix.address.empty() || a.index <= 0) return w.refuse(std::make_error_code(std::errc::invalid_argument));
    if ((a.peer && a.peer->family() != a.prefix.address.family()) ||
        (a.broadcast && a.broadcast->family() != a.prefix.address.family()))
        return w.refuse(std::make_error_code(std::errc::invalid_argument));
    auto msg = w.begin(type, flags);
    ifaddrmsg h{};
    h.ifa_family = static_cast<std::uint8_t>(a.prefix.address.family());
    h.ifa_prefixlen = static_cast<std::uint8_t>(a.prefix.length);
    h.ifa_flags = static_cast<std::uint8_t>(a.flags & 0xff);
    h.ifa_scope = a.scope ? *a.scope : (type == RTM_NEWADDR ? default_scope(a.prefix.address) : static_cast<std::uint8_t>(RT_SCOPE_UNIVERSE));
    h.ifa_index = static_cast<std::uint32_t>(a.index);
    w.header(h);
    w.put(ifa::local, a.prefix.address);
    w.put(ifa::address, a.peer ? *a.peer : a.prefix.address);
    if (a.broadcast) w.put(ifa::broadcast, *a.broadcast);
    if (!a.label.empty()) w.put(ifa::label, a.label);
    if (a.flags > 0xff) w.put(ifa::flags, a.flags);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}
}  // namespace detail

/// RTM_NEWADDR (create, fail if present).
template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const address_spec& a) {
    return detail::encode(w, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, a);
}

/// RTM_DELADDR.
template <class S>
[[nodiscard]] std::error_code del(wire::basic_writer<S>& w, const address_spec& a) {
    return detail::encode(w, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, a);
}

/// RTM_GETADDR dump; `index` > 0 asks the kernel to filter by link (strict checking).
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w, int family = AF_UNSPEC, int index = 0) {
    auto msg = w.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    ifaddrmsg h{};
    h.ifa_family = static_cast<std::uint8_t>(family);
    h.ifa_index = static_cast<std::uint32_t>(index > 0 ? index : 0);
    w.header(h);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}
}  // namespace addr

/// iproute2's scope names.
inline std::string scope_name(std::uint8_t scope) {
    switch (scope) {
        case RT_SCOPE_UNIVERSE: return "global";
        case RT_SCOPE_SITE: return "site";
        case RT_SCOPE_LINK: return "link";
        case RT_SCOPE_HOST: return "host";
        case RT_SCOPE_NOWHERE: return "nowhere";
        default: return std::to_string(scope);
    }
}

/// Zero-copy view of one RTM_NEWADDR message.
class address_view {
public:
    address_view() = default;
    explicit address_view(const wire::message_view& m) noexcept {
        if (!m.read_header(hdr_)) return;
        valid_ = true;
        attrs_ = m.attributes<ifaddrmsg>();
        for (wire::attr_view a : attrs_) {
            switch (a.type()) {
                case IFA_ADDRESS: address_ = a; break;
                case IFA_LOCAL: local_ = a; break;
                case IFA_LABEL: label_ = a; break;
                case IFA_BROADCAST: broadcast_ = a; break;
                case IFA_CACHEINFO: cacheinfo_ = a; break;
                case IFA_FLAGS: flags_ = a; break;
                default: break;
            }
        }
        malformed_ = attrs_.malformed();
    }

    bool valid() const noexcept { return valid_; }
    bool malformed() const noexcept { return malformed_; }
    int family() const noexcept { return hdr_.ifa_family; }
    unsigned prefix_length() const noexcept { return hdr_.ifa_prefixlen; }
    std::uint8_t scope() const noexcept { return hdr_.ifa_scope; }
    int index() const noexcept { return static_cast<int>(hdr_.ifa_index); }
    /// IFA_FLAGS when present (it carries the full 32 bits), else the header's 8.
    std::uint32_t flags() const noexcept { return flags_.get(ifa::flags).value_or(hdr_.ifa_flags); }
    std::optional<ip_address> local() const noexcept { return local_.get(ifa::local); }
    std::optional<ip_address> address() const noexcept { return address_.get(ifa::address); }
    std::optional<ip_address> broadcast() const noexcept { return broadcast_.get(ifa::broadcast); }
    std::optional<std::string_view> label() const noexcept { return label_.get(ifa::label); }
    std::optional<ifa_cacheinfo> cacheinfo() const noexcept { return cacheinfo_.get(ifa::cacheinfo); }
    /// The interface's own address: IFA_LOCAL if present (IPv4), else IFA_ADDRESS (IPv6).
    std::optional<ip_address> primary() const noexcept {
        if (auto l = local()) return l;
        return address();
    }
    std::optional<ip_prefix> prefix() const noexcept {
        auto p = primary();
        if (!p) return std::nullopt;
        return ip_prefix{*p, prefix_length()};
    }
    wire::attr_range attributes() const noexcept { return attrs_; }

private:
    ifaddrmsg hdr_{};
    wire::attr_range attrs_;
    wire::attr_view address_, local_, label_, broadcast_, cacheinfo_, flags_;
    bool valid_ = false;
    bool malformed_ = false;
};

/// Owning copy of an address.
struct address_info {
    int index = 0;
    int family = 0;
    ip_prefix prefix{};
    std::optional<ip_address> peer{};
    std::optional<ip_address> broadcast{};
    std::uint8_t scope = 0;
    std::uint32_t flags = 0;
    std::string label;

    static address_info from(const address_view& v) {
        address_info i;
        i.index = v.index();
        i.family = v.family();
        if (auto p = v.prefix()) i.prefix = *p;
        auto local = v.local();
        auto addr = v.address();
        if (local && addr && !(*local == *addr)) i.peer = addr;
        i.broadcast = v.broadcast();
        i.scope = v.scope();
        i.flags = v.flags();
        i.label = std::string(v.label().value_or(std::string_view{}));
        return i;
    }
    /// The spec that deletes this address (`ip addr del`).
    address_spec to_spec() const {
        address_spec s;
        s.index = index;
        s.prefix = prefix;
        s.peer = peer;
        return s;
    }
};

}  // namespace rtnl
