// tests/tools/transcript.hpp — run one shell script twice, once with iproute2's
// ip/bridge and once with rtnl-ip/rtnl-bridge, each time in a fresh sandbox, and
// compare what a user would see.
//
// A script is written with the placeholders IP and BRIDGE (and SANDBOX_PID, a
// process living in the sandbox's network namespace). Every `step WORDS`
// line prints "$ WORDS", the command's stdout, its stderr (after "[stderr]")
// and "[rc=N]". `show WORDS` does the same and, in the rtnl run, also runs the
// iproute2 command on the very same state right after and records a
// "[MISMATCH vs iproute2]" block if the output differs (only bridge timers and
// IPv6 DAD progress may differ; a state change in between gets one retry);
// `unordered WORDS` is `show` with its lines sorted in the transcript (for
// hash-ordered kernel tables). The two transcripts are then compared after
// normalising what differs from run to run (MAC addresses and what derives
// from them, timers, ping times, IPv6 DAD progress, carrier timing).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace rtnl::test {

/// Directory of the tools under test: $RTNL_TOOLS_DIR (ctest sets it), the
/// build's (RTNL_TOOLS_BUILT), else ../tools next to this binary (but in a
/// chroot, after the sandbox, /proc/self/exe names it by a path outside the root).
inline std::string tools_dir() {
    if (const char* d = std::getenv("RTNL_TOOLS_DIR")) return d;
#ifdef RTNL_TOOLS_BUILT
    return RTNL_TOOLS_BUILT;
#endif
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string self(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    self = self.substr(0, self.rfind('/'));  // .../build/dev/tests
    return self.substr(0, self.rfind('/')) + "/tools";
}
inline std::string rtnl_ip() { return tools_dir() + "/rtnl-ip"; }
inline std::string rtnl_bridge() { return tools_dir() + "/rtnl-bridge"; }

/// Which tools a transcript runs.
struct toolset {
    std::string ip;
    std::string bridge;
    bool check_shows;  ///< also compare every `show` with iproute2 on the same state
};
inline toolset iproute2() { return {"ip", "bridge", false}; }
inline toolset rtnl_tools() { return {rtnl_ip(), rtnl_bridge(), true}; }

inline const char* transcript_prelude = R"SH(
set -u
mkdir -p /run/netns && ip link set lo up || exit 99
W=/run/.transcript; mkdir -p $W
sleep 600 >/dev/null 2>&1 & SANDBOX_PID=$!; trap 'kill $SANDBOX_PID 2>/dev/null' EXIT
words() { local w; for w in "$@"; do case $w in IP) printf '%s\n' "$TOOL_IP";; BRIDGE) printf '%s\n' "$TOOL_BRIDGE";; SANDBOX_PID) printf '%s\n' "$SANDBOX_PID";; *) printf '%s\n' "$w";; esac; done; }
oracle_words() { local w; for w in "$@"; do case $w in IP) printf '%s\n' ip;; BRIDGE) printf '%s\n' bridge;; SANDBOX_PID) printf '%s\n' "$SANDBOX_PID";; *) printf '%s\n' "$w";; esac; done; }
run_into() { local prefix=$1; shift; "$@" >$W/$prefix.out 2>$W/$prefix.err; echo $? >$W/$prefix.rc; }
# what may change between two runs on the same state: bridge timers tick, IPv6 DAD completes
steady() { sed -E 's/(_timer"?:? *)[0-9 ]+\.[0-9]+/\1T/g; s/tentative |"tentative":true,//g' "$1"; }
same() { cmp -s <(steady $W/a.$1) <(steady $W/b.$1); }
print_run() { if [ "${UNORDERED:-0}" = 1 ]; then sort $W/$1.out; else cat $W/$1.out; fi; if [ -s $W/$1.err ]; then echo "[stderr]"; cat $W/$1.err; fi; echo "[rc=$(cat $W/$1.rc)]"; }
step() {
    echo "\$ $*"
    local -a cmd; mapfile -t cmd < <(words "$@")
    run_into a "${cmd[@]}"
    print_run a
}
show() {
    step "$@"
    [ "$CHECK_SHOWS" = 1 ] || return 0
    local -a ref; mapfile -t ref < <(oracle_words "$@")
    local try
    for try in 1 2; do
        run_into b "${ref[@]}"
        if same out && same err && same rc; then return 0; fi
        sleep 0.2
        local -a cmd; mapfile -t cmd < <(words "$@")
        run_into a "${cmd[@]}"
    done
    echo "[MISMATCH vs iproute2]"; echo "--- rtnl:"; print_run a; echo "--- iproute2:"; print_run b
}
# `show`, with the lines sorted in the transcript: for kernel tables whose dump
# order is a per-namespace hash (neighbours, fdb); the same-state check is exact
unordered() { UNORDERED=1 show "$@"; }
)SH";

