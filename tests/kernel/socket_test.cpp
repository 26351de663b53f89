// The blocking socket against the real kernel: big batches on the default
// receive buffer, forged datagrams, deadlines, interrupted dumps, and real
// traffic across a bridge between two namespaces.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "rtnl/netns.hpp"
#include "rtnl/ops.hpp"
#include "support/netlink.hpp"
#include "support/sandbox.hpp"

namespace {

using namespace rtnl;
using rtnl::test::KernelTest;

using Socket = KernelTest;

TEST_F(Socket, ThousandRequestsOnADefaultBufferGiveThousandResults) {
    rtnl::socket nl;
    ASSERT_LE(nl.receive_buffer(), 256 * 1024) << "this test is about the default-sized buffer";
    link::add(nl, veth{.name = "b0", .up = true, .peer = {.name = "b1"}});
    const int b0 = link::index(nl, "b0");
    // 1000 address adds, every other one a duplicate: 500 ACKs and 500 errors
    // carrying extack text (the larger kind of answer).
    wire::buffer b;
    wire::writer w(b);
    for (int i = 0; i < 1000; ++i) {
        const int host = i / 2 + 1;
        auto p = *ip_prefix::parse("10." + std::to_string(host / 250) + "." + std::to_string(host % 250) + ".1/32");
        ASSERT_FALSE(addr::add(w, {.index = b0, .prefix = p}));
    }
    auto results = nl.batch(b);
    ASSERT_EQ(results.size(), 1000u);
    for (int i = 0; i < 1000; ++i) {
        if (i % 2 == 0) {
            EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].describe();
        } else {
            EXPECT_EQ(results[i].code, std::errc::file_exists) << i;
            EXPECT_EQ(results[i].message, "ipv4: Address already assigned") << i;
        }
    }
    EXPECT_EQ(addr::list(nl, AF_INET, b0).size(), 500u);
    EXPECT_GT(nl.stats().send_calls, 1u) << "windowed: more than one sendmsg";
    EXPECT_LT(nl.stats().send_calls, 50u) << "but many requests per sendmsg";
    EXPECT_LT(nl.stats().receive_calls, 200u) << "ACKs drained many per syscall";
}

TEST_F(Socket, ThousandVethPairsInOneBatch) {
    rtnl::socket nl;
    wire::buffer b;
    wire::writer w(b);
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i) names.push_back("p" + std::to_string(i));
    for (auto& n : names) ASSERT_FALSE(link::add(w, veth{.name = n, .group = 3, .num_tx_queues = 1,
                                                         .num_rx_queues = 1, .peer = {.num_tx_queues = 1, .num_rx_queues = 1}}));
    auto results = nl.batch(b);
    ASSERT_EQ(results.size(), 1000u);
    for (auto& r : results) ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(link::list(nl).size(), 2001u);
    link::del_group(nl, 3);
    EXPECT_EQ(link::list(nl).size(), 1u) << "a veth goes with its peer, wherever the peer's group";
}

TEST_F(Socket, ForgedDatagramFromAnotherSocketIsIgnored) {
    rtnl::socket nl;
    // Another process's socket sends us an NLMSG_ERROR(-EPERM) with the very
    // sequence number our next request will carry.
    ASSERT_GT(rtnl::test::forge_ack(nl.port_id(), nl.next_sequence(), -EPERM), 0);
    link::add(nl, bridge{.name = "real0"});  // ACK path (recvmmsg)
    EXPECT_EQ(nl.stats().foreign_datagrams, 1u);
    // And a forged reply for the GET that follows (peek path): a link named "fake".
    struct {
        nlmsghdr h;
        ifinfomsg i;
        nlattr a;
        char name[8];
    } reply{};
    reply.h.nlmsg_len = sizeof reply;
    reply.h.nlmsg_type = RTM_NEWLINK;
    reply.h.nlmsg_seq = nl.next_sequence();
    reply.i.ifi_index = 999;
    reply.a.nla_len = sizeof(nlattr) + 5;
    reply.a.nla_type = IFLA_IFNAME;
    std::memcpy(reply.name, "fake", 5);
    int forger = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_pid = nl.port_id();
    ASSERT_GT(::sendto(forger, &reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    auto real = link::get(nl, "real0");
    EXPECT_EQ(real.name, "real0");
    EXPECT_NE(real.index, 999);
    EXPECT_EQ(nl.stats().foreign_datagrams, 2u);
    ::close(forger);
}

TEST_F(Socket, ARequestTheKernelNeverAnswersTimesOut) {
    rtnl::socket nl(socket_options{.timeout = std::chrono::milliseconds(200)});
    // A GETLINK without NLM_F_REQUEST: the kernel drops it silently.
    wire::buffer b;
    wire::writer w(b);
    {
        auto m = w.begin(RTM_GETLINK, 0);
        w.header(ifinfomsg{});
    }
    std::vector<status> results;
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_FALSE(nl.transact(b, results, [](std::size_t, const wire::message_view&) {}));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(190));
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].code, std::errc::timed_out);
    EXPECT_EQ(results[0].describe(), "Connection timed out") << "the kernel never answered: not \"RTNETLINK answers\"";
    // the socket goes on working
    link::add(nl, bridge{.name = "after"});
    EXPECT_EQ(link::get(nl, "after").name, "after");
}

