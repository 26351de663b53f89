// rtnl/asio/ops.hpp — typed asynchronous operations: the verbs of rtnl/ops.hpp
// with a completion token instead of a blocking call.
//
//     co_await rtnl::asio::link::async_add(nl, rtnl::bridge{.name = "br0", .up = true}, use_awaitable);
//     rtnl::link_info br = co_await rtnl::asio::link::async_get(nl, "br0", use_awaitable);
//     co_await rtnl::asio::addr::async_add(nl, {.index = br.index, .prefix = p}, use_awaitable);
//     auto links = co_await rtnl::asio::link::async_list(nl, use_awaitable);
//
// Every failure — kernel error (with its extack text), timeout, cancellation,
// a name refused before sending — reaches the handler as an rtnl::error in the
// exception_ptr (so a coroutine sees it thrown, a future rethrows it). Signatures:
//   add/set/del         void(std::exception_ptr)
//   get                 void(std::exception_ptr, link_info)
//   list                void(std::exception_ptr, std::vector<T>)
//   async_snapshot      void(std::exception_ptr, snapshot)
// For raw statuses instead of exceptions use socket::async_request/async_batch.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "rtnl/addr.hpp"
#include "rtnl/asio/socket.hpp"
#include "rtnl/link.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/route.hpp"

namespace rtnl::asio {

namespace detail {

inline std::exception_ptr to_exception(const status& s) {
    return s.ok() ? nullptr : std::make_exception_ptr(error(s));
}

/// The first failure of a transaction (or none), as an exception.
inline std::exception_ptr first_failure(const transaction& t) {
    if (t.failure) return std::make_exception_ptr(error(make_status(t.failure)));
    for (const auto& s : t.results)
        if (!s.ok()) return std::make_exception_ptr(error(s));
    return nullptr;
}

/// Completes with nothing but success or the first failure.
struct ack_finisher {
    using signature = void(std::exception_ptr);
    static constexpr bool capture = false;
    std::tuple<std::exception_ptr> operator()(transaction& t) const { return {first_failure(t)}; }
};

/// Decodes every data message of type `Type` with `View` into `Info::from(view)`,
/// keeping those `keep(view)` accepts. Fails with errc::dump_interrupted when the
/// last attempt was still interrupted.
template <class Info, class View, std::uint16_t Type, class Keep>
struct list_finisher {
    using signature = void(std::exception_ptr, std::vector<Info>);
    static constexpr bool capture = true;
    Keep keep;
    std::tuple<std::exception_ptr, std::vector<Info>> operator()(transaction& t) const {
        std::vector<Info> out;
        if (auto e = first_failure(t)) return {e, std::move(out)};
        if (t.interrupted) return {std::make_exception_ptr(error(make_status(errc::dump_interrupted))), std::move(out)};
        for (wire::message_view m : wire::message_range(t.data.bytes())) {
            if (m.type() != Type) continue;
            View v(m);
            if (v.valid() && keep(v)) out.push_back(Info::from(v));
        }
        return {nullptr, std::move(out)};
    }
};

/// One reply decoded into an owning value.
template <class Info, class View>
struct one_finisher {
    using signature = void(std::exception_ptr, Info);
    static constexpr bool capture = true;
    std::tuple<std::exception_ptr, Info> operator()(transaction& t) const {
        if (auto e = first_failure(t)) {
            if (!t.failure && !t.results.empty() && t.results.front().code == std::errc::no_such_device) {
                status s = t.results.front();
                s.code = errc::no_such_device;
                return {std::make_exception_ptr(error(s)), Info{}};
            }
            return {e, Info{}};
        }
        for (wire::message_view m : wire::message_range(t.data.bytes())) {
            View v(m);
            if (v.valid()) return {nullptr, Info::from(v)};
        }
        return {std::make_exception_ptr(error(make_status(errc::malformed_reply))), Info{}};
    }
};

struct keep_all {
    template <class V>
    bool operator()(const V&) const noexcept {
        return true;
    }
};

/// Encodes one request with `encode(writer&) -> error_code` and runs it through
/// `finisher`; an encoding failure completes (posted) with that error.
template <class Finisher, class Encode, class Token>
auto run(socket& nl, const op_options& o, Encode&& encode, Finisher f, Token&& token) {
    wire::buffer b;
    wire::writer w(b);
    if (auto ec = encode(w)) {
        // An empty buffer makes the socket fail the operation; report the real cause.
        struct failed : Finisher {
            std::error_code why;
            auto operator()(transaction& t) const {
                t.failure = why;
                return Finisher::operator()(t);
            }
        };
        return nl.async_transact(wire::buffer{}, o, failed{f, ec}, std::forward<Token>(token));
    }
    return nl.async_transact(std::move(b), o, std::move(f), std::forward<Token>(token));
}

}  // namespace detail

namespace link {

template <class Token>
auto async_add(socket& nl, const veth& v, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::add(w, v); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_add(socket& nl, const bridge& b, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::add(w, b); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
/// `ip link set`. A target given by name is resolved by the kernel (no extra
/// round trip); a rename needs the target by index.
template <class Token>
auto async_set(socket& nl, link_ref target, const link_change& c, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::set(w, target, c); },
                       detail::ack_finisher{}, std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, link_ref target, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::del(w, target); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
/// Every link of an interface group in one request (one RCU wait for all).
template <class Token>
auto async_del_group(socket& nl, std::uint32_t group, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::del_group(w, group); },
                       detail::ack_finisher{}, std::forward<Token>(token));
}
/// One link by index or name (a single RTM_GETLINK). No such link: rtnl::error
/// with errc::no_such_device.
template <class Token>
auto async_get(socket& nl, link_ref target, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::link::get(w, target); },
                       detail::one_finisher<link_info, link_view>{}, std::forward<Token>(token));
}
/// Every link (one dump, rerun up to 5 times while interrupted).
template <class Token>
auto async_list(socket& nl, const link_filter& f, Token&& token) {
    auto keep = [master = f.master, kind = std::string(f.kind)](const link_view& v) {
        return (!master || v.master() == master) && (kind.empty() || v.kind() == kind);
    };
    using F = detail::list_finisher<link_info, link_view, RTM_NEWLINK, decltype(keep)>;
    return detail::run(nl, op_options{.attempts = 5}, [&](wire::writer& w) { return ::rtnl::link::dump(w, f); },
                       F{keep}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, link_filter{}, std::forward<Token>(token));
}

}  // namespace link

