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
#include <exception>
#include <string>
#include <tuple>
#include <utility>

#include <boost/asio/thread_pool.hpp>

#include "rtnl/asio/socket.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/netns.hpp"

namespace rtnl::asio {

class netns_pool {
public:
    using executor_type = net::any_io_executor;

    /// `io` is where completions go by default; `threads` workers (RTNL and the
    /// mount table serialise most of this work: two are plenty).
    explicit netns_pool(const executor_type& io, std::size_t threads = 2, netns::registry reg = netns::registry{})
        : io_(io), pool_(threads), registry_(std::move(reg)) {}
    netns_pool(const netns_pool&) = delete;
    netns_pool& operator=(const netns_pool&) = delete;
    /// Waits for jobs already running.
    ~netns_pool() { pool_.join(); }

    const netns::registry& registry() const noexcept { return registry_; }
    executor_type get_executor() const noexcept { return io_; }

    /// `ip netns add NAME`: void(std::exception_ptr, unique_fd) — the fd keeps a handle on it.
    template <class Token>
    auto async_create(std::string name, Token&& token) {
        return run<void(std::exception_ptr, unique_fd)>(
            [this, name = std::move(name)] { return std::tuple(std::exception_ptr{}, registry_.create(name)); },
            std::forward<Token>(token));
    }

    /// `ip netns del NAME`: void(std::exception_ptr). The kernel finishes tearing
    /// the namespace down (and its links) asynchronously after this.
    template <class Token>
    auto async_remove(std::string name, Token&& token) {
        return run<void(std::exception_ptr)>(
            [this, name = std::move(name)] {
                registry_.remove(name);
                return std::tuple(std::exception_ptr{});
            },
            std::forward<Token>(token));
    }

    /// An unnamed namespace, alive while the returned fd is: void(std::exception_ptr, unique_fd).
    template <class Token>
    auto async_create_anonymous(Token&& token) {
        return run<void(std::exception_ptr, unique_fd)>(
            [] { return std::tuple(std::exception_ptr{}, netns::create_anonymous()); }, std::forward<Token>(token));
    }

    /// A request socket bound to the namespace behind `ns_fd` (the descriptor only
    /// has to stay open until this completes): void(std::exception_ptr, socket).
    template <class Token>
    auto async_open_socket(int ns_fd, const socket_options& o, Token&& token) {
        return run<void(std::exception_ptr, socket)>(
            [this, ns_fd, o] { return std::tuple(std::exception_ptr{}, socket::in_namespace(io_, ns_fd, o)); },
            std::forward<Token>(token));
    }
    template <class Token>
    auto async_open_socket(int ns_fd, Token&& token) {
        return async_open_socket(ns_fd, socket_options{}, std::forward<Token>(token));
    }

private:
    template <class... Args>
    static std::tuple<std::exception_ptr, Args...> failed(std::tuple<std::exception_ptr, Args...>*, std::exception_ptr e) {
        return {e, Args{}...};
    }

    /// Runs `job` (returning the handler's arguments) on a worker; any exception
    /// it throws becomes the exception_ptr argument.
    template <class Signature, class Job, class Token>
    auto run(Job job, Token&& token) {
        return net::async_initiate<Token, Signature>(
            [this](auto handler, Job j) {
                auto work = net::make_work_guard(net::get_associated_executor(handler, io_));
                net::post(pool_, [h = std::move(handler), j = std::move(j), work = std::move(work)]() mutable {
                    using result_t = decltype(j());
                    auto result = [&]() -> result_t {
                        try {
                            return j();
                        } catch (...) {
                            return failed(static_cast<result_t*>(nullptr), std::current_exception());
                        }
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

}  // namespace rtnl::asio
