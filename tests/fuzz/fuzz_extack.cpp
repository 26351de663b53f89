// Fuzz target: NLMSG_ERROR / NLMSG_DONE decoding with extended-ACK attributes.
// Input: one message. The echoed request's length is attacker-controlled.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtnl/wire/ack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::byte> d(reinterpret_cast<const std::byte*>(data), size);
    for (rtnl::wire::message_view m : rtnl::wire::message_range(d)) {
        for (auto a : {rtnl::wire::parse_error(m), rtnl::wire::parse_done(m)}) {
            if (!a) continue;
            // errno is always a valid positive value, never negative
            if (a->error < 0 || a->error > 4095) std::abort();
            // the message view lies inside the input
            if (!a->message.empty()) {
                auto* p = reinterpret_cast<const std::uint8_t*>(a->message.data());
                if (p < data || p + a->message.size() > data + size) std::abort();
            }
        }
        (void)rtnl::wire::echoed_request(m);
    }
    return 0;
}
