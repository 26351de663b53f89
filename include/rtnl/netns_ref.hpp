// rtnl/netns_ref.hpp — naming a network namespace inside a request.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "rtnl/fd.hpp"

namespace rtnl {

/// Which namespace a request refers to (IFLA_NET_NS_FD/PID, NETNSA_FD/PID).
/// Empty means "the namespace the request is sent in".
/// Holds a descriptor number only: it refuses temporaries so the descriptor
/// cannot be closed before the request is sent. A reference by name (a named
/// namespace in /run/netns) is resolved by the socket-level operations in
/// rtnl/ops.hpp, which open it for the duration of the call; the pure encoders
/// refuse it (std::errc::invalid_argument) since they make no syscalls.
class netns_ref {
public:
    enum class kind : std::uint8_t { none, fd, pid, name };
    netns_ref() = default;
    netns_ref(const unique_fd& fd) noexcept : kind_(kind::fd), value_(fd.get()) {}  // NOLINT: implicit by design
    netns_ref(unique_fd&&) = delete;  // would dangle
    static netns_ref from_fd(int fd) noexcept { return netns_ref(kind::fd, fd); }
    static netns_ref from_pid(pid_t pid) noexcept { return netns_ref(kind::pid, pid); }
    /// A named namespace (`ip … netns NAME`); the name must outlive the call.
    static netns_ref named(std::string_view name) noexcept {
        netns_ref r(kind::name, -1);
        r.name_ = name;
        return r;
    }

    kind type() const noexcept { return kind_; }
    int value() const noexcept { return value_; }
    std::string_view name() const noexcept { return name_; }
    explicit operator bool() const noexcept { return kind_ != kind::none; }

private:
    netns_ref(kind k, int v) noexcept : kind_(k), value_(v) {}
    kind kind_ = kind::none;
    int value_ = -1;
    std::string_view name_;
};

}  // namespace rtnl
