// rtnl/wire/buffer.hpp — byte storage the message writer appends into.
//
// Two kinds: `buffer` owns and grows (geometric, no zero-fill of bytes the writer
// is about to overwrite), and `fixed_buffer` wraps a caller-owned span and
// reports overflow instead of allocating. Both are aligned for nlmsghdr.
//
// Both remember the first request an encoder refused (`refused()`): the refused
// request wrote nothing, so without the mark a batch would silently run the
// others and report one status fewer than the caller asked for. Every socket
// operation (rtnl::socket, rtnl::asio::socket) refuses a marked buffer as a
// whole, at once, before sending anything; clear() forgets the mark.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <system_error>
#include <utility>

namespace rtnl::wire {

/// Netlink aligns every header and attribute to 4 bytes (NLMSG_ALIGNTO, NLA_ALIGNTO).
inline constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3u) & ~std::size_t{3}; }

/// Owning, growable byte buffer. Growth never zero-fills: the writer writes every
/// byte it reserves, padding included.
class buffer {
public:
    buffer() = default;
    explicit buffer(std::size_t capacity) { reserve(capacity); }
    buffer(const buffer& o) : buffer(o.size_) { append(o.data(), o.size_); refused_ = o.refused_; }
    buffer& operator=(const buffer& o) {
        if (this != &o) { size_ = 0; reserve(o.size_); append(o.data(), o.size_); refused_ = o.refused_; }
        return *this;
    }
    buffer(buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)),
          refused_(std::exchange(o.refused_, {})) {}
    buffer& operator=(buffer&& o) noexcept {
        if (this == &o) return *this;
        delete[] data_;
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        cap_ = std::exchange(o.cap_, 0);
        refused_ = std::exchange(o.refused_, {});
        return *this;
    }

    ~buffer() { delete[] data_; }

    std::byte* data() noexcept { return data_; }
    const std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return cap_; }
    bool empty() const noexcept { return size_ == 0; }
    void clear() noexcept { size_ = 0; refused_ = {}; }

    /// The first encoder refusal recorded here (empty if none).
    std::error_code refused() const noexcept { return refused_; }
    void refuse(std::error_code ec) noexcept { if (!refused_) refused_ = ec; }

    /// Shrinks the logical size (never grows it).
    void truncate(std::size_t n) noexcept { size_ = std::min(size_, n); }

    void reserve(std::size_t n) {
        if (n <= cap_) return;
        std::size_t cap = std::max<std::size_t>({n, cap_ * 2, 256});
        // new std::byte[] is aligned to __STDCPP_DEFAULT_NEW_ALIGNMENT__ (16), enough for nlmsghdr.
        auto* p = new std::byte[cap];
        if (size_) std::memcpy(p, data_, size_);
        delete[] data_;
        data_ = p;
        cap_ = cap;
    }

    /// Appends n uninitialised bytes and returns a pointer to them. Always succeeds
    /// (or throws bad_alloc); the pointer is valid until the next grow.
    std::byte* grow(std::size_t n) {
        if (size_ + n > cap_) [[unlikely]]
            grow_capacity(size_ + n);
        std::byte* p = data_ + size_;
        size_ += n;
        return p;
    }

    /// The slow path of grow(), kept out of line so the fast path stays small.
    [[gnu::noinline, gnu::cold]] void grow_capacity(std::size_t n) { reserve(n); }

    void append(const void* src, std::size_t n) {
        if (n) std::memcpy(grow(n), src, n);
    }

    std::span<const std::byte> bytes() const noexcept { return {data(), size_}; }
    std::span<std::byte> bytes() noexcept { return {data(), size_}; }

private:
    // An owning raw pointer, not std::unique_ptr<std::byte[]>: that class template
    // is instantiated in every translation unit that includes rtnl (issue 11:
    // include cost), and three members are all it would manage here.
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
    std::error_code refused_;
};

/// Non-owning view over caller memory. `grow` returns nullptr once the span is
/// full; the writer then stops and reports `no_buffer_space`.
class fixed_buffer {
public:
    explicit fixed_buffer(std::span<std::byte> storage) noexcept : storage_(storage) {}

    std::byte* data() noexcept { return storage_.data(); }
    const std::byte* data() const noexcept { return storage_.data(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return storage_.size(); }
    void clear() noexcept { size_ = 0; refused_ = {}; }
    std::error_code refused() const noexcept { return refused_; }
    void refuse(std::error_code ec) noexcept { if (!refused_) refused_ = ec; }
    void truncate(std::size_t n) noexcept { size_ = std::min(size_, n); }

    std::byte* grow(std::size_t n) noexcept {
        if (n > storage_.size() - size_) return nullptr;
        std::byte* p = storage_.data() + size_;
        size_ += n;
        return p;
    }

    std::span<const std::byte> bytes() const noexcept { return {storage_.data(), size_}; }

private:
    std::span<std::byte> storage_;
    std::size_t size_ = 0;
    std::error_code refused_;
};

}  // namespace rtnl::wire
