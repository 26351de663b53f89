// tools/ip/link_stats.hpp — `ip -s link` / `ip -s -s link` statistics
// (iproute2 6.1 ip/ipaddress.c print_stats64, size_columns, print_num): the
// RX/TX table sized to its widest number, the error lines with -s -s, and the
// "stats64" object with -j.
#pragma once

#include <linux/if_link.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <optional>

#include "rtnl/link.hpp"
#include "rtnl/wire/buffer.hpp"
#include "tools/common/session.hpp"

namespace rtnl::ip {

namespace stats_detail {

inline void size_columns(unsigned (&cols)[8], std::initializer_list<std::uint64_t> values) {
    unsigned i = 0;
    for (std::uint64_t v : values) {
        unsigned len = 1;
        for (; v > 9; ++len) v /= 10;
        if (len > cols[i]) cols[i] = len;
        ++i;
    }
}

inline void print_num(std::FILE* fp, unsigned width, std::uint64_t n) {
    std::fprintf(fp, "%*" PRIu64 " ", static_cast<int>(width), n);
}

/// get_rtnl_link_stats_rta: IFLA_STATS64, else IFLA_STATS widened.
inline std::optional<std::pair<rtnl_link_stats64, const char*>> link_stats(const link_view& v) {
    rtnl_link_stats64 s{};
    if (auto a = v.attr(IFLA_STATS64)) {
        std::memcpy(&s, a.payload().data(), std::min(a.payload().size(), sizeof s));
        return std::pair{s, "stats64"};
    }
    if (auto a = v.attr(IFLA_STATS)) {
        rtnl_link_stats o{};
        std::memcpy(&o, a.payload().data(), std::min(a.payload().size(), sizeof o));
        const __u32* src = &o.rx_packets;
        __u64* dst = &s.rx_packets;
        for (std::size_t i = 0; i < sizeof o / sizeof(__u32); ++i) dst[i] = src[i];
        return std::pair{s, "stats"};
    }
    return std::nullopt;
}

}  // namespace stats_detail

/// print_stats64 for one link message.
inline void print_link_stats(session& s, const link_view& v) {
    using namespace stats_detail;
    auto got = link_stats(v);
    if (!got) return;
    const rtnl_link_stats64& st = got->first;
    const auto carrier = v.attr(IFLA_CARRIER_CHANGES).as<std::uint32_t>();
    printer& o = s.out;
    const bool more = s.opt.stats > 1;
    if (o.json()) {
        o.open_object(got->second);
        o.open_object("rx");
        o.u64(to::json, "bytes", nullptr, st.rx_bytes);
        o.u64(to::json, "packets", nullptr, st.rx_packets);
        o.u64(to::json, "errors", nullptr, st.rx_errors);
        o.u64(to::json, "dropped", nullptr, st.rx_dropped);
        o.u64(to::json, "over_errors", nullptr, st.rx_over_errors);
        o.u64(to::json, "multicast", nullptr, st.multicast);
        if (st.rx_compressed) o.u64(to::json, "compressed", nullptr, st.rx_compressed);
        if (more) {
            o.u64(to::json, "length_errors", nullptr, st.rx_length_errors);
            o.u64(to::json, "crc_errors", nullptr, st.rx_crc_errors);
            o.u64(to::json, "frame_errors", nullptr, st.rx_frame_errors);
            o.u64(to::json, "fifo_errors", nullptr, st.rx_fifo_errors);
            o.u64(to::json, "missed_errors", nullptr, st.rx_missed_errors);
            if (st.rx_nohandler) o.u64(to::json, "nohandler", nullptr, st.rx_nohandler);
            if (st.rx_otherhost_dropped) o.u64(to::json, "otherhost", nullptr, st.rx_otherhost_dropped);
        }
        o.close_object();
        o.open_object("tx");
        o.u64(to::json, "bytes", nullptr, st.tx_bytes);
        o.u64(to::json, "packets", nullptr, st.tx_packets);
        o.u64(to::json, "errors", nullptr, st.tx_errors);
        o.u64(to::json, "dropped", nullptr, st.tx_dropped);
        o.u64(to::json, "carrier_errors", nullptr, st.tx_carrier_errors);
        o.u64(to::json, "collisions", nullptr, st.collisions);
        if (st.tx_compressed) o.u64(to::json, "compressed", nullptr, st.tx_compressed);
        if (more) {
            o.u64(to::json, "aborted_errors", nullptr, st.tx_aborted_errors);
            o.u64(to::json, "fifo_errors", nullptr, st.tx_fifo_errors);
            o.u64(to::json, "window_errors", nullptr, st.tx_window_errors);
            o.u64(to::json, "heartbeat_errors", nullptr, st.tx_heartbeat_errors);
            if (carrier) o.u64(to::json, "carrier_changes", nullptr, *carrier);
        }
        o.close_object();
        o.close_object();
        return;
    }
    std::FILE* fp = o.stream();
    const char* sl = o.sl();
    unsigned cols[8] = {10, 7, 6, 7, 7, 7, 10, 9};  // strlen of the headings
    size_columns(cols, {st.rx_bytes, st.rx_packets, st.rx_errors, st.rx_dropped, st.rx_missed_errors, st.multicast,
                        st.rx_compressed, 0});
    if (more)
        size_columns(cols, {0, st.rx_length_errors, st.rx_crc_errors, st.rx_frame_errors, st.rx_fifo_errors,
                            st.rx_over_errors, st.rx_nohandler, st.rx_otherhost_dropped});
    size_columns(cols, {st.tx_bytes, st.tx_packets, st.tx_errors, st.tx_dropped, st.tx_carrier_errors, st.collisions,
                        st.tx_compressed, 0});
    if (more)
        size_columns(cols, {0, 0, st.tx_aborted_errors, st.tx_fifo_errors, st.tx_window_errors,
                            st.tx_heartbeat_errors, carrier.value_or(0), 0});
    auto w = [&](int i) { return static_cast<int>(cols[i]); };
    std::fprintf(fp, "    RX: %*s %*s %*s %*s %*s %*s %*s%s", w(0) - 4, "bytes", w(1), "packets", w(2), "errors",
                 w(3), "dropped", w(4), "missed", w(5), "mcast", w(6), st.rx_compressed ? "compressed" : "", sl);
    std::fprintf(fp, "    ");
    print_num(fp, cols[0], st.rx_bytes);
    print_num(fp, cols[1], st.rx_packets);
    print_num(fp, cols[2], st.rx_errors);
    print_num(fp, cols[3], st.rx_dropped);
    print_num(fp, cols[4], st.rx_missed_errors);
    print_num(fp, cols[5], st.multicast);
    if (st.rx_compressed) print_num(fp, cols[6], st.rx_compressed);
    if (more) {
        std::fprintf(fp, "%s", sl);
        std::fprintf(fp, "    RX errors:%*s %*s %*s %*s %*s %*s%*s%*s%s", w(0) - 10, "", w(1), "length", w(2), "crc",
                     w(3), "frame", w(4), "fifo", w(5), "overrun", st.rx_nohandler ? w(6) + 1 : 0,
                     st.rx_nohandler ? " nohandler" : "", st.rx_otherhost_dropped ? w(7) + 1 : 0,
                     st.rx_otherhost_dropped ? " otherhost" : "", sl);
        std::fprintf(fp, "%*s", w(0) + 5, "");
        print_num(fp, cols[1], st.rx_length_errors);
        print_num(fp, cols[2], st.rx_crc_errors);
        print_num(fp, cols[3], st.rx_frame_errors);
        print_num(fp, cols[4], st.rx_fifo_errors);
        print_num(fp, cols[5], st.rx_over_errors);
        if (st.rx_nohandler) print_num(fp, cols[6], st.rx_nohandler);
        if (st.rx_otherhost_dropped) print_num(fp, cols[7], st.rx_otherhost_dropped);
    }
    std::fprintf(fp, "%s", sl);
    std::fprintf(fp, "    TX: %*s %*s %*s %*s %*s %*s %*s%s", w(0) - 4, "bytes", w(1), "packets", w(2), "errors",
                 w(3), "dropped", w(4), "carrier", w(5), "collsns", w(6), st.tx_compressed ? "compressed" : "", sl);
    std::fprintf(fp, "    ");
    print_num(fp, cols[0], st.tx_bytes);
    print_num(fp, cols[1], st.tx_packets);
    print_num(fp, cols[2], st.tx_errors);
    print_num(fp, cols[3], st.tx_dropped);
    print_num(fp, cols[4], st.tx_carrier_errors);
    print_num(fp, cols[5], st.collisions);
    if (st.tx_compressed) print_num(fp, cols[6], st.tx_compressed);
    if (more) {
        std::fprintf(fp, "%s", sl);
        std::fprintf(fp, "    TX errors:%*s %*s %*s %*s %*s %*s%s", w(0) - 10, "", w(1), "aborted", w(2), "fifo",
                     w(3), "window", w(4), "heartbt", w(5), carrier ? "transns" : "", sl);
        std::fprintf(fp, "%*s", w(0) + 5, "");
        print_num(fp, cols[1], st.tx_aborted_errors);
        print_num(fp, cols[2], st.tx_fifo_errors);
        print_num(fp, cols[3], st.tx_window_errors);
        print_num(fp, cols[4], st.tx_heartbeat_errors);
        if (carrier) print_num(fp, cols[5], *carrier);
    }
}

/// With -s the link requests must not ask the kernel to skip statistics: clear
/// RTEXT_FILTER_SKIP_STATS in the IFLA_EXT_MASK of the encoded GETLINK.
inline void keep_stats(wire::buffer& request) {
    wire::message_view m(request.bytes());
    for (wire::attr_view a : m.attributes<ifinfomsg>()) {
        if (a.type() != IFLA_EXT_MASK || a.payload().size() != 4) continue;
        const auto at = static_cast<std::size_t>(a.payload().data() - request.data());
        std::uint32_t mask;
        std::memcpy(&mask, request.data() + at, 4);
        mask &= ~static_cast<std::uint32_t>(RTEXT_FILTER_SKIP_STATS);
        std::memcpy(request.data() + at, &mask, 4);
    }
}

}  // namespace rtnl::ip
