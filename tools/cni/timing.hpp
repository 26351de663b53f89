// tools/cni/timing.hpp — RTNL_CNI_TIMING=1: each step of a command and its
// wall time on stderr ("rtnl-cni timing: ipam 0.112 ms"), to find where an
// ADD's time goes on a busy host (stdout stays the result). Unset: one getenv.
#pragma once

#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace rtnl::cni {

class step_timer {
public:
    step_timer() : on_(std::getenv("RTNL_CNI_TIMING") != nullptr) {
        if (on_) last_ = now();
    }
    /// The time since the previous mark (or the start), under `step`.
    void mark(const char* step) {
        if (!on_) return;
        const double t = now();
        std::fprintf(stderr, "rtnl-cni timing: %s %.3f ms\n", step, (t - last_) * 1e3);
        last_ = t;
    }

private:
    static double now() {
        timespec ts{};
        ::clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    bool on_;
    double last_ = 0;
};

}  // namespace rtnl::cni
