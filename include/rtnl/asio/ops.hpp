// rtnl/asio/ops.hpp — typed asynchronous operations: the verbs of rtnl/ops.hpp
// with a completion token instead of a blocking call.
//
//     co_await rtnl::asio::link::async_add(nl, rtnl::bridge{.name = "br0", .up = true}, use_awaitable);
//     rtnl::link_info br = co_await rtnl::asio::link::async_get(nl, "br0", use_awaitable);
//     co_await rtnl::asio::addr::async_add(nl, "br0", "10.0.0.1/24", use_awaitable);
//     auto links = co_await rtnl::asio::link::async_list(nl, use_awaitable);
//
// Signatures, in Asio's form (boost::system::error_code, rtnl/asio/error.hpp):
//   add/set/del         void(error_code)
//   get                 void(error_code, link_info)
//   list                void(error_code, std::vector<T>)
//   nsid::async_get     void(error_code, std::int32_t)
//   async_snapshot      void(error_code, snapshot)
// so every completion token works: use_awaitable (throws boost::system::system_error),
// as_tuple / redirect_error (no exception), use_future, deferred (and so
// experimental::make_parallel_group), awaitable operators, plain callbacks.
//
// Every verb has a form taking op_options before the token: a per-operation
// timeout, a cancel_signal (any Boost), and `details` — a status filled before
// the handler runs with what an error_code cannot carry: the kernel's extack
// text and offset, and the whole message in the blocking API's words
// (`Cannot find device "eth9"`, `Error: ipv4: Address already assigned.`).
// Asio cancellation slots (Boost >= 1.77) cancel one operation as well.
//
// Names work wherever the blocking API takes them: links by name (resolved by
// the kernel, or with one RTM_GETLINK first for an address), namespaces by
// name (netns_ref::named: opened when the verb is called, kept open until the
// operation completes). A request refused before sending (an invalid name, a
// namespace that cannot be opened) completes with its error, nothing sent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "rtnl/addr.hpp"
#include "rtnl/asio/socket.hpp"
#include "rtnl/link.hpp"
#include "rtnl/netns.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/route.hpp"

