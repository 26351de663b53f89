// Built against an *installed* rtnl by tests/package/run.cmake when the
// installed package offers rtnl::asio (Boost headers found).
#include <rtnl/asio.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>

int main() {
    boost::asio::io_context io;
    rtnl::asio::socket nl(io);
    std::size_t links = 0;
    bool failed = false;
    rtnl::asio::link::async_list(nl, [&](rtnl::asio::error_code ec, std::vector<rtnl::link_info> v) {
        failed = static_cast<bool>(ec);
        links = v.size();
    });
    io.run();
    std::printf("asio: %zu links\n", links);
    return failed || links == 0 ? 1 : 0;
}
