// rtnl/neigh.hpp — neighbour entries (RTM_NEWNEIGH / DELNEIGH / GETNEIGH): the
// ARP/NDP cache (`ip neigh`) and, with family AF_BRIDGE, the bridge forwarding
// database (`bridge fdb`).
//
//     rtnl::neigh::add(w, {.index = 3, .dst = *rtnl::ip_address::parse("10.0.1.2"),
//                          .lladdr = *rtnl::mac_address::parse("02:00:00:00:00:02")});
//
// emits the bytes of `ip neigh add 10.0.1.2 lladdr 02:00:00:00:00:02 dev IF`:
// state permanent unless told, NDA_PROTOCOL, NDA_DST, NDA_FLAGS_EXT, NDA_LLADDR
// in iproute2's order. fdb::add emits `bridge fdb add` (NDA_LLADDR first, then
// NDA_DST, NDA_VLAN, NDA_NH_ID, NDA_PORT, NDA_VNI, NDA_SRC_VNI, NDA_IFINDEX, as
// bridge(8)).
#pragma once

#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "rtnl/address.hpp"
#include "rtnl/error.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

#ifndef NTF_EXT_MANAGED
#define NTF_EXT_MANAGED (1 << 0)
#endif

namespace rtnl {

/// NDA_* schema.
namespace nda {
using wire::attr;
inline constexpr attr<NDA_DST, wire::ip> dst{};
inline constexpr attr<NDA_LLADDR, wire::bytes> lladdr{};
inline constexpr attr<NDA_CACHEINFO, nda_cacheinfo> cacheinfo{};
inline constexpr attr<NDA_PROBES, std::uint32_t> probes{};
inline constexpr attr<NDA_VLAN, std::uint16_t> vlan{};
inline constexpr attr<NDA_PORT, wire::big_endian<std::uint16_t>> port{};
inline constexpr attr<NDA_VNI, std::uint32_t> vni{};
inline constexpr attr<NDA_IFINDEX, std::uint32_t> ifindex{};
inline constexpr attr<NDA_MASTER, std::uint32_t> master{};
inline constexpr attr<NDA_SRC_VNI, std::uint32_t> src_vni{};
inline constexpr attr<NDA_PROTOCOL, std::uint8_t> protocol{};
inline constexpr attr<NDA_NH_ID, std::uint32_t> nh_id{};
inline constexpr attr<NDA_FLAGS_EXT, std::uint32_t> flags_ext{};
}  // namespace nda

/// One neighbour entry (`ip neigh add|change|replace|del ADDR [lladdr L] [nud S] dev IF`).
struct neighbour_spec {
    int index = 0;                                  ///< ifindex (0 only for proxy entries without dev)
    ip_address dst{};                               ///< the neighbour's address (its family is the entry's)
    std::optional<std::vector<std::uint8_t>> lladdr{};  ///< link-layer address (any length, as ip takes it)
    std::uint16_t state = NUD_PERMANENT;            ///< NUD_*
    std::uint8_t flags = 0;                         ///< NTF_* (router, proxy, use, extern_learn)
    std::uint32_t ext_flags = 0;                    ///< NTF_EXT_* (managed)
    std::optional<std::uint8_t> protocol{};         ///< NDA_PROTOCOL
};

namespace neigh {
namespace detail {
template <class S>
std::error_code encode(wire::basic_writer<S>& w, std::uint16_t type, std::uint16_t flags, const neighbour_spec& n) {
    if (n.dst.empty()) return std::make_error_code(std::errc::invalid_argument);
    auto msg = w.begin(type, flags);
    ndmsg h{};
    h.ndm_family = static_cast<std::uint8_t>(n.dst.family());
    h.ndm_ifindex = n.index;
    h.ndm_state = n.state;
    h.ndm_flags = n.flags;
    w.header(h);
    if (n.protocol) w.put(nda::protocol, *n.protocol);
    w.put(nda::dst, n.dst);
    if (n.ext_flags) w.put(nda::flags_ext, n.ext_flags);
    if (n.lladdr) w.put(nda::lladdr, std::as_bytes(std::span(*n.lladdr)));
    msg.close();
    return w.ok() ? std::error_code{} : make_error_code(errc::message_too_large);
}
}  // namespace detail

/// RTM_NEWNEIGH, create, fail if present (`ip neigh add`).
template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const neighbour_spec& n) {
    return detail::encode(w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, n);
}
/// RTM_NEWNEIGH, create or replace (`ip neigh replace`).
template <class S>
[[nodiscard]] std::error_code replace(wire::basic_writer<S>& w, const neighbour_spec& n) {
    return detail::encode(w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, n);
}
/// RTM_NEWNEIGH, replace an existing entry (`ip neigh change`).
template <class S>
[[nodiscard]] std::error_code change(wire::basic_writer<S>& w, const neighbour_spec& n) {
    return detail::encode(w, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE, n);
}
/// RTM_DELNEIGH (`ip neigh del`; the state field is ignored by the kernel).
template <class S>
[[nodiscard]] std::error_code del(wire::basic_writer<S>& w, const neighbour_spec& n) {
    return detail::encode(w, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, n);
}
/// RTM_GETNEIGH for one entry (`ip neigh get ADDR dev IF`): answered with one RTM_NEWNEIGH.
template <class S>
[[nodiscard]] std::error_code get(wire::basic_writer<S>& w, int index, const ip_address& dst, std::uint8_t flags = 0) {
    if (dst.empty()) return std::make_error_code(std::errc::invalid_argument);
    auto msg = w.begin(RTM_GETNEIGH, NLM_F_REQUEST);
    ndmsg h{};
    h.ndm_family = static_cast<std::uint8_t>(dst.family());
    h.ndm_ifindex = index;
    h.ndm_flags = flags;
    w.header(h);
    w.put(nda::dst, dst);
    msg.close();
    return w.ok() ? std::error_code{} : make_error_code(errc::message_too_large);
}

/// What a neighbour dump asks the kernel to filter on (strict checking).
struct dump_filter {
    int family = AF_UNSPEC;  ///< AF_INET, AF_INET6, AF_BRIDGE (the fdb) or AF_UNSPEC
    int index = 0;           ///< NDA_IFINDEX when > 0
    int master = 0;          ///< NDA_MASTER when != 0 (bridge fdb: the bridge)
    std::uint8_t flags = 0;  ///< NTF_PROXY: the proxy entries instead
    /// Name the link in ndm_ifindex rather than NDA_IFINDEX (what bridge(8)
    /// sends for fdb dumps; the kernel accepts both).
    bool index_in_header = false;
};

/// RTM_GETNEIGH dump.
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w, const dump_filter& f = {}) {
    auto msg = w.begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP);
    ndmsg h{};
    h.ndm_family = static_cast<std::uint8_t>(f.family);
    h.ndm_flags = f.flags;
    if (f.index_in_header) h.ndm_ifindex = f.index;
    w.header(h);
    if (f.index > 0 && !f.index_in_header) w.put(nda::ifindex, static_cast<std::uint32_t>(f.index));
    if (f.master) w.put(nda::master, static_cast<std::uint32_t>(f.master));
    msg.close();
    return w.ok() ? std::error_code{} : make_error_code(errc::message_too_large);
}
}  // namespace neigh