TEST_F(Socket, ABatchWithARefusedRequestIsRefusedWholeAndNothingIsSent) {
    // Three requests asked, the middle one refused by its encoder (a name with a
    // slash): the refusal must not vanish as "two statuses for three requests".
    rtnl::socket nl;
    wire::buffer b;
    wire::writer w(b);
    EXPECT_FALSE(link::add(w, bridge{.name = "r0"}));
    EXPECT_EQ(link::add(w, bridge{.name = "r/1"}), rtnl::errc::invalid_name);
    EXPECT_FALSE(link::add(w, bridge{.name = "r2"}));
    EXPECT_EQ(b.refused(), rtnl::errc::invalid_name);
    const auto results = nl.batch(b);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].code, rtnl::errc::invalid_name);
    EXPECT_TRUE(results[0].local);
    EXPECT_THROW(nl.execute(b), rtnl::error);
    EXPECT_EQ(link::list(nl, {.kind = "bridge"}).size(), 0u) << "nothing of the batch was sent";
    b.clear();  // forgets the refusal with the bytes
    EXPECT_FALSE(link::add(w, bridge{.name = "r0"}));
    for (auto& st : nl.batch(b)) EXPECT_TRUE(st.ok()) << st.describe();
}

TEST_F(Socket, DumpsInTheMiddleOfABatchAreQueued) {
    rtnl::socket nl;
    wire::buffer b;
    wire::writer w(b);
    ASSERT_FALSE(link::add(w, bridge{.name = "q0"}));
    ASSERT_FALSE(link::dump(w));
    ASSERT_FALSE(link::dump(w));  // a second dump would be EBUSY if sent in the same window
    ASSERT_FALSE(link::add(w, bridge{.name = "q1"}));
    std::vector<status> results;
    std::size_t dumped[4] = {};
    ASSERT_FALSE(nl.transact(b, results, [&](std::size_t i, const wire::message_view&) { ++dumped[i]; }));
    for (auto& r : results) EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(dumped[1], 2u) << "lo and q0";
    EXPECT_EQ(dumped[2], 2u);
}

