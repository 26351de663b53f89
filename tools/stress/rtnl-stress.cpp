// rtnl-stress — create N container-style network namespaces as fast as the kernel
// allows, optionally check connectivity, tear them down, and prove nothing is left.
//
// Per namespace: a named namespace (iproute2's /run/netns contract), a veth pair
// whose peer `eth0` is born inside it (never moved: a move costs an RCU barrier),
// lo and eth0 up and an address (from a socket opened inside the namespace by the
// thread that created it), and the host end up on a bridge. Work goes in chunks:
// one helper thread creates a chunk of namespaces, one pipelined batch creates the
// chunk's veth pairs, one sendmsg per namespace configures it.
//
// Teardown is the fast correct path: the namespace files (in the sandbox one lazy
// unmount detaches them all), then one RTM_DELLINK for the interface group of
// host ends and one for the group of bridges — no per-link deletes. "Down" ends
// when the kernel has dismantled every namespace (RTM_DELNSID seen for each).
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <cstdio>
#include <fstream>
#include <map>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "rtnl/rtnl.hpp"
#include "tools/common/ping.hpp"
#include "tools/common/progress.hpp"
#include "tools/common/sandbox.hpp"
#include "tools/stress/options.hpp"

namespace {

using namespace rtnl;
using clock_type = std::chrono::steady_clock;

std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted = true; }

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

/// Names and numbers of one run; the host mode uses names that say who made them.
struct plan {
    const stress::options& o;
    std::uint32_t veth_group = 0;
    std::uint32_t bridge_group = 0;

    std::string ns_name(std::size_t i) const { return (o.host ? "rtnl-stress-" : "stress") + std::to_string(i); }
    std::string host_name(std::size_t i) const { return (o.host ? "st-" : "st") + std::to_string(i); }
    std::string bridge_name(std::size_t k) const { return (o.host ? "stbr-" : "stbr") + std::to_string(k); }
    std::size_t shard(std::size_t i) const { return i / o.bridge_ports; }
    std::int32_t nsid_base = 0;  ///< above every id in use, and room for all namespaces below it
    std::int32_t nsid(std::size_t i) const { return nsid_base - static_cast<std::int32_t>(i); }
    ip_address v4(std::size_t i) const {
        std::uint32_t base;
        std::memcpy(&base, o.subnet.network().data(), 4);
        const std::uint32_t a = htonl(ntohl(base) + static_cast<std::uint32_t>(i) + 1);
        std::array<std::uint8_t, 4> b;
        std::memcpy(b.data(), &a, 4);
        return ip_address::v4(b);
    }
    ip_address v6(std::size_t i) const {
        std::array<std::uint8_t, 16> b{0xfd};
        const auto n = static_cast<std::uint32_t>(i + 1);
        b[12] = static_cast<std::uint8_t>(n >> 24);
        b[13] = static_cast<std::uint8_t>(n >> 16);
        b[14] = static_cast<std::uint8_t>(n >> 8);
        b[15] = static_cast<std::uint8_t>(n);
        return ip_address::v6(b);
    }
};

struct run_state {
    std::size_t made = 0;            ///< namespaces fully made (names 0 … made-1)
    std::size_t namespaces_made = 0; ///< named namespaces that exist (may exceed `made` after a failure)
    std::size_t bridges = 0;
    std::vector<double> latency_us;  ///< per namespace
    std::vector<std::int32_t> ids;   ///< namespace ids assigned (the teardown watches these)
    double ns_seconds = 0, veth_seconds = 0, config_seconds = 0, bridge_seconds = 0;  ///< up, by phase
    double del_links_seconds = 0, del_ns_seconds = 0, settle_seconds = 0;               ///< down, by phase
    double up_seconds = 0, down_seconds = 0;
    std::size_t verified = 0, verify_failed = 0;
    std::string failure;
};

std::uint32_t unused_group(const std::vector<link_info>& links, std::uint32_t from, std::uint32_t also_not = 0) {
    std::set<std::uint32_t> used;
    for (auto& l : links) used.insert(l.group);
    std::uint32_t g = from;
    while (used.count(g) || g == also_not) ++g;
    return g;
}

