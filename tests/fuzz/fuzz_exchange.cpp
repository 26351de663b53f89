// Fuzz target: the ACK/dump state machine. Input: a header choosing up to 8
// pending requests (their kinds and the first sequence number), then datagrams,
// each prefixed by a 16-bit length. Invariants: every request completes at most
// once, `open()` counts exactly the incomplete ones, and data only reaches
// requests that can have data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "rtnl/wire/exchange.hpp"

namespace {

struct checker {
    std::vector<int> completions;
    std::vector<rtnl::wire::expect> kinds;
    void on_message(std::size_t i, const rtnl::wire::message_view& m) {
        if (i >= kinds.size() || completions[i] != 0) std::abort();  // data after completion
        if (kinds[i] == rtnl::wire::expect::ack) std::abort();       // ACK-only got data
        if (m.length() < 16) std::abort();
    }
    void on_complete(std::size_t i, rtnl::status s, bool) {
        if (i >= kinds.size() || ++completions[i] != 1) std::abort();
        if (s.code && s.code.value() <= 0) std::abort();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    std::uint32_t first_seq;
    std::memcpy(&first_seq, data, 4);
    const std::uint8_t shape = data[4];
    const std::size_t n = (shape & 7) + 1;
    data += 5;
    size -= 5;

    rtnl::wire::exchange ex;
    ex.reset(first_seq);
    checker c;
    for (std::size_t i = 0; i < n; ++i) {
        auto k = static_cast<rtnl::wire::expect>((shape >> 3) + i) ;
        k = static_cast<rtnl::wire::expect>(static_cast<int>(k) % 4);
        ex.add(k);
        c.kinds.push_back(k);
        c.completions.push_back(0);
    }
    // Feed from an aligned copy, as the socket does.
    std::vector<std::byte> buf;
    while (size >= 2) {
        std::size_t len = static_cast<std::size_t>(data[0]) | (static_cast<std::size_t>(data[1]) << 8);
        data += 2;
        size -= 2;
        if (len > size) len = size;
        buf.assign(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + len);
        ex.feed(buf, c);
        data += len;
        size -= len;
    }
    std::size_t open = 0;
    for (int done : c.completions) open += done == 0;
    if (open != ex.open()) std::abort();
    // abandoning the rest completes each exactly once
    for (std::size_t i = 0; i < n; ++i) ex.abandon(i, rtnl::make_status(rtnl::errc::replies_lost), c);
    for (int done : c.completions)
        if (done != 1) std::abort();
    return 0;
}