TEST_F(Socket, InterruptedDumpsAreSurfacedAndRetried) {
    rtnl::socket nl;
    link::add(nl, veth{.name = "d0", .up = true, .peer = {.name = "d1"}});
    const int d0 = link::index(nl, "d0");
    {
        wire::buffer b;
        wire::writer w(b);
        for (int i = 0; i < 2000; ++i)
            ASSERT_FALSE(addr::add(w, {.index = d0, .prefix = *ip_prefix::parse(
                                                         "10.5." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/32")}));
        for (auto& s : nl.batch(b)) ASSERT_TRUE(s.ok());
    }
    // Churn addresses from another socket while dumping.
    std::atomic<bool> stop{false};
    std::atomic<int> cycles{0};
    std::thread churn([&] {
        rtnl::socket other;
        auto p = *ip_prefix::parse("10.6.0.1/32");
        while (!stop) {
            std::error_code ec;
            addr::add(other, {.index = d0, .prefix = p}, ec);
            addr::del(other, {.index = d0, .prefix = p}, ec);
            ++cycles;
        }
    });
    // Dump until the kernel flags one (how many that takes depends on how the
    // two threads are scheduled: on a fast idle machine 200 dumps may all be
    // clean); the bound only keeps a broken kernel from hanging the suite.
    while (cycles == 0) std::this_thread::yield();
    int interrupted = 0, clean = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (interrupted == 0 && std::chrono::steady_clock::now() < give_up) {
        wire::buffer b;
        wire::writer w(b);
        ASSERT_FALSE(addr::dump(w, AF_INET));
        std::size_t n = 0;
        auto r = nl.dump(b, [&](const wire::message_view&) { ++n; });
        (r.interrupted ? interrupted : clean)++;
        EXPECT_GE(n, 2000u);
    }
    // With retry, a consistent result (or a clear error) comes back.
    std::error_code ec;
    auto list = addr::list(nl, AF_INET, d0, ec);
    stop = true;
    churn.join();
    EXPECT_GT(interrupted, 0) << "the kernel flagged NLM_F_DUMP_INTR under churn (" << clean << " clean dumps)";
    if (ec) {
        EXPECT_EQ(ec, errc::dump_interrupted);
    } else {
        EXPECT_GE(list.size(), 2000u);
    }
}

/// A UDP socket bound inside a namespace (opened on a helper thread).
int udp_in(int ns_fd, const char* ip, std::uint16_t port) {
    return netns::run_in(ns_fd, [&] {
        int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, ip, &a.sin_addr);
        if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(s);
            return -1;
        }
        return s;
    });
}

TEST_F(Socket, BridgeWithTwoPortsCarriesTrafficBetweenNamespaces) {
    rtnl::socket nl;
    unique_fd ns0 = netns::create("ns0");
    unique_fd ns1 = netns::create("ns1");
    link::add(nl, bridge{.name = "br0", .up = true});
    const int br = link::index(nl, "br0");
    link::add(nl, veth{.name = "veth0", .master = br, .up = true, .peer = {.name = "eth0", .netns = ns0}});
    link::add(nl, veth{.name = "veth1", .master = br, .up = true, .peer = {.name = "eth0", .netns = ns1}});
    auto in0 = socket::in_namespace(ns0.get());
    auto in1 = socket::in_namespace(ns1.get());
    for (auto* in : {&in0, &in1}) link::set(*in, "eth0", {.up = true});
    addr::add(in0, "eth0", "10.0.1.1/24");
    addr::add(in1, "eth0", "10.0.1.2/24");

    int rx = udp_in(ns1.get(), "10.0.1.2", 9999);
    int tx = udp_in(ns0.get(), "10.0.1.1", 0);
    ASSERT_GE(rx, 0);
    ASSERT_GE(tx, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9999);
    ::inet_pton(AF_INET, "10.0.1.2", &to.sin_addr);
    // Carrier and bridge forwarding settle quickly; resend until the datagram arrives.
    std::string got;
    for (int attempt = 0; attempt < 50 && got.empty(); ++attempt) {
        const char msg[] = "hello across the bridge";
        ::sendto(tx, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        pollfd p{rx, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            char buf[64];
            ssize_t n = ::recv(rx, buf, sizeof buf, 0);
            if (n > 0) got.assign(buf, static_cast<std::size_t>(n));
        }
    }
    EXPECT_EQ(got, "hello across the bridge");
    ::close(rx);
    ::close(tx);
}

TEST_F(Socket, UsedAfterForkIsRefused) {
    rtnl::socket nl;
    pid_t pid = ::fork();
    if (pid == 0) {
        wire::buffer b;
        wire::writer w(b);
        (void)link::add(w, bridge{.name = "child"});
        std::vector<status> r;
        auto ec = nl.transact(b, r, [](std::size_t, const wire::message_view&) {});
        ::_exit(ec == errc::used_after_fork ? 0 : 1);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    std::error_code ec;
    link::get(nl, "child", ec);
    EXPECT_EQ(ec, errc::no_such_device) << "nothing was sent from the child";
}

}  // namespace
