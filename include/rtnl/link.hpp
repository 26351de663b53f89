// rtnl/link.hpp — network interfaces (RTM_NEWLINK / DELLINK / GETLINK).
//
// Requests are plain structs read at a glance:
//
//     rtnl::veth{.name = "veth0", .peer = {.name = "eth0", .netns = ns_fd}}
//
// and `rtnl::link::add(writer, spec)` appends the exact message `ip link add`
// sends for the same command (attribute order included). A veth peer is a full
// link request of its own — name, namespace, queues, MAC, MTU, group — so a pair
// whose far end is born inside a namespace is one message, not create-then-move.
//
// Decoding is zero-copy: `link_view` indexes one RTM_NEWLINK message in a single
// pass and answers with std::optional wherever the kernel may omit an attribute.
#pragma once

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/types.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "rtnl/address.hpp"
#include "rtnl/error.hpp"
#include "rtnl/netns_ref.hpp"
#include "rtnl/wire/reader.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl {

/// IFLA_* schema: attribute id ↔ value type.
namespace ifla {
using wire::attr;
inline constexpr attr<IFLA_ADDRESS, mac_address> address{};
inline constexpr attr<IFLA_BROADCAST, mac_address> broadcast{};
inline constexpr attr<IFLA_IFNAME, wire::cstring> ifname{};
inline constexpr attr<IFLA_MTU, std::uint32_t> mtu{};
inline constexpr attr<IFLA_LINK, std::int32_t> link{};
inline constexpr attr<IFLA_QDISC, wire::cstring> qdisc{};
inline constexpr attr<IFLA_MASTER, std::uint32_t> master{};
inline constexpr attr<IFLA_TXQLEN, std::uint32_t> txqlen{};
inline constexpr attr<IFLA_OPERSTATE, std::uint8_t> operstate{};
inline constexpr attr<IFLA_LINKMODE, std::uint8_t> linkmode{};
inline constexpr wire::nest<IFLA_LINKINFO> linkinfo{};
inline constexpr attr<IFLA_NET_NS_PID, std::uint32_t> net_ns_pid{};
inline constexpr attr<IFLA_IFALIAS, wire::cstring> ifalias{};
inline constexpr wire::nest<IFLA_PROTINFO> protinfo{};
inline constexpr attr<IFLA_GROUP, std::uint32_t> group{};
inline constexpr attr<IFLA_NET_NS_FD, std::uint32_t> net_ns_fd{};
inline constexpr attr<IFLA_EXT_MASK, std::uint32_t> ext_mask{};
inline constexpr attr<IFLA_PROMISCUITY, std::uint32_t> promiscuity{};
inline constexpr attr<IFLA_NUM_TX_QUEUES, std::uint32_t> num_tx_queues{};
inline constexpr attr<IFLA_NUM_RX_QUEUES, std::uint32_t> num_rx_queues{};
inline constexpr attr<IFLA_CARRIER, std::uint8_t> carrier{};
inline constexpr attr<IFLA_LINK_NETNSID, std::int32_t> link_netnsid{};
inline constexpr attr<IFLA_TARGET_NETNSID, std::int32_t> target_netnsid{};
inline constexpr attr<IFLA_MIN_MTU, std::uint32_t> min_mtu{};
inline constexpr attr<IFLA_MAX_MTU, std::uint32_t> max_mtu{};
inline constexpr attr<IFLA_ALT_IFNAME, wire::cstring> alt_ifname{};
inline constexpr wire::nest<IFLA_AF_SPEC> af_spec{};
}  // namespace ifla

/// IFLA_AF_SPEC → AF_INET → IFLA_INET_CONF (the per-link IPv4 devconf: one
/// attribute per setting on write, typed by IPV4_DEVCONF_*; one u32 array
/// indexed by IPV4_DEVCONF_* - 1 on read).
namespace ifla_inet {
/// IPV4_DEVCONF_FORWARDING from <linux/ip.h>, which is not included: its struct
/// iphdr clashes with <netinet/ip.h> in programs that use both.
inline constexpr std::uint16_t devconf_forwarding = 1;
inline constexpr wire::nest<AF_INET> family{};
inline constexpr wire::nest<IFLA_INET_CONF> conf{};
inline constexpr wire::attr<devconf_forwarding, std::uint32_t> forwarding{};
}  // namespace ifla_inet

/// IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_* (the per-link IPv6 settings).
namespace ifla_inet6 {
inline constexpr wire::nest<AF_INET6> family{};
inline constexpr wire::attr<IFLA_INET6_ADDR_GEN_MODE, std::uint8_t> addr_gen_mode{};
}  // namespace ifla_inet6

