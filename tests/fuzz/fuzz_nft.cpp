// Fuzz target: the nf_tables decoders and the commit-answer logic. Input: one
// datagram as the kernel would deliver it on a NETLINK_NETFILTER socket (dump
// parts, echoes, NEWGEN, ACKs and errors with extack). Every message is decoded
// as each object kind, decoded rules are re-encoded, and the datagram is fed to
// the commit logic as the answer to a small batch. Nothing may crash, hang or
// read out of bounds, whatever the lengths say.
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtnl/nft/batch.hpp"
#include "rtnl/nft/decode.hpp"
#include "rtnl/nft/socket.hpp"
#include "rtnl/wire/reader.hpp"

namespace {

volatile std::size_t sink;

rtnl::nft::batch& answered_batch() {
    static rtnl::nft::batch b = [] {
        rtnl::nft::batch x;
        x.add_table({.name = "rtnl"});
        x.add_chain({rtnl::nft::family::ipv4, "rtnl", "postrouting",
                     rtnl::nft::base_hook{"nat", rtnl::nft::hook::postrouting, 100, rtnl::nft::verdict_code::accept}});
        x.add_rule({rtnl::nft::family::ipv4, "rtnl", "postrouting", {rtnl::nft::masq{}}, {}});
        x.finish();
        return x;
    }();
    return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtnl::nft;
    std::span<const std::byte> d(reinterpret_cast<const std::byte*>(data), size);
    rtnl::wire::message_range msgs(d);
    ruleset rs;
    std::vector<rtnl::nft::data> elements;
    commit_result r;
    bool batch_level = false;
    batch& b = answered_batch();
    for (rtnl::wire::message_view m : msgs) {
        collect(m, rs);
        parse_elements(m, elements);
        sink = sink + parse_generation(m).value_or(0) + parse_handle(m);
        // Answers are matched by seq: treat the first one's seq as BEGIN's (base),
        // so errors land on real entries and map their offsets to paths.
        detail::absorb(b, 0, m, r, batch_level);
        // Any message read as one of ours, with its own bytes as the offset source.
        if (m.bytes().size() >= 24) {
            const auto off = rtnl::wire::load<std::uint32_t>(m.bytes().data() + 20);
            sink = sink + detail::attribute_path(m.bytes(), static_cast<object>(off % 5), off % 512).size();
        }
    }
    // What we decoded re-encodes without trouble (unknown expressions as raw bytes).
    batch again;
    for (const auto& rule : rs.rules) again.add_rule(rule.fam, "t", "c", rule.exprs);
    for (const auto& t : rs.tables) again.add_table({.fam = t.fam, .name = t.name, .flags = t.flags, .comment = t.comment});
    if (!elements.empty()) again.add_elements(family::ipv4, "t", "s", elements);
    sink = sink + again.finish().size() + again.ok() + rs.chains.size() + rs.sets.size() + r.text.size() +
           r.attribute.size() + msgs.malformed();
    return 0;
}
