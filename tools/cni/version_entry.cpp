// tools/cni/version_entry.cpp — VERSION answered before the C library starts.
//
// VERSION runs at least twice per `podman run`. Measured on this project's
// machine (a Firecracker VM), a static glibc `int main() {}` costs 0.63 ms of
// CPU where a program without libc costs 0.02 ms: glibc's start-up detects the
// CPU (features and caches, for its ifunc'd string functions) with CPUID, and
// under a hypervisor each CPUID traps (100 of them cost 0.9 ms here, so the
// 0.6 ms would be some 60-70 of them; not counted one by one). So the binary's entry point is rtnl_cni_entry below: when
// CNI_COMMAND is VERSION and stdin is JSON it can vouch for (version_early.hpp),
// it answers with raw system calls and exits; anything else (another command,
// unusual JSON, a long input) goes on to glibc's _start and main() exactly as
// before, with whatever stdin was already read handed over (early_stdin()).
//
// Everything here runs before TLS, relocations of ifuncs or errno exist: no
// libc call, no stack protector (CMake builds this file with
// -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns so the
// compiler emits no memcpy/memset calls either), no pointer tables.
#include "tools/cni/version_entry.hpp"

#include <cstddef>

#include "tools/cni/version.hpp"
#include "tools/cni/version_early.hpp"

#if RTNL_CNI_EARLY_VERSION

namespace {

using namespace rtnl::cni;

// The answer's version list, checked against version.hpp at compile time.
constexpr bool list_matches() {
    std::string_view want = early::supported_json;
    std::string built = "[";
    for (std::size_t i = 0; i < rtnl::cni::supported_versions.size(); ++i)
        built += (i ? ",\"" : "\"") + std::string(rtnl::cni::supported_versions[i]) + "\"";
    built += "]";
    return built == want;
}
static_assert(list_matches(), "supported_json must list rtnl::cni::supported_versions");
static_assert(rtnl::cni::latest_version == "1.1.0", "update the latest version in early::answer (version_early.hpp)");

constexpr std::size_t prefix_capacity = 64 * 1024;
char prefix[prefix_capacity];
std::size_t prefix_size = 0;
bool prefix_eof = false;

long sys3(long nr, long a, long b, long c) {
    long ret;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
constexpr long sys_read = 0, sys_write = 1, sys_exit_group = 231, eintr = -4;

void write_all(const char* p, std::size_t n) {
    while (n > 0) {
        const long w = sys3(sys_write, 1, reinterpret_cast<long>(p), static_cast<long>(n));
        if (w == eintr) continue;
        if (w <= 0) return;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

}  // namespace

extern "C" __attribute__((used)) void rtnl_cni_try_version(long* sp) {
    const long argc = sp[0];
    char** envp = reinterpret_cast<char**>(sp + 1 + argc + 1);
    const char* command = nullptr;
    for (char** e = envp; *e; ++e) {  // the first CNI_COMMAND, as getenv finds it
        const char* s = *e;
        const char* k = "CNI_COMMAND=";
        std::size_t i = 0;
        while (k[i] && s[i] == k[i]) ++i;
        if (!k[i]) {
            command = s + i;
            break;
        }
    }
    if (!command || !early::equal(command, 7, "VERSION") || command[7] != '\0') return;
    while (prefix_size < prefix_capacity) {
        const long n = sys3(sys_read, 0, reinterpret_cast<long>(prefix + prefix_size), static_cast<long>(prefix_capacity - prefix_size));
        if (n == eintr) continue;
        if (n < 0) return;  // main() reads again and sees the error itself
        if (n == 0) {
            prefix_eof = true;
            break;
        }
        prefix_size += static_cast<std::size_t>(n);
    }
    if (!prefix_eof) return;
    char out[early::answer_capacity];
    const std::size_t n = early::answer(prefix, prefix_size, out);
    if (n == 0) return;
    write_all(out, n);
    sys3(sys_exit_group, 0, 0, 0);
}

// The ELF entry point (-Wl,-e,rtnl_cni_entry): the kernel's initial stack and
// %rdx (an exit hook, zero for a static binary) go on unchanged to glibc's _start.
asm(R"(
    .text
    .globl rtnl_cni_entry
    .type rtnl_cni_entry, @function
rtnl_cni_entry:
    mov %rsp, %r12
    mov %rdx, %r13
    mov %rsp, %rdi
    and $-16, %rsp
    call rtnl_cni_try_version
    mov %r12, %rsp
    mov %r13, %rdx
    xor %ebp, %ebp
    jmp _start
    .size rtnl_cni_entry, . - rtnl_cni_entry
)");

namespace rtnl::cni {
early_input early_stdin() noexcept { return {prefix, prefix_size, prefix_eof}; }
}  // namespace rtnl::cni

#else

namespace rtnl::cni {
early_input early_stdin() noexcept { return {}; }
}  // namespace rtnl::cni

#endif