/// One bridge forwarding-database entry (`bridge fdb add|append|del|replace MAC dev IF …`).
struct fdb_spec {
    int index = 0;                        ///< the port (or the vxlan device)
    mac_address lladdr{};
    std::uint16_t state = NUD_NOARP | NUD_PERMANENT;  ///< bridge(8)'s default; NUD_REACHABLE for temp/dynamic
    std::uint8_t flags = 0;               ///< NTF_SELF, NTF_MASTER, NTF_ROUTER, NTF_USE, NTF_EXT_LEARNED, NTF_STICKY
    std::optional<ip_address> dst{};       ///< remote (vxlan)
    std::optional<std::uint16_t> vlan{};
    std::optional<std::uint16_t> port{};   ///< vxlan UDP port (host order here; sent big-endian)
    std::optional<std::uint32_t> vni{};
    std::optional<int> via{};              ///< NDA_IFINDEX (vxlan: the device to reach dst through)
    std::optional<std::uint32_t> src_vni{};
    std::optional<std::uint32_t> nh_id{};
};

namespace fdb {
/// RTM_NEWNEIGH / RTM_DELNEIGH of family AF_BRIDGE with bridge(8)'s attribute
/// order; `flags` are the netlink flags (NLM_F_CREATE|NLM_F_EXCL for add,
/// |NLM_F_APPEND for append, |NLM_F_REPLACE for replace, none for del).
template <class S>
[[nodiscard]] std::error_code request(wire::basic_writer<S>& w, std::uint16_t type, std::uint16_t flags,
                                      const fdb_spec& f) {
    auto msg = w.begin(type, static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags));
    ndmsg h{};
    h.ndm_family = AF_BRIDGE;
    h.ndm_ifindex = f.index;
    h.ndm_state = f.state;
    h.ndm_flags = f.flags;
    w.header(h);
    w.put(nda::lladdr, std::as_bytes(std::span(f.lladdr.bytes)));
    if (f.dst) w.put(nda::dst, *f.dst);
    if (f.vlan) w.put(nda::vlan, *f.vlan);
    if (f.nh_id) w.put(nda::nh_id, *f.nh_id);
    if (f.port) w.put(nda::port, *f.port);
    if (f.vni) w.put(nda::vni, *f.vni);
    if (f.src_vni) w.put(nda::src_vni, *f.src_vni);
    if (f.via) w.put(nda::ifindex, static_cast<std::uint32_t>(*f.via));
    msg.close();
    return w.ok() ? std::error_code{} : make_error_code(errc::message_too_large);
}
template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const fdb_spec& f) {
    return request(w, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, f);
}
template <class S>
[[nodiscard]] std::error_code del(wire::basic_writer<S>& w, const fdb_spec& f) {
    return request(w, RTM_DELNEIGH, 0, f);
}
}  // namespace fdb

