// tools/common/progress.hpp — progress for long runs: a bar with rate and ETA on
// a terminal, a plain line every 10% otherwise (logs, CI).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace rtnl::tools {

class progress {
public:
    progress(std::string what, std::size_t total, std::FILE* out = stderr)
        : what_(std::move(what)), total_(total), out_(out), tty_(::isatty(::fileno(out)) != 0),
          start_(std::chrono::steady_clock::now()) {}

    /// Reports `done` of `total`; cheap to call often (draws at most 10×/s).
    void update(std::size_t done) {
        const auto now = std::chrono::steady_clock::now();
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
        if (tty_) {
            if (done != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
            last_draw_ = now;
            constexpr int width = 30;
            const int filled = total_ ? static_cast<int>(width * done / total_) : width;
            std::string bar(static_cast<std::size_t>(filled), '#');
            bar.resize(width, '.');
            const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
            std::fprintf(out_, "\r%s [%s] %zu/%zu  %.0f/s  ETA %.1fs  ", what_.c_str(), bar.c_str(), done, total_, rate, eta);
            if (done == total_) std::fputc('\n', out_);
            std::fflush(out_);
        } else {
            const std::size_t decile = total_ ? 10 * done / total_ : 10;
            if (decile <= last_decile_ && done != total_) return;
            if (done == total_ && finished_) return;
            last_decile_ = decile;
            finished_ = done == total_;
            std::fprintf(out_, "%s: %zu/%zu (%.0f/s)\n", what_.c_str(), done, total_, rate);
            std::fflush(out_);
        }
    }

private:
    std::string what_;
    std::size_t total_;
    std::FILE* out_;
    bool tty_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::size_t last_decile_ = 0;
    bool finished_ = false;
};

}  // namespace rtnl::tools