/// A chunk of namespaces made by the producer thread, waiting for its links.
struct made_chunk {
    std::size_t first = 0, count = 0;
    std::vector<unique_fd> ns_fds, nl_fds;
    double seconds = 0;
    std::string failure;
};

/// Makes namespace chunks on its own thread, one chunk ahead of the consumer, so
/// namespace creation (mostly outside the RTNL lock) overlaps with link work.
class chunk_producer {
public:
    chunk_producer(const plan& p, std::atomic<bool>& stop) : p_(p), stop_(stop), thread_([this] { run(); }) {}
    ~chunk_producer() {
        {
            std::lock_guard lock(m_);
            quit_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    /// Next chunk, or nullopt at the end.
    std::optional<made_chunk> next() {
        std::unique_lock lock(m_);
        ++requested_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !ready_.empty() || done_; });
        if (ready_.empty()) return std::nullopt;
        made_chunk c = std::move(ready_.front());
        ready_.erase(ready_.begin());
        cv_.notify_all();
        return c;
    }
    /// Namespaces that exist (consumed or not): names 0 … made-1.
    std::size_t made() const { return made_.load(); }

private:
    void run() {
        const auto& o = p_.o;
        std::vector<std::string> names;
        for (std::size_t first = 0; first < o.namespaces; first += o.chunk) {
            {
                std::unique_lock lock(m_);
                // one chunk ahead, or (--serial) only when the consumer waits for it
                cv_.wait(lock, [&] { return (p_.o.serial ? produced_ < requested_ : ready_.size() < 1) || quit_; });
                ++produced_;
                if (quit_ || stop_ || interrupted) break;
            }
            made_chunk c;
            c.first = first;
            c.count = std::min(o.chunk, o.namespaces - first);
            names.clear();
            for (std::size_t i = first; i < first + c.count; ++i) names.push_back(p_.ns_name(i));
            c.nl_fds.resize(c.count);
            const auto t0 = clock_type::now();
            // Each namespace gets a netlink socket opened by the creating thread while
            // it is inside (no setns per namespace later).
            auto f = netns::default_registry().create_many(names, c.ns_fds, [&](std::size_t j) -> netns::failure {
                c.nl_fds[j].reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
                if (!c.nl_fds[j]) return {std::error_code(errno, std::system_category()), "cannot open a netlink socket"};
                return {};
            });
            c.seconds = seconds_since(t0);
            made_ += c.ns_fds.size();
            if (f) c.failure = f.what;
            const bool failed = !c.failure.empty();
            {
                std::lock_guard lock(m_);
                ready_.push_back(std::move(c));
            }
            cv_.notify_all();
            if (failed) break;
        }
        std::lock_guard lock(m_);
        done_ = true;
        cv_.notify_all();
    }

    const plan& p_;
    std::atomic<bool>& stop_;
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<made_chunk> ready_;
    std::atomic<std::size_t> made_{0};
    bool done_ = false, quit_ = false;
    std::size_t requested_ = 0, produced_ = 0;
    std::thread thread_;
};

