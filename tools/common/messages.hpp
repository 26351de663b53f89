// tools/common/messages.hpp — keeping kernel messages past the callback that
// delivered them (iproute2's store_nlmsg), and the dump and get calls the show
// commands make.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <vector>

#include "rtnl/socket.hpp"
#include "rtnl/wire/buffer.hpp"
#include "rtnl/wire/reader.hpp"

namespace rtnl::tools {

/// One message copied out of a receive buffer.
class stored_message {
public:
    explicit stored_message(const wire::message_view& m) : bytes_(m.bytes().begin(), m.bytes().end()) {}
    wire::message_view view() const noexcept { return wire::message_view(bytes_); }

private:
    std::vector<std::byte> bytes_;
};

/// Runs one dump (retried while the kernel flags it interrupted) and keeps every
/// message of type `type`.
inline std::vector<stored_message> dump_messages(socket& nl, wire::buffer& request, std::uint16_t type,
                                                 std::error_code& ec) {
    std::vector<stored_message> out;
    nl.dump_with_retry(request, [&] { out.clear(); }, [&](const wire::message_view& m) {
        if (m.type() == type) out.emplace_back(m);
    }, ec);
    return out;
}

/// Appends message `m` to `out` with another type and flags (how iproute2's
/// flushes send dumped entries back as RTM_DEL*), keeping the 4-byte alignment.
inline void append_as(wire::buffer& out, const wire::message_view& m, std::uint16_t type, std::uint16_t flags) {
    auto b = m.bytes();
    const std::size_t at = out.size();
    out.append(b.data(), b.size());
    nlmsghdr h;
    std::memcpy(&h, out.data() + at, sizeof h);
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    std::memcpy(out.data() + at, &h, sizeof h);
    while (out.size() % 4) out.append("\0", 1);
}

/// Sends one GET and keeps its reply.
inline std::vector<stored_message> get_message(socket& nl, wire::buffer& request, std::error_code& ec) {
    std::vector<stored_message> out;
    nl.query(request, [&](const wire::message_view& m) { out.emplace_back(m); }, ec);
    return out;
}

}  // namespace rtnl::tools
