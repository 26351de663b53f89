// tests/support/nft_captures.hpp — the syscalls of an nft capture (tests/data/nft-captures).
//
// Each capture lists `sendmsg -> N`, `recvmsg -> N` … lines, each followed by an
// indented `hex:` line holding the bytes. The directory is passed in at build
// time (RTNL_NFT_CAPTURES) so the tests never depend on where they run.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/bytes.hpp"

namespace rtnl::test {

struct syscall_bytes {
    std::string call;  ///< "sendmsg", "recvmsg", "sendto"
    bytes data;
};

inline std::vector<syscall_bytes> read_capture(const std::string& name) {
    std::ifstream in(std::string(RTNL_NFT_CAPTURES) + "/" + name);
    std::vector<syscall_bytes> out;
    std::string line, call;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ') {
            call = line.substr(0, line.find(' '));
            continue;
        }
        const auto at = line.find("hex: ");
        if (at != std::string::npos && !call.empty()) {
            out.push_back({call, from_hex(line.substr(at + 5))});
            call.clear();
        }
    }
    return out;
}

/// The bytes of the first sendmsg (nft's batch) in a capture.
inline bytes captured_batch(const std::string& name) {
    for (auto& s : read_capture(name))
        if (s.call == "sendmsg") return s.data;
    return {};
}

/// Every datagram the kernel sent in a capture.
inline std::vector<bytes> captured_replies(const std::string& name) {
    std::vector<bytes> out;
    for (auto& s : read_capture(name))
        if (s.call == "recvmsg") out.push_back(s.data);
    return out;
}

}  // namespace rtnl::test
