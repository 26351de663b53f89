// rtnl-sandbox COMMAND [ARG...] — runs COMMAND in a sandbox of its own
// (tools/common/sandbox.hpp: a fresh network namespace, a private mount
// namespace whose /run is a new tmpfs with an empty netns/), the one the demo,
// rtnl-stress, rtnl-topo run and the tests use. Shell-driven tests and the
// benchmark scripts use it where `unshare --net --mount --propagation private`
// would fail in a chroot ("/" is not a mount point). lo stays down, as in any
// fresh namespace. What the sandbox had to work around is printed with -v.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "tools/common/sandbox.hpp"

int main(int argc, char** argv) {
    int first = 1;
    const bool verbose = argc > 1 && std::strcmp(argv[1], "-v") == 0;
    if (verbose) ++first;
    if (argc <= first) {
        std::fprintf(stderr, "usage: rtnl-sandbox [-v] COMMAND [ARG...]\n");
        return 2;
    }
    auto made = rtnl::tools::make_sandbox();
    if (!made) {
        std::fprintf(stderr, "rtnl-sandbox: %s\n", made.error.c_str());
        return 125;
    }
    if (verbose)
        for (auto& n : made.notes) std::fprintf(stderr, "rtnl-sandbox: %s\n", n.c_str());
    ::execvp(argv[first], argv + first);
    std::fprintf(stderr, "rtnl-sandbox: %s: %s\n", argv[first], std::strerror(errno));
    return 127;
}