/// Runs `script` (bash, with the placeholders) in a fresh network + mount namespace.
inline run_result run_transcript(const std::string& script, const toolset& t) {
    char path[] = "/tmp/rtnl-transcript-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return {};
    ::close(fd);
    {
        std::ofstream f(path);
        f << transcript_prelude << "\n" << script << "\n";
    }
    auto r = run({"env", "TOOL_IP=" + t.ip, "TOOL_BRIDGE=" + t.bridge, "CHECK_SHOWS=" + std::string(t.check_shows ? "1" : "0"),
                  RTNL_SANDBOX_EXEC, "bash", path});
    ::unlink(path);
    return r;
}

/// What differs between two runs of the same script: MACs (and the IPv6
/// link-local addresses and bridge ids made from them), timers, ping times,
/// DAD progress, and what follows carrier changes asynchronously (operstate,
/// bridge port state, route "linkdown"). Exact output on one state is checked
/// by `show` instead.
inline std::string normalise(std::string s) {
    static const std::vector<std::pair<std::regex, std::string>> rules = {
        {std::regex(R"(8000\.([0-9a-f]{1,2}:){5}[0-9a-f]{1,2})"), "BRIDGEID"},  // unpadded hex: first
        {std::regex(R"(([0-9a-f]{2}:){5}[0-9a-f]{2})"), "MAC"},
        {std::regex(R"(fe80::[0-9a-f:]+)"), "FE80"},
        {std::regex(R"((_timer"?:? *)[0-9 ]+\.[0-9]+)"), "$1T"},
        {std::regex(R"(time=[0-9.]+ ms)"), "time=T"},
        {std::regex(R"(time [0-9]+ms)"), "time T"},
        {std::regex(R"(rtt min/avg/max/mdev = [0-9./]+ ms)"), "rtt T"},
        {std::regex(R"(tentative |"tentative":true,)"), ""},
        {std::regex(R"(NO-CARRIER,)"), ""},
        {std::regex(R"(,LOWER_UP|"LOWER_UP",?)"), ""},
        {std::regex(R"(state (UP|DOWN|LOWERLAYERDOWN|UNKNOWN) )"), "state S "},
        {std::regex(R"("operstate":"[A-Z]+")"), "\"operstate\":\"S\""},
        // a bridge port follows its carrier asynchronously (linkwatch), and so do routes
        {std::regex(R"(state (forwarding|disabled|listening|learning|blocking) )"), "state P "},
        {std::regex(R"re("state":"(forwarding|disabled|listening|learning|blocking)")re"), "\"state\":\"P\""},
        {std::regex(R"(linkdown |"linkdown")"), ""},
    };
    for (auto& [re, with] : rules) s = std::regex_replace(s, re, with);
    return s;
}

/// Runs a transcript script with iproute2 and with rtnl's tools, each in a
/// fresh sandbox, and expects the same normalised output (and, unless told
/// otherwise, the same stderr).
inline void expect_same_as_iproute2(const std::string& script, bool compare_stderr = true) {
    auto ours = run_transcript(script, rtnl_tools());
    auto theirs = run_transcript(script, iproute2());
    ASSERT_EQ(theirs.status, 0) << theirs.out << theirs.err;
    ASSERT_EQ(ours.status, 0) << ours.out << ours.err;
    EXPECT_EQ(ours.out.find("[MISMATCH"), std::string::npos) << ours.out;
    EXPECT_EQ(normalise(ours.out), normalise(theirs.out));
    if (compare_stderr) {
        EXPECT_EQ(ours.err, theirs.err);
    }
}

}  // namespace rtnl::test
