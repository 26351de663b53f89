// rtnl/descriptor_io.hpp — the system calls rtnl::socket makes on its open
// descriptor, behind one seam.
//
// The default forwards each call to the kernel. A test (or a user) may give a
// socket its own descriptor_io to inject faults — EINTR, EAGAIN, ENOBUFS, cut
// datagrams, answers out of order or from another sender — or to play the
// kernel outright (tests/support/fake_kernel.hpp records what a tool would send).
// Opening, binding and socket options stay real: the seam covers the traffic.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

namespace rtnl {

class descriptor_io {
public:
    virtual ~descriptor_io() = default;
    virtual ssize_t sendmsg(int fd, const msghdr* m, int flags) { return ::sendmsg(fd, m, flags); }
    virtual ssize_t recvmsg(int fd, msghdr* m, int flags) { return ::recvmsg(fd, m, flags); }
    virtual int recvmmsg(int fd, mmsghdr* v, unsigned n, int flags) { return ::recvmmsg(fd, v, n, flags, nullptr); }
    virtual int poll(pollfd* p, nfds_t n, int timeout_ms) { return ::poll(p, n, timeout_ms); }

    /// The kernel, as it is.
    static descriptor_io& system() noexcept {
        static descriptor_io io;
        return io;
    }
};

}  // namespace rtnl
