// rtnl/asio/error.hpp — rtnl's errors as boost::system::error_code, the way Asio
// completions carry them: void(boost::system::error_code, T).
//
//     auto [ec, l] = co_await rtnl::asio::link::async_get(nl, "eth0", as_tuple(use_awaitable));
//     if (ec == boost::asio::error::operation_aborted) …      // cancelled (ECANCELED)
//     if (ec == boost::asio::error::timed_out) …              // the per-operation deadline passed
//     if (ec == boost::system::errc::file_exists) …           // the kernel's errno
//     if (ec == rtnl::errc::no_such_device) …                 // rtnl's own conditions
//
// Kernel errnos land in boost::system::system_category (so Asio's and Boost's
// errc values compare equal); rtnl's own errors keep rtnl::category()'s values
// and messages. The kernel's extended ACK (text, offset) does not fit in an
// error_code: ask for it with op_options::details (typed verbs) or read the
// status of a reply / a batch (socket operations).
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

#include <boost/system/error_code.hpp>

#include "rtnl/error.hpp"

namespace rtnl::asio {

using error_code = ::boost::system::error_code;

namespace detail {

/// Boost >= 1.79 can hold a std::error_code as it is (and compares it against
/// std error enums such as rtnl::errc); older Boost (1.74) cannot, and gets a
/// Boost twin of rtnl::category() instead.
inline constexpr bool boost_holds_std_codes = std::is_constructible_v<error_code, std::error_code>;

// Boost 1.74's error_category has a public non-virtual destructor; categories are
// never deleted through a base pointer (they are static objects).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class boost_rtnl_category final : public ::boost::system::error_category {
public:
    const char* name() const noexcept override { return "rtnl"; }
    std::string message(int ev) const override { return ::rtnl::category().message(ev); }
};
#pragma GCC diagnostic pop

inline const ::boost::system::error_category& boost_category() noexcept {
    static const boost_rtnl_category instance;
    return instance;
}

}  // namespace detail

namespace detail {
template <class Code>  // a template, so that the branch this Boost lacks is never instantiated
Code from_std(const std::error_code& ec) noexcept {
    if constexpr (std::is_constructible_v<Code, std::error_code>) {
        return Code(ec);
    } else {
        if (ec.category() == ::rtnl::category()) return {ec.value(), boost_category()};
        return {ec.value(), ::boost::system::generic_category()};  // no other category reaches here
    }
}
}  // namespace detail

/// The error_code an Asio completion carries for `ec`.
inline error_code to_error_code(const std::error_code& ec) noexcept {
    if (!ec) return {};
    if (ec.category() == std::system_category()) return {ec.value(), ::boost::system::system_category()};
    if (ec.category() == std::generic_category()) return {ec.value(), ::boost::system::generic_category()};
    return detail::from_std<error_code>(ec);
}

}  // namespace rtnl::asio

namespace rtnl {
/// `ec == rtnl::errc::…` for Boost without std interoperability (1.74).
inline ::boost::system::error_condition make_error_condition(errc e) noexcept {
    return {static_cast<int>(e), asio::detail::boost_category()};
}
}  // namespace rtnl

template <>
struct boost::system::is_error_condition_enum<rtnl::errc>
    : std::bool_constant<!rtnl::asio::detail::boost_holds_std_codes> {};
