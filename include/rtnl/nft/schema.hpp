// rtnl/nft/schema.hpp — nf_tables message types, families and the few constants
// the Debian 12 UAPI headers (linux-libc-dev 6.1) do not have yet.
//
// Every nf_tables message is `nlmsghdr` + `nfgenmsg` + attributes. The message
// type is (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_*, except the batch delimiters,
// which are bare NFNL_MSG_BATCH_BEGIN/END (0x10/0x11). Integers inside nf_tables
// attributes are big endian — all but the register *contents* the packet path
// compares, which keep the byte order of what they hold (ct state is host order).
#pragma once

#include <netinet/in.h>  // before the UAPI headers: they then skip their copy of in.h
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl::nft {

/// Message types newer than the 6.1 UAPI headers (kernel 6.3+).
inline constexpr std::uint16_t msg_destroytable = 26;
inline constexpr std::uint16_t msg_destroychain = 27;
inline constexpr std::uint16_t msg_destroyrule = 28;
inline constexpr std::uint16_t msg_destroyset = 29;
inline constexpr std::uint16_t msg_destroysetelem = 30;

/// The longest table/chain/set name the kernel takes (NFT_NAME_MAXLEN - 1 bytes).
inline constexpr std::size_t max_name_length = NFT_NAME_MAXLEN - 1;
/// nft compares interface names over IFNAMSIZ bytes, NUL padded.
inline constexpr std::size_t ifname_size = 16;

/// nfnetlink message type of an nf_tables message.
constexpr std::uint16_t msg_type(std::uint16_t nft_msg) noexcept {
    return static_cast<std::uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | nft_msg);
}
/// The NFT_MSG_* part of an nfnetlink type (0xffff for another subsystem).
constexpr std::uint16_t nft_msg_of(std::uint16_t type) noexcept {
    return (type >> 8) == NFNL_SUBSYS_NFTABLES ? static_cast<std::uint16_t>(type & 0xff) : 0xffff;
}

/// Address families of tables (NFPROTO_*).
enum class family : std::uint8_t {
    unspec = NFPROTO_UNSPEC,
    inet = NFPROTO_INET,
    ipv4 = NFPROTO_IPV4,
    arp = NFPROTO_ARP,
    netdev = NFPROTO_NETDEV,
    bridge = NFPROTO_BRIDGE,
    ipv6 = NFPROTO_IPV6,
};

/// nft's word for a family ("ip", "ip6", "inet" …).
inline std::string_view family_name(family f) noexcept {
    switch (f) {
        case family::unspec: return "unspec";
        case family::inet: return "inet";
        case family::ipv4: return "ip";
        case family::arp: return "arp";
        case family::netdev: return "netdev";
        case family::bridge: return "bridge";
        case family::ipv6: return "ip6";
    }
    return "unknown";
}

/// Netfilter hooks (NF_INET_*) by nft's names.
enum class hook : std::uint32_t {
    prerouting = NF_INET_PRE_ROUTING,
    input = NF_INET_LOCAL_IN,
    forward = NF_INET_FORWARD,
    output = NF_INET_LOCAL_OUT,
    postrouting = NF_INET_POST_ROUTING,
    ingress = NF_INET_INGRESS,
};

inline std::string_view hook_name(std::uint32_t h) noexcept {
    switch (h) {
        case NF_INET_PRE_ROUTING: return "prerouting";
        case NF_INET_LOCAL_IN: return "input";
        case NF_INET_FORWARD: return "forward";
        case NF_INET_LOCAL_OUT: return "output";
        case NF_INET_POST_ROUTING: return "postrouting";
        case NF_INET_INGRESS: return "ingress";
        default: return "unknown";
    }
}

/// Verdict codes as nf_tables carries them (NF_* and NFT_*).
enum class verdict_code : std::int32_t {
    drop = NF_DROP,
    accept = NF_ACCEPT,
    cont = NFT_CONTINUE,
    brk = NFT_BREAK,
    jump = NFT_JUMP,
    go_to = NFT_GOTO,
    ret = NFT_RETURN,
};

// ---- attribute helpers ------------------------------------------------------
// nf_tables integers are big endian; strings are NUL-terminated; nests carry
// NLA_F_NESTED in requests (the kernel's own dumps omit it: readers mask it).

template <std::uint16_t Type, class W>
inline void put_be32(W& w, std::uint32_t v) noexcept {
    w.put(wire::attr<Type, wire::big_endian<std::uint32_t>>{}, v);
}
template <std::uint16_t Type, class W>
inline void put_be64(W& w, std::uint64_t v) noexcept {
    w.put(wire::attr<Type, wire::big_endian<std::uint64_t>>{}, v);
}
template <std::uint16_t Type, class W>
inline void put_str(W& w, std::string_view s) noexcept {
    w.put(wire::attr<Type, wire::cstring>{}, s);
}
template <class W>
inline auto nest(W& w, std::uint16_t type) noexcept {
    return w.nest(static_cast<std::uint16_t>(type | NLA_F_NESTED));
}

/// Reads a big-endian u32 / u64 attribute (nullopt on a wrong size).
inline std::optional<std::uint32_t> get_be32(const wire::attr_view& a) noexcept {
    return a ? a.as<wire::big_endian<std::uint32_t>>() : std::nullopt;
}
inline std::optional<std::uint64_t> get_be64(const wire::attr_view& a) noexcept {
    return a ? a.as<wire::big_endian<std::uint64_t>>() : std::nullopt;
}
/// Reads a NUL-terminated string attribute (nullopt without a NUL).
inline std::optional<std::string_view> get_str(const wire::attr_view& a) noexcept {
    return a ? a.as<wire::cstring>() : std::nullopt;
}

}  // namespace rtnl::nft
