// tests/support/fault_requests.hpp — the requests and answers the fault tests
// (tests/unit/socket_fault_test.cpp, tests/asio/fault_test.cpp) send through a
// fake_kernel: changes that say whose answer is whose, and a link dump.
#pragma once

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/wire/buffer.hpp"
#include "support/bytes.hpp"
#include "support/fake_kernel.hpp"

namespace rtnl::test {

/// `n` change requests (RTM_NEWLINK on ifindex i + 1), one buffer.
inline wire::buffer changes(int n) {
    wire::buffer b;
    for (int i = 0; i < n; ++i) {
        raw r;
        r.nlmsg(32, RTM_NEWLINK, NLM_F_REQUEST, 0).u8(AF_UNSPEC).u8(0).u16(0).i32(i + 1).u32(0).u32(0);
        b.append(r.b.data(), r.b.size());
    }
    return b;
}

inline wire::buffer link_dump() {
    wire::buffer b;
    raw r;
    r.nlmsg(32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0).zeros(16);
    b.append(r.b.data(), r.b.size());
    return b;
}

inline int ifindex_of(const fake_kernel::request& r) {
    ifinfomsg i{};
    std::memcpy(&i, r.bytes.data() + NLMSG_HDRLEN, sizeof i);
    return i.ifi_index;
}

/// Answers request with ifindex i with errno 10 + i (ECHILD, EAGAIN, …): whose answer is whose shows.
inline std::vector<std::byte> own_answer(const fake_kernel::request& r) {
    return fake_kernel::error_message(r.header, -(10 + ifindex_of(r)));
}

/// Each request got its own_answer, in order.
inline void expect_own_answers(const std::vector<status>& results, int n) {
    ASSERT_EQ(results.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(results[i].code.value(), 10 + i + 1) << "request " << i;
}

/// The fake answers every request with its own_answer.
inline void answer_each_with_its_own(fake_kernel& k) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) f.deliver(own_answer(q));
    };
}

/// Every answer preceded by a forged one from port 4242 (not the kernel): an
/// EPERM for each request, and a part (ifindex 99) in each dump, whose real
/// answer is one part (ifindex 1) and DONE; changes get their own_answer.
inline void answer_with_forgeries_first(fake_kernel& k) {
    k.answer = [](fake_kernel& f, const std::vector<fake_kernel::request>& rs) {
        for (auto& q : rs) {
            f.deliver(fake_kernel::error_message(q.header, -EPERM), 4242);  // forged, first
            if (q.header.nlmsg_type == RTM_GETLINK) {
                f.deliver(fake_kernel::link_message(q.header, 99), 4242);
                f.deliver(fake_kernel::link_message(q.header, 1));
                f.deliver(fake_kernel::done_message(q.header));
            } else {
                f.deliver(own_answer(q));
            }
        }
    };
}

/// The EBUSY case: a dump, a change and a second dump in one buffer; the fake
/// answers the first dump with DONE, the change with its own_answer and the
/// second dump with EBUSY (what the kernel says to a dump while one runs).
inline wire::buffer dump_change_dump_second_busy(fake_kernel& k) {
    k.answer = [dumps = 0](fake_kernel& f, const std::vector<fake_kernel::request>& rs) mutable {
        for (auto& q : rs) {
            if (q.header.nlmsg_type != RTM_GETLINK) f.deliver(own_answer(q));
            else if (++dumps == 2) f.deliver(fake_kernel::error_message(q.header, -EBUSY));
            else f.deliver(fake_kernel::done_message(q.header));
        }
    };
    wire::buffer b = link_dump();
    auto c = changes(1);
    b.append(c.data(), c.size());
    auto d = link_dump();
    b.append(d.data(), d.size());
    return b;
}

/// Its outcome: the busy dump alone failed, and no sendmsg carried two dumps.
inline void expect_second_dump_busy_alone(const std::vector<status>& r, const fake_kernel& k) {
    ASSERT_EQ(r.size(), 3u);
    EXPECT_TRUE(r[0].ok());
    EXPECT_EQ(r[1].code.value(), 11);
    EXPECT_EQ(r[2].code, std::errc::device_or_resource_busy);
    std::size_t at = 0;
    for (std::size_t n : k.sends) {
        int in_call = 0;
        for (std::size_t j = at; j < at + n; ++j) in_call += k.sent[j].header.nlmsg_type == RTM_GETLINK;
        EXPECT_LE(in_call, 1) << "a sendmsg carried two dumps";
        at += n;
    }
}

}  // namespace rtnl::test
