// rtnl/wire/writer.hpp — appends netlink messages and attributes to a buffer.
//
//     wire::buffer buf;
//     wire::writer w(buf);
//     {
//         auto msg = w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
//         w.header(ifinfomsg{});
//         w.put(ifla::ifname, "veth0");
//         auto info = w.nest(ifla::linkinfo);      // closed when `info` leaves scope
//         w.put(ifla_info::kind, "veth");
//     }                                            // nlmsg_len written here
//
// Lengths are patched by offset, never through pointers, so a growing buffer may
// move freely. Padding is always zeroed (byte-exact output). A fixed buffer that
// runs out, or a nest over 64 KiB, puts the writer in a failed state: later
// writes are ignored and ok() is false, so a bad message is never sent.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "rtnl/wire/attribute.hpp"
#include "rtnl/wire/buffer.hpp"

namespace rtnl::wire {

template <class Storage>
class basic_writer {
public:
    explicit basic_writer(Storage& storage) noexcept : buf_(&storage) {}

    /// Closes a nested attribute (or a message) when it leaves scope.
    class [[nodiscard]] scope {
    public:
        scope(scope&& o) noexcept : w_(std::exchange(o.w_, nullptr)), offset_(o.offset_), kind_(o.kind_) {}
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;
        scope& operator=(scope&&) = delete;
        ~scope() { close(); }
        /// Closes now; returns the closed region's length (0 if the writer failed).
        std::size_t close() noexcept {
            if (!w_) return 0;
            auto* w = std::exchange(w_, nullptr);
            return kind_ == kind::message ? w->end_message(offset_) : w->end_nest(offset_);
        }
        /// Offset of the region's header in the buffer.
        std::size_t offset() const noexcept { return offset_; }

    private:
        friend class basic_writer;
        enum class kind : std::uint8_t { message, nest };
        scope(basic_writer* w, std::size_t off, kind k) noexcept : w_(w), offset_(off), kind_(k) {}
        basic_writer* w_;
        std::size_t offset_;
        kind kind_;
    };

    /// Starts a message; its length is written when the returned scope closes.
    scope begin(std::uint16_t type, std::uint16_t flags, std::uint32_t seq = 0, std::uint32_t pid = 0) noexcept {
        const std::size_t off = buf_->size();
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = flags;
        h.nlmsg_seq = seq;
        h.nlmsg_pid = pid;
        append_padded(&h, sizeof h);
        return scope(this, off, scope::kind::message);
    }

    /// Appends a family header (ifinfomsg, ifaddrmsg, rtmsg …), padded to 4 bytes.
    template <class Header>
        requires std::is_trivially_copyable_v<Header>
    void header(const Header& h) noexcept {
        append_padded(&h, sizeof h);
    }

    /// Appends a typed attribute; the value must suit the attribute's schema type.
    template <class A, class V>
        requires writable<A, V>
    void put(A, const V& value) noexcept {
        using C = codec<typename A::value_type>;
        const std::size_t len = C::size(value);
        std::byte* p = attr_header(A::type, len);
        if (p) C::write(p, value);
    }

    /// Appends a presence-only (flag) attribute.
    template <std::uint16_t Type>
    void put(attr<Type, flag>) noexcept {
        attr_header(Type, 0);
    }

    /// Appends an attribute with raw payload bytes (for attributes without a schema entry).
    void put_raw(std::uint16_t type, std::span<const std::byte> payload) noexcept {
        std::byte* p = attr_header(type, payload.size());
        if (p && !payload.empty()) std::memcpy(p, payload.data(), payload.size());
    }

    /// Opens a nested attribute; closed (length written) when the scope ends.
    template <std::uint16_t Type>
    scope nest(wire::nest<Type>) noexcept {
        return nest(Type);
    }
    scope nest(std::uint16_t type) noexcept {
        const std::size_t off = buf_->size();
        attr_header(type, 0);
        return scope(this, off, scope::kind::nest);
    }

    bool ok() const noexcept { return ok_; }
    std::size_t size() const noexcept { return buf_->size(); }
    Storage& storage() noexcept { return *buf_; }
    /// An encoder refusing a request: marks the buffer (see wire/buffer.hpp) so
    /// the refusal cannot vanish from a batch, and returns `ec`.
    std::error_code refuse(std::error_code ec) noexcept {
        buf_->refuse(ec);
        return ec;
    }

private:
    /// Writes an attribute header for `len` payload bytes plus zeroed padding,
    /// and returns where the payload goes (nullptr when failed).
    std::byte* attr_header(std::uint16_t type, std::size_t len) noexcept {
        if (!ok_) return nullptr;
        const std::size_t total = NLA_HDRLEN + len;
        if (total > 0xffff) return fail();
        const std::size_t padded = align4(total);
        std::byte* p = grow(padded);
        if (!p) return nullptr;
        // Zero the last word first (it holds the padding, if any); the header and
        // then the caller's payload overwrite the rest of it.
        std::memset(p + padded - 4, 0, 4);
        const nlattr a{static_cast<std::uint16_t>(total), type};
        std::memcpy(p, &a, sizeof a);
        return p + NLA_HDRLEN;
    }

    void append_padded(const void* src, std::size_t n) noexcept {
        const std::size_t padded = align4(n);
        std::byte* p = grow(padded);
        if (!p) return;
        if (padded != n) std::memset(p + padded - 4, 0, 4);
        std::memcpy(p, src, n);
    }

    std::byte* grow(std::size_t n) noexcept {
        if (!ok_) return nullptr;
        std::byte* p = buf_->grow(n);
        if (!p) return fail();
        return p;
    }

    std::byte* fail() noexcept {
        ok_ = false;
        return nullptr;
    }

    std::size_t end_nest(std::size_t off) noexcept {
        if (!ok_) return 0;
        const std::size_t len = buf_->size() - off;
        if (len > 0xffff) return fail(), 0;
        const auto l16 = static_cast<std::uint16_t>(len);
        std::memcpy(buf_->data() + off + offsetof(nlattr, nla_len), &l16, sizeof l16);
        return len;
    }

    std::size_t end_message(std::size_t off) noexcept {
        if (!ok_) return 0;
        const std::size_t len = buf_->size() - off;
        if (len > 0xffffffffu) return fail(), 0;
        const auto l32 = static_cast<std::uint32_t>(len);
        std::memcpy(buf_->data() + off + offsetof(nlmsghdr, nlmsg_len), &l32, sizeof l32);
        return len;
    }

    Storage* buf_;
    bool ok_ = true;
};

using writer = basic_writer<buffer>;
using fixed_writer = basic_writer<fixed_buffer>;

/// Patches the sequence number of the message starting at `msg` (in place).
inline void set_seq(std::byte* msg, std::uint32_t seq) noexcept {
    std::memcpy(msg + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
}

}  // namespace rtnl::wire
