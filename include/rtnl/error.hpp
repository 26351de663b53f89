// rtnl/error.hpp — how rtnl reports failure.
//
// Kernel errors are plain errno values in std::system_category, so they compare
// equal to std::errc::file_exists and friends. rtnl's own failures (a malformed
// reply, an interrupted dump, a refused name) live in rtnl::category().
//
// A `status` is the full outcome of one request: the code, the kernel's
// extended-ACK text and the offset of the offending attribute in our request.
// `error` is the exception thrown by the throwing overloads; its what() reads
// like iproute2 ("Error: ipv4: Address already assigned." or
// "RTNETLINK answers: File exists") and never shows a negative errno.
#pragma once

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace rtnl {

/// rtnl's own error conditions (category "rtnl").
enum class errc {
    malformed_reply = 1,   ///< the kernel's reply does not parse (lengths out of bounds, short header)
    truncated_reply,       ///< a datagram was larger than the buffer it was read into
    unexpected_reply,      ///< a reply of a type the request cannot produce
    dump_interrupted,      ///< NLM_F_DUMP_INTR on every attempt of a bounded retry
    replies_lost,          ///< the kernel dropped replies (receive-buffer overrun, ENOBUFS)
    invalid_name,          ///< a namespace or interface name rtnl refuses
    name_too_long,         ///< an interface name over 15 bytes (IFNAMSIZ - 1)
    not_a_net_namespace,   ///< a file that is not a network-namespace (nsfs) handle
    message_too_large,     ///< a request does not fit its buffer or an attribute exceeds 64 KiB
    used_after_fork,       ///< a socket used in a child process it was not opened in
    no_such_device,        ///< a name that resolves to no link (iproute2: Cannot find device)
};

class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "rtnl"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::malformed_reply: return "malformed netlink reply";
            case errc::truncated_reply: return "netlink reply truncated";
            case errc::unexpected_reply: return "unexpected netlink reply";
            case errc::dump_interrupted: return "dump interrupted by concurrent changes (NLM_F_DUMP_INTR)";
            case errc::replies_lost: return "netlink replies lost (receive buffer overrun)";
            case errc::invalid_name: return "invalid name";
            case errc::name_too_long: return "name too long (at most 15 bytes)";
            case errc::not_a_net_namespace: return "not a network namespace";
            case errc::message_too_large: return "netlink message too large";
            case errc::used_after_fork: return "netlink socket used after fork";
            case errc::no_such_device: return "no such device";
        }
        return "unknown rtnl error";
    }
};

inline const std::error_category& category() noexcept {
    static const error_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

/// errno as an error_code (positive; a kernel's negative nlmsgerr.error is negated first).
inline std::error_code errno_code(int e) noexcept { return {e < 0 ? -e : e, std::system_category()}; }

/// The outcome of one request.
struct status {
    std::error_code code;        ///< empty on success
    std::string message;         ///< kernel extended-ACK text (NLMSGERR_ATTR_MSG); may be set on success (a warning)
    std::uint32_t offset = 0;    ///< NLMSGERR_ATTR_OFFS: byte offset of the bad attribute in our request, 0 if none
    std::uint32_t missing_type = 0;  ///< NLMSGERR_ATTR_MISS_TYPE, 0 if none
    std::string hint;            ///< what rtnl adds, e.g. "CAP_NET_ADMIN is missing"
    /// rtnl's own verdict, not the kernel's answer (a timeout, a cancellation, a
    /// request refused before sending): never worded "RTNETLINK answers".
    bool local = false;
    /// When set, the whole description in iproute2's words for this failure
    /// (`Cannot find device "eth9"`); describe() returns it as it is.
    std::string text;

    bool ok() const noexcept { return !code; }
    explicit operator bool() const noexcept { return ok(); }

    /// iproute2's wording: "Error: <extack>." when the kernel explained itself,
    /// otherwise "RTNETLINK answers: <strerror>" for kernel errnos, otherwise the
    /// message of the code (local failures: "Connection timed out", "Operation canceled").
    std::string describe() const {
        if (!text.empty()) return text;
        std::string out;
        if (!code) {
            if (message.empty()) return "Success";
            out = "Warning: " + message;
            if (out.back() != '.') out += '.';
            return out;
        }
        if (!message.empty()) {
            out = "Error: " + message;
            if (out.back() != '.') out += '.';
        } else if (!local && (code.category() == std::system_category() || code.category() == std::generic_category())) {
            out = "RTNETLINK answers: " + code.message();
        } else {
            out = code.message();
        }
        if (!hint.empty()) out += " (" + hint + ")";
        return out;
    }
};

inline status make_status(std::error_code ec) { return status{ec, {}, 0, 0, {}, false, {}}; }
/// A failure decided here, not answered by the kernel (timeout, cancellation, refusal).
inline status local_status(std::error_code ec) { return status{ec, {}, 0, 0, {}, true, {}}; }
/// A failure with iproute2's full wording for it.
inline status worded_status(std::error_code ec, std::string text) { return status{ec, {}, 0, 0, {}, true, std::move(text)}; }

/// Thrown by the throwing overloads. `details()` keeps the kernel's extack.
class error : public std::system_error {
public:
    explicit error(status s) : std::system_error(s.code), text_(s.describe()), status_(std::move(s)) {}
    /// With a context written the way iproute2 writes it, e.g.
    /// `Cannot create namespace file "/run/netns/a": File exists`.
    error(status s, std::string what_text)
        : std::system_error(s.code), text_(std::move(what_text)), status_(std::move(s)) {}
    /// Exactly the text a person should read; no category prefix, no errno number.
    const char* what() const noexcept override { return text_.c_str(); }
    const status& details() const noexcept { return status_; }

private:
    std::string text_;
    status status_;
};

[[noreturn]] inline void throw_error(status s) { throw error(std::move(s)); }

/// True when the calling thread's effective capability set holds `cap`.
/// Used only on the error path, to name the privilege a failed call needed.
inline bool has_capability(int cap) noexcept {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &hdr, data) != 0) return true;  // cannot tell: say nothing
    return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

/// "CAP_NET_ADMIN is missing" when errno says permission denied and the
/// capability really is absent; empty otherwise (the refusal had another cause).
inline std::string capability_hint(std::error_code ec, int cap) {
    if (ec != std::errc::operation_not_permitted && ec != std::errc::permission_denied) return {};
    if (has_capability(cap)) return {};
    return std::string(cap == CAP_SYS_ADMIN ? "CAP_SYS_ADMIN" : cap == CAP_NET_ADMIN ? "CAP_NET_ADMIN" : "a capability") +
           " is missing";
}

}  // namespace rtnl

template <>
struct std::is_error_code_enum<rtnl::errc> : std::true_type {};
