// Fuzz target: rtnl-topo's topology files (YAML, and JSON which is YAML),
// through the tool's own parser (tools/topo/model.hpp). Invariant: a file parses
// or fails with a file_error naming the file (and, where there is one, the line
// and field) — never a crash, a hang, or another exception (yaml-cpp's
// InvalidNode or BadConversion would reach the user as an unexplained message).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tools/topo/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = ::memfd_create("topology", MFD_CLOEXEC);
    if (fd < 0) return 0;
    for (std::size_t off = 0; off < size;) {
        const ssize_t n = ::write(fd, data + off, size - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
        auto t = rtnl::topo::parse(path);
        (void)t;
    } catch (const rtnl::topo::file_error& e) {
        if (std::string(e.what()).rfind(path, 0) != 0) std::abort();  // every error names the file
    }
    ::close(fd);
    return 0;
}