/// Up: namespaces from the producer; per chunk one batch of veth pairs; per
/// namespace one sendmsg from inside it.
void bring_up(rtnl::socket& nl, const plan& p, run_state& st) {
    const auto& o = p.o;
    tools::progress bar("up", o.namespaces);
    std::vector<int> bridge_index;
    const auto t_up = clock_type::now();
    wire::buffer batch, cfg;
    std::atomic<bool> stop{false};
    chunk_producer producer(p, stop);
    auto finish = [&](std::string failure) {
        st.failure = std::move(failure);
        stop = true;
        while (producer.next()) {}  // let the producer end; its namespaces are counted below
        st.namespaces_made = producer.made();
    };
    while (auto chunk = producer.next()) {
        if (!chunk->failure.empty()) return finish(chunk->failure);
        if (interrupted) return finish("");
        const std::size_t first = chunk->first, count = chunk->count;
        st.ns_seconds += chunk->seconds;
        const double ns_share = chunk->seconds * 1e6 / static_cast<double>(count);
        // bridges for the shards this chunk touches
        const auto tb = clock_type::now();
        for (std::size_t k = p.shard(first); k <= p.shard(first + count - 1); ++k) {
            if (k < bridge_index.size()) continue;
            // A pinned MAC spares the bridge recomputing its id on every new port;
            // no multicast snooping spares per-port query timers.
            const mac_address mac{{0x02, 0x72, 0x74, 0x6e, static_cast<std::uint8_t>(k >> 8), static_cast<std::uint8_t>(k)}};
            link::add(nl, bridge{.name = p.bridge_name(k), .address = mac, .group = p.bridge_group, .up = true,
                                 .mcast_snooping = 0});
            ++st.bridges;
            bridge_index.push_back(link::index(nl, p.bridge_name(k)));
        }
        st.bridge_seconds += seconds_since(tb);
        // the chunk's veth pairs, peers born inside, host ends up on their bridge
        auto t0 = clock_type::now();
        batch.clear();
        wire::writer w(batch);
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t i = first + j;
            // Name the namespace with a *descending* id first. The kernel finds a
            // namespace's id by scanning the host's ids upwards (peernet2id →
            // idr_for_each) on every link notification of the host end — several
            // per pair. The newest namespace holding the lowest id ends that scan
            // at its first step instead of walking all N.
            if (auto ec = nsid::set(w, chunk->ns_fds[j], p.nsid(i))) return finish(ec.message());
            if (auto ec = link::add(w, veth{.name = p.host_name(i), .group = p.veth_group, .num_tx_queues = o.queues,
                                            .num_rx_queues = o.queues, .master = bridge_index[p.shard(i)], .up = true,
                                            .peer = {.name = "eth0", .num_tx_queues = o.queues,
                                                     .num_rx_queues = o.queues, .netns = chunk->ns_fds[j]}}))
                return finish(ec.message());
        }
        auto results = nl.batch(batch);
        for (std::size_t j = 0; j + 1 < results.size(); j += 2)
            if (results[j].ok()) st.ids.push_back(p.nsid(first + j / 2));
        for (std::size_t j = 0; j < results.size(); ++j)
            if (!results[j].ok())
                return finish((j % 2 ? "link add " : "netns set ") + p.host_name(first + j / 2) + ": " + results[j].describe());
        st.veth_seconds += seconds_since(t0);
        const double veth_share = seconds_since(t0) * 1e6 / static_cast<double>(count);
        // inside each namespace: lo up, eth0 up, its address — one sendmsg.
        // In a fresh namespace lo is ifindex 1 and the first device 2; if not, look eth0 up.
        // eth0 gets no IPv6 link-local (like a container without IPv6): otherwise
        // every eth0 coming up sends DAD/RS/MLD that its bridge floods to all ports.
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t i = first + j;
            t0 = clock_type::now();
            rtnl::socket in(std::move(chunk->nl_fds[j]));
            auto configure = [&](int eth0) {
                cfg.clear();
                wire::writer cw(cfg);
                (void)link::set(cw, 1, {.up = true});
                (void)link::set(cw, eth0, {.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE});
                (void)link::set(cw, eth0, {.up = true});
                (void)addr::add(cw, {.index = eth0, .prefix = {p.v4(i), o.subnet.length}});
                if (o.ipv6) (void)addr::add(cw, {.index = eth0, .prefix = {p.v6(i), 64}, .flags = IFA_F_NODAD});
                return in.batch(cfg);
            };
            auto r = configure(2);
            if (r[1].code == std::errc::no_such_device) r = configure(link::index(in, "eth0"));
            for (auto& s : r)
                if (!s.ok()) return finish("configuring " + p.ns_name(i) + ": " + s.describe());
            st.config_seconds += seconds_since(t0);
            st.latency_us.push_back(ns_share + veth_share + seconds_since(t0) * 1e6);
            ++st.made;
            bar.update(st.made);
        }
    }
    st.namespaces_made = producer.made();
    st.up_seconds = seconds_since(t_up);
}