namespace rtnl::asio {

namespace detail {

/// The outcome of a transaction as one status: its refusal or first failure,
/// else the first request's (which may carry a warning).
inline status outcome(transaction& t) {
    if (t.failed()) return t.failure;
    for (auto& s : t.results)
        if (!s.ok()) return s;
    return t.results.empty() ? status{} : t.results.front();
}

/// iproute2's wording for a link named in the request that does not exist.
inline status name_the_device(status s, const std::string& device) {
    if (device.empty() || s.ok() || !s.message.empty() || s.code != std::errc::no_such_device) return s;
    return worded_status(make_error_code(errc::no_such_device), "Cannot find device \"" + device + "\"");
}

/// Completes with nothing but success or the first failure.
struct ack_finisher {
    using signature = void(error_code);
    static constexpr bool capture = false;
    std::string device;  ///< the link the request names, for "Cannot find device"
    std::tuple<error_code> operator()(transaction& t) const { return {t.report(name_the_device(outcome(t), device))}; }
};

/// Decodes every data message of type `Type` with `View` into `Info::from(view)`,
/// keeping those `keep(view)` accepts. Fails with errc::dump_interrupted when the
/// last attempt was still interrupted.
template <class Info, class View, std::uint16_t Type, class Keep>
struct list_finisher {
    using signature = void(error_code, std::vector<Info>);
    static constexpr bool capture = true;
    Keep keep;
    std::tuple<error_code, std::vector<Info>> operator()(transaction& t) const {
        std::vector<Info> out;
        status s = outcome(t);
        if (s.ok() && t.interrupted) s = local_status(make_error_code(errc::dump_interrupted));
        if (!s.ok()) return {t.report(s), std::move(out)};
        for (wire::message_view m : wire::message_range(t.data.bytes())) {
            if (m.type() != Type) continue;
            View v(m);
            if (v.valid() && keep(v)) out.push_back(Info::from(v));
        }
        return {t.report(s), std::move(out)};
    }
};

/// One reply decoded by `decode(message_view) -> std::optional<Info>`. A link
/// that does not exist is rtnl::errc::no_such_device, worded as iproute2 does.
template <class Info, class Decode>
struct one_finisher {
    using signature = void(error_code, Info);
    static constexpr bool capture = true;
    Decode decode;
    std::string device;  ///< "NAME" or an index in decimal
    bool by_name = true;
    std::tuple<error_code, Info> operator()(transaction& t) const {
        status s = outcome(t);
        if (!s.ok() && !device.empty() && s.message.empty() && s.code == std::errc::no_such_device)
            s = worded_status(make_error_code(errc::no_such_device),
                              by_name ? "Cannot find device \"" + device + "\"" : "Cannot find device " + device);
        if (!s.ok()) return {t.report(s), Info{}};
        for (wire::message_view m : wire::message_range(t.data.bytes()))
            if (std::optional<Info> v = decode(m)) return {t.report(s), std::move(*v)};
        return {t.report(local_status(make_error_code(errc::malformed_reply))), Info{}};
    }
};

template <class Info, class View>
struct decode_as {
    std::optional<Info> operator()(const wire::message_view& m) const {
        View v(m);
        if (!v.valid()) return std::nullopt;
        return Info::from(v);
    }
};

struct keep_all {
    template <class V>
    bool operator()(const V&) const noexcept {
        return true;
    }
};

/// Namespaces named in a request, opened when the verb is called and kept open
/// (inside the operation's finisher) until it completes: the kernel reads the
/// descriptor when it runs the request.
class open_namespaces {
public:
    /// `ref` with a name replaced by an open descriptor; a refusal status
    /// (iproute2's "Cannot open network namespace …") when it cannot be opened.
    netns_ref resolve(const netns_ref& ref, status& refused) {
        if (ref.type() != netns_ref::kind::name || !refused.ok()) return ref;
        if (!fds_) fds_ = std::make_shared<std::vector<unique_fd>>();
        auto& slot = fds_->emplace_back();
        if (auto f = netns::default_registry().try_open(ref.name(), &slot)) {
            refused = worded_status(f.code, std::move(f.what));
            return {};
        }
        return netns_ref::from_fd(slot.get());
    }
    std::shared_ptr<std::vector<unique_fd>> fds_;
};

/// A finisher that also keeps namespace descriptors open for the operation.
template <class Finisher>
struct holding : Finisher {
    std::shared_ptr<std::vector<unique_fd>> fds;
};

/// A name rtnl refuses, in the blocking API's words (`Error: "a/b" is not a
/// valid interface name: invalid name.`); ok() for a valid or empty name.
inline status check_name(std::string_view name, status already = {}) {
    if (!already.ok() || name.empty()) return already;
    if (auto ec = validate_ifname(name))
        return worded_status(ec, "Error: \"" + std::string(name) + "\" is not a valid interface name: " + ec.message() + ".");
    return already;
}

/// Encodes one request with `encode(writer&) -> error_code` and runs it through
/// `finisher`. A refusal (`refused`, or the encoder's) completes the operation
/// with it, nothing sent. One return path: deferred needs one return type.
template <class Finisher, class Encode, class Token>
auto run(socket& nl, const op_options& o, Encode&& encode, Finisher f, Token&& token, status refused = {}) {
    wire::buffer b;
    if (refused.ok()) {
        wire::writer w(b);
        if (auto ec = encode(w)) refused = local_status(ec);
    }
    if (!refused.ok()) b.clear();
    return nl.async_transact(std::move(b), o, std::move(f), std::forward<Token>(token), false, std::move(refused));
}

/// Read-only verbs retry an interrupted dump up to 5 times unless told otherwise.
inline op_options dump_options(op_options o) {
    if (o.attempts <= 1) o.attempts = 5;
    return o;
}

}  // namespace detail

namespace link {

/// A veth pair; either end may be placed in a namespace by descriptor, pid or name.
template <class Token>
auto async_add(socket& nl, const veth& v, const op_options& o, Token&& token) {
    detail::open_namespaces names;
    status refused = detail::check_name(v.peer.name, detail::check_name(v.name));
    veth r = v;
    r.netns = names.resolve(v.netns, refused);
    r.peer.netns = names.resolve(v.peer.netns, refused);
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::add(w, r); },
                       detail::holding<detail::ack_finisher>{{}, names.fds_}, std::forward<Token>(token),
                       std::move(refused));
}
template <class Token>
auto async_add(socket& nl, const veth& v, Token&& token) {
    return async_add(nl, v, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_add(socket& nl, const bridge& b, const op_options& o, Token&& token) {
    detail::open_namespaces names;
    status refused = detail::check_name(b.name);
    bridge r = b;
    r.netns = names.resolve(b.netns, refused);
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::add(w, r); },
                       detail::holding<detail::ack_finisher>{{}, names.fds_}, std::forward<Token>(token),
                       std::move(refused));
}
template <class Token>
auto async_add(socket& nl, const bridge& b, Token&& token) {
    return async_add(nl, b, op_options{}, std::forward<Token>(token));
}

