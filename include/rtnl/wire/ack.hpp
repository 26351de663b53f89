// rtnl/wire/ack.hpp — decoding NLMSG_ERROR (ACKs) and NLMSG_DONE, with extended ACK.
//
// An NLMSG_ERROR payload is `int error` followed by the header of the request it
// answers (and, without NETLINK_CAP_ACK, that request's whole payload), then —
// when NLM_F_ACK_TLVS is set — extended-ACK attributes: a message, the offset of
// the offending attribute in the request, the type of a missing attribute.
// NLMSG_DONE may carry an errno and the same attributes (dumps that fail late).
#pragma once

#include <linux/netlink.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rtnl/wire/reader.hpp"

namespace rtnl::wire {

/// Schema of the extended-ACK attributes.
namespace extack_attr {
inline constexpr attr<NLMSGERR_ATTR_MSG, cstring> msg{};
inline constexpr attr<NLMSGERR_ATTR_OFFS, std::uint32_t> offset{};
inline constexpr attr<NLMSGERR_ATTR_MISS_TYPE, std::uint32_t> missing_type{};
inline constexpr attr<NLMSGERR_ATTR_MISS_NEST, std::uint32_t> missing_nest{};
}  // namespace extack_attr

/// A decoded ACK or DONE: error is 0 or a positive errno.
struct ack_view {
    int error = 0;
    std::string_view message;       ///< NLMSGERR_ATTR_MSG (empty if absent or not NUL-terminated)
    std::uint32_t offset = 0;       ///< NLMSGERR_ATTR_OFFS (0 if absent)
    std::uint32_t missing_type = 0; ///< NLMSGERR_ATTR_MISS_TYPE (0 if absent)
    std::uint32_t missing_nest = 0; ///< NLMSGERR_ATTR_MISS_NEST (0 if absent)
    bool extack_malformed = false;  ///< the TLV area did not parse (the error itself is still valid)
};

namespace detail {
inline int decode_errno(std::int32_t raw) noexcept {
    // The kernel sends 0 or -errno; anything else is a protocol violation.
    if (raw > 0 || raw < -4095) return EPROTO;
    return -raw;
}
inline void decode_tlvs(std::span<const std::byte> tlvs, ack_view& out) noexcept {
    attr_range r(tlvs);
    for (attr_view a : r) {
        switch (a.type()) {
            case NLMSGERR_ATTR_MSG:
                if (auto m = a.get(extack_attr::msg)) out.message = *m;
                break;
            case NLMSGERR_ATTR_OFFS:
                if (auto v = a.get(extack_attr::offset)) out.offset = *v;
                break;
            case NLMSGERR_ATTR_MISS_TYPE:
                if (auto v = a.get(extack_attr::missing_type)) out.missing_type = *v;
                break;
            case NLMSGERR_ATTR_MISS_NEST:
                if (auto v = a.get(extack_attr::missing_nest)) out.missing_nest = *v;
                break;
            default: break;  // cookie, policy: not needed here
        }
    }
    out.extack_malformed = r.malformed();
}
}  // namespace detail

/// Decodes an NLMSG_ERROR message. nullopt when the payload cannot even hold the error code.
inline std::optional<ack_view> parse_error(const message_view& m) noexcept {
    auto p = m.payload();
    if (p.size() < sizeof(std::int32_t)) return std::nullopt;
    ack_view out;
    out.error = detail::decode_errno(load<std::int32_t>(p.data()));
    if (!(m.flags() & NLM_F_ACK_TLVS)) return out;
    // Skip the echoed request: just its header when capped, else its full length.
    const std::size_t echo_at = sizeof(std::int32_t);
    if (p.size() < echo_at + NLMSG_HDRLEN) {
        out.extack_malformed = true;
        return out;
    }
    std::size_t echoed = NLMSG_HDRLEN;
    if (!(m.flags() & NLM_F_CAPPED)) {
        const std::size_t orig_len = load<std::uint32_t>(p.data() + echo_at);
        if (orig_len < NLMSG_HDRLEN || orig_len > p.size() - echo_at) {
            out.extack_malformed = true;
            return out;
        }
        echoed = align4(orig_len);
    }
    const std::size_t tlv_at = echo_at + echoed;
    if (tlv_at < p.size()) detail::decode_tlvs(p.subspan(tlv_at), out);
    return out;
}

/// Decodes an NLMSG_DONE message: the errno (0 for a clean end) and extack.
/// A bare DONE without payload (old kernels) means success.
inline std::optional<ack_view> parse_done(const message_view& m) noexcept {
    auto p = m.payload();
    ack_view out;
    if (p.size() < sizeof(std::int32_t)) return p.empty() ? std::optional<ack_view>(out) : std::nullopt;
    out.error = detail::decode_errno(load<std::int32_t>(p.data()));
    if ((m.flags() & NLM_F_ACK_TLVS) && p.size() > sizeof(std::int32_t))
        detail::decode_tlvs(p.subspan(sizeof(std::int32_t)), out);
    return out;
}

/// The request header echoed in an NLMSG_ERROR (nullopt if the kernel did not include it).
inline std::optional<nlmsghdr> echoed_request(const message_view& m) noexcept {
    auto p = m.payload();
    if (p.size() < sizeof(std::int32_t) + NLMSG_HDRLEN) return std::nullopt;
    return load<nlmsghdr>(p.data() + sizeof(std::int32_t));
}

}  // namespace rtnl::wire