namespace addr {

template <class Token>
auto async_add(socket& nl, const address_spec& a, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::addr::add(w, a); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const address_spec& a, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::addr::del(w, a); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
/// Every address (optionally of one family and one link).
template <class Token>
auto async_list(socket& nl, int family, int index, Token&& token) {
    auto keep = [family, index](const address_view& v) {
        return (index <= 0 || v.index() == index) && (family == AF_UNSPEC || v.family() == family);
    };
    using F = detail::list_finisher<address_info, address_view, RTM_NEWADDR, decltype(keep)>;
    return detail::run(nl, op_options{.attempts = 5}, [&](wire::writer& w) { return ::rtnl::addr::dump(w, family, index); },
                       F{keep}, std::forward<Token>(token));
}
template <class Token>
auto async_list(socket& nl, Token&& token) {
    return async_list(nl, AF_UNSPEC, 0, std::forward<Token>(token));
}

}  // namespace addr

namespace route {

template <class Token>
auto async_add(socket& nl, const route_spec& r, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::route::add(w, r); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
template <class Token>
auto async_del(socket& nl, const route_spec& r, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::route::del(w, r); }, detail::ack_finisher{},
                       std::forward<Token>(token));
}
/// Routes of one table (main by default).
template <class Token>
auto async_list(socket& nl, int family, std::uint32_t table, Token&& token) {
    auto keep = [family, table](const route_view& v) {
        return (table == RT_TABLE_UNSPEC || v.table() == table) && (family == AF_UNSPEC || v.family() == family);
    };
    using F = detail::list_finisher<route_info, route_view, RTM_NEWROUTE, decltype(keep)>;
    return detail::run(nl, op_options{.attempts = 5}, [&](wire::writer& w) { return ::rtnl::route::dump(w, family, table); },
                       F{keep}, std::forward<Token>(token));
}

}  // namespace route

namespace nsid {

template <class Token>
auto async_set(socket& nl, const netns_ref& ns, std::int32_t id, Token&& token) {
    return detail::run(nl, {}, [&](wire::writer& w) { return ::rtnl::nsid::set(w, ns, id); }, detail::ack_finisher{},
                       std::forward<Token>(token));
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
    using signature = void(std::exception_ptr, snapshot);
    static constexpr bool capture = true;
    std::tuple<std::exception_ptr, snapshot> operator()(transaction& t) const {
        snapshot s;
        if (auto e = first_failure(t)) return {e, std::move(s)};
        if (t.interrupted) return {std::make_exception_ptr(error(make_status(errc::dump_interrupted))), std::move(s)};
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
        return {nullptr, std::move(s)};
    }
};
}  // namespace detail

/// Dumps what `parts` names in one transaction (the dumps run one after the
/// other; the whole snapshot is taken again, up to 5 times, while any of them is
/// interrupted). This is the resync after an event_stream overrun: apply the
/// events that follow it on top.
template <class Token>
auto async_snapshot(socket& nl, snapshot_parts parts, Token&& token) {
    return detail::run(
        nl, op_options{.attempts = 5},
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

}  // namespace rtnl::asio
