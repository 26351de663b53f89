// tests/tools/requests.hpp — what a tool sends, captured with strace: for the
// features this kernel lacks (bridge VLAN filtering, 8021q, ipvlan, dummy …)
// the tool tests compare the requests rtnl's tools send with iproute2's, byte
// for byte, next to the error and exit status both get.
#pragma once

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support/bytes.hpp"
#include "support/process.hpp"

namespace rtnl::test {

struct sent_requests {
    run_result run;
    std::vector<std::string> messages;  ///< hex, sequence number and port id zeroed
};

/// Runs argv under strace and returns every netlink message it sent with
/// sendmsg, except dumps and link lookups (RTM_GETLINK): the requests that act.
inline sent_requests requests_of(const std::vector<std::string>& argv) {
    const std::string out = "/run/.strace.out";
    std::vector<std::string> cmd{"strace", "-f", "-qq", "-xx", "-e", "trace=sendmsg", "-e", "write=all", "-o", out};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    sent_requests r;
    r.run = run(cmd);
    std::ifstream in(out);
    std::vector<std::byte> data;
    std::vector<std::vector<std::byte>> buffers;
    std::string line;
    while (std::getline(in, line)) {
        const auto bar = line.find(" | ");
        if (line.find("sendmsg(") != std::string::npos) {
            buffers.emplace_back();
            continue;
        }
        if (bar == std::string::npos || buffers.empty()) continue;
        auto chunk = from_hex(line.substr(bar + 3 + 7, 16 * 3 + 1));
        buffers.back().insert(buffers.back().end(), chunk.begin(), chunk.end());
    }
    for (auto& b : buffers) {
        std::size_t off = 0;
        while (off + sizeof(nlmsghdr) <= b.size()) {
            nlmsghdr h;
            std::memcpy(&h, b.data() + off, sizeof h);
            if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > b.size()) break;
            const bool get = h.nlmsg_type >= RTM_BASE && (h.nlmsg_type & 3) == 2;
            const bool dump = (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
            if (!(get && (dump || h.nlmsg_type == RTM_GETLINK))) {
                std::vector<std::byte> m(b.begin() + static_cast<long>(off), b.begin() + static_cast<long>(off + h.nlmsg_len));
                std::memset(m.data() + offsetof(nlmsghdr, nlmsg_seq), 0, 8);  // seq and pid
                r.messages.push_back(to_hex(m));
            }
            off += NLMSG_ALIGN(h.nlmsg_len);
        }
    }
    return r;
}

/// `ours` and `theirs` (the same words after the program name) send the same
/// requests and, unless the first run changes what the second finds
/// (`same_outcome` false), end with the same stderr and exit status.
inline void expect_same_requests(const std::string& ours, const std::string& theirs,
                                 const std::vector<std::string>& words, bool same_outcome = true) {
    SCOPED_TRACE(theirs + " " + ::testing::PrintToString(words));
    std::vector<std::string> a{ours}, b{theirs};
    a.insert(a.end(), words.begin(), words.end());
    b.insert(b.end(), words.begin(), words.end());
    auto them = requests_of(b);
    auto us = requests_of(a);
    EXPECT_FALSE(them.messages.empty()) << them.run.err;
    EXPECT_EQ(us.messages, them.messages);
    if (!same_outcome) return;
    EXPECT_EQ(us.run.err, them.run.err);
    EXPECT_EQ(us.run.status, them.run.status);
}

}  // namespace rtnl::test
