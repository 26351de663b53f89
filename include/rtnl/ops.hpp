// rtnl/ops.hpp — one-line operations on a socket.
//
// The same verbs as the encoders, with a socket instead of a writer:
//
//     rtnl::socket nl;
//     rtnl::link::add(nl, rtnl::veth{.name = "veth0", .peer = {.name = "eth0", .netns = ns}});
//     rtnl::link::set(nl, "veth0", {.up = true});
//     rtnl::addr::add(nl, "veth0", "10.0.1.1/24");
//     for (auto& l : rtnl::link::list(nl)) …
//
// Each has a throwing form (rtnl::error, worded like iproute2) and a
// std::error_code& form; after an ec-form call `nl.last_status()` holds the
// kernel's extack text. For many operations at once, encode into one buffer and
// use socket::batch / transact — that is the fast path.
//
// Every verb is a function template with nothing to deduce (`template <class =
// void>`; callers write the same calls): a translation unit then compiles only
// the verbs it calls — each with its encoder, its std::vector<…_info> or
// std::optional<link_info> — instead of all of them wherever <rtnl/rtnl.hpp> is
// included (issue 11: include cost).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rtnl/addr.hpp"
#include "rtnl/error.hpp"
#include "rtnl/link.hpp"
#include "rtnl/netns.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/route.hpp"
#include "rtnl/socket.hpp"

namespace rtnl {

namespace ops_detail {

/// Encodes one request with `encode(writer&) -> error_code`, runs it, reports ec.
template <class Encode>
void run(socket& nl, Encode&& encode, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    if ((ec = encode(w))) return;
    nl.execute(b, ec);
}

[[noreturn]] inline void throw_name(std::error_code ec, std::string_view name) {
    throw error(make_status(ec), "Error: \"" + std::string(name) + "\" is not a valid interface name: " + ec.message() + ".");
}

[[noreturn]] inline void throw_no_device(std::string_view name) {
    throw error(make_status(errc::no_such_device), "Cannot find device \"" + std::string(name) + "\"");
}

inline void check_name(std::string_view name) {
    if (name.empty()) return;
    if (auto ec = validate_ifname(name)) throw_name(ec, name);
}

/// Opens namespaces named in requests (netns_ref::named) for the duration of one
/// call and hands out descriptor references instead.
class named_namespaces {
public:
    /// `ref` with a name replaced by an open descriptor; ec set if it cannot be opened.
    netns_ref resolve(const netns_ref& ref, std::error_code& ec) {
        ec.clear();
        if (ref.type() != netns_ref::kind::name) return ref;
        auto f = netns::default_registry().try_open(ref.name(), &open_.emplace_back());
        if (f) {
            ec = f.code;
            what_ = std::move(f.what);
            return {};
        }
        return netns_ref::from_fd(open_.back().get());
    }
    /// iproute2's text for the last failure ("Cannot open network namespace …").
    const std::string& what() const noexcept { return what_; }

private:
    std::vector<unique_fd> open_;
    std::string what_;
};

template <class Fn>
void throwing(socket& nl, Fn&& fn) {
    std::error_code ec;
    fn(ec);
    if (ec) {
        const status& s = nl.last_status();
        throw error(s.code == ec ? s : local_status(ec));
    }
}

}  // namespace ops_detail

namespace link {

template <class = void>
int index(socket& nl, std::string_view name);

namespace detail {
template <class = void>
void add_veth(socket& nl, const veth& v, std::error_code& ec, ops_detail::named_namespaces& names) {
    veth r = v;
    r.netns = names.resolve(v.netns, ec);  // clears ec first
    if (!ec) r.peer.netns = names.resolve(v.peer.netns, ec);
    if (!ec) ops_detail::run(nl, [&](wire::writer& w) { return add(w, r); }, ec);
}
}  // namespace detail

/// A veth pair. Either end may be placed by descriptor, pid or name.
template <class = void>
void add(socket& nl, const veth& v, std::error_code& ec) {
    ops_detail::named_namespaces names;
    detail::add_veth(nl, v, ec, names);
}
template <class = void>
void add(socket& nl, const veth& v) {
    ops_detail::check_name(v.name);
    ops_detail::check_name(v.peer.name);
    ops_detail::named_namespaces names;
    std::error_code ec;
    detail::add_veth(nl, v, ec, names);
    if (ec && !names.what().empty()) throw error(make_status(ec), names.what());
    if (ec) throw error(nl.last_status().code == ec ? nl.last_status() : make_status(ec));
}
template <class = void>
void add(socket& nl, const bridge& b, std::error_code& ec) {
    ops_detail::named_namespaces names;
    bridge r = b;
    r.netns = names.resolve(b.netns, ec);
    if (!ec) ops_detail::run(nl, [&](wire::writer& w) { return add(w, r); }, ec);
}
template <class = void>
void add(socket& nl, const bridge& b) {
    ops_detail::check_name(b.name);
    ops_detail::throwing(nl, [&](std::error_code& ec) { add(nl, b, ec); });
}

template <class = void>
void set(socket& nl, link_ref target, const link_change& c, std::error_code& ec) {
    ops_detail::named_namespaces names;
    link_change r = c;
    r.netns = names.resolve(c.netns, ec);
    if (!ec) ops_detail::run(nl, [&](wire::writer& w) { return set(w, target, r); }, ec);
}
template <class = void>
void set(socket& nl, link_ref target, const link_change& c) {
    if (!target.by_index()) ops_detail::check_name(target.name());
    if (c.name) ops_detail::check_name(*c.name);
    if (c.netns.type() == netns_ref::kind::name) {  // open it here for iproute2's message
        ops_detail::named_namespaces names;
        std::error_code ec;
        link_change r = c;
        r.netns = names.resolve(c.netns, ec);
        if (ec) throw error(make_status(ec), names.what());
        return set(nl, target, r);
    }
    std::error_code ec;
    if (c.name && !target.by_index()) {
        // a rename needs the index (IFLA_IFNAME carries the new name)
        const int index = link::index(nl, target.name());
        set(nl, index, c, ec);
    } else {
        set(nl, target, c, ec);
    }
    if (ec == std::errc::no_such_device && !target.by_index()) ops_detail::throw_no_device(target.name());
    if (ec) throw error(nl.last_status());
}

template <class = void>
void del(socket& nl, link_ref target, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return del(w, target); }, ec);
}
template <class = void>
void del(socket& nl, link_ref target) {
    if (!target.by_index()) ops_detail::check_name(target.name());
    std::error_code ec;
    del(nl, target, ec);
    if (ec == std::errc::no_such_device && !target.by_index()) ops_detail::throw_no_device(target.name());
    if (ec) throw error(nl.last_status());
}