namespace ifla_info {
inline constexpr wire::attr<IFLA_INFO_KIND, wire::string> kind{};
inline constexpr wire::nest<IFLA_INFO_DATA> data{};
inline constexpr wire::attr<IFLA_INFO_SLAVE_KIND, wire::string> slave_kind{};
inline constexpr wire::nest<IFLA_INFO_SLAVE_DATA> slave_data{};
}  // namespace ifla_info

/// IFLA_BR_* (IFLA_INFO_DATA of a bridge).
namespace ifla_br {
inline constexpr wire::attr<IFLA_BR_STP_STATE, std::uint32_t> stp_state{};
inline constexpr wire::attr<IFLA_BR_MCAST_SNOOPING, std::uint8_t> mcast_snooping{};
}  // namespace ifla_br

namespace veth_info {
/// Payload: an ifinfomsg, then the peer's own IFLA_* attributes.
inline constexpr wire::nest<VETH_INFO_PEER> peer{};
}  // namespace veth_info

/// A link named by index or by name. Converts implicitly from either.
class link_ref {
public:
    link_ref(int index) noexcept : index_(index) {}                  // NOLINT: implicit by design
    link_ref(std::string_view name) noexcept : name_(name) {}         // NOLINT
    link_ref(const char* name) noexcept : name_(name) {}              // NOLINT
    link_ref(const std::string& name) noexcept : name_(name) {}       // NOLINT
    int index() const noexcept { return index_; }
    std::string_view name() const noexcept { return name_; }
    bool by_index() const noexcept { return index_ > 0; }

private:
    int index_ = 0;
    std::string_view name_{};
};

/// The settings of a veth peer (the far end of the pair). The kernel applies
/// every one of these to the peer. A master cannot be set for it at creation, nor
/// can it be brought up then: the kernel configures the peer before the pair is
/// joined, and a veth without its peer refuses to open (ENOTCONN).
struct link_options {
    std::string_view name{};                       ///< empty: the kernel picks (veth0, veth1, …)
    std::optional<std::uint32_t> txqlen{};
    std::optional<mac_address> address{};
    std::optional<std::uint32_t> mtu{};
    std::optional<std::uint32_t> group{};
    std::optional<std::uint32_t> num_tx_queues{};  ///< 1 makes veth creation ~2× cheaper (DESIGN §3)
    std::optional<std::uint32_t> num_rx_queues{};
    netns_ref netns{};                             ///< create it directly inside this namespace
};

/// A veth pair. The peer is a full link request of its own.
struct veth {
    std::string_view name{};
    std::optional<std::uint32_t> txqlen{};
    std::optional<mac_address> address{};
    std::optional<std::uint32_t> mtu{};
    std::optional<std::uint32_t> group{};
    std::optional<std::uint32_t> num_tx_queues{};
    std::optional<std::uint32_t> num_rx_queues{};
    netns_ref netns{};
    std::optional<int> master{};  ///< ifindex of a bridge to enslave this end to at creation
    bool up = false;
    link_options peer{};
};

/// A Linux bridge. It takes the lowest port MAC unless `address` pins one (and
/// recomputes that on every port change: pin it when ports come and go often).
struct bridge {
    std::string_view name{};
    std::optional<std::uint32_t> txqlen{};
    std::optional<mac_address> address{};
    std::optional<std::uint32_t> mtu{};
    std::optional<std::uint32_t> group{};
    std::optional<std::uint32_t> num_tx_queues{};
    std::optional<std::uint32_t> num_rx_queues{};
    netns_ref netns{};
    std::optional<int> master{};
    bool up = false;
    std::optional<std::uint32_t> stp_state{};      ///< `stp_state 0|1`
    std::optional<std::uint8_t> mcast_snooping{};  ///< `mcast_snooping 0` saves per-port query timers
};

