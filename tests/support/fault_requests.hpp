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

}  // namespace rtnl::test
