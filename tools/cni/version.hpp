// tools/cni/version.hpp — the spec versions rtnl-cni speaks and how they compare.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "tools/cni/error.hpp"

namespace rtnl::cni {

inline constexpr std::array<std::string_view, 5> supported_versions{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
inline constexpr std::string_view latest_version = "1.1.0";

inline bool is_supported(std::string_view v) noexcept {
    for (auto s : supported_versions)
        if (s == v) return true;
    return false;
}

/// "0.4.0" < "1.0.0": compares dotted numbers (every supported version is x.y.z).
inline int compare_versions(std::string_view a, std::string_view b) noexcept {
    auto next = [](std::string_view& s) {
        int n = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9') n = n * 10 + (s.front() - '0'), s.remove_prefix(1);
        if (!s.empty() && s.front() == '.') s.remove_prefix(1);
        return n;
    };
    for (int i = 0; i < 3; ++i) {
        const int x = next(a), y = next(b);
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

inline std::string supported_list_text() {
    std::string out = "[";
    for (auto s : supported_versions) out += (out.size() > 1 ? " \"" : "\"") + std::string(s) + "\"";
    return out + "]";
}

/// Code 1 for a version outside the list, with libcni's wording.
inline void require_supported(std::string_view v) {
    if (!is_supported(v))
        fail(incompatible_version, "incompatible CNI versions",
             "config is \"" + std::string(v) + "\", plugin supports " + supported_list_text());
}

}  // namespace rtnl::cni
