// tools/cni/version_entry.hpp — what the early VERSION entry point
// (version_entry.cpp) already read from stdin when it left the request to main():
// main() continues from there. Empty when the entry point is not in use
// (RTNL_CNI_EARLY_VERSION=0: sanitizer builds, other architectures).
#pragma once

#include <cstddef>

#ifndef RTNL_CNI_EARLY_VERSION
#define RTNL_CNI_EARLY_VERSION 0
#endif

namespace rtnl::cni {

struct early_input {
    const char* data = nullptr;
    std::size_t size = 0;
    bool eof = false;  // stdin was read to its end
};

early_input early_stdin() noexcept;

}  // namespace rtnl::cni
