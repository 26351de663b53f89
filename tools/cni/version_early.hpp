// tools/cni/version_early.hpp — the VERSION answer the early entry point
// (version_entry.cpp) gives before glibc starts, for JSON it can vouch for.
//
// It reads a strict subset of JSON that nlohmann::json parses the same way
// (ASCII strings without \u escapes, integers and plain decimals, bounded depth,
// no duplicate top-level "cniVersion") and answers as main()'s version_answer()
// would; anything outside the subset is "unsure" (0) and left to main(). The
// fuzz target cni checks the two agree. Freestanding: no library calls, no
// pointer tables (it runs before relocation, TLS and ifuncs exist). In the
// plugin binary only version_entry.cpp may include it: another translation unit
// built with other flags could give the linker a copy of these inline functions
// that uses the stack protector.
#pragma once

#include <cstddef>

namespace rtnl::cni::early {

inline constexpr char supported_json[] = R"(["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"])";
inline constexpr std::size_t answer_capacity = 160;

bool equal(const char* a, std::size_t n, const char* z) {  // z NUL-terminated
    std::size_t i = 0;
    for (; i < n; ++i)
        if (z[i] == '\0' || a[i] != z[i]) return false;
    return z[i] == '\0';
}

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

inline bool supported(const char* v, std::size_t n) {
    return equal(v, n, "0.3.0") || equal(v, n, "0.3.1") || equal(v, n, "0.4.0") || equal(v, n, "1.0.0") || equal(v, n, "1.1.0");
}

inline void append(char* out, std::size_t& at, const char* s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[at++] = s[i];
}

/// Writes the answer to `out` (answer_capacity bytes) and returns its length;
/// 0 when the input is outside the subset.
inline std::size_t answer(const char* input, std::size_t n, char* out) {
    scanner s(input, n);
    if (s.document() != scanner::ok) return 0;
    const bool echo = s.version && supported(s.version, s.version_len);
    std::size_t at = 0;
    append(out, at, "{\"cniVersion\":\"", 15);
    if (echo) append(out, at, s.version, s.version_len);
    else append(out, at, "1.1.0", 5);
    append(out, at, "\",\"supportedVersions\":", 22);
    append(out, at, supported_json, sizeof supported_json - 1);
    append(out, at, "}\n", 2);
    return at;
}

}  // namespace rtnl::cni::early
