// tools/common/pipeline.hpp — requests queued by command lines, sent many per
// sendmsg, answered in order.
//
// A command that changes one thing (link add/set/del, addr add/del, route
// add/del) queues its encoded request here instead of sending it, with a
// completion that turns the kernel's answer into iproute2's message and exit
// status. flush() sends everything queued through socket::transact (which
// windows the requests so no ACK is lost) and runs the completions in line
// order; `on_result` then sees (line, status) for each, which is where a batch
// prints "Command failed FILE:LINE".
//
// Whether a line waits for its answer before the next line is read is decided
// by the caller (see session.hpp and batch_driver.hpp): always, except under -force.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rtnl/error.hpp"
#include "rtnl/fd.hpp"
#include "rtnl/socket.hpp"
#include "rtnl/wire/buffer.hpp"
#include "rtnl/wire/writer.hpp"

namespace rtnl::tools {

class pipeline {
public:
    /// Turns the kernel's answer into output and an exit status (0 = success).
    using completion = std::function<int(const status&)>;
    /// Sees every finished line: (batch line, exit status).
    using result_sink = std::function<void(int line, int status)>;

    void attach(socket* nl) noexcept { nl_ = nl; }
    void on_result(result_sink sink) { sink_ = std::move(sink); }

    /// Queues one encoded request (the bytes are copied). `keep` holds descriptors
    /// the request names (IFLA_NET_NS_FD …) until it has been sent. Commands
    /// encode into their own buffer: encoding may need a name lookup, which
    /// flushes what is queued.
    /// `changes_names`: the request may create, delete, rename or move a link, so a
    /// name lookup must not run ahead of it.
    void queue(const wire::buffer& request, int line, completion done, bool changes_names = false,
               std::vector<unique_fd> keep = {}) {
        record(request);
        buf_.append(request.data(), request.size());
        entries_.push_back(entry{line, std::move(done), std::move(keep)});
        if (changes_names) ++name_changes_;
    }

    /// Queued requests that may change which name is which link.
    std::size_t pending_name_changes() const noexcept { return name_changes_; }

    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

    /// Sends every queued request and completes them in order.
    void flush() {
        if (entries_.empty()) return;
        // The entry and status vectors keep their capacity between flushes (a
        // batch whose lines each wait for their answer, neigh changes, flushes
        // once per line); they are swapped out while in use, so a completion
        // that flushes again gets fresh ones.
        std::vector<entry> work;
        work.swap(entries_);
        entries_.swap(spare_entries_);
        std::vector<status> results;
        results.swap(results_);
        name_changes_ = 0;
        std::error_code ec = nl_ ? nl_->transact(buf_, results, [](std::size_t, const wire::message_view&) {})
                                 : make_error_code(std::errc::not_connected);
        buf_.clear();
        if (ec) results.assign(work.size(), make_status(ec));
        for (std::size_t i = 0; i < work.size(); ++i) {
            const status& s = i < results.size() ? results[i] : results.back();
            const int rc = work[i].done ? work[i].done(s) : (s.ok() ? 0 : 2);
            if (sink_) sink_(work[i].line, rc);
        }
        work.clear();
        spare_entries_.swap(work);
        results_.swap(results);
    }

private:
    /// bench/batch-compare's floor column: with RTNL_RECORD_REQUESTS=FILE every
    /// queued request is also appended to FILE (raw netlink messages), so
    /// bench/rtnl-floor can send exactly these bytes in one sendmsg.
    static void record(const wire::buffer& request) {
        static std::FILE* out = [] {
            const char* path = std::getenv("RTNL_RECORD_REQUESTS");
            return path && *path ? std::fopen(path, "ab") : nullptr;
        }();
        if (out) {
            std::fwrite(request.data(), 1, request.size(), out);
            std::fflush(out);
        }
    }

    struct entry {
        int line = 0;
        completion done;
        std::vector<unique_fd> keep;
    };

    socket* nl_ = nullptr;
    wire::buffer buf_;
    std::vector<entry> entries_;
    std::vector<entry> spare_entries_;  ///< the previous flush's storage, reused
    std::vector<status> results_;
    std::size_t name_changes_ = 0;
    result_sink sink_;
};

}  // namespace rtnl::tools
