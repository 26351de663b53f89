// Fuzz target: rtnl-bridge's command line and -batch lines (tool_harness.hpp),
// run through the tool's own option parser, dispatch and batch driver against a
// fake kernel. rtnl-bridge.cpp is compiled in as it is (its main renamed).
#define main rtnl_bridge_main
#include "tools/bridge/rtnl-bridge.cpp"
#undef main

#include "fuzz/tool_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return rtnl::fuzz::run_tool(data, size, dispatch, parse_options);
}
