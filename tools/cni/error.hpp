// tools/cni/error.hpp — CNI errors: the spec's codes and the JSON a runtime reads.
//
// A plugin reports failure as {"cniVersion","code","msg","details"} on stdout and
// a non-zero exit (SPEC.md "Error"). Every failure inside rtnl-cni is a
// cni::failure carrying one of these codes; main() prints it.
#pragma once

#include <string>
#include <utility>

namespace rtnl::cni {

/// SPEC.md "Well-known Error Codes".
enum code : int {
    incompatible_version = 1,
    unsupported_field = 2,
    unknown_container = 3,
    invalid_environment = 4,
    io_failure = 5,
    decoding_failure = 6,
    invalid_config = 7,
    try_again_later = 11,
    not_available = 50,                // STATUS: the plugin cannot serve ADD now
    limited_connectivity = 51,         // STATUS: ADD would give limited connectivity
    generic = 999,
};

/// What went wrong, as the runtime will read it.
struct failure {
    int code = generic;
    std::string msg;
    std::string details{};
};

[[noreturn]] inline void fail(int code, std::string msg, std::string details = {}) {
    throw failure{code, std::move(msg), std::move(details)};
}

}  // namespace rtnl::cni