/// Changes to an existing link (`ip link set`). Unset fields are left alone.
struct link_change {
    std::optional<bool> up{};
    std::optional<std::string_view> name{};  ///< rename
    std::optional<std::uint32_t> mtu{};
    std::optional<mac_address> address{};
    std::optional<int> master{};             ///< 0 detaches (nomaster)
    netns_ref netns{};                       ///< move to another namespace
    std::optional<std::uint32_t> group{};
    std::optional<std::uint32_t> txqlen{};
    /// IPv6 address generation (`addrgenmode`): IN6_ADDR_GEN_MODE_NONE stops the
    /// link-local address, and with it DAD, router solicitations and MLD reports
    /// (a bridge floods those to every port). The kernel takes it only on an
    /// existing link, so set it before bringing the link up.
    std::optional<std::uint8_t> addr_gen_mode{};
    /// IPv4 forwarding on this link only (net.ipv4.conf.DEV.forwarding, set over
    /// rtnetlink as IPV4_DEVCONF_FORWARDING). A gateway forwards between the links
    /// that have it (the bridge and the uplink) while the global
    /// net.ipv4.ip_forward stays 0, so the host does not become a router for
    /// everything else. Caveats (nftables.md): a link created later starts from
    /// conf/default, not from this; writing net.ipv4.ip_forward (or conf/all)
    /// afterwards overrides every link's value; unlike the sysctl write this does
    /// not disable LRO on the device (LRO and forwarding do not mix — turn it off
    /// on physical uplinks yourself); the decision is made on the *incoming* link.
    std::optional<bool> ipv4_forwarding{};
};

/// Dump filter (kernel-side with strict checking, and re-checked by callers that care).
struct link_filter {
    std::optional<int> master{};
    std::string_view kind{};
};

/// Refuses what the kernel's dev_valid_name refuses, before anything is sent:
/// empty, ".", "..", over 15 bytes, '/', ':' or whitespace.
inline std::error_code validate_ifname(std::string_view name) noexcept {
    if (name.size() >= IFNAMSIZ) return errc::name_too_long;
    if (name.empty() || name == "." || name == "..") return errc::invalid_name;
    for (char c : name)
        if (c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c))) return errc::invalid_name;
    return {};
}

