// tests/support/fake_kernel.hpp — a descriptor_io (rtnl/descriptor_io.hpp)
// that plays the kernel for an rtnl::socket, records every request sent, and
// injects faults on demand. No datagram reaches the real kernel: the socket's
// descriptor is opened and bound for real (unprivileged), its traffic is ours.
//
// By default every request is answered as the kernel answers a success: an ACK
// for a change, NLMSG_DONE for a dump, ENODEV for a single GET (nothing exists
// here). `answer` replaces that per test; the queues below inject faults.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <vector>

#include "rtnl/descriptor_io.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/socket.hpp"

namespace rtnl::test {

class fake_kernel : public rtnl::descriptor_io {
public:
    struct request {
        nlmsghdr header{};
        std::vector<std::byte> bytes;  ///< the whole message
    };
    struct datagram {
        std::vector<std::byte> bytes;
        std::uint32_t sender = 0;  ///< nl_pid of the sender: 0 is the kernel
        bool truncate = false;     ///< deliver with MSG_TRUNC, cut to half
    };

    // ---- what was sent ---------------------------------------------------------
    std::vector<request> sent;       ///< every message, in order
    std::size_t send_calls = 0;      ///< sendmsg calls that went through
    std::vector<std::size_t> sends;  ///< messages per sendmsg call

    /// Messages sent that would change kernel state (anything but a GET).
    std::size_t changes() const {
        return static_cast<std::size_t>(std::count_if(sent.begin(), sent.end(), [](const request& r) {
            const auto t = r.header.nlmsg_type;
            return !(t >= RTM_BASE && (t & 3) == 2);
        }));
    }

    // ---- what comes back -------------------------------------------------------
    std::deque<datagram> inbox;
    /// Answers one sendmsg's requests (default: answer_like_kernel on each).
    std::function<void(fake_kernel&, const std::vector<request>&)> answer = [](fake_kernel& k, const std::vector<request>& rs) {
        for (auto& r : rs) k.answer_like_kernel(r);
    };

    // ---- faults: each entry is consumed by one call ------------------------------
    std::deque<int> send_errors;  ///< errno for the next sendmsg calls (0: go through)
    std::deque<int> recv_errors;  ///< errno for the next recvmsg/recvmmsg calls (0: go through)
    std::deque<int> poll_errors;  ///< errno for the next poll calls (0: go through)
    std::size_t recv_calls = 0, poll_calls = 0;

    // ---- building answers --------------------------------------------------------
    /// One message answering `to`: a header, then `body`.
    template <class Body>
    static std::vector<std::byte> message(const nlmsghdr& to, std::uint16_t type, std::uint16_t flags, const Body& body) {
        struct {
            nlmsghdr h;
            Body b;
        } m{};
        m.h.nlmsg_len = sizeof m;
        m.h.nlmsg_type = type;
        m.h.nlmsg_flags = flags;
        m.h.nlmsg_seq = to.nlmsg_seq;
        m.h.nlmsg_pid = to.nlmsg_pid;
        m.b = body;
        return bytes_of(&m, sizeof m);
    }
    static std::vector<std::byte> error_message(const nlmsghdr& to, int error, std::uint16_t flags = 0) {
        return message(to, NLMSG_ERROR, static_cast<std::uint16_t>(flags | NLM_F_CAPPED), nlmsgerr{error, to});
    }
    static std::vector<std::byte> done_message(const nlmsghdr& to, int error = 0, std::uint16_t flags = NLM_F_MULTI) {
        return message(to, NLMSG_DONE, flags, error);
    }
    /// A dump part: an RTM_NEWLINK with an empty ifinfomsg, tagged by `index`.
    static std::vector<std::byte> link_message(const nlmsghdr& to, int index, std::uint16_t flags = NLM_F_MULTI) {
        ifinfomsg i{};
        i.ifi_index = index;
        return message(to, RTM_NEWLINK, flags, i);
    }
    static std::vector<std::byte> bytes_of(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        return {b, b + n};
    }
    void deliver(std::vector<std::byte> data, std::uint32_t sender = 0, bool truncate = false) {
        inbox.push_back({std::move(data), sender, truncate});
    }
    /// What the kernel answers when a request succeeds.
    void answer_like_kernel(const request& r) {
        const auto kind = rtnl::expect_for(r.header.nlmsg_type, r.header.nlmsg_flags);
        if (kind == rtnl::wire::expect::dump) deliver(done_message(r.header));
        else if (kind == rtnl::wire::expect::ack) deliver(error_message(r.header, 0));
        else deliver(error_message(r.header, -ENODEV));
    }

