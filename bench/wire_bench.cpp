// Wire format speed: encode the tutorial's veth-with-peer RTM_NEWLINK and an
// address add (ns per message), rtnl against a minimal libmnl encoder of the same
// bytes (checked equal before timing); decode a real 10,000-link dump (bytes/s).
//
// The dump is captured from the kernel at start-up, inside a private sandbox
// (5,000 veth pairs). RTNL_BENCH_LINKS overrides the link count (the ctest smoke
// run uses a small one).
#include <benchmark/benchmark.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "rtnl/rtnl.hpp"
#include "tools/common/sandbox.hpp"

namespace {

using namespace rtnl;

// ---- the same two messages with libmnl ---------------------------------------

std::size_t mnl_veth(char* buf, std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    nlh->nlmsg_seq = seq;
    auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
    // libmnl flags nests NLA_F_NESTED; iproute2 (and rtnl, byte for byte) does not
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    info->nla_type = IFLA_LINKINFO;
    mnl_attr_put(nlh, IFLA_INFO_KIND, 4, "veth");
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    data->nla_type = IFLA_INFO_DATA;
    nlattr* peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    peer->nla_type = VETH_INFO_PEER;
    // the peer's ifinfomsg: libmnl has no helper for a header inside a nest
    std::memset(mnl_nlmsg_get_payload_tail(nlh), 0, sizeof(ifinfomsg));
    nlh->nlmsg_len += MNL_ALIGN(sizeof(ifinfomsg));
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, 4);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_nest_end(nlh, peer);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    return nlh->nlmsg_len;
}

std::size_t mnl_addr(char* buf, std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    nlh->nlmsg_seq = seq;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    ifa->ifa_index = 3;
    const std::uint32_t a = htonl(0x0a000101);
    mnl_attr_put_u32(nlh, IFA_LOCAL, a);
    mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
    return nlh->nlmsg_len;
}

const veth tutorial_veth{.name = "veth0", .peer = {.name = "eth0", .netns = netns_ref::from_fd(4)}};
const address_spec tutorial_addr{.index = 3, .prefix = *ip_prefix::parse("10.0.1.1/24")};

// ---- encode -------------------------------------------------------------------

void BM_EncodeVeth_rtnl(benchmark::State& state) {
    wire::buffer b(4096);
    std::uint32_t seq = 0;
    for (auto _ : state) {
        b.clear();
        wire::writer w(b);
        benchmark::DoNotOptimize(link::add(w, tutorial_veth));
        wire::set_seq(b.data(), ++seq);
        benchmark::DoNotOptimize(b.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeVeth_rtnl);

void BM_EncodeVeth_rtnl_fixed(benchmark::State& state) {
    alignas(16) std::byte storage[4096];
    std::uint32_t seq = 0;
    for (auto _ : state) {
        wire::fixed_buffer fb(storage);
        wire::fixed_writer w(fb);
        benchmark::DoNotOptimize(link::add(w, tutorial_veth));
        wire::set_seq(storage, ++seq);
        benchmark::DoNotOptimize(storage);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeVeth_rtnl_fixed);

void BM_EncodeVeth_libmnl(benchmark::State& state) {
    alignas(16) char buf[4096] = {};
    std::uint32_t seq = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(mnl_veth(buf, ++seq));
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeVeth_libmnl);

void BM_EncodeAddr_rtnl(benchmark::State& state) {
    alignas(16) std::byte storage[4096];
    std::uint32_t seq = 0;
    for (auto _ : state) {
        wire::fixed_buffer fb(storage);
        wire::fixed_writer w(fb);
        benchmark::DoNotOptimize(addr::add(w, tutorial_addr));
        wire::set_seq(storage, ++seq);
        benchmark::DoNotOptimize(storage);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeAddr_rtnl);

void BM_EncodeAddr_libmnl(benchmark::State& state) {
    alignas(16) char buf[4096] = {};
    std::uint32_t seq = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(mnl_addr(buf, ++seq));
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeAddr_libmnl);

/// 1000 veth requests into one buffer (the batch path).
void BM_EncodeVethBatch1000_rtnl(benchmark::State& state) {
    wire::buffer b(1 << 20);
    for (auto _ : state) {
        b.clear();
        wire::writer w(b);
        for (int i = 0; i < 1000; ++i) benchmark::DoNotOptimize(link::add(w, tutorial_veth));
        benchmark::DoNotOptimize(b.data());
    }
    state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_EncodeVethBatch1000_rtnl);

// ---- decode a real dump ----------------------------------------------------------

std::vector<std::vector<std::byte>> dump_datagrams;
std::size_t dump_bytes = 0;
std::size_t dump_links = 0;

/// Creates the links in a sandbox and keeps the raw datagrams of one RTM_GETLINK dump.
bool capture_dump(std::size_t links) {
    if (auto why = tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "wire_bench: %s\n", why.c_str());
        return false;
    }
    rtnl::socket nl;
    wire::buffer b;
    wire::writer w(b);
    for (std::size_t i = 0; i < links / 2; ++i) {
        const std::string n = std::to_string(i);  // (GCC 12 -O3 warns falsely on "v" + to_string)
        const std::string host = std::string("v").append(n), peer = std::string("p").append(n);
        (void)link::add(w, veth{.name = host, .num_tx_queues = 1, .num_rx_queues = 1,
                                .peer = {.name = peer, .num_tx_queues = 1, .num_rx_queues = 1}});
    }
    for (auto& r : nl.batch(b))
        if (!r.ok()) {
            std::fprintf(stderr, "wire_bench: %s\n", r.describe().c_str());
            return false;
        }
    // a plain full dump (with stats, as `ip link` asks for), datagrams kept verbatim
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct {
        nlmsghdr h;
        ifinfomsg i;
    } req{};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    sockaddr_nl k{};
    k.nl_family = AF_NETLINK;
    ::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&k), sizeof k);
    std::vector<std::byte> buf(1 << 16);
    for (bool done = false; !done;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        dump_datagrams.emplace_back(buf.begin(), buf.begin() + n);
        dump_bytes += static_cast<std::size_t>(n);
        for (auto m : wire::message_range({buf.data(), static_cast<std::size_t>(n)})) {
            if (m.type() == NLMSG_DONE) done = true;
            if (m.type() == RTM_NEWLINK) ++dump_links;
        }
    }
    ::close(fd);
    return true;
}

void BM_DecodeLinkDump_rtnl(benchmark::State& state) {
    std::size_t sum = 0;
    for (auto _ : state) {
        for (auto& d : dump_datagrams)
            for (auto m : wire::message_range(d)) {
                link_view v(m);
                sum += static_cast<std::size_t>(v.index()) + v.name().size() + v.mtu().value_or(0) +
                       static_cast<std::size_t>(v.link().value_or(0)) + v.kind().size() + v.operstate().value_or(0);
            }
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * dump_bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * dump_links));
    state.counters["links"] = static_cast<double>(dump_links);
}
BENCHMARK(BM_DecodeLinkDump_rtnl);