namespace link {

namespace detail {
inline constexpr std::uint16_t create_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
inline constexpr std::uint16_t change_flags = NLM_F_REQUEST | NLM_F_ACK;

template <class Spec>
std::error_code validate_options(const Spec& s) noexcept {
    if (!s.name.empty())
        if (auto ec = validate_ifname(s.name)) return ec;
    if (s.netns.type() == netns_ref::kind::name) return std::make_error_code(std::errc::invalid_argument);  // see netns_ref
    return {};
}

inline ifinfomsg info_header(int index, bool up) noexcept {
    ifinfomsg h{};
    h.ifi_family = AF_UNSPEC;
    h.ifi_index = index;
    if (up) {
        h.ifi_flags = IFF_UP;
        h.ifi_change = IFF_UP;
    }
    return h;
}

template <class S>
void put_netns(wire::basic_writer<S>& w, const netns_ref& ns) noexcept {
    if (ns.type() == netns_ref::kind::fd) w.put(ifla::net_ns_fd, static_cast<std::uint32_t>(ns.value()));
    else if (ns.type() == netns_ref::kind::pid) w.put(ifla::net_ns_pid, static_cast<std::uint32_t>(ns.value()));
}

/// The attributes of a new link, in the order `ip link add` emits them for the
/// canonical argument order (options first, IFLA_IFNAME last; LINKINFO follows).
template <class S, class Spec>
void put_options(wire::basic_writer<S>& w, const Spec& s) noexcept {
    if (s.txqlen) w.put(ifla::txqlen, *s.txqlen);
    if (s.address) w.put(ifla::address, *s.address);
    if (s.mtu) w.put(ifla::mtu, *s.mtu);
    if (s.group) w.put(ifla::group, *s.group);
    if (s.num_tx_queues) w.put(ifla::num_tx_queues, *s.num_tx_queues);
    if (s.num_rx_queues) w.put(ifla::num_rx_queues, *s.num_rx_queues);
    if constexpr (requires { s.master; })
        if (s.master) w.put(ifla::master, static_cast<std::uint32_t>(*s.master));
    put_netns(w, s.netns);
    if (!s.name.empty()) w.put(ifla::ifname, s.name);
}
}  // namespace detail

/// RTM_NEWLINK creating a veth pair (`ip link add NAME type veth peer name PEER …`).
template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const veth& v) {
    if (auto ec = detail::validate_options(v)) return w.refuse(ec);
    if (auto ec = detail::validate_options(v.peer)) return w.refuse(ec);
    auto msg = w.begin(RTM_NEWLINK, detail::create_flags);
    w.header(detail::info_header(0, v.up));
    detail::put_options(w, v);
    {
        auto info = w.nest(ifla::linkinfo);
        w.put(ifla_info::kind, std::string_view("veth"));
        const bool peer_given = !v.peer.name.empty() || v.peer.netns || v.peer.mtu || v.peer.address ||
                                v.peer.group || v.peer.num_tx_queues || v.peer.num_rx_queues || v.peer.txqlen;
        if (peer_given) {
            auto data = w.nest(ifla_info::data);
            auto peer = w.nest(veth_info::peer);
            w.header(detail::info_header(0, false));
            detail::put_options(w, v.peer);
        }
    }
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_NEWLINK creating a bridge (`ip link add NAME type bridge`).
template <class S>
[[nodiscard]] std::error_code add(wire::basic_writer<S>& w, const bridge& b) {
    if (auto ec = detail::validate_options(b)) return w.refuse(ec);
    auto msg = w.begin(RTM_NEWLINK, detail::create_flags);
    w.header(detail::info_header(0, b.up));
    detail::put_options(w, b);
    {
        auto info = w.nest(ifla::linkinfo);
        w.put(ifla_info::kind, std::string_view("bridge"));
        if (b.stp_state || b.mcast_snooping) {
            auto data = w.nest(ifla_info::data);
            if (b.stp_state) w.put(ifla_br::stp_state, *b.stp_state);
            if (b.mcast_snooping) w.put(ifla_br::mcast_snooping, *b.mcast_snooping);
        }
    }
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_NEWLINK changing an existing link (`ip link set DEV …`). A target given by
/// name is looked up by the kernel (IFLA_IFNAME), saving a round trip. A rename
/// needs the target by index: IFLA_IFNAME then carries the new name, and the
/// kernel looks a name up by IFLA_IFNAME before IFLA_ALT_IFNAME.
template <class S>
[[nodiscard]] std::error_code set(wire::basic_writer<S>& w, link_ref target, const link_change& c) {
    if (!target.by_index())
        if (auto ec = validate_ifname(target.name())) return w.refuse(ec);
    if (c.name) {
        if (auto ec = validate_ifname(*c.name)) return w.refuse(ec);
        if (!target.by_index()) return w.refuse(std::make_error_code(std::errc::invalid_argument));
    }
    if (c.netns.type() == netns_ref::kind::name) return w.refuse(std::make_error_code(std::errc::invalid_argument));  // see netns_ref
    auto msg = w.begin(RTM_NEWLINK, detail::change_flags);
    ifinfomsg h = detail::info_header(target.by_index() ? target.index() : 0, false);
    if (c.up) {
        h.ifi_flags = *c.up ? IFF_UP : 0;
        h.ifi_change = IFF_UP;
    }
    w.header(h);
    detail::put_netns(w, c.netns);
    if (c.txqlen) w.put(ifla::txqlen, *c.txqlen);
    if (c.mtu) w.put(ifla::mtu, *c.mtu);
    if (c.address) w.put(ifla::address, *c.address);
    if (c.group) w.put(ifla::group, *c.group);
    if (c.master) w.put(ifla::master, static_cast<std::uint32_t>(*c.master));
    if (!target.by_index()) w.put(ifla::ifname, target.name());
    if (c.name) w.put(ifla::ifname, *c.name);
    if (c.addr_gen_mode || c.ipv4_forwarding) {
        auto spec = w.nest(ifla::af_spec);
        if (c.ipv4_forwarding) {
            auto inet = w.nest(ifla_inet::family);
            auto conf = w.nest(ifla_inet::conf);
            w.put(ifla_inet::forwarding, *c.ipv4_forwarding ? 1u : 0u);
        }
        if (c.addr_gen_mode) {
            auto inet6 = w.nest(ifla_inet6::family);
            w.put(ifla_inet6::addr_gen_mode, *c.addr_gen_mode);
        }
    }
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_DELLINK for one link (`ip link del DEV`).
template <class S>
[[nodiscard]] std::error_code del(wire::basic_writer<S>& w, link_ref target) {
    if (!target.by_index())
        if (auto ec = validate_ifname(target.name())) return w.refuse(ec);
    auto msg = w.begin(RTM_DELLINK, detail::change_flags);
    w.header(detail::info_header(target.by_index() ? target.index() : 0, false));
    if (!target.by_index()) w.put(ifla::ifname, target.name());
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_DELLINK for every link in an interface group (`ip link del group G`):
/// one request, one RCU wait for all of them.
template <class S>
[[nodiscard]] std::error_code del_group(wire::basic_writer<S>& w, std::uint32_t group) {
    auto msg = w.begin(RTM_DELLINK, detail::change_flags);
    w.header(detail::info_header(0, false));
    w.put(ifla::group, group);
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_GETLINK for one link, by index or name — a single request, no dump.
/// Sent without NLM_F_ACK: the reply (or an error) is the answer.
template <class S>
[[nodiscard]] std::error_code get(wire::basic_writer<S>& w, link_ref target) {
    if (!target.by_index())
        if (auto ec = validate_ifname(target.name())) return w.refuse(ec);
    auto msg = w.begin(RTM_GETLINK, NLM_F_REQUEST);
    w.header(detail::info_header(target.by_index() ? target.index() : 0, false));
    w.put(ifla::ext_mask, std::uint32_t{RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS});
    if (!target.by_index()) w.put(ifla::ifname, target.name());
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

/// RTM_GETLINK dump of every link (optionally filtered by master or kind).
template <class S>
[[nodiscard]] std::error_code dump(wire::basic_writer<S>& w, const link_filter& f = {}, int family = AF_UNSPEC) {
    auto msg = w.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
    ifinfomsg h{};
    h.ifi_family = static_cast<unsigned char>(family);
    w.header(h);
    w.put(ifla::ext_mask, std::uint32_t{RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS});
    if (f.master) w.put(ifla::master, static_cast<std::uint32_t>(*f.master));
    if (!f.kind.empty()) {
        auto info = w.nest(ifla::linkinfo);
        w.put(ifla_info::kind, f.kind);
    }
    msg.close();
    return w.ok() ? std::error_code{} : w.refuse(make_error_code(errc::message_too_large));
}

}  // namespace link

/// iproute2's names for IF_OPER_* ("UP", "DOWN", "UNKNOWN" …).
inline std::string_view operstate_name(std::uint8_t s) noexcept {
    static constexpr std::array<std::string_view, 7> names{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
                                                           "TESTING", "DORMANT", "UP"};
    return s < names.size() ? names[s] : std::string_view("UNKNOWN");
}

/// A zero-copy view of one RTM_NEWLINK message. Valid while the bytes live.
/// Indexes attributes in one pass (last duplicate wins).
class link_view {
public:
    static constexpr std::uint16_t indexed_max = IFLA_MAX;

    link_view() = default;
    explicit link_view(const wire::message_view& m) noexcept : msg_(m) {
        if (!m.read_header(hdr_)) return;
        valid_ = true;
        attrs_ = m.attributes<ifinfomsg>();
        const std::byte* base = m.bytes().data();
        for (wire::attr_view a : attrs_) {
            if (a.type() <= indexed_max) at_[a.type()] = static_cast<std::uint32_t>(a.data() - base);
        }
        malformed_ = attrs_.malformed();
    }

    /// False when the message is too short to hold an ifinfomsg.
    bool valid() const noexcept { return valid_; }
    /// True when an attribute ran past the message (those before it are still read).
    bool malformed() const noexcept { return malformed_; }

    int index() const noexcept { return hdr_.ifi_index; }
    unsigned flags() const noexcept { return hdr_.ifi_flags; }
    bool is_up() const noexcept { return hdr_.ifi_flags & IFF_UP; }
    unsigned short arp_type() const noexcept { return hdr_.ifi_type; }
    unsigned char family() const noexcept { return hdr_.ifi_family; }

    /// The raw attribute (empty view if absent).
    wire::attr_view attr(std::uint16_t type) const noexcept {
        if (type > indexed_max || !at_[type]) return type > indexed_max ? attrs_.find(type) : wire::attr_view{};
        const std::byte* p = msg_.bytes().data() + at_[type];
        return wire::attr_view(p, wire::load<std::uint16_t>(p), 1);
    }
    template <class A>
    std::optional<wire::read_t<A>> get(A a) const noexcept {
        return attr(A::type).get(a);
    }

    std::string_view name() const noexcept { return get(ifla::ifname).value_or(std::string_view{}); }
    std::optional<std::uint32_t> mtu() const noexcept { return get(ifla::mtu); }
    std::optional<mac_address> address() const noexcept { return get(ifla::address); }
    std::optional<mac_address> broadcast() const noexcept { return get(ifla::broadcast); }
    /// Link-layer address bytes of any length (loopback and tunnels differ from 6).
    std::span<const std::byte> address_bytes() const noexcept { return attr(IFLA_ADDRESS).payload(); }
    std::span<const std::byte> broadcast_bytes() const noexcept { return attr(IFLA_BROADCAST).payload(); }
    std::optional<std::uint8_t> operstate() const noexcept { return get(ifla::operstate); }
    std::optional<std::uint8_t> linkmode() const noexcept { return get(ifla::linkmode); }
    std::optional<int> master() const noexcept {
        auto m = get(ifla::master);
        return m ? std::optional<int>(static_cast<int>(*m)) : std::nullopt;
    }
    /// IFLA_LINK: for a veth, the peer's ifindex (in link_netnsid's namespace if set).
    std::optional<int> link() const noexcept { return get(ifla::link); }
    std::optional<int> link_netnsid() const noexcept { return get(ifla::link_netnsid); }
    std::optional<std::uint32_t> group() const noexcept { return get(ifla::group); }
    std::optional<std::uint32_t> txqlen() const noexcept { return get(ifla::txqlen); }
    std::optional<std::string_view> qdisc() const noexcept { return get(ifla::qdisc); }
    std::optional<std::uint8_t> carrier() const noexcept { return get(ifla::carrier); }
    std::optional<std::uint32_t> num_tx_queues() const noexcept { return get(ifla::num_tx_queues); }
    std::optional<std::uint32_t> num_rx_queues() const noexcept { return get(ifla::num_rx_queues); }
    std::optional<std::uint32_t> min_mtu() const noexcept { return get(ifla::min_mtu); }
    std::optional<std::uint32_t> max_mtu() const noexcept { return get(ifla::max_mtu); }
    std::optional<std::uint32_t> promiscuity() const noexcept { return get(ifla::promiscuity); }

    /// IFLA_INFO_KIND ("veth", "bridge" …); empty for kind-less links (lo, physical).
    std::string_view kind() const noexcept {
        return attr(IFLA_LINKINFO).nested().get(ifla_info::kind).value_or(std::string_view{});
    }
    std::string_view slave_kind() const noexcept {
        return attr(IFLA_LINKINFO).nested().get(ifla_info::slave_kind).value_or(std::string_view{});
    }
    wire::attr_range info_data() const noexcept { return attr(IFLA_LINKINFO).nested().find(ifla_info::data).nested(); }

    /// net.ipv4.conf.DEV.forwarding, from IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF
    /// (absent for links without IPv4, e.g. while the device has no in_device).
    std::optional<bool> ipv4_forwarding() const noexcept {
        auto conf = attr(IFLA_AF_SPEC).nested().find(ifla_inet::family).nested().find(ifla_inet::conf);
        const auto p = conf.payload();
        constexpr std::size_t at = (ifla_inet::devconf_forwarding - 1) * sizeof(std::uint32_t);
        if (!conf || p.size() < at + sizeof(std::uint32_t)) return std::nullopt;
        return wire::load<std::uint32_t>(p.data() + at) != 0;
    }

    wire::attr_range attributes() const noexcept { return attrs_; }
    const wire::message_view& message() const noexcept { return msg_; }

private:
    wire::message_view msg_;
    ifinfomsg hdr_{};
    wire::attr_range attrs_;
    std::array<std::uint32_t, indexed_max + 1> at_{};
    bool valid_ = false;
    bool malformed_ = false;
};

/// An owning copy of the commonly used link fields.
struct link_info {
    int index = 0;
    std::string name;
    unsigned flags = 0;
    unsigned short arp_type = 0;
    std::uint32_t mtu = 0;
    std::optional<mac_address> address{};
    std::uint8_t operstate = IF_OPER_UNKNOWN;
    std::string kind;
    std::optional<int> master{};
    std::optional<int> link{};          ///< veth peer ifindex (IFLA_LINK)
    std::optional<int> link_netnsid{};  ///< namespace id of the peer's namespace, if elsewhere
    std::uint32_t group = 0;
    std::uint32_t txqlen = 0;
    std::optional<bool> ipv4_forwarding{};  ///< per-link IPv4 forwarding (see link_change)

    bool is_up() const noexcept { return flags & IFF_UP; }

    static link_info from(const link_view& v) {
        link_info i;
        i.index = v.index();
        i.name = std::string(v.name());
        i.flags = v.flags();
        i.arp_type = v.arp_type();
        i.mtu = v.mtu().value_or(0);
        i.address = v.address();
        i.operstate = v.operstate().value_or(IF_OPER_UNKNOWN);
        i.kind = std::string(v.kind());
        i.master = v.master();
        i.link = v.link();
        i.link_netnsid = v.link_netnsid();
        i.group = v.group().value_or(0);
        i.txqlen = v.txqlen().value_or(0);
        i.ipv4_forwarding = v.ipv4_forwarding();
        return i;
    }
};

}  // namespace rtnl
