// rtnl/netns_ref.hpp — naming a network namespace inside a request.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "rtnl/fd.hpp"

namespace rtnl {

/// Which namespace a request refers to (IFLA_NET_NS_FD/PID, NETNSA_FD/PID).
/// Empty means "the namespace the request is sent in".
/// Holds a descriptor number only: it refuses temporaries so the descriptor
/// cannot be closed before the request is sent.
class netns_ref {
public:
    enum class kind : std::uint8_t { none, fd, pid };
    netns_ref() = default;
    netns_ref(const unique_fd& fd) noexcept : kind_(kind::fd), value_(fd.get()) {}  // NOLINT: implicit by design
    netns_ref(unique_fd&&) = delete;  // would dangle
    static netns_ref from_fd(int fd) noexcept { return netns_ref(kind::fd, fd); }
    static netns_ref from_pid(pid_t pid) noexcept { return netns_ref(kind::pid, pid); }

    kind type() const noexcept { return kind_; }
    int value() const noexcept { return value_; }
    explicit operator bool() const noexcept { return kind_ != kind::none; }

private:
    netns_ref(kind k, int v) noexcept : kind_(k), value_(v) {}
    kind kind_ = kind::none;
    int value_ = -1;
};

}  // namespace rtnl