struct mnl_link_fields {
    const nlattr* tb[IFLA_MAX + 1];
};
int mnl_attr_cb(const nlattr* attr, void* data) {
    auto* f = static_cast<mnl_link_fields*>(data);
    const int type = mnl_attr_get_type(attr);
    if (mnl_attr_type_valid(attr, IFLA_MAX) < 0) return MNL_CB_OK;
    f->tb[type] = attr;
    return MNL_CB_OK;
}
int mnl_msg_cb(const nlmsghdr* nlh, void* data) {
    auto* sum = static_cast<std::size_t*>(data);
    mnl_link_fields f{};
    auto* ifm = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    mnl_attr_parse(nlh, sizeof(*ifm), mnl_attr_cb, &f);
    *sum += static_cast<std::size_t>(ifm->ifi_index);
    if (f.tb[IFLA_IFNAME]) *sum += std::strlen(mnl_attr_get_str(f.tb[IFLA_IFNAME]));
    if (f.tb[IFLA_MTU]) *sum += mnl_attr_get_u32(f.tb[IFLA_MTU]);
    if (f.tb[IFLA_LINK]) *sum += mnl_attr_get_u32(f.tb[IFLA_LINK]);
    if (f.tb[IFLA_OPERSTATE]) *sum += mnl_attr_get_u8(f.tb[IFLA_OPERSTATE]);
    return MNL_CB_OK;
}

void BM_DecodeLinkDump_libmnl(benchmark::State& state) {
    std::size_t sum = 0;
    for (auto _ : state) {
        for (auto& d : dump_datagrams) mnl_cb_run(d.data(), d.size(), 1, 0, mnl_msg_cb, &sum);
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * dump_bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * dump_links));
}
BENCHMARK(BM_DecodeLinkDump_libmnl);

/// Both encoders must produce the same bytes, or the comparison means nothing.
/// (libmnl 1.0.4 leaves attribute padding as it finds it: start from zeros.)
bool same_bytes() {
    alignas(16) char m[4096] = {};
    wire::buffer b;
    wire::writer w(b);
    (void)link::add(w, tutorial_veth);
    wire::set_seq(b.data(), 7);
    const std::size_t n = mnl_veth(m, 7);
    if (n != b.size() || std::memcmp(m, b.data(), n) != 0) return false;
    b.clear();
    wire::writer w2(b);
    (void)addr::add(w2, tutorial_addr);
    wire::set_seq(b.data(), 7);
    const std::size_t n2 = mnl_addr(m, 7);
    return n2 == b.size() && std::memcmp(m, b.data(), n2) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (!same_bytes()) {
        std::fprintf(stderr, "wire_bench: rtnl and libmnl encoders differ\n");
        return 1;
    }
    const char* env = std::getenv("RTNL_BENCH_LINKS");
    const std::size_t links = env ? std::strtoul(env, nullptr, 10) : 10000;
    if (!capture_dump(links)) return 1;
    benchmark::Initialize(&argc, argv);
    benchmark::AddCustomContext("dump", std::to_string(dump_links) + " links, " + std::to_string(dump_bytes) + " bytes in " +
                                            std::to_string(dump_datagrams.size()) + " datagrams");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