template <class = void>
void del_group(socket& nl, std::uint32_t group, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return del_group(w, group); }, ec);
}
template <class = void>
void del_group(socket& nl, std::uint32_t group) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { del_group(nl, group, ec); });
}

/// One link by index or name, with a single RTM_GETLINK (no dump). nullopt and
/// ec == errc::no_such_device when there is none.
template <class = void>
std::optional<link_info> get(socket& nl, link_ref target, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    if ((ec = get(w, target))) return std::nullopt;
    std::optional<link_info> out;
    nl.query(b, [&](const wire::message_view& m) {
        link_view v(m);
        if (v.valid()) out = link_info::from(v);
    }, ec);
    if (ec == std::errc::no_such_device) ec = errc::no_such_device;
    else if (!ec && !out) ec = errc::malformed_reply;
    return out;
}
template <class = void>
link_info get(socket& nl, link_ref target) {
    if (!target.by_index()) ops_detail::check_name(target.name());
    std::error_code ec;
    auto l = get(nl, target, ec);
    if (ec == errc::no_such_device) {
        if (target.by_index()) throw error(make_status(ec), "Cannot find device " + std::to_string(target.index()));
        ops_detail::throw_no_device(target.name());
    }
    if (ec) throw error(nl.last_status().code ? nl.last_status() : make_status(ec));
    return std::move(*l);
}

/// The ifindex of a link name (one RTM_GETLINK).
template <class = void>
int index(socket& nl, std::string_view name, std::error_code& ec) {
    auto l = get(nl, name, ec);
    return l ? l->index : 0;
}
template <class>
int index(socket& nl, std::string_view name) {
    return get(nl, name).index;
}

