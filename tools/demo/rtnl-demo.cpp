// rtnl-demo — the ip-netns tutorial, done with the rtnl library, in a sandbox.
//
// Two namespaces joined by a veth pair whose ends are born inside them, an
// address on each end, a ping across, then teardown. Runs inside a private
// network + mount namespace, so the host is untouched.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "rtnl/rtnl.hpp"
#include "tools/common/sandbox.hpp"

namespace {

void say(const char* what) { std::printf("\n# %s\n", what); }

void show(rtnl::socket& nl, const char* where) {
    for (const auto& l : rtnl::link::list(nl)) {
        std::printf("  [%s] %d: %s%s mtu %u state %s\n", where, l.index, l.name.c_str(),
                    l.kind.empty() ? "" : (" (" + l.kind + ")").c_str(), l.mtu,
                    std::string(rtnl::operstate_name(l.operstate)).c_str());
        for (const auto& a : rtnl::addr::list(nl, AF_UNSPEC, l.index))
            std::printf("        inet%s %s scope %s\n", a.family == AF_INET6 ? "6" : "", a.prefix.to_string().c_str(),
                        rtnl::scope_name(a.scope).c_str());
    }
}

/// `ip netns exec NS ping -c 3 ADDR`: switch in a child, exec ping, pass its status.
int ping_from(const char* ns, const char* addr) {
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid == 0) {
        if (auto f = rtnl::netns::default_registry().switch_for_exec(ns)) {
            std::fprintf(stderr, "%s\n", f.what.c_str());
            ::_exit(1);
        }
        ::execlp("ping", "ping", "-c", "3", "-i", "0.2", addr, static_cast<char*>(nullptr));
        std::perror("ping");
        ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

}  // namespace

int main() {
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "rtnl-demo: %s\n", why.c_str());
        return 1;
    }
    try {
        const auto t0 = std::chrono::steady_clock::now();
        rtnl::socket nl;

        say("ip netns add ns0; ip netns add ns1");
        rtnl::unique_fd ns0 = rtnl::netns::create("ns0");
        rtnl::unique_fd ns1 = rtnl::netns::create("ns1");
        for (const auto& n : rtnl::netns::list()) std::printf("  %s\n", n.c_str());

        say("ip link add veth0 netns ns0 type veth peer name veth1 netns ns1   (one message: both ends born in place)");
        rtnl::link::add(nl, rtnl::veth{.name = "veth0", .netns = ns0, .peer = {.name = "veth1", .netns = ns1}});

        say("ip -n ns0 link set lo up; ip -n ns0 link set veth0 up; ip -n ns0 addr add 10.0.1.1/24 dev veth0");
        auto in0 = rtnl::socket::in_namespace(ns0.get());
        rtnl::link::set(in0, "lo", {.up = true});
        rtnl::link::set(in0, "veth0", {.up = true});
        rtnl::addr::add(in0, "veth0", "10.0.1.1/24");

        say("ip -n ns1 link set lo up; ip -n ns1 link set veth1 up; ip -n ns1 addr add 10.0.1.2/24 dev veth1");
        auto in1 = rtnl::socket::in_namespace(ns1.get());
        rtnl::link::set(in1, "lo", {.up = true});
        rtnl::link::set(in1, "veth1", {.up = true});
        rtnl::addr::add(in1, "veth1", "10.0.1.2/24");

        say("ip -n ns0 addr; ip -n ns1 addr");
        show(in0, "ns0");
        show(in1, "ns1");

        say("ip -n ns0 route");
        for (const auto& r : rtnl::route::list(in0, AF_INET))
            std::printf("  %s dev %d scope %s\n", r.dst ? r.dst->to_string().c_str() : "default", r.oif,
                        rtnl::scope_name(r.scope).c_str());

        say("ip netns exec ns0 ping -c 3 10.0.1.2");
        const int ping = ping_from("ns0", "10.0.1.2");

        say("ip netns del ns0; ip netns del ns1   (the veth pair goes with them)");
        rtnl::netns::remove("ns0");
        rtnl::netns::remove("ns1");
        std::printf("  namespaces left: %zu\n", rtnl::netns::list().size());

        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        std::printf("\ndone in %lld ms (ping exit status %d)\n", static_cast<long long>(ms.count()), ping);
        return ping == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rtnl-demo: %s\n", e.what());
        return 1;
    }
}
