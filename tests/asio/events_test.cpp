// event_stream on default options under a container burst: 300 containers set
// up by coroutines (examples/containers.hpp, as a daemon would) while the
// stream is read only afterwards — the worst case, the whole burst waits in the
// kernel's receive buffer — then torn down. Not one event may be lost.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <set>
#include <string>

#include "examples/containers.hpp"
#include "rtnl/asio.hpp"
#include "rtnl/ops.hpp"
#include "support/sandbox.hpp"

namespace {

namespace net = boost::asio;
namespace ra = rtnl::asio;
using namespace rtnl;
using AsioEventBurst = rtnl::test::KernelTest;

/// Reads every event already queued (and what arrives within `quiet`), noting
/// the host ends of the veth pairs created and deleted.
struct tally {
    std::set<std::string> created, deleted;
    std::uint64_t overruns = 0;

    void drain(net::io_context& io, ra::event_stream& events, std::chrono::milliseconds quiet,
               std::size_t want_deleted = 0) {
        bool done = false;
        net::steady_timer timer(io);
        std::function<void()> next = [&] {
            timer.expires_after(quiet);
            timer.async_wait([&](boost::system::error_code ec) {
                if (!ec && deleted.size() >= want_deleted) {
                    done = true;
                    events.cancel();
                }
            });
            events.async_next([&](ra::error_code ec, ra::event e) {
                timer.cancel();
                if (ec) return;  // cancelled: the quiet period passed
                if (e.overrun()) ++overruns;
                else if (e.message().type() == RTM_NEWLINK || e.message().type() == RTM_DELLINK) {
                    link_view l(e.message());
                    const std::string name(l.name());
                    if (name.starts_with("vc")) (e.message().type() == RTM_NEWLINK ? created : deleted).insert(name);
                }
                if (!done) next();
            });
        };
        next();
        io.run();
        io.restart();
    }
};

TEST_F(AsioEventBurst, ThreeHundredContainersOnDefaultOptionsLoseNoEvent) {
    constexpr int containers = 300;
    net::io_context io;
    ra::event_stream events(io);  // default options
    EXPECT_GE(events.receive_buffer(), 16 << 20) << "root: SO_RCVBUFFORCE sizes the default buffer for bursts";
    ra::socket host(io);
    ra::netns_pool pool(io.get_executor());
    rtnl::socket blocking;
    link::add(blocking, bridge{.name = "br0", .up = true});
    const int br0 = link::index(blocking, "br0");

    examples::build_with_coroutines(io, host, pool, br0, 0, containers);  // events pile up meanwhile
    tally t;
    t.drain(io, events, std::chrono::milliseconds(200));
    EXPECT_EQ(t.overruns, 0u);
    EXPECT_EQ(events.stats().overruns, 0u);
    EXPECT_EQ(t.created.size(), static_cast<std::size_t>(containers)) << "every host end's RTM_NEWLINK";

    // Teardown: the namespaces go, the kernel deletes the pairs (asynchronously).
    examples::remove_with_coroutines(io, pool, 0, containers);
    t.drain(io, events, std::chrono::milliseconds(2000), containers);
    EXPECT_EQ(t.overruns, 0u);
    EXPECT_EQ(t.deleted.size(), static_cast<std::size_t>(containers)) << "every delete at teardown";
}

TEST_F(AsioEventBurst, TheKernelsDefaultBufferIsStillThereToAskFor) {
    net::io_context io;
    ra::event_stream small(io, {.receive_buffer = -1});
    ra::event_stream big(io);
    EXPECT_LT(small.receive_buffer(), 1 << 20);
    EXPECT_GT(big.receive_buffer(), small.receive_buffer());
}

}  // namespace
