// rtnl/asio/netns.hpp — namespace work off the io_context: create, remove, and
// open sockets inside namespaces on a small worker pool.
//
//     rtnl::asio::netns_pool pool(io.get_executor());
//     rtnl::unique_fd ns = co_await pool.async_create("c1", use_awaitable);
//     rtnl::asio::socket inside = co_await pool.async_open_socket(ns.get(), use_awaitable);
//
// Creating a namespace is a handful of syscalls (mkdir, flock, mount, unshare,
// bind mount; ~0.4 ms) and removing one a lazy unmount — neither has an
// asynchronous kernel interface, so they run on worker threads while the
// io_context goes on sending netlink requests. The workers themselves never
// change namespace either: rtnl::netns does the unshare/setns on its own
// short-lived helper threads. Completions run on the handler's executor
// (by default the pool's io executor).
#pragma once

#include <cstddef>
#include <new>
#include <system_error>
#include <string>
#include <tuple>
#include <utility>

#include <boost/asio/thread_pool.hpp>

#include "rtnl/asio/socket.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"

namespace rtnl::asio {

template <class Executor = net::any_io_executor>
class basic_netns_pool {
public:
    using executor_type = Executor;

    /// `io` is where completions go by default; `threads` workers (RTNL and the
    /// mount table serialise most of this work: two are plenty).
    explicit basic_netns_pool(const executor_type& io, std::size_t threads = 2, netns::registry reg = netns::registry{})
        : io_(io), pool_(threads), registry_(std::move(reg)) {}
    basic_netns_pool(const basic_netns_pool&) = delete;
    basic_netns_pool& operator=(const basic_netns_pool&) = delete;
    /// Waits for jobs already running.
    ~basic_netns_pool() { pool_.join(); }

    const netns::registry& registry() const noexcept { return registry_; }
    executor_type get_executor() const noexcept { return io_; }

    /// `ip netns add NAME`: void(error_code, unique_fd) — the fd keeps a handle on it.
    /// With op_options, only `details` applies: iproute2's message for a failure
    /// (`Cannot create namespace file "/run/netns/a": File exists`).
    template <class Token>
    auto async_create(std::string name, const op_options& o, Token&& token) {
        return run<void(error_code, unique_fd)>(
            [this, name = std::move(name)] { return std::tuple(error_code{}, registry_.create(name)); },
            std::forward<Token>(token), o.details);
    }
    template <class Token>
    auto async_create(std::string name, Token&& token) {
        return async_create(std::move(name), op_options{}, std::forward<Token>(token));
    }

    /// `ip netns del NAME`: void(error_code). The kernel finishes tearing
    /// the namespace down (and its links) asynchronously after this.
    template <class Token>
    auto async_remove(std::string name, const op_options& o, Token&& token) {
        return run<void(error_code)>(
            [this, name = std::move(name)] {
                registry_.remove(name);
                return std::tuple(error_code{});
            },
            std::forward<Token>(token), o.details);
    }
    template <class Token>
    auto async_remove(std::string name, Token&& token) {
        return async_remove(std::move(name), op_options{}, std::forward<Token>(token));
    }

    /// An unnamed namespace, alive while the returned fd is: void(error_code, unique_fd).
    template <class Token>
    auto async_create_anonymous(Token&& token) {
        return run<void(error_code, unique_fd)>(
            [] { return std::tuple(error_code{}, netns::create_anonymous()); }, std::forward<Token>(token));
    }

    /// A request socket bound to the namespace behind `ns_fd` (the descriptor only
    /// has to stay open until this completes): void(error_code, basic_socket<Executor>).
    template <class Token>
    auto async_open_socket(int ns_fd, const socket_options& o, Token&& token) {
        return run<void(error_code, basic_socket<Executor>)>(
            [this, ns_fd, o] { return std::tuple(error_code{}, basic_socket<Executor>::in_namespace(io_, ns_fd, o)); },
            std::forward<Token>(token));
    }
    template <class Token>
    auto async_open_socket(int ns_fd, Token&& token) {
        return async_open_socket(ns_fd, socket_options{}, std::forward<Token>(token));
    }
    /// A request socket inside the namespace named `name` (in this pool's registry).
    template <class Token>
    auto async_open_socket(std::string name, const socket_options& o, Token&& token) {
        return run<void(error_code, basic_socket<Executor>)>(
            [this, name = std::move(name), o] {
                return std::tuple(error_code{}, basic_socket<Executor>::in_namespace(io_, name, o, registry_));
            },
            std::forward<Token>(token));
    }
    template <class Token>
    auto async_open_socket(std::string name, Token&& token) {
        return async_open_socket(std::move(name), socket_options{}, std::forward<Token>(token));
    }

private:
    template <class... Args>
    static std::tuple<error_code, Args...> failed(std::tuple<error_code, Args...>*, error_code e) {
        return {e, Args{}...};
    }

    /// Runs `job` (returning the handler's arguments) on a worker; an exception
    /// it throws becomes the error_code argument, its full text goes to `details`.
    template <class Signature, class Job, class Token>
    auto run(Job job, Token&& token, status* details = nullptr) {
        return net::async_initiate<Token, Signature>(
            [this, details](auto handler, Job j) {
                auto work = net::make_work_guard(net::get_associated_executor(handler, io_));
                net::post(pool_, [h = std::move(handler), j = std::move(j), work = std::move(work), details]() mutable {
                    using result_t = decltype(j());
                    auto result = [&]() -> result_t {
                        status s;
                        try {
                            auto r = j();
                            if (details) *details = s;
                            return r;
                        } catch (const error& e) {
                            s = e.details();
                            if (s.text.empty() && s.message.empty()) s.text = e.what();
                        } catch (const std::system_error& e) {
                            s = worded_status(e.code(), e.what());
                        } catch (const std::bad_alloc&) {
                            s = local_status(std::make_error_code(std::errc::not_enough_memory));
                        }
                        if (details) *details = s;
                        return failed(static_cast<result_t*>(nullptr), to_error_code(s.code));
                    }();
                    auto ex = work.get_executor();
                    net::dispatch(ex, [h = std::move(h), r = std::move(result)]() mutable {
                        std::apply(std::move(h), std::move(r));
                    });
                    work.reset();
                });
            },
            token, std::move(job));
    }

    executor_type io_;
    net::thread_pool pool_;
    netns::registry registry_;
};

using netns_pool = basic_netns_pool<>;

}  // namespace rtnl::asio