/// Ping `count` sampled pairs (i, neighbour on the same bridge).
void verify(const plan& p, run_state& st, std::size_t count) {
    if (count == 0 || st.made < 2) return;
    const auto& reg = netns::default_registry();
    for (std::size_t s = 0; s < count && !interrupted; ++s) {
        const std::size_t i = (st.made - 1) * s / std::max<std::size_t>(count - 1, 1);
        std::size_t j = (i + 1 < st.made && p.shard(i + 1) == p.shard(i)) ? i + 1 : i - 1;
        if (j >= st.made || p.shard(j) != p.shard(i)) {  // a shard of one: nothing to ping
            continue;
        }
        unique_fd ns = reg.open(p.ns_name(i));
        bool ok = tools::ping(ns.get(), p.v4(j));
        if (ok && p.o.ipv6) ok = tools::ping(ns.get(), p.v6(j));
        (ok ? st.verified : st.verify_failed)++;
        if (!ok) std::fprintf(stderr, "verify: %s cannot reach %s\n", p.ns_name(i).c_str(), p.v4(j).to_string().c_str());
    }
}

/// Watches the kernel dismantle namespaces: every namespace with an id in this
/// namespace is announced with RTM_DELNSID (RTNLGRP_NSID) when the kernel tears
/// it down. (The RTM_GETNSID dump cannot be polled instead: on this kernel it
/// ends after its first datagram, ~130 ids.)
class dismantle_watch {
public:
    explicit dismantle_watch(std::set<std::int32_t> ids) : ids_(std::move(ids)) {
        const unsigned groups[] = {RTNLGRP_NSID};
        std::error_code ec;
        nl_ = rtnl::detail::open_netlink(
            {.receive_buffer = 32 << 20, .requests = false, .groups = groups, .nonblocking = true}, ec);
        if (ec) nl_.fd.reset();
    }
    /// Waits until every watched id is announced gone; false on deadline or when
    /// events were lost (then `probe` decides).
    bool wait(clock_type::time_point deadline) {
        std::vector<std::byte> buf(1 << 16);
        while (!ids_.empty() && nl_.fd) {
            pollfd pfd{nl_.fd.get(), POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
            if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0) return false;
            const ssize_t n = ::recv(nl_.fd.get(), buf.data(), buf.size(), 0);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                return false;  // ENOBUFS: events lost
            }
            for (auto m : wire::message_range({buf.data(), static_cast<std::size_t>(n)}))
                if (m.type() == RTM_DELNSID)
                    if (auto id = nsid_view(m).nsid()) ids_.erase(*id);
        }
        return ids_.empty();
    }
    /// Ids still alive, asked of the kernel one by one (a GETLINK of lo through
    /// IFLA_TARGET_NETNSID fails once the id is gone).
    std::size_t probe(rtnl::socket& nl) {
        wire::buffer b;
        wire::writer w(b);
        std::vector<std::int32_t> order(ids_.begin(), ids_.end());
        for (auto id : order) {
            auto m = w.begin(RTM_GETLINK, NLM_F_REQUEST);
            ifinfomsg h{};
            h.ifi_index = 1;
            w.header(h);
            w.put(ifla::target_netnsid, id);
        }
        auto results = nl.batch(b);
        for (std::size_t i = 0; i < results.size() && i < order.size(); ++i)
            if (!results[i].ok()) ids_.erase(order[i]);
        return ids_.size();
    }
    std::size_t remaining() const { return ids_.size(); }

private:
    std::set<std::int32_t> ids_;
    rtnl::detail::netlink_fd nl_;
};

