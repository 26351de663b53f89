// Fuzz target: rtnl-ip's command line and -batch lines (tool_harness.hpp), run
// through the tool's own option parser, dispatch and batch driver against a
// fake kernel. rtnl-ip.cpp is compiled in here as it is (its main renamed), so
// the target follows the tool without a second copy of its dispatch table.
#define main rtnl_ip_main
#include "tools/ip/rtnl-ip.cpp"
#undef main

#include "fuzz/tool_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return rtnl::fuzz::run_tool(data, size, dispatch, parse_options);
}
