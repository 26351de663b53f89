// rtnl/nsid.hpp — namespace ids (RTM_NEWNSID / GETNSID).
//
// A namespace id is the number by which one network namespace refers to another
// (IFLA_LINK_NETNSID of a veth whose peer lives elsewhere, `ip netns list-id`).
#pragma once

#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <system_error>

#include "rtnl/error.hpp"
#include "rtnl/netns_ref.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// NETNSA_* schema.
namespace netnsa {
inline constexpr wire::attr<NETNSA_NSID, std::int32_t> nsid{};
inline constexpr wire::attr<NETNSA_PID, std::uint32_t> pid{};
inline constexpr wire::attr<NETNSA_FD, std::uint32_t> fd{};
inline constexpr wire::attr<NETNSA_TARGET_NSID, std::int32_t> target_nsid{};
inline constexpr wire::attr<NETNSA_CURRENT_NSID, std::int32_t> current_nsid{};
}  // namespace netnsa

/// "Not assigned" as the kernel reports it.
inline constexpr std::int32_t nsid_not_assigned = NETNSA_NSID_NOT_ASSIGNED;

namespace nsid {
namespace detail {
template <class S>
void put_target(wire::basic_writer<S>& w, const netns_ref& ns) noexcept {
    if (ns.type() == netns_ref::kind::fd) w.put(netnsa::fd, static_cast<std::uint32_t>(ns.value()));
    else if (ns.type() == netns_ref::kind::pid) w.put(netnsa::pid, static_cast<std::uint32_t>(ns.value()));
}
inline rtgenmsg gen_header() noexcept {
    rtgenmsg g{};
    g.rtgen_family = AF_UNSPEC;
    return g;
}
}  // namespace detail

/// RTM_NEWNSID: give namespace `ns` the id `id` as seen from the socket's namespace
/// (`ip netns set NAME ID`); id -1 lets the kernel choose (`auto`).
template <class S>
[[nodiscard]] std::error_code set(wire::basic_writer<S>& w, const netns_ref& ns, std::int32_t id) {
    if (!ns || ns.type() == netns_ref::kind::name) return w.refuse(std::make_error_code(std::errc::invalid_argument));
    auto msg = w.begin(RTM_NEWNSID, NLM_F_REQUEST | NLM_F_ACK);
    w.header(detail::gen_header());
    detail::put_target(w, ns);
    w.put(netnsa::nsid, id);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_GETNSID for one namespace; the reply's NETNSA_NSID is -1 when none is assigned.
template <class S>
[[nodiscard]] std::error_code get(wire::basic_writer<S>& w, const netns_ref& ns) {
    if (!ns || ns.type() == netns_ref::kind::name) return w.refuse(std::make_error_code(std::errc::invalid_argument));
    auto msg = w.begin(RTM_GETNSID, NLM_F_REQUEST);
    w.header(detail::gen_header());
    detail::put_target(w, ns);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_GETNSID dump: every id assigned in the socket's namespace (`ip netns list-id`).
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w) {
    auto msg = w.begin(RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP);
    w.header(detail::gen_header());
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}
}  // namespace nsid

/// Zero-copy view of an RTM_NEWNSID message.
class nsid_view {
public:
    explicit nsid_view(const wire::message_view& m) noexcept {
        if (rtgenmsg h{}; !m.read_header(h)) return;
        valid_ = true;
        attrs_ = m.attributes<rtgenmsg>();
    }
    bool valid() const noexcept { return valid_; }
    bool malformed() const noexcept { return attrs_.malformed(); }
    std::optional<std::int32_t> nsid() const noexcept { return attrs_.get(netnsa::nsid); }
    std::optional<std::int32_t> current_nsid() const noexcept { return attrs_.get(netnsa::current_nsid); }

private:
    wire::attr_range attrs_;
    bool valid_ = false;
};

}  // namespace rtnl
