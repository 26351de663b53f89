// rtnl-demo — the ip-netns tutorial (shared/reference/ip-netns-tutorial.md),
// typed with rtnl-ip and rtnl-bridge, inside a private sandbox.
//
// Part one joins two namespaces with a veth pair, gives each end an address and
// pings across; part two builds the bridge topology (one veth end per namespace,
// the other ends on br0) and pings across the bridge. Every command is printed
// with its output, the way the tutorial shows them. Everything happens in a new
// network namespace and a private mount namespace with its own /run, so the
// host's links and namespaces are untouched and nothing outlives the demo.
// Part three is the tutorial's last step, with rtnl-topo: the bridge becomes the
// container's gateway and a masquerade rule (nf_tables over netlink) lets it
// reach an "outside" namespace, which sees the gateway's address.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/common/sandbox.hpp"

namespace {

int failures = 0;

void heading(const char* text) { std::printf("\n## %s\n", text); }
void note(const char* text) { std::printf("   (%s)\n", text); }

/// Prints "# COMMAND" (or `shown`) and runs it through bash (for the tutorial's
/// `<(…)`), output going straight to the terminal. Counts unexpected failures.
int step(const std::string& command, bool must_succeed = true, const std::string& shown = {}) {
    std::printf("\n[root@sandbox ~]# %s\n", (shown.empty() ? command : shown).c_str());
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/bash", "bash", "-c", command.c_str(), static_cast<char*>(nullptr));
        std::perror("bash");
        ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    const int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (rc != 0) std::printf("[exit status %d]\n", rc);
    if (rc != 0 && must_succeed) ++failures;
    std::fflush(stdout);
    return rc;
}

/// The directory this binary lives in (rtnl-ip, rtnl-bridge, rtnl-topo are built next to it).
std::string own_directory() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string self(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    return self.substr(0, self.rfind('/'));
}

void two_namespaces() {
    heading("Part 1: two network namespaces joined by a veth pair");
    step("rtnl-ip netns add ns1");
    step("rtnl-ip netns list");
    note("adding it again fails, as with ip");
    step("rtnl-ip netns add ns1", false);
    note("a shell inside ns1 with its own prompt: rtnl-ip execs it directly, so <(...) works");
    const std::string shell = "rtnl-ip netns exec ns1 /bin/bash --rcfile <(echo 'PS1=\"namespace ns1> \"') -i";
    // commands typed into that shell come from a pipe; without a terminal bash
    // complains about job control, which is filtered out
    step("echo 'rtnl-ip link set lo up; rtnl-ip addr show lo' | " + shell +
             " 2>&1 | grep -v -e 'terminal process group' -e 'no job control'",
         true, shell + "    <<< 'rtnl-ip link set lo up; rtnl-ip addr show lo'");
    step("rtnl-ip netns add ns0");
    step("ls /var/run/netns/");
    step("rtnl-ip link add type veth");
    step("rtnl-ip link");
    step("rtnl-ip link set veth0 netns ns0");
    step("rtnl-ip link set veth1 netns ns1");
    step("rtnl-ip netns exec ns0 rtnl-ip addr");
    step("rtnl-ip netns exec ns1 rtnl-ip addr");
    step("rtnl-ip netns exec ns0 rtnl-ip link set veth0 up");
    step("rtnl-ip netns exec ns0 rtnl-ip addr add 10.0.1.1/24 dev veth0");
    step("rtnl-ip netns exec ns0 rtnl-ip route");
    step("rtnl-ip netns exec ns1 rtnl-ip link set veth1 up");
    step("rtnl-ip netns exec ns1 rtnl-ip addr add 10.0.1.2/24 dev veth1");
    step("rtnl-ip netns exec ns1 rtnl-ip route");
    step("rtnl-ip netns exec ns0 ping -c 3 -i 0.2 -W 5 10.0.1.2");
    note("ns0's loopback is down, so ns0 cannot reach its own address");
    step("rtnl-ip netns exec ns0 rtnl-ip addr show");
    step("rtnl-ip netns exec ns0 ping -c 1 -W 1 10.0.1.1", false);
    note("ns1's loopback is up");
    step("rtnl-ip netns exec ns1 rtnl-ip addr show");
    step("rtnl-ip netns exec ns1 ping -c 2 -i 0.2 10.0.1.2");
    heading("Teardown of part 1 (the veth pair goes with its namespaces)");
    step("rtnl-ip netns del ns0");
    step("rtnl-ip netns del ns1");
    step("rtnl-ip netns list");
}

void bridge_topology() {
    heading("Part 2: a bridge connecting namespaces");
    step("rtnl-ip netns add ns0");
    step("rtnl-ip netns add ns1");
    step("rtnl-ip link add br0 type bridge");
    step("rtnl-ip link set dev br0 up");
    step("rtnl-ip link add type veth");
    step("rtnl-ip addr show");
    note("one end into ns0, renamed eth0, addressed and up");
    step("rtnl-ip link set dev veth1 netns ns0");
    step("rtnl-ip netns exec ns0 rtnl-ip link set dev veth1 name eth0");
    step("rtnl-ip netns exec ns0 rtnl-ip addr add 10.0.1.1/24 dev eth0");
    step("rtnl-ip netns exec ns0 rtnl-ip link set dev eth0 up");
    note("the other end onto the bridge");
    step("rtnl-ip link set dev veth0 master br0");
    step("rtnl-ip link set dev veth0 up");
    step("rtnl-bridge link");
    note("the same for ns1");
    step("rtnl-ip link add type veth");
    step("rtnl-ip addr show");
    step("rtnl-ip link set dev veth1 netns ns1");
    step("rtnl-ip netns exec ns1 rtnl-ip link set dev veth1 name eth0");
    step("rtnl-ip netns exec ns1 rtnl-ip addr add 10.0.1.2/24 dev eth0");
    step("rtnl-ip netns exec ns1 rtnl-ip link set dev eth0 up");
    step("rtnl-ip link set dev veth2 master br0");
    step("rtnl-ip link set dev veth2 up");
    step("rtnl-bridge link");
    step("rtnl-ip netns exec ns0 ping -c 3 -i 0.2 -W 5 10.0.1.2");
    heading("Teardown of part 2");
    step("rtnl-ip link del veth0");
    step("rtnl-ip link del veth2");
    step("rtnl-ip link del br0");
    step("rtnl-ip netns del ns0");
    step("rtnl-ip netns del ns1");
    step("rtnl-ip link");
}

void egress() {
    heading("Part 3: the bridge as gateway, and out through NAT");
    note("ns0 is a container on br0; \"outside\" stands for the internet and has no route back to 10.0.1.0/24");
    step("cat > /run/egress.yaml <<'EOF'\n"
         "namespaces: [ns0, outside]\n"
         "bridges:\n"
         "  - {name: br0, addresses: [10.0.1.254/24]}\n"
         "veths:\n"
         "  - {name: veth0, master: br0, peer: {name: eth0, namespace: ns0, addresses: [10.0.1.1/24]}}\n"
         "  - {name: up0, addresses: [198.51.100.1/24], peer: {name: eth0, namespace: outside, addresses: [198.51.100.2/24]}}\n"
         "routes:\n"
         "  - {namespace: ns0, to: default, via: 10.0.1.254}\n"
         "gateways:\n"
         "  - {forward: [br0, up0]}\n"
         "egress:\n"
         "  - {masquerade: 10.0.1.0/24, out: up0}\n"
         "EOF\n"
         "cat /run/egress.yaml",
         true, "cat /run/egress.yaml");
    step("rtnl-topo up /run/egress.yaml");
    note("forwarding is on for br0 and up0 only; the host-wide switch stays off");
    step("cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/br0/forwarding /proc/sys/net/ipv4/conf/up0/forwarding");
    step("nft list ruleset");
    step("rtnl-ip netns exec ns0 ping -c 3 -i 0.2 -W 5 198.51.100.2");
    note("conntrack: the outside answered 198.51.100.1, the gateway, not the container");
    step("grep 198.51.100.2 /proc/net/nf_conntrack");
    heading("Teardown of part 3");
    step("rtnl-topo down /run/egress.yaml");
    step("nft list ruleset");
}

}  // namespace

int main() {
    // before the sandbox: in a chroot it gives the process a new root mount, and
    // /proc/self/exe then names the binary by a path outside it
    const std::string path = own_directory() + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
    if (auto why = rtnl::tools::enter_sandbox(); !why.empty()) {
        std::fprintf(stderr, "rtnl-demo: %s\n", why.c_str());
        return 1;
    }
    ::setenv("PATH", path.c_str(), 1);
    std::printf("rtnl-demo: the ip-netns tutorial with rtnl-ip, rtnl-bridge and rtnl-topo, in a private network + mount\n"
                "namespace (own /run/netns); the host is not touched.\n");
    const auto t0 = std::chrono::steady_clock::now();
    step("rtnl-ip link set lo up");  // the sandbox's own loopback, as on a host
    two_namespaces();
    bridge_topology();
    egress();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    std::printf("\nrtnl-demo: done in %lld ms, %d unexpected failure%s\n", static_cast<long long>(ms.count()), failures,
                failures == 1 ? "" : "s");
    return failures == 0 ? 0 : 1;
}