/// Every link (one dump, retried while the kernel reports it interrupted).
template <class = void>
std::vector<link_info> list(socket& nl, const link_filter& f, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<link_info> out;
    if ((ec = dump(w, f))) return out;
    nl.dump_with_retry(b, [&] { out.clear(); }, [&](const wire::message_view& m) {
        if (m.type() != RTM_NEWLINK) return;
        link_view v(m);
        if (!v.valid()) return;
        if (f.master && v.master() != f.master) return;  // re-check: old kernels ignore filters
        if (!f.kind.empty() && v.kind() != f.kind) return;
        out.push_back(link_info::from(v));
    }, ec);
    return out;
}
template <class = void>
std::vector<link_info> list(socket& nl, const link_filter& f = {}) {
    std::vector<link_info> out;
    ops_detail::throwing(nl, [&](std::error_code& ec) { out = list(nl, f, ec); });
    return out;
}

}  // namespace link

namespace addr {

template <class = void>
void add(socket& nl, const address_spec& a, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return add(w, a); }, ec);
}
template <class = void>
void add(socket& nl, const address_spec& a) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { add(nl, a, ec); });
}
template <class = void>
void del(socket& nl, const address_spec& a, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return del(w, a); }, ec);
}
template <class = void>
void del(socket& nl, const address_spec& a) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { del(nl, a, ec); });
}

namespace detail {
template <class = void>
ip_prefix parse_or_throw(std::string_view text) {
    auto p = ip_prefix::parse(text);
    if (!p)
        throw error(make_status(std::make_error_code(std::errc::invalid_argument)),
                    "Error: inet prefix is expected rather than \"" + std::string(text) + "\".");
    return *p;
}
template <class = void>
int index_of(socket& nl, link_ref dev) { return dev.by_index() ? dev.index() : link::index(nl, dev.name()); }
}  // namespace detail

/// `ip addr add PREFIX dev DEV`.
template <class = void>
void add(socket& nl, link_ref dev, std::string_view prefix) {
    address_spec a;
    a.prefix = detail::parse_or_throw(prefix);
    a.index = detail::index_of(nl, dev);
    add(nl, a);
}
/// `ip addr del PREFIX dev DEV`.
template <class = void>
void del(socket& nl, link_ref dev, std::string_view prefix) {
    address_spec a;
    a.prefix = detail::parse_or_throw(prefix);
    a.index = detail::index_of(nl, dev);
    del(nl, a);
}

/// Every address (optionally of one family and one link).
template <class = void>
std::vector<address_info> list(socket& nl, int family, int index, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<address_info> out;
    if ((ec = dump(w, family, index))) return out;
    nl.dump_with_retry(b, [&] { out.clear(); }, [&](const wire::message_view& m) {
        if (m.type() != RTM_NEWADDR) return;
        address_view v(m);
        if (!v.valid()) return;
        if (index > 0 && v.index() != index) return;
        if (family != AF_UNSPEC && v.family() != family) return;
        out.push_back(address_info::from(v));
    }, ec);
    return out;
}
template <class = void>
std::vector<address_info> list(socket& nl, int family = AF_UNSPEC, int index = 0) {
    std::vector<address_info> out;
    ops_detail::throwing(nl, [&](std::error_code& ec) { out = list(nl, family, index, ec); });
    return out;
}

/// Removes every address of one link (`ip addr flush dev DEV`): one dump, then
/// all deletes in one pipelined batch. Returns how many were removed.
template <class = void>
std::size_t flush(socket& nl, int index, int family, std::error_code& ec) {
    auto addrs = list(nl, family, index, ec);
    if (ec || addrs.empty()) return 0;
    wire::buffer b;
    wire::writer w(b);
    for (auto& a : addrs)
        if ((ec = del(w, a.to_spec()))) return 0;
    std::size_t removed = 0;
    for (auto& s : nl.batch(b)) {
        // An address can vanish on its own (IPv6 link-local goes with its IPv4 peer): not an error.
        if (s.ok() || s.code == std::errc::address_not_available) ++removed;
        else if (!ec) ec = s.code;
    }
    return removed;
}
template <class = void>
std::size_t flush(socket& nl, link_ref dev, int family = AF_UNSPEC) {
    const int index = detail::index_of(nl, dev);
    std::size_t n = 0;
    ops_detail::throwing(nl, [&](std::error_code& ec) { n = flush(nl, index, family, ec); });
    return n;
}

}  // namespace addr

