// rtnl-test-sandbox COMMAND [ARG...] — runs COMMAND in a sandbox of its own
// (tools/common/sandbox.hpp: a fresh network namespace, a private mount
// namespace whose /run is a new tmpfs with an empty netns/). Tests use it where
// they used `unshare --net --mount --propagation private`, which fails in a
// chroot ("/" is not a mount point). lo stays down, as in a fresh namespace.
#include <unistd.h>

#include <cstdio>

#include "tools/common/sandbox.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: rtnl-test-sandbox COMMAND [ARG...]\n");
        return 2;
    }
    auto made = rtnl::tools::make_sandbox();
    if (!made) {
        std::fprintf(stderr, "rtnl-test-sandbox: %s\n", made.error.c_str());
        return 125;
    }
    ::execvp(argv[1], argv + 1);
    std::perror(argv[1]);
    return 127;
}
