// tools/cni/version_answer.hpp — VERSION's answer (SPEC: echo the request's
// version when we speak it; list what we speak), as main() gives it. The early
// entry point gives the same for the JSON it can vouch for (version_early.hpp).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/cni/version.hpp"

namespace rtnl::cni {

inline std::string version_answer(std::string_view input) {
    std::string v(latest_version);
    auto j = nlohmann::json::parse(input, nullptr, false);
    if (j.is_object())
        if (auto it = j.find("cniVersion"); it != j.end() && it->is_string() && is_supported(it->get<std::string>()))
            v = it->get<std::string>();
    std::string out = "{\"cniVersion\":\"" + v + "\",\"supportedVersions\":[";
    for (std::size_t i = 0; i < supported_versions.size(); ++i)
        out += (i ? ",\"" : "\"") + std::string(supported_versions[i]) + "\"";
    return out + "]}\n";
}

}  // namespace rtnl::cni