namespace route {

template <class = void>
void add(socket& nl, const route_spec& r, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return add(w, r); }, ec);
}
template <class = void>
void add(socket& nl, const route_spec& r) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { add(nl, r, ec); });
}
template <class = void>
void del(socket& nl, const route_spec& r, std::error_code& ec) {
    ops_detail::run(nl, [&](wire::writer& w) { return del(w, r); }, ec);
}
template <class = void>
void del(socket& nl, const route_spec& r) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { del(nl, r, ec); });
}

/// Routes of one table (main by default), filtered in user space too.
template <class = void>
std::vector<route_info> list(socket& nl, int family, std::uint32_t table, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<route_info> out;
    if ((ec = dump(w, family, table))) return out;
    nl.dump_with_retry(b, [&] { out.clear(); }, [&](const wire::message_view& m) {
        if (m.type() != RTM_NEWROUTE) return;
        route_view v(m);
        if (!v.valid()) return;
        if (table != RT_TABLE_UNSPEC && v.table() != table) return;
        if (family != AF_UNSPEC && v.family() != family) return;
        out.push_back(route_info::from(v));
    }, ec);
    return out;
}
template <class = void>
std::vector<route_info> list(socket& nl, int family = AF_UNSPEC, std::uint32_t table = RT_TABLE_MAIN) {
    std::vector<route_info> out;
    ops_detail::throwing(nl, [&](std::error_code& ec) { out = list(nl, family, table, ec); });
    return out;
}

}  // namespace route

namespace nsid {

template <class = void>
void set(socket& nl, const netns_ref& ns, std::int32_t id, std::error_code& ec) {
    ops_detail::named_namespaces names;
    const netns_ref r = names.resolve(ns, ec);
    if (!ec) ops_detail::run(nl, [&](wire::writer& w) { return set(w, r, id); }, ec);
}
template <class = void>
void set(socket& nl, const netns_ref& ns, std::int32_t id) {
    ops_detail::throwing(nl, [&](std::error_code& ec) { set(nl, ns, id, ec); });
}

/// The id the socket's namespace uses for `ns`; nsid_not_assigned (-1) if none.
template <class = void>
std::int32_t get(socket& nl, const netns_ref& ns, std::error_code& ec) {
    ops_detail::named_namespaces names;
    const netns_ref r = names.resolve(ns, ec);
    if (ec) return nsid_not_assigned;
    wire::buffer b;
    wire::writer w(b);
    if ((ec = get(w, r))) return nsid_not_assigned;
    std::int32_t id = nsid_not_assigned;
    nl.query(b, [&](const wire::message_view& m) {
        nsid_view v(m);
        if (v.valid()) id = v.nsid().value_or(nsid_not_assigned);
    }, ec);
    return id;
}
template <class = void>
std::int32_t get(socket& nl, const netns_ref& ns) {
    std::int32_t id = nsid_not_assigned;
    ops_detail::throwing(nl, [&](std::error_code& ec) { id = get(nl, ns, ec); });
    return id;
}

/// Every assigned id in the socket's namespace.
template <class = void>
std::vector<std::int32_t> list(socket& nl, std::error_code& ec) {
    wire::buffer b;
    wire::writer w(b);
    std::vector<std::int32_t> out;
    if ((ec = dump(w))) return out;
    nl.dump_with_retry(b, [&] { out.clear(); }, [&](const wire::message_view& m) {
        nsid_view v(m);
        if (v.valid())
            if (auto id = v.nsid()) out.push_back(*id);
    }, ec);
    return out;
}
template <class = void>
std::vector<std::int32_t> list(socket& nl) {
    std::vector<std::int32_t> out;
    ops_detail::throwing(nl, [&](std::error_code& ec) { out = list(nl, ec); });
    return out;
}

}  // namespace nsid

}  // namespace rtnl
