// tools/common/batch_driver.hpp — `-batch FILE` / `-batch -` with iproute2's
// semantics (lib/utils.c do_batch), plus pipelining.
//
// iproute2 runs line after line and, on the first failing line, prints
// "Command failed FILE:LINE" and stops — unless -force, which goes on and
// reports every failing line. Exit status 1 when any line failed. A line asking
// for something these tools do not implement (exit_now::refusal) is a failing
// line like any other: its message, "Command failed", and -force goes on.
//
// When requests are pipelined:
//   * without -force, never: each line's request is sent and answered before the
//     next line is read. The kernel runs every message of a sendmsg even after one
//     fails, so sending ahead could make a line after the failing one take effect;
//   * with -force, every change line (link add/set/del, addr add/del, route
//     add/del) is queued and the queue goes out many requests per sendmsg. It is
//     flushed — answers reported in line order — before any line that prints or
//     reads kernel state (show, netns, exec …), before a name lookup the cache
//     cannot answer, and at the end of the input. Because the kernel executes the
//     messages in order, the outcome is the one line-by-line execution has.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "tools/common/batch_reader.hpp"
#include "tools/common/session.hpp"

namespace rtnl::tools {

/// Runs the batch named in s.opt.batch; `dispatch(session&, words)` runs one
/// command and returns its exit status, or `queued`.
template <class Dispatch>
int run_batch(session& s, Dispatch&& dispatch) {
    batch_reader in(s.opt.batch);
    if (!in.open_error().empty()) {
        std::fputs(in.open_error().c_str(), stderr);
        return 1;
    }
    bool failed = false;
    auto report_failure = [&](int line) {
        std::fflush(stdout);
        std::fprintf(stderr, "Command failed %s:%d\n", in.name().c_str(), line);
        failed = true;
    };
    s.pipe.on_result([&](int line, int rc) {
        if (rc != 0) report_failure(line);
    });
    // the sink refers to this frame: report what is queued before leaving it
    struct detach {
        session& s;
        ~detach() { s.pipe.on_result({}); }
    } guard{s};
    s.batch_mode = true;
    try {
        while (auto words = in.next()) {
            s.line = in.line();
            int rc;
            try {
                rc = dispatch(s, *words);
            } catch (const exit_now& e) {
                if (!e.refusal) throw;
                // something iproute2 would run: one failed line, not the end of the run
                s.complain(e.message);
                report_failure(s.line);
                if (!s.opt.force) break;
                continue;
            }
            if (rc == queued) {
                if (!s.pipelining()) s.sync();
            } else if (rc != 0) {
                s.sync();
                report_failure(s.line);
            }
            if (failed && !s.opt.force) break;
        }
    } catch (const exit_now&) {
        s.sync();  // lines before the one that ends the run still report
        throw;
    }
    s.sync();
    if (!in.syntax_error().empty()) {
        std::fflush(stdout);
        std::fputs(in.syntax_error().c_str(), stderr);
        // iproute2 stops quietly at a missing continuation, and exits 1 otherwise
        if (in.syntax_error() != "Missing continuation line\n") return 1;
    }
    return failed ? 1 : 0;
}

}  // namespace rtnl::tools
