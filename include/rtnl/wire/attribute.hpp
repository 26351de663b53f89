// rtnl/wire/attribute.hpp — attribute ids bound to C++ value types at compile time.
//
// A schema entry such as
//     inline constexpr attr<IFLA_MTU, std::uint32_t> mtu{};
// says "attribute 4 holds a u32". The writer accepts only values its codec
// accepts (writing a std::string into `mtu` does not compile), and the reader
// returns the decoded type. Each codec defines the exact wire size it reads,
// so a short or oversized payload decodes to std::nullopt instead of garbage.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "rtnl/address.hpp"

namespace rtnl::wire {

// ---- value kinds that are not plain C++ types -------------------------------

/// A string the kernel wants NUL-terminated (IFLA_IFNAME). Written with its NUL;
/// read only if a NUL lies within the payload.
struct cstring {};
/// A string written without NUL, as iproute2 writes IFLA_INFO_KIND. Read with or
/// without a trailing NUL.
struct string {};
/// Opaque bytes.
struct bytes {};
/// Presence-only attribute (zero-length payload).
struct flag {};
/// 4 or 16 bytes of IPv4/IPv6 address.
struct ip {};
/// An integer in network byte order (NLA_F_NET_BYTEORDER style payloads).
template <std::unsigned_integral T>
struct big_endian {};

/// An attribute id bound to its value kind.
template <std::uint16_t Type, class Value>
struct attr {
    static constexpr std::uint16_t type = Type;
    using value_type = Value;
};

/// A nested attribute: its payload is more attributes.
template <std::uint16_t Type>
struct nest {
    static constexpr std::uint16_t type = Type;
};

// ---- codecs ---------------------------------------------------------------
// Each codec: `accepts<U>` (what the writer takes), size(v), write(dst, v), read(payload).

template <class Value>
struct codec;

template <class T>
concept plain_integer = std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool>;

namespace detail {
template <class T>
inline std::optional<T> load_exact(std::span<const std::byte> p) noexcept {
    if (p.size() != sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, p.data(), sizeof v);
    return v;
}
template <class T>
inline T byteswap(T v) noexcept {
    if constexpr (sizeof(T) == 1) return v;
    else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(v));
    else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(v));
    else return static_cast<T>(__builtin_bswap64(v));
}
}  // namespace detail

template <plain_integer T>
struct codec<T> {
    using read_type = T;
    template <class U>
    static constexpr bool accepts = plain_integer<U>;
    template <class U>
    static constexpr std::size_t size(const U&) noexcept { return sizeof(T); }
    template <class U>
    static void write(std::byte* dst, const U& v) noexcept {
        const T t = static_cast<T>(v);
        std::memcpy(dst, &t, sizeof t);
    }
    static std::optional<T> read(std::span<const std::byte> p) noexcept { return detail::load_exact<T>(p); }
};

template <std::unsigned_integral T>
struct codec<big_endian<T>> {
    using read_type = T;
    template <class U>
    static constexpr bool accepts = plain_integer<U>;
    template <class U>
    static constexpr std::size_t size(const U&) noexcept { return sizeof(T); }
    template <class U>
    static void write(std::byte* dst, const U& v) noexcept {
        const T t = detail::byteswap(static_cast<T>(v));
        std::memcpy(dst, &t, sizeof t);
    }
    static std::optional<T> read(std::span<const std::byte> p) noexcept {
        auto v = detail::load_exact<T>(p);
        if (!v) return std::nullopt;
        return detail::byteswap(*v);
    }
};

template <>
struct codec<cstring> {
    using read_type = std::string_view;
    template <class U>
    static constexpr bool accepts = std::convertible_to<const U&, std::string_view>;
    static std::size_t size(std::string_view s) noexcept { return s.size() + 1; }
    static void write(std::byte* dst, std::string_view s) noexcept {
        if (!s.empty()) std::memcpy(dst, s.data(), s.size());
        dst[s.size()] = std::byte{0};
    }
    /// The text before the first NUL; nullopt when there is no NUL in the payload.
    static std::optional<std::string_view> read(std::span<const std::byte> p) noexcept {
        const void* nul = p.empty() ? nullptr : std::memchr(p.data(), 0, p.size());
        if (!nul) return std::nullopt;
        const auto n = static_cast<std::size_t>(static_cast<const std::byte*>(nul) - p.data());
        return std::string_view(reinterpret_cast<const char*>(p.data()), n);
    }
};

