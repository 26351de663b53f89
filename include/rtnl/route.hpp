// rtnl/route.hpp — routes (RTM_NEWROUTE / DELROUTE / GETROUTE).
//
//     rtnl::route::add(w, {.gateway = rtnl::ip_address::parse("10.0.1.254")});
//
// is `ip route add default via 10.0.1.254`, byte for byte: protocol boot, scope
// universe with a gateway and link without one, table main, and RTA_TABLE only
// for table ids above 255.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "rtnl/address.hpp"
#include "rtnl/error.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// RTA_* schema.
namespace rta {
using wire::attr;
inline constexpr attr<RTA_DST, wire::ip> dst{};
inline constexpr attr<RTA_SRC, wire::ip> src{};
inline constexpr attr<RTA_IIF, std::uint32_t> iif{};
inline constexpr attr<RTA_OIF, std::uint32_t> oif{};
inline constexpr attr<RTA_GATEWAY, wire::ip> gateway{};
inline constexpr attr<RTA_PRIORITY, std::uint32_t> priority{};
inline constexpr attr<RTA_PREFSRC, wire::ip> prefsrc{};
inline constexpr attr<RTA_TABLE, std::uint32_t> table{};
inline constexpr attr<RTA_PREF, std::uint8_t> pref{};
}  // namespace rta

/// A unicast route (`ip route add|del [PREFIX|default] [via GW] [dev IF] [metric N] [table T]`).
struct route_spec {
    std::optional<ip_prefix> dst{};           ///< unset: the default route
    std::optional<ip_address> gateway{};
    int oif = 0;                            ///< output ifindex, 0 for none
    std::optional<std::uint32_t> metric{};
    std::optional<ip_address> prefsrc{};
    std::uint32_t table = RT_TABLE_MAIN;
    std::uint8_t protocol = RTPROT_BOOT;
    std::optional<std::uint8_t> scope{};      ///< default: universe with a gateway, link without
    std::uint8_t type = RTN_UNICAST;

    /// The address family: from the destination, else the gateway; IPv4 if neither.
    int family() const noexcept {
        if (dst) return dst->address.family();
        if (gateway) return gateway->family();
        if (prefsrc) return prefsrc->family();
        return AF_INET;
    }
};

namespace route {
namespace detail {
template <class S>
std::error_code encode(wire::basic_writer<S>& w, bool add, const route_spec& r) {
    const int family = r.family();
    if ((r.gateway && r.gateway->family() != family) || (r.prefsrc && r.prefsrc->family() != family))
        return w.refuse(std::make_error_code(std::errc::invalid_argument));
    if (add && !r.gateway && r.oif <= 0) return w.refuse(std::make_error_code(std::errc::invalid_argument));
    auto msg = w.begin(add ? RTM_NEWROUTE : RTM_DELROUTE,
                       add ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL : NLM_F_REQUEST | NLM_F_ACK);
    rtmsg h{};
    h.rtm_family = static_cast<std::uint8_t>(family);
    h.rtm_dst_len = static_cast<std::uint8_t>(r.dst ? r.dst->length : 0);
    h.rtm_table = r.table < 256 ? static_cast<std::uint8_t>(r.table) : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
    if (add) {
        h.rtm_protocol = r.protocol;
        h.rtm_scope = r.scope ? *r.scope : (r.gateway ? static_cast<std::uint8_t>(RT_SCOPE_UNIVERSE) : static_cast<std::uint8_t>(RT_SCOPE_LINK));
        h.rtm_type = r.type;
    } else {
        // As `ip route del`: match any protocol and type, scope "nowhere" matches any scope.
        h.rtm_protocol = 0;
        h.rtm_scope = r.scope ? *r.scope : static_cast<std::uint8_t>(RT_SCOPE_NOWHERE);
        h.rtm_type = RTN_UNSPEC;
    }
    w.header(h);
    if (r.dst && r.dst->length > 0) w.put(rta::dst, r.dst->network());
    if (r.gateway) w.put(rta::gateway, *r.gateway);
    if (r.metric) w.put(rta::priority, *r.metric);
    if (r.prefsrc) w.put(rta::prefsrc, *r.prefsrc);
    if (r.table >= 256) w.put(rta::table, r.table);
    if (r.oif > 0) w.put(rta::oif, static_cast<std::uint32_t>(r.oif));
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}
}  // namespace detail

template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const route_spec& r) {
    return detail::encode(w, true, r);
}
template <class S>
[[nodiscard]] std::error_code del(wire::basic_writer<S>& w, const route_spec& r) {
    return detail::encode(w, false, r);
}