/// `ip link set`. A target given by name is resolved by the kernel (no extra
/// round trip); a rename needs the target by index.
template <class Token>
auto async_set(socket& nl, link_ref target, const link_change& c, const op_options& o, Token&& token) {
    detail::open_namespaces names;
    status refused = target.by_index() ? status{} : detail::check_name(target.name());
    if (c.name) refused = detail::check_name(*c.name, std::move(refused));
    link_change r = c;
    r.netns = names.resolve(c.netns, refused);
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::set(w, target, r); },
                       detail::holding<detail::ack_finisher>{{{std::string(target.name())}}, names.fds_},
                       std::forward<Token>(token), std::move(refused));
}
template <class Token>
auto async_set(socket& nl, link_ref target, const link_change& c, Token&& token) {
    return async_set(nl, target, c, op_options{}, std::forward<Token>(token));
}

template <class Token>
auto async_del(socket& nl, link_ref target, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::del(w, target); },
                       detail::ack_finisher{std::string(target.name())}, std::forward<Token>(token),
                       target.by_index() ? status{} : detail::check_name(target.name()));
}
template <class Token>
auto async_del(socket& nl, link_ref target, Token&& token) {
    return async_del(nl, target, op_options{}, std::forward<Token>(token));
}

/// Every link of an interface group in one request (one RCU wait for all).
template <class Token>
auto async_del_group(socket& nl, std::uint32_t group, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::del_group(w, group); },
                       detail::ack_finisher{}, std::forward<Token>(token));
}
template <class Token>
auto async_del_group(socket& nl, std::uint32_t group, Token&& token) {
    return async_del_group(nl, group, op_options{}, std::forward<Token>(token));
}

/// One link by index or name (a single RTM_GETLINK). No such link:
/// rtnl::errc::no_such_device (`Cannot find device "x"` in details).
template <class Token>
auto async_get(socket& nl, link_ref target, const op_options& o, Token&& token) {
    using F = detail::one_finisher<link_info, detail::decode_as<link_info, link_view>>;
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::link::get(w, target); },
                       F{{}, target.by_index() ? std::to_string(target.index()) : std::string(target.name()),
                         !target.by_index()},
                       std::forward<Token>(token), target.by_index() ? status{} : detail::check_name(target.name()));
}
template <class Token>
auto async_get(socket& nl, link_ref target, Token&& token) {
    return async_get(nl, target, op_options{}, std::forward<Token>(token));
}

/// Every link (one dump, rerun up to 5 times while interrupted), optionally filtered.
template <class Token>
auto async_list(socket& nl, const link_filter& f, const op_options& o, Token&& token) {
    auto keep = [master = f.master, kind = std::string(f.kind)](const link_view& v) {
        return (!master || v.master() == master) && (kind.empty() || v.kind() == kind);
    };
    using F = detail::list_finisher<link_info, link_view, RTM_NEWLINK, decltype(keep)>;
    return detail::run(nl, detail::dump_options(o), [&](wire::writer& w) { return ::rtnl::link::dump(w, f); },
                       F{keep}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, const link_filter& f, Token&& token) {
    return async_list(nl, f, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, link_filter{}, op_options{}, std::forward<Token>(token));
}

}  // namespace link

