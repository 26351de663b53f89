// Built against an *installed* rtnl by tests/package/run.cmake.
#include <rtnl/rtnl.hpp>

#include <cstdio>

int main() {
    rtnl::wire::buffer b;
    rtnl::wire::writer w(b);
    if (rtnl::link::add(w, rtnl::veth{.name = "veth0", .peer = {.name = "eth0"}})) return 1;
    rtnl::link_view v{rtnl::wire::message_view(b.bytes())};
    std::printf("%s %zu\n", std::string(v.name()).c_str(), b.size());
    return v.name() == "veth0" ? 0 : 1;
}
