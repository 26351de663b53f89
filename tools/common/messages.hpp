// tools/common/messages.hpp — keeping kernel messages past the callback that
// delivered them (iproute2's store_nlmsg), and the dump and get calls the show
// commands make.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
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

/// Sends one GET and keeps its reply.
inline std::vector<stored_message> get_message(socket& nl, wire::buffer& request, std::error_code& ec) {
    std::vector<stored_message> out;
    nl.query(request, [&](const wire::message_view& m) { out.emplace_back(m); }, ec);
    return out;
}

}  // namespace rtnl::tools