/// Down: group deletes, then the namespace files; wait until the kernel has
/// dismantled every namespace. Returns what is left, if anything.
std::string tear_down(rtnl::socket& nl, const plan& p, run_state& st) {
    // Only namespaces that got an id can be watched; one interrupted between its
    // creation and its veth has nothing but lo, and goes unobserved.
    dismantle_watch watch({st.ids.begin(), st.ids.end()});  // subscribed before anything goes
    const auto t0 = clock_type::now();
    std::error_code ec;
    auto delete_links = [&]() -> std::string {
        const auto t = clock_type::now();
        if (st.made || st.namespaces_made) {
            link::del_group(nl, p.veth_group, ec);  // ENODEV: none (left)
            if (ec && ec != std::errc::no_such_device)
                return "link del group " + std::to_string(p.veth_group) + ": " + nl.last_status().describe();
        }
        if (st.bridges) {
            link::del_group(nl, p.bridge_group, ec);
            if (ec && ec != std::errc::no_such_device)
                return "link del group " + std::to_string(p.bridge_group) + ": " + nl.last_status().describe();
        }
        st.del_links_seconds = seconds_since(t);
        return {};
    };
    auto delete_namespaces = [&]() -> std::string {
        const auto t = clock_type::now();
        const auto& reg = netns::default_registry();
        if (p.o.host) {
            std::vector<std::string> names;
            for (std::size_t i = 0; i < st.namespaces_made; ++i) names.push_back(p.ns_name(i));
            if (auto f = reg.remove_many(names)) return f.what;
        } else {
            // The sandbox's run dir is ours alone: detach all namespace mounts at once.
            netns::failure f;
            reg.remove_all(&f);
            if (f) return f.what;
        }
        st.del_ns_seconds = seconds_since(t);
        return {};
    };
    // Namespaces first: the kernel's cleanup worker dismantles them (taking
    // eth0 and, with it, each host end) on the other CPU while the group deletes
    // run here; links first leaves that cleanup to run alone afterwards
    // (measured at 10,000: 4.6–4.9 s against 6.9–8.0 s).
    if (auto e = delete_namespaces(); !e.empty()) return e;
    if (auto e = delete_links(); !e.empty()) return e;
    const auto& reg = netns::default_registry();
    // The kernel dismantles namespaces asynchronously: wait until it has.
    const auto t2 = clock_type::now();
    // Events are the fast path; a probe every second covers lost ones.
    const auto deadline = clock_type::now() + std::chrono::seconds(120);
    while (!watch.wait(std::min(deadline, clock_type::now() + std::chrono::seconds(1))) && watch.probe(nl) > 0 &&
           clock_type::now() < deadline) {
    }
    st.settle_seconds = seconds_since(t2);
    st.down_seconds = seconds_since(t0);

    // Nothing left: no link in our groups, no namespace of ours, no nsid, no mount.
    std::string left;
    for (auto& l : link::list(nl))
        if (l.group == p.veth_group || l.group == p.bridge_group) left += " link " + l.name;
    for (std::size_t i = 0; i < st.namespaces_made; ++i)
        if (reg.exists(p.ns_name(i))) left += " netns " + p.ns_name(i);
    if (watch.probe(nl) > 0) left += " " + std::to_string(watch.remaining()) + " namespace(s) still alive";
    std::ifstream mi("/proc/self/mountinfo");
    for (std::string line; std::getline(mi, line);)
        if (line.find(reg.run_dir() + "/" + (p.o.host ? "rtnl-stress-" : "stress")) != std::string::npos) {
            left += " a mount under " + reg.run_dir();
            break;
        }
    return left.empty() ? "" : "left behind:" + left;
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(k, v.size() - 1)];
}

long peak_rss_kb() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

void write_json(const std::string& file, const stress::options& o, const run_state& st, double p50, double p99) {
    std::ofstream out(file);
    out << "{\n"
        << "  \"namespaces\": " << st.made << ",\n"
        << "  \"requested\": " << o.namespaces << ",\n"
        << "  \"bridges\": " << st.bridges << ",\n"
        << "  \"bridge_ports\": " << o.bridge_ports << ",\n"
        << "  \"queues\": " << o.queues << ",\n"
        << "  \"ipv6\": " << (o.ipv6 ? "true" : "false") << ",\n"
        << "  \"up_seconds\": " << st.up_seconds << ",\n"
        << "  \"down_seconds\": " << st.down_seconds << ",\n"
        << "  \"namespaces_per_second_up\": " << (st.up_seconds > 0 ? static_cast<double>(st.made) / st.up_seconds : 0) << ",\n"
        << "  \"namespaces_per_second_down\": " << (st.down_seconds > 0 ? static_cast<double>(st.made) / st.down_seconds : 0) << ",\n"
        << "  \"p50_us\": " << p50 << ",\n"
        << "  \"p99_us\": " << p99 << ",\n"
        << "  \"verified\": " << st.verified << ",\n"
        << "  \"verify_failed\": " << st.verify_failed << ",\n"
        << "  \"peak_rss_kb\": " << peak_rss_kb() << ",\n"
        << "  \"interrupted\": " << (interrupted ? "true" : "false") << "\n"
        << "}\n";
}

