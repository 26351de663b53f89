// bench/floor.cpp — rtnl-floor: the kernel-side floor of a batch of requests.
//
//     rtnl-floor [--setup FILE]... FILE
//
// Each FILE holds raw netlink requests (what `RTNL_RECORD_REQUESTS=FILE rtnl-ip
// -force -batch …` queued). The --setup files are sent first, untimed, to
// recreate the state the requests were recorded in; then FILE's requests are
// sent by the library's lowest layer (rtnl::socket::transact: many requests
// per sendmsg, ACKs drained with recvmmsg) — nothing else: no parsing, no
// name lookups, no process start. Prints "floor_us=N sendmsg=K failed=F" for
// the timed file (F must be 0 for the number to mean the same work).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtnl/socket.hpp"

namespace {

bool load(const std::string& path, rtnl::wire::buffer& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out.clear();
    out.append(bytes.data(), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> setup;
    std::string timed;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--setup" && i + 1 < argc) setup.push_back(argv[++i]);
        else timed = a;
    }
    if (timed.empty()) {
        std::fprintf(stderr, "usage: rtnl-floor [--setup FILE]... FILE\n");
        return 2;
    }
    rtnl::socket_options o;
    o.receive_buffer = 4 << 20;  // what rtnl-ip asks for under -batch
    o.send_buffer = 8 << 20;     // one sendmsg for the whole file
    rtnl::socket nl(o);
    std::vector<rtnl::status> results;
    rtnl::wire::buffer b;
    for (auto& f : setup) {
        if (!load(f, b)) {
            std::fprintf(stderr, "rtnl-floor: cannot read %s\n", f.c_str());
            return 2;
        }
        (void)nl.transact(b, results, [](std::size_t, const rtnl::wire::message_view&) {});
    }
    if (!load(timed, b)) {
        std::fprintf(stderr, "rtnl-floor: cannot read %s\n", timed.c_str());
        return 2;
    }
    const auto calls_before = nl.stats().send_calls;
    const auto t0 = std::chrono::steady_clock::now();
    auto ec = nl.transact(b, results, [](std::size_t, const rtnl::wire::message_view&) {});
    const auto t1 = std::chrono::steady_clock::now();
    if (ec) {
        std::fprintf(stderr, "rtnl-floor: %s\n", ec.message().c_str());
        return 1;
    }
    int failed = 0;
    for (auto& r : results) failed += !r.ok();
    std::printf("floor_us=%lld sendmsg=%llu failed=%d\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()),
                static_cast<unsigned long long>(nl.stats().send_calls - calls_before), failed);
    return 0;
}
