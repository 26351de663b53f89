// tools/common/session.hpp — what one rtnl-ip or rtnl-bridge process shares
// between its commands: options, the output printer, one netlink socket (in
// the namespace of -n, if given), the link-name cache, the request pipeline,
// namespace descriptors and the nsid → name map.
//
// Ordering rule: a command that prints anything (stdout or stderr) first calls
// sync(), so requests queued by earlier batch lines report first — output then
// appears in the order iproute2 would print it.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rtnl/netns.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/ops.hpp"
#include "rtnl/socket.hpp"
#include "tools/common/args.hpp"
#include "tools/common/link_names.hpp"
#include "tools/common/pipeline.hpp"
#include "tools/common/printer.hpp"
#include "tools/common/rt_names.hpp"

namespace rtnl::tools {

/// Global options of the command line.
struct options {
    bool json = false;
    bool pretty = false;
    int details = 0;
    int stats = 0;
    bool force = false;
    bool oneline = false;
    bool brief = false;
    bool all = false;
    bool compress_vlans = false;  ///< bridge -c
    bool timestamp = false;       ///< -t (monitor)
    bool timestamp_short = false; ///< -ts
    int family = AF_UNSPEC;  ///< -4 / -6 / -0 / -f
    std::string batch;       ///< -batch FILE ("" when not batching)
    bool batch_given = false;
};

/// A command's result when its request was queued: the pipeline reports the
/// status later (see pipeline.hpp).
inline constexpr int queued = -1000;

class session {
public:
    options opt;
    printer out{stdout};
    rt_names tables;
    link_names links;
    pipeline pipe;
    netns::registry registry{};
    bool batch_mode = false;
    int line = 0;  ///< current batch line, 0 outside a batch

    /// Opens the socket (after -n has switched namespace). Receive buffer: 4 MiB
    /// when root may force it, so a pipelined window holds thousands of ACKs.
    void open(bool large_buffer) {
        socket_options o;
        if (large_buffer) o.receive_buffer = 4 << 20;
        adopt(std::make_unique<socket>(o));
    }
    /// Uses a socket made elsewhere (the fuzz targets give one whose traffic
    /// goes to a fake kernel, tests/support/fake_kernel.hpp).
    void adopt(std::unique_ptr<socket> nl) {
        nl_ = std::move(nl);
        // a lookup waits only for queued requests that may change names
        links.attach(nl_.get(), [this] {
            if (pipe.pending_name_changes()) sync();
        });
        pipe.attach(nl_.get());
    }
    socket& nl() { return *nl_; }

    /// True when queued requests may wait for later lines (-batch with -force).
    bool pipelining() const noexcept { return batch_mode && opt.force; }

    /// Sends everything queued and reports it.
    void sync() { pipe.flush(); }

    /// Writes to stderr after queued work has reported.
    void complain(std::string_view text) {
        sync();
        std::fflush(stdout);
        std::fwrite(text.data(), 1, text.size(), stderr);
    }

    // ---- named namespaces ----------------------------------------------------------

    /// iproute2's netns_get_fd: NAME in the run dir, or a path when it holds '/'.
    /// Descriptors are kept for the session (one open per namespace); -1 on error.
    int netns_fd(const std::string& name) {
        if (auto it = ns_fds_.find(name); it != ns_fds_.end()) return it->second.get();
        const std::string path = name.find('/') != std::string::npos ? name : registry.path(name);
        unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return -1;
        const int raw = fd.get();
        ns_fds_.emplace(name, std::move(fd));
        return raw;
    }
    /// After netns add/del/attach/set: cached descriptors and ids may be stale.
    void forget_netns() {
        ns_fds_.clear();
        nsid_names_.reset();
    }
    /// After a link moves to another namespace the kernel may assign an nsid.
    void forget_nsid_names() { nsid_names_.reset(); }

    /// iproute2's get_name_from_nsid: the run-dir name whose namespace has `nsid`
    /// as seen from ours (nullopt when none).
    std::optional<std::string> netns_name_of(int nsid) {
        if (nsid < 0) return std::nullopt;
        if (!nsid_names_) {
            nsid_names_.emplace();
            std::error_code ec;
            for (auto& n : registry.list(ec)) {
                const int fd = netns_fd(n);
                if (fd < 0) continue;
                std::error_code e2;
                const int id = nsid::get(*nl_, netns_ref::from_fd(fd), e2);
                if (!e2 && id >= 0 && !nsid_names_->count(id)) (*nsid_names_)[id] = n;
            }
        }
        if (auto it = nsid_names_->find(nsid); it != nsid_names_->end()) return it->second;
        return std::nullopt;
    }

private:
    std::unique_ptr<socket> nl_;
    std::map<std::string, unique_fd> ns_fds_;
    std::optional<std::map<int, std::string>> nsid_names_;
};

/// The iproute2 wording of a kernel answer for a request that named device `dev`
/// by IFLA_IFNAME: ENODEV without an explanation is "Cannot find device" (exit
/// 1, as iproute2 finds that out before sending); other failures print the
/// kernel's text and exit 2; a success may carry a warning.
inline int report(const status& s, const std::string& dev = {}) {
    if (s.ok()) {
        if (!s.message.empty()) std::fprintf(stderr, "%s\n", s.describe().c_str());
        return 0;
    }
    std::fflush(stdout);
    if (!dev.empty() && s.code == std::errc::no_such_device && s.message.empty()) {
        std::fprintf(stderr, "Cannot find device \"%s\"\n", dev.c_str());
        return 1;
    }
    std::fprintf(stderr, "%s\n", s.describe().c_str());
    return 2;
}

}  // namespace rtnl::tools

namespace rtnl::ip {
using namespace rtnl::tools;
}  // namespace rtnl::ip