/// True for PREFIX followed by digits only (the names a --host run gives).
bool numbered(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix) || name.size() == prefix.size()) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

/// --cleanup: a --host run killed before its teardown (SIGKILL, a crash, power)
/// leaves namespaces rtnl-stress-N in the run dir, host ends st-N and bridges
/// stbr-N. Removes exactly those: the namespaces (their eth0 goes with them),
/// then the links — a whole interface group in one request where every member
/// is ours (the run chose unused groups), else one by one.
int cleanup_host() {
    rtnl::socket nl;
    const auto& reg = netns::default_registry();
    std::error_code ec;
    std::vector<std::string> names;
    for (auto& n : reg.list(ec))
        if (numbered(n, "rtnl-stress-")) names.push_back(n);
    if (auto f = reg.remove_many(names)) {
        std::fprintf(stderr, "rtnl-stress: --cleanup: %s\n", f.what.c_str());
        return 1;
    }
    auto ours = [](const link_info& l) { return numbered(l.name, "st-") || numbered(l.name, "stbr-"); };
    std::map<std::uint32_t, std::pair<std::size_t, std::size_t>> groups;  // group → (ours, all)
    const auto links = link::list(nl);
    for (auto& l : links) {
        auto& g = groups[l.group];
        g.first += ours(l);
        ++g.second;
    }
    std::size_t removed = 0;
    for (auto& [group, count] : groups)
        if (group != 0 && count.first > 0 && count.first == count.second) {
            link::del_group(nl, group, ec);
            if (ec && ec != std::errc::no_such_device) {
                std::fprintf(stderr, "rtnl-stress: --cleanup: link del group %u: %s\n", group, nl.last_status().describe().c_str());
                return 1;
            }
            removed += count.first;
        }
    for (auto& l : links) {
        if (!ours(l)) continue;
        const auto& g = groups[l.group];
        if (l.group != 0 && g.first == g.second) continue;  // went with its group
        link::del(nl, l.name, ec);
        if (ec && ec != std::errc::no_such_device && ec != errc::no_such_device) {
            std::fprintf(stderr, "rtnl-stress: --cleanup: link del %s: %s\n", l.name.c_str(), nl.last_status().describe().c_str());
            return 1;
        }
        ++removed;
    }
    std::fprintf(stderr, "rtnl-stress: --cleanup: removed %zu namespaces and %zu links\n", names.size(), removed);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    stress::options o;
    if (auto err = stress::parse(argc, argv, o)) {
        if (!err->empty()) std::fprintf(stderr, "rtnl-stress: %s\n\n", err->c_str());
        std::fputs(stress::usage_text, stderr);
        return 2;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "rtnl-stress: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)\n");
        return 1;
    }
    if (o.cleanup) {
        try {
            return cleanup_host();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "rtnl-stress: --cleanup: %s\n", e.what());
            return 1;
        }
    }
    // Two descriptors per namespace of a chunk are open at once.
    rlimit nofile{};
    if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (!o.host) {
        if (auto why = tools::enter_sandbox(); !why.empty()) {
            std::fprintf(stderr, "rtnl-stress: %s\n", why.c_str());
            return 1;
        }
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills; the sandbox still cleans up
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    plan p{o};
    run_state st;
    int rc = 0;
    try {
        rtnl::socket nl;
        if (!o.host) {
            link::set(nl, "lo", {.up = true});
            // The host ends and bridges need no IPv6. With it, every link event walks
            // an IPv6 routing table that grows with every device (fib6_ifup/ifdown):
            // O(N) per namespace. Only in the sandbox: --host leaves host sysctls alone.
            if (auto f = netns::write_sysctl("net/ipv6/conf/default/disable_ipv6", "1"))
                std::fprintf(stderr, "rtnl-stress: %s (continuing with IPv6 on host ends)\n", f.what.c_str());
        }
        auto links = link::list(nl);
        p.veth_group = unused_group(links, 4242);
        p.bridge_group = unused_group(links, p.veth_group + 1, p.veth_group);
        if (o.host) {  // refuse to collide with anything already there
            for (std::size_t i = 0; i < o.namespaces; ++i)
                if (netns::exists(p.ns_name(i))) throw std::runtime_error("namespace " + p.ns_name(i) + " already exists");
        }
        // Ids are assigned downwards from here (see bring_up); keep clear of any in
        // use. (The id dump may be cut short by the kernel: leave a wide margin.)
        std::error_code ec;
        const auto ids = nsid::list(nl, ec);
        p.nsid_base = std::max<std::int32_t>(ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()), 1 << 20) + 1 +
                      static_cast<std::int32_t>(o.namespaces);
        std::fprintf(stderr, "rtnl-stress: %zu namespaces, %zu ports per bridge, %u queue(s), %s%s\n", o.namespaces,
                     o.bridge_ports, o.queues, o.host ? "in the host's namespaces" : "in a private sandbox",
                     o.ipv6 ? ", IPv4 + IPv6" : "");
        bring_up(nl, p, st);
        if (!st.failure.empty()) {
            std::fprintf(stderr, "rtnl-stress: %s\n", st.failure.c_str());
            rc = 1;
        }
        if (st.up_seconds == 0) st.up_seconds = 0;  // interrupted or failed before the end
        if (rc == 0 && !interrupted) verify(p, st, o.verify);
        if (st.verify_failed) rc = 1;
        if (o.keep && !interrupted) {
            if (o.host) {
                std::fprintf(stderr, "rtnl-stress: --keep: leaving %zu namespaces in place (groups %u and %u)\n", st.made,
                             p.veth_group, p.bridge_group);
            } else {
                std::fprintf(stderr, "rtnl-stress: --keep: everything is up inside the sandbox (pid %d); press Enter to end\n",
                             static_cast<int>(::getpid()));
                std::string line;
                std::getline(std::cin, line);
            }
        } else {
            if (auto left = tear_down(nl, p, st); !left.empty()) {
                std::fprintf(stderr, "rtnl-stress: %s\n", left.c_str());
                rc = 1;
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rtnl-stress: %s\n", e.what());
        rc = 1;
        if (o.host && (st.namespaces_made || st.bridges)) {
            rtnl::socket nl;
            tear_down(nl, p, st);
        }
    }

    const double p50 = percentile(st.latency_us, 0.50), p99 = percentile(st.latency_us, 0.99);
    std::printf("namespaces      %zu%s\n", st.made, interrupted ? " (interrupted)" : "");
    std::printf("up              %.3f s  (%.0f namespaces/s)\n", st.up_seconds,
                st.up_seconds > 0 ? static_cast<double>(st.made) / st.up_seconds : 0.0);
    std::printf("down            %.3f s  (%.0f namespaces/s)\n", st.down_seconds,
                st.down_seconds > 0 ? static_cast<double>(st.made) / st.down_seconds : 0.0);
    std::printf("  namespaces    %.3f s, veth pairs %.3f s, inside %.3f s, bridges %.3f s\n", st.ns_seconds,
                st.veth_seconds, st.config_seconds, st.bridge_seconds);
    std::printf("  link deletes  %.3f s, namespace files %.3f s, kernel cleanup %.3f s\n", st.del_links_seconds,
                st.del_ns_seconds, st.settle_seconds);
    std::printf("per namespace   p50 %.0f us  p99 %.0f us\n", p50, p99);
    if (o.verify) std::printf("verified        %zu pairs ok, %zu failed\n", st.verified, st.verify_failed);
    std::printf("peak RSS        %ld KiB\n", peak_rss_kb());
    if (!o.json.empty()) write_json(o.json, o, st, p50, p99);
    if (interrupted) return 130;
    return rc;
}
