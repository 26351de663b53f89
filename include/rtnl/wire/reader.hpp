// rtnl/wire/reader.hpp — zero-copy, bounds-checked views over received bytes.
//
// Nothing here trusts a length: every nlmsg_len and nla_len is checked against
// what remains of its parent before it is used, in arithmetic that cannot
// overflow. A range stops at the first element that does not fit and remembers
// that it did (`malformed()`); elements before it stay usable. Attribute types
// are masked with NLA_TYPE_MASK (NLA_F_NESTED and NLA_F_NET_BYTEORDER are
// flags, not part of the id). Unknown attributes are simply yielded as raw views.
// Duplicates: lookups return the last occurrence, as the kernel's nla_parse and
// iproute2's parse_rtattr do.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>

#include "rtnl/wire/attribute.hpp"
#include "rtnl/wire/buffer.hpp"

namespace rtnl::wire {

/// Deepest nesting rtnl descends into; deeper nests read as malformed.
inline constexpr int max_nesting_depth = 16;

template <class T>
inline T load(const std::byte* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

class attr_range;

/// One attribute: type, flags and payload. Empty (false) when default-constructed.
class attr_view {
public:
    attr_view() = default;
    attr_view(const std::byte* p, std::uint16_t len, int depth = 0) noexcept : p_(p), len_(len), depth_(depth) {}

    explicit operator bool() const noexcept { return p_ != nullptr; }
    std::uint16_t type() const noexcept { return raw_type() & NLA_TYPE_MASK; }
    std::uint16_t raw_type() const noexcept { return load<std::uint16_t>(p_ + offsetof(nlattr, nla_type)); }
    bool nested_flag() const noexcept { return raw_type() & NLA_F_NESTED; }
    bool net_byteorder_flag() const noexcept { return raw_type() & NLA_F_NET_BYTEORDER; }
    /// Start of the attribute header (for mapping extack offsets back).
    const std::byte* data() const noexcept { return p_; }
    std::size_t length() const noexcept { return len_; }
    std::span<const std::byte> payload() const noexcept {
        return p_ ? std::span<const std::byte>(p_ + NLA_HDRLEN, len_ - NLA_HDRLEN) : std::span<const std::byte>{};
    }

    /// Decodes with an explicit value kind: `a.as<std::uint32_t>()`, `a.as<cstring>()`.
    template <class Value>
    std::optional<typename codec<Value>::read_type> as() const noexcept {
        if (!p_) return std::nullopt;
        return codec<Value>::read(payload());
    }
    /// Decodes with the schema's type: `a.get(ifla::mtu)`.
    template <class A>
    std::optional<read_t<A>> get(A) const noexcept {
        return as<typename A::value_type>();
    }

    /// The attributes nested inside this one (empty past max_nesting_depth).
    attr_range nested() const noexcept;
    /// Nested attributes after a fixed header (VETH_INFO_PEER carries an ifinfomsg first).
    template <class Header>
    attr_range nested_after() const noexcept;
    /// The fixed header at the start of the payload, if the payload holds one.
    template <class Header>
    std::optional<Header> header() const noexcept {
        auto p = payload();
        if (p.size() < sizeof(Header)) return std::nullopt;
        return load<Header>(p.data());
    }

    int depth() const noexcept { return depth_; }

private:
    const std::byte* p_ = nullptr;
    std::uint16_t len_ = 0;
    int depth_ = 0;
};

/// A run of attributes.
class attr_range {
public:
    attr_range() = default;
    explicit attr_range(std::span<const std::byte> bytes, int depth = 0) noexcept : bytes_(bytes), depth_(depth) {
        if (depth > max_nesting_depth) {
            bytes_ = {};
            too_deep_ = true;
        }
    }

    class iterator {
    public:
        using value_type = attr_view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::input_iterator_tag;

        iterator() = default;
        iterator(std::span<const std::byte> rest, int depth) noexcept : rest_(rest), depth_(depth) { settle(); }

        attr_view operator*() const noexcept { return cur_; }
        iterator& operator++() noexcept {
            const std::size_t step = align4(cur_.length());
            // the last attribute may omit its tail padding
            rest_ = step >= rest_.size() ? std::span<const std::byte>{} : rest_.subspan(step);
            settle();
            return *this;
        }
        void operator++(int) noexcept { ++*this; }
        friend bool operator==(const iterator& a, std::default_sentinel_t) noexcept { return !a.cur_; }

    private:
        void settle() noexcept {
            cur_ = {};
            if (rest_.size() < NLA_HDRLEN) return;  // fewer bytes than a header: end (trailing slack)
            const auto len = load<std::uint16_t>(rest_.data());
            if (len < NLA_HDRLEN || len > rest_.size()) return;  // malformed: stop here
            cur_ = attr_view(rest_.data(), len, depth_);
        }
        std::span<const std::byte> rest_;
        attr_view cur_;
        int depth_ = 0;
    };

    iterator begin() const noexcept { return iterator(bytes_, depth_ + 1); }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Last attribute with this type, or an empty view.
    attr_view find(std::uint16_t type) const noexcept {
        attr_view found;
        for (attr_view a : *this)
            if (a.type() == type) found = a;
        return found;
    }
    template <class A>
        requires requires { A::type; }
    attr_view find(A) const noexcept {
        return find(A::type);
    }
    /// Shorthand: decoded value of attribute `A`, if present and well-sized.
    template <class A>
    std::optional<read_t<A>> get(A a) const noexcept {
        return find(a).get(a);
    }

    /// True when the bytes do not split exactly into attributes (a length runs
    /// past its parent, a header is short), or nesting went too deep.
    bool malformed() const noexcept {
        if (too_deep_) return true;
        std::span<const std::byte> rest = bytes_;
        while (rest.size() >= NLA_HDRLEN) {
            const auto len = load<std::uint16_t>(rest.data());
            if (len < NLA_HDRLEN || len > rest.size()) return true;
            const std::size_t step = align4(len);
            if (step >= rest.size()) return false;
            rest = rest.subspan(step);
        }
        return !rest.empty();
    }

    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    bool empty() const noexcept { return bytes_.size() < NLA_HDRLEN; }

private:
    std::span<const std::byte> bytes_;
    int depth_ = 0;
    bool too_deep_ = false;
};

inline attr_range attr_view::nested() const noexcept { return attr_range(payload(), depth_); }

template <class Header>
inline attr_range attr_view::nested_after() const noexcept {
    auto p = payload();
    const std::size_t skip = align4(sizeof(Header));
    if (p.size() < skip) return attr_range({}, depth_);
    return attr_range(p.subspan(skip), depth_);
}

/// One netlink message inside a datagram.
class message_view {
public:
    message_view() = default;
    explicit message_view(std::span<const std::byte> whole) noexcept : bytes_(whole) {}

    explicit operator bool() const noexcept { return bytes_.size() >= NLMSG_HDRLEN; }
    std::uint32_t length() const noexcept { return load<std::uint32_t>(bytes_.data()); }
    std::uint16_t type() const noexcept { return load<std::uint16_t>(bytes_.data() + offsetof(nlmsghdr, nlmsg_type)); }
    std::uint16_t flags() const noexcept { return load<std::uint16_t>(bytes_.data() + offsetof(nlmsghdr, nlmsg_flags)); }
    std::uint32_t seq() const noexcept { return load<std::uint32_t>(bytes_.data() + offsetof(nlmsghdr, nlmsg_seq)); }
    std::uint32_t pid() const noexcept { return load<std::uint32_t>(bytes_.data() + offsetof(nlmsghdr, nlmsg_pid)); }

    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    std::span<const std::byte> payload() const noexcept { return bytes_.subspan(NLMSG_HDRLEN); }

    /// The family header (ifinfomsg …) if the payload is long enough. A longer
    /// header from a newer kernel is fine: we read our prefix.
    template <class Header>
    std::optional<Header> header() const noexcept {
        Header h;
        if (!read_header(h)) return std::nullopt;
        return h;
    }
    /// The same into `out`, false (and `out` untouched) if the payload is too
    /// short. rtnl's own views use this form: each std::optional<Header> would be
    /// one more class template for every translation unit that includes them.
    template <class Header>
    bool read_header(Header& out) const noexcept {
        auto p = payload();
        if (p.size() < sizeof(Header)) return false;
        out = load<Header>(p.data());
        return true;
    }
    /// The attributes after the family header (empty if the header is short).
    template <class Header>
    attr_range attributes() const noexcept {
        auto p = payload();
        const std::size_t skip = align4(sizeof(Header));
        if (p.size() < skip) return {};
        return attr_range(p.subspan(skip));
    }

private:
    std::span<const std::byte> bytes_;
};

/// The messages of one datagram.
class message_range {
public:
    message_range() = default;
    explicit message_range(std::span<const std::byte> datagram) noexcept : bytes_(datagram) {}

    class iterator {
    public:
        using value_type = message_view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::input_iterator_tag;
        iterator() = default;
        explicit iterator(std::span<const std::byte> rest) noexcept : rest_(rest) { settle(); }
        message_view operator*() const noexcept { return cur_; }
        iterator& operator++() noexcept {
            const std::size_t step = align4(cur_.length());
            rest_ = step >= rest_.size() ? std::span<const std::byte>{} : rest_.subspan(step);
            settle();
            return *this;
        }
        void operator++(int) noexcept { ++*this; }
        friend bool operator==(const iterator& a, std::default_sentinel_t) noexcept { return !a.cur_; }

    private:
        void settle() noexcept {
            cur_ = {};
            if (rest_.size() < NLMSG_HDRLEN) return;
            const auto len = load<std::uint32_t>(rest_.data());
            if (len < NLMSG_HDRLEN || len > rest_.size()) return;
            cur_ = message_view(rest_.first(len));
        }
        std::span<const std::byte> rest_;
        message_view cur_;
    };

    iterator begin() const noexcept { return iterator(bytes_); }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// True when the datagram does not split exactly into whole messages.
    bool malformed() const noexcept {
        std::span<const std::byte> rest = bytes_;
        while (!rest.empty()) {
            if (rest.size() < NLMSG_HDRLEN) return true;
            const auto len = load<std::uint32_t>(rest.data());
            if (len < NLMSG_HDRLEN || len > rest.size()) return true;
            const std::size_t step = align4(len);
            if (step >= rest.size()) return false;
            rest = rest.subspan(step);
        }
        return false;
    }

private:
    std::span<const std::byte> bytes_;
};

}  // namespace rtnl::wire