    /// A socket whose traffic is this fake's (the descriptor is a real, bound,
    /// unprivileged netlink socket that never sends).
    rtnl::socket make_socket(rtnl::socket_options o = {}) {
        return rtnl::socket(rtnl::unique_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)), o, *this);
    }

    // ---- for the asynchronous sockets ----------------------------------------------
    // rtnl::asio reads right after each send, and otherwise waits for its real
    // descriptor to become readable. The fake's answers never make it so: ring()
    // does, with a real datagram from a second socket (the doorbell), which the
    // fake's reads drain before they serve the inbox. An injected EAGAIN or EINTR
    // on a read rings by itself while the inbox holds answers (they "arrive a
    // moment later"); a test that delivers outside a send rings after it.

    /// A descriptor for an asynchronous socket or event stream given this fake:
    /// `rtnl::asio::socket nl(ex, k.descriptor(), {}, k)`.
    rtnl::unique_fd descriptor() {
        rtnl::unique_fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
        watched_ = fd.get();
        if (!bell_) bell_ = rtnl::unique_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
        return fd;
    }
    /// Makes the descriptor() readable (once bound: the socket binds it).
    void ring() {
        sockaddr_nl to{};
        socklen_t len = sizeof to;
        if (watched_ < 0 || ::getsockname(watched_, reinterpret_cast<sockaddr*>(&to), &len) != 0) return;
        const char b = 0;
        ::sendto(bell_.get(), &b, 1, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        ++rings;
    }
    std::size_t rings = 0;

    // ---- descriptor_io -------------------------------------------------------------
    ssize_t sendmsg(int, const msghdr* m, int) override {
        if (take(send_errors)) return -1;
        std::vector<std::byte> all;
        for (std::size_t i = 0; i < m->msg_iovlen; ++i) {
            const auto* b = static_cast<const std::byte*>(m->msg_iov[i].iov_base);
            all.insert(all.end(), b, b + m->msg_iov[i].iov_len);
        }
        std::vector<request> now;
        std::size_t off = 0;
        while (off + sizeof(nlmsghdr) <= all.size()) {
            nlmsghdr h;
            std::memcpy(&h, all.data() + off, sizeof h);
            if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > all.size()) break;
            now.push_back({h, {all.begin() + static_cast<std::ptrdiff_t>(off),
                               all.begin() + static_cast<std::ptrdiff_t>(off + h.nlmsg_len)}});
            off += NLMSG_ALIGN(h.nlmsg_len);
        }
        ++send_calls;
        sends.push_back(now.size());
        sent.insert(sent.end(), now.begin(), now.end());
        if (answer) answer(*this, now);
        return static_cast<ssize_t>(all.size());
    }
    ssize_t recvmsg(int fd, msghdr* m, int flags) override {
        ++recv_calls;
        drain_bell(fd);
        if (take_read_error()) return -1;
        if (inbox.empty()) {
            errno = EAGAIN;
            return -1;
        }
        const datagram& d = inbox.front();
        const ssize_t n = fill(*m, d);
        if (!(flags & MSG_PEEK)) inbox.pop_front();
        return n;
    }
    int recvmmsg(int fd, mmsghdr* v, unsigned n, int) override {
        ++recv_calls;
        drain_bell(fd);
        if (take_read_error()) return -1;
        if (inbox.empty()) {
            errno = EAGAIN;
            return -1;
        }
        unsigned k = 0;
        for (; k < n && !inbox.empty(); ++k) {
            v[k].msg_len = static_cast<unsigned>(std::min<ssize_t>(fill(v[k].msg_hdr, inbox.front()),
                                                                   static_cast<ssize_t>(v[k].msg_hdr.msg_iov[0].iov_len)));
            inbox.pop_front();
        }
        return static_cast<int>(k);
    }
    int poll(pollfd* p, nfds_t, int) override {
        ++poll_calls;
        if (take(poll_errors)) return -1;
        // Never blocks: an empty inbox is a timeout at once.
        p->revents = inbox.empty() ? 0 : POLLIN;
        return inbox.empty() ? 0 : 1;
    }

private:
    bool take_read_error() {
        if (!take(recv_errors)) return false;
        const int e = errno;
        if ((e == EAGAIN || e == EINTR) && !inbox.empty()) ring();
        errno = e;
        return true;
    }
    void drain_bell(int fd) {
        if (fd != watched_) return;
        char b[16];
        while (::recv(fd, b, sizeof b, MSG_DONTWAIT) > 0) {
        }
    }
    int watched_ = -1;
    rtnl::unique_fd bell_;

    static bool take(std::deque<int>& q) {
        if (q.empty()) return false;
        const int e = q.front();
        q.pop_front();
        if (e == 0) return false;
        errno = e;
        return true;
    }
    /// Copies `d` into one msghdr (as much as fits); returns the datagram's full
    /// length, as recvmsg with MSG_TRUNC does, and sets MSG_TRUNC when cut.
    static ssize_t fill(msghdr& m, const datagram& d) {
        std::size_t len = d.bytes.size();
        bool cut = false;
        if (d.truncate) {
            len /= 2;
            cut = true;
        }
        const std::size_t room = m.msg_iovlen ? m.msg_iov[0].iov_len : 0;
        const std::size_t copy = std::min(len, room);
        if (copy) std::memcpy(m.msg_iov[0].iov_base, d.bytes.data(), copy);
        if (copy < d.bytes.size()) cut = true;
        m.msg_flags = cut ? MSG_TRUNC : 0;
        if (m.msg_name && m.msg_namelen >= sizeof(sockaddr_nl)) {
            sockaddr_nl from{};
            from.nl_family = AF_NETLINK;
            from.nl_pid = d.sender;
            std::memcpy(m.msg_name, &from, sizeof from);
            m.msg_namelen = sizeof from;
        }
        m.msg_controllen = 0;
        return d.truncate ? static_cast<ssize_t>(len) : static_cast<ssize_t>(d.bytes.size());
    }
};

}  // namespace rtnl::test