/// RTM_GETROUTE dump of one table (the kernel filters with strict checking; callers re-check).
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w, int family = AF_UNSPEC, std::uint32_t table = RT_TABLE_MAIN) {
    auto msg = w.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
    rtmsg h{};
    h.rtm_family = static_cast<std::uint8_t>(family);
    h.rtm_table = table < 256 ? static_cast<std::uint8_t>(table) : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
    w.header(h);
    if (table >= 256) w.put(rta::table, table);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}
}  // namespace route

/// Zero-copy view of one RTM_NEWROUTE message.
class route_view {
public:
    route_view() = default;
    explicit route_view(const wire::message_view& m) noexcept {
        if (!m.read_header(hdr_)) return;
        valid_ = true;
        attrs_ = m.attributes<rtmsg>();
        for (wire::attr_view a : attrs_) {
            switch (a.type()) {
                case RTA_DST: dst_ = a; break;
                case RTA_GATEWAY: gateway_ = a; break;
                case RTA_OIF: oif_ = a; break;
                case RTA_PRIORITY: priority_ = a; break;
                case RTA_PREFSRC: prefsrc_ = a; break;
                case RTA_TABLE: table_ = a; break;
                default: break;
            }
        }
        malformed_ = attrs_.malformed();
    }

    bool valid() const noexcept { return valid_; }
    bool malformed() const noexcept { return malformed_; }
    int family() const noexcept { return hdr_.rtm_family; }
    unsigned dst_length() const noexcept { return hdr_.rtm_dst_len; }
    /// RTA_TABLE when present (full 32 bits), else the header's 8.
    std::uint32_t table() const noexcept { return table_.get(rta::table).value_or(hdr_.rtm_table); }
    std::uint8_t protocol() const noexcept { return hdr_.rtm_protocol; }
    std::uint8_t scope() const noexcept { return hdr_.rtm_scope; }
    std::uint8_t type() const noexcept { return hdr_.rtm_type; }
    unsigned flags() const noexcept { return hdr_.rtm_flags; }
    bool is_default() const noexcept { return hdr_.rtm_dst_len == 0; }
    std::optional<ip_address> dst() const noexcept { return dst_.get(rta::dst); }
    std::optional<ip_address> gateway() const noexcept { return gateway_.get(rta::gateway); }
    std::optional<int> oif() const noexcept {
        auto v = oif_.get(rta::oif);
        return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
    }
    std::optional<std::uint32_t> priority() const noexcept { return priority_.get(rta::priority); }
    std::optional<ip_address> prefsrc() const noexcept { return prefsrc_.get(rta::prefsrc); }
    wire::attr_range attributes() const noexcept { return attrs_; }

private:
    rtmsg hdr_{};
    wire::attr_range attrs_;
    wire::attr_view dst_, gateway_, oif_, priority_, prefsrc_, table_;
    bool valid_ = false;
    bool malformed_ = false;
};

/// Owning copy of a route.
struct route_info {
    int family = 0;
    std::optional<ip_prefix> dst{};  ///< unset for the default route
    std::optional<ip_address> gateway{};
    int oif = 0;
    std::optional<std::uint32_t> metric{};
    std::optional<ip_address> prefsrc{};
    std::uint32_t table = 0;
    std::uint8_t protocol = 0;
    std::uint8_t scope = 0;
    std::uint8_t type = 0;

    static route_info from(const route_view& v) {
        route_info i;
        i.family = v.family();
        if (auto d = v.dst()) i.dst = ip_prefix{*d, v.dst_length()};
        i.gateway = v.gateway();
        i.oif = v.oif().value_or(0);
        i.metric = v.priority();
        i.prefsrc = v.prefsrc();
        i.table = v.table();
        i.protocol = v.protocol();
        i.scope = v.scope();
        i.type = v.type();
        return i;
    }
};

}  // namespace rtnl
