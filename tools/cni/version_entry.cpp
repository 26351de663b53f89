// tools/cni/version_entry.cpp — VERSION answered before the C library starts.
//
// VERSION runs at least twice per `podman run`. Measured on this project's
// machine (a Firecracker VM), a static glibc `int main() {}` costs 0.63 ms of
// CPU where a program without libc costs 0.02 ms: glibc's start-up reads the CPU
// (init_cpu_features, cache info for the ifunc'd string functions) with some 60
// CPUID instructions, and under a hypervisor each one traps (≈ 9 µs here, see
// README "Speed"). So the binary's entry point is rtnl_cni_entry below: when
// CNI_COMMAND is VERSION and stdin is JSON it can vouch for, it answers with raw
// system calls and exits; anything else (another command, unusual JSON, a long
// input) goes on to glibc's _start and main() exactly as before, with whatever
// stdin was already read handed over (early_stdin()).
//
// Everything here runs before TLS, relocations of ifuncs or errno exist: no
// libc call, no stack protector (CMake builds this file with
// -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns so the
// compiler emits no memcpy/memset calls either), no pointer tables.
#include "tools/cni/version_entry.hpp"

#include <cstddef>

#include "tools/cni/version.hpp"

#if RTNL_CNI_EARLY_VERSION

namespace {

// The answer's version list, checked against version.hpp at compile time.
constexpr char supported_json[] = R"(["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"])";
constexpr bool list_matches() {
    std::string_view want = supported_json;
    std::string built = "[";
    for (std::size_t i = 0; i < rtnl::cni::supported_versions.size(); ++i)
        built += (i ? ",\"" : "\"") + std::string(rtnl::cni::supported_versions[i]) + "\"";
    built += "]";
    return built == want;
}
static_assert(list_matches(), "supported_json must list rtnl::cni::supported_versions");
static_assert(rtnl::cni::latest_version == "1.1.0", "update the latest version in rtnl_cni_try_version");

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

bool equal(const char* a, std::size_t n, const char* z) {  // z NUL-terminated
    std::size_t i = 0;
    for (; i < n; ++i)
        if (z[i] == '\0' || a[i] != z[i]) return false;
    return z[i] == '\0';
}

/// A strict subset of JSON that nlohmann::json parses the same way: ASCII
/// strings without \u, integers and plain decimals, bounded depth. Anything
/// outside it is "unsure" and left to main().
class scanner {
public:
    scanner(const char* p, std::size_t n) : p_(p), end_(p + n) {}
    enum result { ok, unsure };

    /// The whole input; sets version_/version_len_ from a top-level "cniVersion" string.
    result document() {
        ws();
        if (p_ < end_ && *p_ == '{') {
            if (object(0, true) != ok) return unsure;
        } else if (value(0) != ok) {
            return unsure;
        }
        ws();
        return p_ == end_ ? ok : unsure;
    }
    const char* version = nullptr;  // the top-level cniVersion string (no escapes), if any
    std::size_t version_len = 0;
    bool version_other = false;  // cniVersion present but not a plain string

private:
    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }
    // a string; `escaped` tells whether it held any escape
    result string(const char*& start, std::size_t& len, bool& escaped) {
        if (p_ >= end_ || *p_ != '"') return unsure;
        start = ++p_;
        escaped = false;
        while (p_ < end_ && *p_ != '"') {
            const unsigned char c = static_cast<unsigned char>(*p_);
            if (c < 0x20 || c >= 0x7f) return unsure;
            if (c == '\\') {
                escaped = true;
                if (++p_ >= end_) return unsure;
                const char e = *p_;
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return unsure;
            }
            ++p_;
        }
        if (p_ >= end_) return unsure;
        len = static_cast<std::size_t>(p_ - start);
        ++p_;
        return ok;
    }
    result number() {
        if (p_ < end_ && *p_ == '-') ++p_;
        std::size_t digits = 0;
        if (p_ < end_ && *p_ == '0') {
            ++p_, ++digits;
        } else {
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_, ++digits;
        }
        if (digits == 0) return unsure;
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            std::size_t frac = 0;
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_, ++frac;
            if (frac == 0) return unsure;
            digits += frac;
        }
        if (digits > 15 || (p_ < end_ && (*p_ == 'e' || *p_ == 'E'))) return unsure;
        return ok;
    }
    result literal(const char* word) {
        for (; *word; ++word, ++p_)
            if (p_ >= end_ || *p_ != *word) return unsure;
        return ok;
    }
    result value(int depth) {
        if (depth > 32 || p_ >= end_) return unsure;
        const char* s;
        std::size_t n;
        bool e;
        switch (*p_) {
            case '{': return object(depth + 1, false);
            case '[': return array(depth + 1);
            case '"': return string(s, n, e);
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default: return number();
        }
    }
    result array(int depth) {
        ++p_;
        ws();
        if (p_ < end_ && *p_ == ']') return ++p_, ok;
        for (;;) {
            ws();
            if (value(depth) != ok) return unsure;
            ws();
            if (p_ >= end_) return unsure;
            if (*p_ == ']') return ++p_, ok;
            if (*p_++ != ',') return unsure;
        }
    }
    result object(int depth, bool top) {
        ++p_;
        ws();
        if (p_ < end_ && *p_ == '}') return ++p_, ok;
        for (;;) {
            ws();
            const char* key;
            std::size_t key_len;
            bool key_escaped;
            if (string(key, key_len, key_escaped) != ok) return unsure;
            ws();
            if (p_ >= end_ || *p_++ != ':') return unsure;
            ws();
            if (top && !key_escaped && equal(key, key_len, "cniVersion")) {
                if (version || version_other) return unsure;  // a duplicate: leave it to the full parser
                if (p_ < end_ && *p_ == '"') {
                    const char* v;
                    std::size_t n;
                    bool escaped;
                    if (string(v, n, escaped) != ok) return unsure;
                    if (escaped) version_other = true;
                    else version = v, version_len = n;
                } else {
                    if (value(depth) != ok) return unsure;
                    version_other = true;
                }
            } else if (value(depth) != ok) {
                return unsure;
            }
            ws();
            if (p_ >= end_) return unsure;
            if (*p_ == '}') return ++p_, ok;
            if (*p_++ != ',') return unsure;
        }
    }

    const char* p_;
    const char* end_;
};

bool supported(const char* v, std::size_t n) {
    return equal(v, n, "0.3.0") || equal(v, n, "0.3.1") || equal(v, n, "0.4.0") || equal(v, n, "1.0.0") || equal(v, n, "1.1.0");
}

void write_all(const char* p, std::size_t n) {
    while (n > 0) {
        const long w = sys3(sys_write, 1, reinterpret_cast<long>(p), static_cast<long>(n));
        if (w == eintr) continue;
        if (w <= 0) return;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

void append(char* out, std::size_t& at, const char* s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[at++] = s[i];
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
    if (!command || !equal(command, 7, "VERSION") || command[7] != '\0') return;
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
    scanner s(prefix, prefix_size);
    if (s.document() != scanner::ok) return;
    const bool echo = s.version && supported(s.version, s.version_len);
    char out[160];
    std::size_t at = 0;
    append(out, at, "{\"cniVersion\":\"", 15);
    if (echo) append(out, at, s.version, s.version_len);
    else append(out, at, "1.1.0", 5);
    append(out, at, "\",\"supportedVersions\":", 22);
    append(out, at, supported_json, sizeof supported_json - 1);
    append(out, at, "}\n", 2);
    write_all(out, at);
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