/// Zero-copy view of one RTM_NEWNEIGH / RTM_DELNEIGH message.
class neighbour_view {
public:
    neighbour_view() = default;
    explicit neighbour_view(const wire::message_view& m) noexcept : msg_(m) {
        if (!m.read_header(hdr_)) return;
        valid_ = true;
        attrs_ = m.attributes<ndmsg>();
    }

    bool valid() const noexcept { return valid_; }
    const wire::message_view& message() const noexcept { return msg_; }
    int family() const noexcept { return hdr_.ndm_family; }
    int index() const noexcept { return hdr_.ndm_ifindex; }
    std::uint16_t state() const noexcept { return hdr_.ndm_state; }
    std::uint8_t flags() const noexcept { return hdr_.ndm_flags; }
    std::uint8_t type() const noexcept { return hdr_.ndm_type; }
    wire::attr_view attr(std::uint16_t type) const noexcept { return attrs_.find(type); }
    /// NDA_DST; in AF_BRIDGE messages its length says the family.
    std::optional<ip_address> dst() const noexcept { return attrs_.get(nda::dst); }
    std::optional<std::span<const std::byte>> lladdr() const noexcept { return attrs_.get(nda::lladdr); }
    std::optional<nda_cacheinfo> cacheinfo() const noexcept { return attrs_.get(nda::cacheinfo); }
    std::uint32_t ext_flags() const noexcept { return attrs_.get(nda::flags_ext).value_or(0); }
    std::optional<std::uint8_t> protocol() const noexcept { return attrs_.get(nda::protocol); }
    wire::attr_range attributes() const noexcept { return attrs_; }

private:
    wire::message_view msg_{};
    ndmsg hdr_{};
    wire::attr_range attrs_;
    bool valid_ = false;
};

}  // namespace rtnl
