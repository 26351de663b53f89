#!/usr/bin/env bash
# rtnl quick start, for a fresh Debian 12 machine, as root:
#
#   ./run.sh demo    install what is needed, build, run the demo (in a sandbox)
#   ./run.sh test    install what is needed, build debug + ASan/UBSan, run every test
#                    (the Asio tests twice in debug: Boost 1.74 and Boost 1.81)
#   ./run.sh bench   install what is needed, build release, run every benchmark
#                    (results in bench/results/)
#
# Needs nothing but bash and apt: compilers, CMake and libraries are installed here.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
    cmake ninja-build g++ pkg-config        # build
    libgtest-dev libgmock-dev               # tests
    libbenchmark-dev libmnl-dev             # benchmarks (libmnl only as a comparison peer)
    libboost-dev                            # rtnl::asio
    nlohmann-json3-dev libyaml-cpp-dev      # tests and rtnl-topo
    clang libclang-rt-14-dev                # libFuzzer targets
    iproute2 iputils-ping strace jq procps  # the oracle and the demo
    nftables iptables                       # nf_tables oracle (nft); iptables-nft as the foreign firewall / peer
    containernetworking-plugins             # rtnl-cni's oracle (reference bridge + host-local)
    podman crun busybox-static              # rtnl-cni under a real runtime (CNI backend; never netavark)
)

# Only for `./run.sh bench`: the comparison peer and the plot.
BENCH_PACKAGES=(python3-pyroute2 gnuplot-nox)

RTNL_CMAKE_ARGS=()  # extra configure arguments (run.sh test sets some)

log() { printf '\n==> %s\n' "$*"; }

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: run as root (namespaces, veth and bridges need CAP_NET_ADMIN and CAP_SYS_ADMIN)" >&2
        exit 1
    fi
}

ensure_packages() {  # [EXTRA_PACKAGE...]
    local missing=()
    for p in "${PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# Boost 1.81 headers beside the system's 1.74, for the second Asio test build
# (the two -dev packages conflict when installed; the headers alone do not).
# Idempotent: downloads once into .deps/boost-1.81 (CMakePresets.json points there).
BOOST181_DIR=.deps/boost-1.81
fetch_boost181() {
    [ -f "$BOOST181_DIR/usr/include/boost/version.hpp" ] && return 0
    log "fetching Boost 1.81 headers (apt-get download libboost1.81-dev)"
    local tmp
    tmp=$(mktemp -d)
    chmod a+rwx "$tmp"  # apt's sandbox user (_apt) writes the download here
    (cd "$tmp" && apt-get download libboost1.81-dev) || { apt-get update && (cd "$tmp" && apt-get download libboost1.81-dev); }
    rm -rf "$BOOST181_DIR.partial"
    mkdir -p "$BOOST181_DIR.partial"
    dpkg -x "$tmp"/libboost1.81-dev_*.deb "$BOOST181_DIR.partial"
    rm -rf "$tmp" "$BOOST181_DIR"
    mv "$BOOST181_DIR.partial" "$BOOST181_DIR"
}

build() {  # build PRESET [TARGET...]
    local preset=$1
    shift
    log "configure + build ($preset)"
    cmake --preset "$preset" "${RTNL_CMAKE_ARGS[@]}" >/dev/null
    if [ $# -gt 0 ]; then cmake --build --preset "$preset" --target "$@"; else cmake --build --preset "$preset"; fi
}

fuzz_smoke() {  # each libFuzzer target for a few seconds from the checked-in corpus
    local seconds=${RTNL_FUZZ_SECONDS:-20}
    local targets=(reader extack exchange ip bridge topo nft cni)
    build fuzz "${targets[@]/#/fuzz-}"
    for t in "${targets[@]}"; do
        log "fuzz $t for ${seconds}s"
        local work
        work=$(mktemp -d)
        cp tests/fuzz/corpus/$t/* "$work"/
        local rc=0
        # -close_fd_mask=3: the tool targets print what the tools print; -timeout: a hang is a failure
        ./build/fuzz/tests/fuzz/fuzz-$t -max_total_time="$seconds" -max_len=8192 -timeout=10 -close_fd_mask=3 \
            -print_final_stats=1 -artifact_prefix="$work/" "$work" >"$work.log" 2>&1 || rc=$?
        grep -E "INITED|DONE|stat::number_of_executed_units|ERROR|SUMMARY" "$work.log" || true
        if [ "$rc" -ne 0 ]; then
            tail -n 40 "$work.log"
            echo "fuzz $t: crashed (exit $rc); inputs kept in $work" >&2
            return 1
        fi
        rm -rf "$work" "$work.log"
    done
}

case "${1:-}" in
demo)
    need_root
    ensure_packages
    build dev rtnl-demo rtnl-ip rtnl-bridge rtnl-topo
    log "demo"
    ./build/dev/tools/rtnl-demo
    ;;
test)
    need_root
    ensure_packages
    # A kernel test that cannot make its sandbox (or find a program it needs)
    # fails here instead of skipping; tests/check-skips fails the run on any skip
    # not explained in tests/skip-allowlist.txt.
    export RTNL_TEST_STRICT=1
    # Line tables only (-g1): full DWARF for these template-heavy tests costs 2.5x
    # the compile time (39 s against 19 s for one tool test); ASan traces keep lines.
    RTNL_CMAKE_ARGS=(-DCMAKE_CXX_FLAGS_DEBUG=-g1)
    fetch_boost181
    for preset in dev asan; do
        build "$preset"
        log "test ($preset)"
        rc=0
        ctest --preset "$preset" --output-junit "$PWD/build/$preset/ctest-junit.xml" || rc=$?
        tests/check-skips "build/$preset/ctest-junit.xml" || rc=1
        [ "$rc" -eq 0 ] || exit "$rc"
    done
    fuzz_smoke
    ;;
bench)
    need_root
    ensure_packages "${BENCH_PACKAGES[@]}"
    build release
    mkdir -p bench/results
    for b in wire_bench kernel_bench asio_bench nft_bench; do
        [ -x "build/release/bench/$b" ] || continue
        log "$b"
        "build/release/bench/$b" --benchmark_out="bench/results/$b.json" --benchmark_out_format=json
    done
    log "rtnl-ip -batch against ip -batch"
    ./bench/batch-compare
    log "containers: rtnl-stress against ip -batch and pyroute2"
    ./bench/compare "${@:2}"
    log "10,000 namespaces"
    ./build/release/tools/rtnl-stress --namespaces 10000 --json bench/results/stress-10000.json
    log "CNI: rtnl-cni against the reference bridge + host-local plugins"
    ./bench/cni-compare
    ;;
*)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
