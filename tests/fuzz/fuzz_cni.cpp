// Fuzz target: what a runtime hands rtnl-cni — the CNI_* environment and the
// network configuration on stdin (with prevResult, runtimeConfig, args) —
// through the plugin's own parsers (tools/cni/env.hpp, config.hpp, result.hpp).
//
// Input: three lines (CNI_ARGS, CNI_IFNAME, CNI_CONTAINERID), then the JSON.
// The first byte picks the command. Invariant: every input is accepted or
// refused with a cni::failure carrying one of the spec's codes and a message —
// never a crash, a hang, or another exception (nlohmann's type_error would reach
// the runtime as code 999 with a library's wording instead of code 7).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/cni/config.hpp"
#include "tools/cni/env.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/result.hpp"
#include "tools/cni/version_answer.hpp"
#include "tools/cni/version_early.hpp"

namespace {

std::string_view take_line(std::string_view& in) {
    auto nl = in.find('\n');
    auto line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    return line;
}

bool known_code(int c) {
    using namespace rtnl::cni;
    switch (c) {
    case incompatible_version: case unsupported_field: case unknown_container: case invalid_environment:
    case io_failure: case decoding_failure: case invalid_config: case try_again_later: case not_available:
    case limited_connectivity: case generic: return true;
    default: return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtnl::cni;
    if (size == 0) return 0;
    static constexpr const char* commands[] = {"ADD", "DEL", "CHECK", "GC", "STATUS"};
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    environment env;
    env.command = commands[data[0] % 5];
    env.args = std::string(take_line(in));
    env.ifname = std::string(take_line(in));
    env.container_id = std::string(take_line(in));
    env.netns = "/proc/self/ns/net";
    char early_out[early::answer_capacity];
    if (const std::size_t n = early::answer(in.data(), in.size(), early_out))
        if (std::string_view(early_out, n) != version_answer(in)) std::abort();
    try {
        require(env);
        check_cni_args(env.args);
        const net_config c = parse_config(in, env);
        require_valid_name(c);
        if (c.prev_result.is_object()) {
            const result r = from_json(c.prev_result);
            (void)to_json(r, c.cni_version).dump();  // a prevResult read back prints again
        }
    } catch (const failure& f) {
        if (!known_code(f.code) || f.msg.empty()) std::abort();
    }
    return 0;
}