template <>
struct codec<string> {
    using read_type = std::string_view;
    template <class U>
    static constexpr bool accepts = std::convertible_to<const U&, std::string_view>;
    static std::size_t size(std::string_view s) noexcept { return s.size(); }
    static void write(std::byte* dst, std::string_view s) noexcept {
        if (!s.empty()) std::memcpy(dst, s.data(), s.size());
    }
    /// Up to the first NUL if there is one (the kernel adds one), else the whole payload.
    static std::optional<std::string_view> read(std::span<const std::byte> p) noexcept {
        std::string_view s(reinterpret_cast<const char*>(p.data()), p.size());
        if (auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
        return s;
    }
};

template <>
struct codec<bytes> {
    using read_type = std::span<const std::byte>;
    template <class U>
    static constexpr bool accepts = std::convertible_to<const U&, std::span<const std::byte>>;
    static std::size_t size(std::span<const std::byte> s) noexcept { return s.size(); }
    static void write(std::byte* dst, std::span<const std::byte> s) noexcept {
        if (!s.empty()) std::memcpy(dst, s.data(), s.size());
    }
    static std::optional<std::span<const std::byte>> read(std::span<const std::byte> p) noexcept { return p; }
};

template <>
struct codec<flag> {
    using read_type = bool;
    template <class U>
    static constexpr bool accepts = false;  // written with put(flag_attr) without a value
    static std::optional<bool> read(std::span<const std::byte>) noexcept { return true; }
};

template <>
struct codec<mac_address> {
    using read_type = mac_address;
    template <class U>
    static constexpr bool accepts = std::same_as<U, mac_address>;
    static constexpr std::size_t size(const mac_address&) noexcept { return 6; }
    static void write(std::byte* dst, const mac_address& m) noexcept { std::memcpy(dst, m.bytes.data(), 6); }
    static std::optional<mac_address> read(std::span<const std::byte> p) noexcept {
        if (p.size() != 6) return std::nullopt;
        mac_address m;
        std::memcpy(m.bytes.data(), p.data(), 6);
        return m;
    }
};

template <>
struct codec<ip> {
    using read_type = ip_address;
    template <class U>
    static constexpr bool accepts = std::same_as<U, ip_address>;
    static std::size_t size(const ip_address& a) noexcept { return a.size(); }
    static void write(std::byte* dst, const ip_address& a) noexcept { std::memcpy(dst, a.data(), a.size()); }
    static std::optional<ip_address> read(std::span<const std::byte> p) noexcept { return ip_address::from_bytes(p); }
};

/// Fixed C structs (rtnl_link_stats64, ifa_cacheinfo, ifinfomsg …). A payload
/// longer than our struct is a newer kernel's extension: we read our prefix.
template <class T>
    requires(std::is_class_v<T> && !std::is_empty_v<T> && std::is_trivially_copyable_v<T>)
struct codec<T> {
    using read_type = T;
    template <class U>
    static constexpr bool accepts = std::same_as<U, T>;
    static constexpr std::size_t size(const T&) noexcept { return sizeof(T); }
    static void write(std::byte* dst, const T& v) noexcept { std::memcpy(dst, &v, sizeof v); }
    static std::optional<T> read(std::span<const std::byte> p) noexcept {
        if (p.size() < sizeof(T)) return std::nullopt;
        T v;
        std::memcpy(&v, p.data(), sizeof v);
        return v;
    }
};

/// `V` can be written into attribute `A`.
template <class A, class V>
concept writable = codec<typename A::value_type>::template accepts<std::remove_cvref_t<V>>;

/// What reading attribute `A` yields.
template <class A>
using read_t = typename codec<typename A::value_type>::read_type;

}  // namespace rtnl::wire
