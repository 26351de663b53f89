// Fuzz target: the message reader and every family decoder. Input: one datagram
// as the kernel would deliver it. Nothing may crash, hang or read out of bounds,
// whatever the lengths say.
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtnl/addr.hpp"
#include "rtnl/link.hpp"
#include "rtnl/nsid.hpp"
#include "rtnl/route.hpp"
#include "rtnl/wire/reader.hpp"

namespace {

volatile std::size_t sink;

void walk(const rtnl::wire::attr_range& r) {
    for (rtnl::wire::attr_view a : r) {
        sink = sink + a.type() + a.payload().size();
        (void)a.as<std::uint32_t>();
        (void)a.as<rtnl::wire::cstring>();
        (void)a.as<rtnl::wire::string>();
        (void)a.as<rtnl::wire::ip>();
        walk(a.nested());  // the depth cap ends runaway recursion
    }
    sink = sink + r.malformed();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::byte> d(reinterpret_cast<const std::byte*>(data), size);
    rtnl::wire::message_range msgs(d);
    for (rtnl::wire::message_view m : msgs) {
        rtnl::link_view l(m);
        sink = sink + l.name().size() + l.kind().size() + l.slave_kind().size() + l.mtu().value_or(0) +
               l.master().value_or(0) + l.link().value_or(0) + l.link_netnsid().value_or(0) +
               l.address_bytes().size() + l.operstate().value_or(0) + l.group().value_or(0);
        if (auto a = l.address()) sink = sink + a->bytes[0];
        walk(l.info_data());
        auto peer = l.info_data().find(rtnl::veth_info::peer);
        (void)peer.header<ifinfomsg>();
        walk(peer.nested_after<ifinfomsg>());
        if (l.valid()) (void)rtnl::link_info::from(l);

        rtnl::address_view a(m);
        if (a.valid()) {
            auto info = rtnl::address_info::from(a);
            sink = sink + info.label.size() + info.prefix.length;
        }
        rtnl::route_view r(m);
        if (r.valid()) (void)rtnl::route_info::from(r);
        rtnl::nsid_view n(m);
        sink = sink + n.nsid().value_or(0) + n.malformed();
        walk(m.attributes<ifinfomsg>());
        walk(m.attributes<rtmsg>());
    }
    sink = sink + msgs.malformed();
    return 0;
}
