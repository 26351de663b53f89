// tests/fuzz/tool_harness.hpp — fuzzes a tool's command line and -batch input
// (rtnl-ip, rtnl-bridge) against a fake kernel that records what would be sent.
//
// The input's first byte picks the door, the rest is what a user would type:
//   'a'  argv: one word per line, global options included (-n and -batch are
//        parsed but not acted on: they would switch namespace or read files)
//   'f'  a -force -batch file, run by the tool's own run_batch (pipelined)
//   else a -batch file, run line by line with a check after each
// Invariants: no crash (sanitizers), no hang (libFuzzer's -timeout), no
// exception but the tool's own (rtnl::error, exit_now), and a line that ends
// with a usage error (exit 255) sent no change to the kernel.
// Lines whose object is "netns" are not run: `netns add/exec` act on the real
// system (mounts, namespaces, programs) outside the socket.
#pragma once

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "support/bytes.hpp"
#include "support/fake_kernel.hpp"
#include "tools/common/args.hpp"
#include "tools/common/batch_driver.hpp"
#include "tools/common/batch_reader.hpp"
#include "tools/common/session.hpp"

namespace rtnl::fuzz {

using rtnl::test::fake_kernel;

/// The name an RTM_GETLINK asks for (IFLA_IFNAME), or "".
inline std::string requested_name(const fake_kernel::request& r) {
    std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
    while (off + 4 <= r.bytes.size()) {
        std::uint16_t len, type;
        std::memcpy(&len, r.bytes.data() + off, 2);
        std::memcpy(&type, r.bytes.data() + off + 2, 2);
        if (len < 4 || off + len > r.bytes.size()) break;
        if ((type & NLA_TYPE_MASK) == IFLA_IFNAME)
            return std::string(reinterpret_cast<const char*>(r.bytes.data() + off + 4), strnlen(reinterpret_cast<const char*>(r.bytes.data() + off + 4), len - 4u));
        off += NLMSG_ALIGN(len);
    }
    return {};
}

/// An RTM_NEWLINK for `name` with `index`, answering `to`.
inline std::vector<std::byte> link_reply(const nlmsghdr& to, int index, const std::string& name, std::uint16_t flags) {
    rtnl::test::raw r;
    const auto name_len = static_cast<std::uint16_t>(4 + name.size() + 1);
    r.nlmsg(0, RTM_NEWLINK, flags, to.nlmsg_seq, to.nlmsg_pid)
        .u8(AF_UNSPEC).u8(0).u16(1).i32(index).u32(IFF_UP | IFF_LOOPBACK).u32(0)
        .nla(name_len, IFLA_IFNAME).str(name).u8(0).pad4()
        .nla(8, IFLA_MTU).u32(1500)
        .nla(5, IFLA_OPERSTATE).u8(6).pad4();
    r.set_u32(0, static_cast<std::uint32_t>(r.size()));
    return r.b;
}

/// A host with one link (lo) that has whatever link is asked for by name.
inline void answer_as_a_small_host(fake_kernel& k, const std::vector<fake_kernel::request>& rs) {
    for (auto& r : rs) {
        const auto kind = rtnl::expect_for(r.header.nlmsg_type, r.header.nlmsg_flags);
        if (kind == rtnl::wire::expect::dump) {
            if (r.header.nlmsg_type == RTM_GETLINK) k.deliver(link_reply(r.header, 1, "lo", NLM_F_MULTI));
            k.deliver(fake_kernel::done_message(r.header));
        } else if (kind == rtnl::wire::expect::ack) {
            k.deliver(fake_kernel::error_message(r.header, 0));
        } else if (r.header.nlmsg_type == RTM_GETLINK) {
            const auto name = requested_name(r);
            k.deliver(link_reply(r.header, name.empty() ? 5 : 7, name.empty() ? "eth0" : name, 0));
            if (kind == rtnl::wire::expect::reply_and_ack) k.deliver(fake_kernel::error_message(r.header, 0));
        } else {
            k.deliver(fake_kernel::error_message(r.header, -ENODEV));
        }
    }
}

/// True for a line whose object the tool resolves to `netns` (kept away from the fuzzer).
inline bool acts_outside_the_socket(const std::vector<std::string>& words) {
    return !words.empty() && words[0].size() >= 3 && rtnl::tools::matches(words[0], "netns");
}

template <class Dispatch, class ParseOptions>
int run_tool(const std::uint8_t* data, std::size_t size, Dispatch dispatch, ParseOptions parse_options) {
    using rtnl::tools::exit_now;
    using rtnl::tools::session;
    static const bool quiet = [] {  // the tools' output is not what is checked
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        ::dup2(null, 1);
        ::close(null);
        return true;
    }();
    (void)quiet;
    if (size == 0) return 0;
    const char mode = static_cast<char>(data[0]);
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

    fake_kernel k;
    k.answer = answer_as_a_small_host;
    session s;
    s.adopt(std::make_unique<rtnl::socket>(k.make_socket()));

    auto guarded = [&](session& ss, const std::vector<std::string>& words) -> int {
        if (acts_outside_the_socket(words)) return 0;
        return dispatch(ss, words);
    };
    // One command; a usage error must not have sent a change.
    auto one = [&](const std::vector<std::string>& words) {
        const std::size_t before = k.changes();
        try {
            const int rc = guarded(s, words);
            if (rc == rtnl::tools::queued) s.sync();
        } catch (const exit_now& e) {
            s.sync();
            if (e.status == 255 && k.changes() != before) std::abort();  // usage error sent a change
        } catch (const rtnl::error&) {
        }
    };

    if (mode == 'a') {
        std::vector<std::string> words{"tool"};
        for (std::size_t at = 0; at <= text.size();) {
            const auto nl = text.find('\n', at);
            words.push_back(text.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
            at = nl == std::string::npos ? text.size() + 1 : nl + 1;
        }
        std::vector<char*> argv;
        for (auto& w : words) argv.push_back(w.data());
        argv.push_back(nullptr);
        std::string netns;
        int first = 0;
        try {
            first = parse_options(s, static_cast<int>(words.size()), argv.data(), netns);
            s.out.configure(s.opt.json, s.opt.pretty, s.opt.oneline);
        } catch (const exit_now& e) {
            if (k.changes() != 0) std::abort();
            return 0;
        }
        if (first < static_cast<int>(words.size())) one({words.begin() + first, words.end()});
        return 0;
    }

    // -batch input, through a file as the tool reads it
    const int fd = ::memfd_create("batch", MFD_CLOEXEC);
    if (fd < 0) return 0;
    for (std::size_t off = 0; off < text.size();) {
        const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    s.opt.batch = "/proc/self/fd/" + std::to_string(fd);
    s.opt.batch_given = true;
    if (mode == 'f') {
        s.opt.force = true;
        try {
            rtnl::tools::run_batch(s, guarded);
        } catch (const exit_now&) {
            s.sync();
        } catch (const rtnl::error&) {
        }
    } else {
        s.batch_mode = true;
        rtnl::tools::batch_reader in(s.opt.batch);
        while (auto words = in.next()) {
            s.line = in.line();
            one(*words);
        }
    }
    ::close(fd);
    return 0;
}

}  // namespace rtnl::fuzz