namespace addr {

template <class Token>
auto async_add(socket& nl, const address_spec& a, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::addr::add(w, a); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_add(socket& nl, const address_spec& a, Token&& token) {
    return async_add(nl, a, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const address_spec& a, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::addr::del(w, a); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const address_spec& a, Token&& token) {
    return async_del(nl, a, op_options{}, std::forward<Token>(token));
}

namespace detail {

/// `ip addr add|del PREFIX dev DEV`: the kernel wants an ifindex, so a device
/// given by name costs one RTM_GETLINK first (both steps share the options:
/// timeout and cancel_signal apply to each, details to the one that failed).
template <bool Add, class Token>
auto async_change(socket& nl, link_ref dev, std::string_view prefix, const op_options& o, Token&& token) {
    auto p = ip_prefix::parse(prefix);
    status refused;
    if (!p)
        refused = worded_status(std::make_error_code(std::errc::invalid_argument),
                                "Error: inet prefix is expected rather than \"" + std::string(prefix) + "\".");
    else if (!dev.by_index())
        refused = ::rtnl::asio::detail::check_name(dev.name());
    return net::async_initiate<Token, void(error_code)>(
        [](auto handler, socket* sock, int index, std::string name, std::optional<ip_prefix> pfx, op_options opts,
           status why) {
            auto step2 = [sock, pfx, opts](auto h, int ifindex) {
                const address_spec a{.index = ifindex, .prefix = *pfx};
                if constexpr (Add) ::rtnl::asio::addr::async_add(*sock, a, opts, std::move(h));
                else ::rtnl::asio::addr::async_del(*sock, a, opts, std::move(h));
            };
            if (!why.ok() || index > 0) {
                // Refused, or nothing to resolve: one operation (it completes with the refusal).
                if (!why.ok()) {
                    ::rtnl::asio::detail::run(*sock, opts, [](wire::writer&) { return std::error_code{}; },
                                              ::rtnl::asio::detail::ack_finisher{}, std::move(handler),
                                              std::move(why));
                    return;
                }
                step2(std::move(handler), index);
                return;
            }
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
            auto slot = net::get_associated_cancellation_slot(handler);  // cancels the lookup too
#endif
            auto then = [h = std::move(handler), step2](error_code ec, link_info l) mutable {
                if (ec) {
                    auto ex = net::get_associated_executor(h);
                    net::dispatch(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
                    return;
                }
                step2(std::move(h), l.index);
            };
#if RTNL_ASIO_HAS_CANCELLATION_SLOT
            ::rtnl::asio::link::async_get(*sock, name, opts, net::bind_cancellation_slot(slot, std::move(then)));
#else
            ::rtnl::asio::link::async_get(*sock, name, opts, std::move(then));
#endif
        },
        token, &nl, dev.by_index() ? dev.index() : 0, std::string(dev.name()), p, o, std::move(refused));
}

}  // namespace detail

/// `ip addr add PREFIX dev DEV`, the device by index or name.
template <class Token>
auto async_add(socket& nl, link_ref dev, std::string_view prefix, const op_options& o, Token&& token) {
    return detail::async_change<true>(nl, dev, prefix, o, std::forward<Token>(token));
}
template <class Token>
auto async_add(socket& nl, link_ref dev, std::string_view prefix, Token&& token) {
    return detail::async_change<true>(nl, dev, prefix, op_options{}, std::forward<Token>(token));
}
/// `ip addr del PREFIX dev DEV`.
template <class Token>
auto async_del(socket& nl, link_ref dev, std::string_view prefix, const op_options& o, Token&& token) {
    return detail::async_change<false>(nl, dev, prefix, o, std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, link_ref dev, std::string_view prefix, Token&& token) {
    return detail::async_change<false>(nl, dev, prefix, op_options{}, std::forward<Token>(token));
}

/// Every address (optionally of one family and one link).
template <class Token>
auto async_list(socket& nl, int family, int index, const op_options& o, Token&& token) {
    auto keep = [family, index](const address_view& v) {
        return (index <= 0 || v.index() == index) && (family == AF_UNSPEC || v.family() == family);
    };
    using F = ::rtnl::asio::detail::list_finisher<address_info, address_view, RTM_NEWADDR, decltype(keep)>;
    return ::rtnl::asio::detail::run(nl, ::rtnl::asio::detail::dump_options(o),
                                     [&](wire::writer& w) { return ::rtnl::addr::dump(w, family, index); }, F{keep},
                                     std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, int family, int index, Token&& token) {
    return async_list(nl, family, index, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, int family, Token&& token) {
    return async_list(nl, family, 0, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, AF_UNSPEC, 0, op_options{}, std::forward<Token>(token));
}

}  // namespace addr

namespace route {

template <class Token>
auto async_add(socket& nl, const route_spec& r, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::route::add(w, r); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_add(socket& nl, const route_spec& r, Token&& token) {
    return async_add(nl, r, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const route_spec& r, const op_options& o, Token&& token) {
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::route::del(w, r); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const route_spec& r, Token&& token) {
    return async_del(nl, r, op_options{}, std::forward<Token>(token));
}

/// Routes of one table (main by default; RT_TABLE_UNSPEC for all), as route::list.
template <class Token>
auto async_list(socket& nl, int family, std::uint32_t table, const op_options& o, Token&& token) {
    auto keep = [family, table](const route_view& v) {
        return (table == RT_TABLE_UNSPEC || v.table() == table) && (family == AF_UNSPEC || v.family() == family);
    };
    using F = detail::list_finisher<route_info, route_view, RTM_NEWROUTE, decltype(keep)>;
    return detail::run(nl, detail::dump_options(o), [&](wire::writer& w) { return ::rtnl::route::dump(w, family, table); },
                       F{keep}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, int family, std::uint32_t table, Token&& token) {
    return async_list(nl, family, table, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, int family, Token&& token) {
    return async_list(nl, family, RT_TABLE_MAIN, op_options{}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, AF_UNSPEC, RT_TABLE_MAIN, op_options{}, std::forward<Token>(token));
}

}  // namespace route

namespace nsid {

/// Gives the namespace `ns` (descriptor, pid or name) the id `id` here.
template <class Token>
auto async_set(socket& nl, const netns_ref& ns, std::int32_t id, const op_options& o, Token&& token) {
    detail::open_namespaces names;
    status refused;
    const netns_ref r = names.resolve(ns, refused);
    return detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::nsid::set(w, r, id); },
                       detail::holding<detail::ack_finisher>{{}, names.fds_}, std::forward<Token>(token),
                       std::move(refused));
}
template <class Token>
auto async_set(socket& nl, const netns_ref& ns, std::int32_t id, Token&& token) {
    return async_set(nl, ns, id, op_options{}, std::forward<Token>(token));
}

namespace detail {
struct decode_nsid {
    std::optional<std::int32_t> operator()(const wire::message_view& m) const {
        nsid_view v(m);
        if (!v.valid()) return std::nullopt;
        return v.nsid().value_or(nsid_not_assigned);
    }
};
struct nsid_list_finisher {
    using signature = void(error_code, std::vector<std::int32_t>);
    static constexpr bool capture = true;
    template <class Transaction>  // a template: compiled only where an nsid list is asked for
    std::tuple<error_code, std::vector<std::int32_t>> operator()(Transaction& t) const {
        std::vector<std::int32_t> out;
        status s = ::rtnl::asio::detail::outcome(t);
        if (s.ok() && t.interrupted) s = local_status(make_error_code(errc::dump_interrupted));
        if (s.ok())
            for (wire::message_view m : wire::message_range(t.data.bytes()))
                if (nsid_view v(m); v.valid())
                    if (auto id = v.nsid()) out.push_back(*id);
        return {t.report(s), std::move(out)};
    }
};
}  // namespace detail

/// The id this namespace uses for `ns`; nsid_not_assigned (-1) if none.
template <class Token>
auto async_get(socket& nl, const netns_ref& ns, const op_options& o, Token&& token) {
    ::rtnl::asio::detail::open_namespaces names;
    status refused;
    const netns_ref r = names.resolve(ns, refused);
    using F = ::rtnl::asio::detail::holding<::rtnl::asio::detail::one_finisher<std::int32_t, detail::decode_nsid>>;
    return ::rtnl::asio::detail::run(nl, o, [&](wire::writer& w) { return ::rtnl::nsid::get(w, r); }, F{{}, names.fds_},
                                     std::forward<Token>(token), std::move(refused));
}
template <class Token>
auto async_get(socket& nl, const netns_ref& ns, Token&& token) {
    return async_get(nl, ns, op_options{}, std::forward<Token>(token));
}

/// Every id assigned in this namespace.
template <class Token>
auto async_list(socket& nl, const op_options& o, Token&& token) {
    return ::rtnl::asio::detail::run(nl, ::rtnl::asio::detail::dump_options(o),
                                     [&](wire::writer& w) { return ::rtnl::nsid::dump(w); }, detail::nsid_list_finisher{},
                                     std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, op_options{}, std::forward<Token>(token));
}

}  // namespace nsid

// ---- snapshots (the resync after an event overrun) ----------------------------------

/// What a snapshot holds.
enum class snapshot_parts : unsigned { links = 1, addresses = 2, routes = 4, all = 7 };
constexpr snapshot_parts operator|(snapshot_parts a, snapshot_parts b) noexcept {
    return static_cast<snapshot_parts>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(snapshot_parts set, snapshot_parts p) noexcept {
    return (static_cast<unsigned>(set) & static_cast<unsigned>(p)) != 0;
}

/// The state of a namespace at one moment: links, addresses and routes (every
/// table, both families), each from one consistent dump.
struct snapshot {
    std::vector<link_info> links;
    std::vector<address_info> addresses;
    std::vector<route_info> routes;
};

namespace detail {
struct snapshot_finisher {
    using signature = void(error_code, snapshot);
    static constexpr bool capture = true;
    template <class Transaction>  // a template: compiled only where a snapshot is asked for
    std::tuple<error_code, snapshot> operator()(Transaction& t) const {
        snapshot s;
        status st = outcome(t);
        if (st.ok() && t.interrupted) st = local_status(make_error_code(errc::dump_interrupted));
        if (!st.ok()) return {t.report(st), std::move(s)};
        for (wire::message_view m : wire::message_range(t.data.bytes())) {
            switch (m.type()) {
                case RTM_NEWLINK:
                    if (link_view v(m); v.valid()) s.links.push_back(link_info::from(v));
                    break;
                case RTM_NEWADDR:
                    if (address_view v(m); v.valid()) s.addresses.push_back(address_info::from(v));
                    break;
                case RTM_NEWROUTE:
                    if (route_view v(m); v.valid()) s.routes.push_back(route_info::from(v));
                    break;
                default: break;
            }
        }
        return {t.report(st), std::move(s)};
    }
};
}  // namespace detail

/// Dumps what `parts` names in one transaction (the dumps run one after the
/// other; the whole snapshot is taken again, up to 5 times, while any of them is
/// interrupted). This is the resync after an event_stream overrun: apply the
/// events that follow it on top.
template <class Token>
auto async_snapshot(socket& nl, snapshot_parts parts, const op_options& o, Token&& token) {
    return detail::run(
        nl, detail::dump_options(o),
        [&](wire::writer& w) -> std::error_code {
            if (has(parts, snapshot_parts::links))
                if (auto ec = ::rtnl::link::dump(w)) return ec;
            if (has(parts, snapshot_parts::addresses))
                if (auto ec = ::rtnl::addr::dump(w)) return ec;
            if (has(parts, snapshot_parts::routes))
                if (auto ec = ::rtnl::route::dump(w, AF_UNSPEC, RT_TABLE_UNSPEC)) return ec;
            return {};
        },
        detail::snapshot_finisher{}, std::forward<Token>(token));
}
template <class Token>
auto async_snapshot(socket& nl, snapshot_parts parts, Token&& token) {
    return async_snapshot(nl, parts, op_options{}, std::forward<Token>(token));
}

}  // namespace rtnl::asio
