// tests/support/bytes.hpp — hex helpers and a raw message builder for crafting
// (possibly malformed) netlink bytes by hand.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtnl::test {

using bytes = std::vector<std::byte>;

/// "5c 00 00 00 10 00" → bytes (whitespace and newlines ignored).
inline bytes from_hex(std::string_view hex) {
    bytes out;
    int nib = -1;
    for (char c : hex) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (nib < 0) nib = v;
        else {
            out.push_back(static_cast<std::byte>(nib * 16 + v));
            nib = -1;
        }
    }
    return out;
}

inline std::string to_hex(std::span<const std::byte> b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i) s += (i % 16 == 0) ? '\n' : ' ';
        const auto v = static_cast<unsigned>(b[i]);
        s += digits[v >> 4];
        s += digits[v & 15];
    }
    return s;
}

/// Appends raw little-endian fields; lengths are whatever the test says.
struct raw {
    bytes b;
    raw& u8(std::uint8_t v) { return put(&v, 1); }
    raw& u16(std::uint16_t v) { return put(&v, 2); }
    raw& u32(std::uint32_t v) { return put(&v, 4); }
    raw& i32(std::int32_t v) { return put(&v, 4); }
    raw& str(std::string_view s) { return put(s.data(), s.size()); }
    raw& zeros(std::size_t n) { b.insert(b.end(), n, std::byte{0}); return *this; }
    raw& pad4() { while (b.size() % 4) b.push_back(std::byte{0}); return *this; }
    raw& append(const bytes& o) { b.insert(b.end(), o.begin(), o.end()); return *this; }
    raw& nlmsg(std::uint32_t len, std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint32_t pid = 0) {
        return u32(len).u16(type).u16(flags).u32(seq).u32(pid);
    }
    raw& nla(std::uint16_t len, std::uint16_t type) { return u16(len).u16(type); }
    /// Rewrites the u32 at `off` (e.g. to fix nlmsg_len after building).
    raw& set_u32(std::size_t off, std::uint32_t v) { std::memcpy(b.data() + off, &v, 4); return *this; }
    raw& set_u16(std::size_t off, std::uint16_t v) { std::memcpy(b.data() + off, &v, 2); return *this; }
    std::size_t size() const { return b.size(); }
    std::span<const std::byte> span() const { return b; }

private:
    raw& put(const void* p, std::size_t n) {
        const auto* c = static_cast<const std::byte*>(p);
        b.insert(b.end(), c, c + n);
        return *this;
    }
};

}  // namespace rtnl::test
