// rtnl/address.hpp — small value types for link-layer and IP addresses.
//
// These are the values rtnetlink carries in attributes (IFLA_ADDRESS, IFA_LOCAL,
// RTA_GATEWAY …). They parse and print the way iproute2 does, hold their bytes
// inline (no allocation) and compare by value. No syscalls here.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rtnl {

/// An Ethernet (EUI-48) address, as in IFLA_ADDRESS of a veth or bridge.
struct mac_address {
    std::array<std::uint8_t, 6> bytes{};

    /// Parses "aa:bb:cc:dd:ee:ff" (case-insensitive, exactly six two-digit groups).
    static std::optional<mac_address> parse(std::string_view s) noexcept {
        if (s.size() != 17) return std::nullopt;
        mac_address m;
        for (std::size_t i = 0; i < 6; ++i) {
            const char* p = s.data() + i * 3;
            if (i < 5 && p[2] != ':') return std::nullopt;
            unsigned v = 0;
            auto [end, ec] = std::from_chars(p, p + 2, v, 16);
            if (ec != std::errc{} || end != p + 2) return std::nullopt;
            m.bytes[i] = static_cast<std::uint8_t>(v);
        }
        return m;
    }

    /// Lower-case colon form, as `ip link` prints it.
    std::string to_string() const {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out(17, ':');
        for (std::size_t i = 0; i < 6; ++i) {
            out[i * 3] = hex[bytes[i] >> 4];
            out[i * 3 + 1] = hex[bytes[i] & 0xf];
        }
        return out;
    }

    bool is_multicast() const noexcept { return (bytes[0] & 1) != 0; }
    bool is_zero() const noexcept {
        for (std::uint8_t b : bytes)  // a loop, not std::all_of: one template fewer per including file
            if (b != 0) return false;
        return true;
    }
    friend auto operator<=>(const mac_address&, const mac_address&) = default;
};

/// An IPv4 or IPv6 address. `family()` is AF_INET or AF_INET6; the bytes are in
/// network order, exactly as the kernel puts them in IFA_LOCAL or RTA_GATEWAY.
class ip_address {
public:
    constexpr ip_address() = default;

    static ip_address v4(std::array<std::uint8_t, 4> b) noexcept {
        ip_address a;
        a.family_ = AF_INET;
        std::memcpy(a.bytes_.data(), b.data(), b.size());
        return a;
    }
    static ip_address v6(std::array<std::uint8_t, 16> b) noexcept {
        ip_address a;
        a.family_ = AF_INET6;
        a.bytes_ = b;
        return a;
    }
    /// From raw attribute payload: 4 bytes is IPv4, 16 bytes is IPv6, anything else is refused.
    static std::optional<ip_address> from_bytes(std::span<const std::byte> raw) noexcept {
        ip_address a;
        if (raw.size() == 4) a.family_ = AF_INET;
        else if (raw.size() == 16) a.family_ = AF_INET6;
        else return std::nullopt;
        std::memcpy(a.bytes_.data(), raw.data(), raw.size());
        return a;
    }

    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form.
    static std::optional<ip_address> parse(std::string_view s) {
        if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
        char buf[INET6_ADDRSTRLEN];
        std::memcpy(buf, s.data(), s.size());
        buf[s.size()] = '\0';
        ip_address a;
        if (s.find(':') != std::string_view::npos) {
            if (inet_pton(AF_INET6, buf, a.bytes_.data()) != 1) return std::nullopt;
            a.family_ = AF_INET6;
        } else {
            if (inet_pton(AF_INET, buf, a.bytes_.data()) != 1) return std::nullopt;
            a.family_ = AF_INET;
        }
        return a;
    }

    int family() const noexcept { return family_; }
    bool is_v4() const noexcept { return family_ == AF_INET; }
    bool is_v6() const noexcept { return family_ == AF_INET6; }
    bool empty() const noexcept { return family_ == AF_UNSPEC; }
    /// Number of meaningful bytes: 4, 16, or 0 when empty.
    std::size_t size() const noexcept { return is_v4() ? 4 : is_v6() ? 16 : 0; }
    /// The address bits: 32 or 128.
    unsigned bits() const noexcept { return static_cast<unsigned>(size() * 8); }
    std::span<const std::byte> bytes() const noexcept {
        return {reinterpret_cast<const std::byte*>(bytes_.data()), size()};
    }
    const std::uint8_t* data() const noexcept { return bytes_.data(); }

    std::string to_string() const {
        if (empty()) return {};
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(family_, bytes_.data(), buf, sizeof buf);
        return buf;
    }

    friend bool operator==(const ip_address&, const ip_address&) = default;

private:
    int family_ = AF_UNSPEC;
    std::array<std::uint8_t, 16> bytes_{};
};

/// An address with a prefix length: "10.0.1.1/24", "2001:db8::1/64". Without
/// "/N" the prefix is the full length, as `ip addr add` assumes.
struct ip_prefix {
    ip_address address;
    unsigned length = 0;

    static std::optional<ip_prefix> parse(std::string_view s) {
        auto slash = s.find('/');
        auto addr = ip_address::parse(s.substr(0, slash));
        if (!addr) return std::nullopt;
        unsigned len = addr->bits();
        if (slash != std::string_view::npos) {
            auto digits = s.substr(slash + 1);
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
            if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
                len > addr->bits())
                return std::nullopt;
        }
        return ip_prefix{*addr, len};
    }

    /// The network address: host bits cleared (what the kernel's prefix route holds).
    ip_address network() const noexcept {
        auto raw = address.bytes();
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), raw.data(), raw.size());
        for (std::size_t bit = length; bit < raw.size() * 8; ++bit)
            b[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
        if (address.is_v4()) return ip_address::v4({b[0], b[1], b[2], b[3]});
        return ip_address::v6(b);
    }

    std::string to_string() const { return address.to_string() + "/" + std::to_string(length); }
    friend bool operator==(const ip_prefix&, const ip_prefix&) = default;
};

}  // namespace rtnl
