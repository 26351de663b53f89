// tools/common/printer.hpp — iproute2's output layer (lib/json_print.c and
// lib/json_writer.c), so one call prints the text form, the JSON form, or both.
//
// iproute2 prints every field with print_TYPE(where, key, fmt, value): in text
// mode `fmt` is a printf format for `value`; with -j the pair key:value goes to a
// JSON writer instead. Reproducing that call for call is what makes our output
// equal to ip's in both modes: same key order, same separators, same escaping,
// same -p indentation. The format strings are iproute2's, verbatim.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace rtnl::tools {

/// Where a print call goes (iproute2's PRINT_ANY / PRINT_FP / PRINT_JSON).
enum class to { any, text, json };

class printer {
public:
    explicit printer(std::FILE* out = stdout) noexcept : out_(out) {}

    /// -j, -p and -o of the command line.
    void configure(bool json, bool pretty, bool oneline) noexcept {
        want_json_ = json;
        pretty_ = pretty;
        oneline_ = oneline;
    }
    bool json_requested() const noexcept { return want_json_; }
    /// iproute2's is_json_context(): a JSON document is open.
    bool json() const noexcept { return active_; }
    /// iproute2's _SL_: the line separator ("\\" with -oneline).
    const char* sl() const noexcept { return oneline_ ? "\\" : "\n"; }
    std::FILE* stream() const noexcept { return out_; }

    // ---- documents (new_json_obj / delete_json_obj) ---------------------------

    void begin(bool with_array = true) {
        if (!want_json_) return;
        active_ = true;
        depth_ = 0;
        sep_ = '\0';
        if (with_array) start_array();
    }
    void end(bool with_array = true) {
        if (!active_) return;
        if (with_array) end_array();
        std::fputc('\n', out_);
        std::fflush(out_);
        active_ = false;
    }

    // ---- structure --------------------------------------------------------------

    void open_object(const char* key = nullptr) {
        if (!active_) return;
        if (key) name(key);
        begin_value('{');
    }
    void close_object() {
        if (active_) end_value('}');
    }
    /// In text mode prints `str`; in JSON opens an array named `str` (or anonymous).
    void open_array(to t, const char* str) {
        if (json_ctx(t)) {
            if (str) name(str);
            start_array();
        } else if (text_ctx(t)) {
            std::fputs(str, out_);
        }
    }
    void close_array(to t, const char* str) {
        if (json_ctx(t)) end_array();
        else if (text_ctx(t)) std::fputs(str, out_);
    }
    /// print_nl(): the line separator, in text mode only.
    void nl() {
        if (!active_) std::fputs(sl(), out_);
    }
    /// Raw text (fprintf(fp, …) in iproute2): text mode only.
    void text(std::string_view s) {
        if (!active_) std::fwrite(s.data(), 1, s.size(), out_);
    }

    // ---- values -------------------------------------------------------------------
    // `fmt` is used in text mode only; `key` in JSON only (nullptr: an array element).

    void string(to t, const char* key, const char* fmt, const char* value) {
        if (json_ctx(t)) {
            if (key && !value) name(key);
            else if (!key && value) json_string(value);
            else {
                name(key);
                json_string(value);
            }
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }
    void string(to t, const char* key, const char* fmt, const std::string& value) { string(t, key, fmt, value.c_str()); }

    void integer(to t, const char* key, const char* fmt, int value) { number(t, key, fmt, value, "%d"); }
    void uinteger(to t, const char* key, const char* fmt, unsigned value) { number(t, key, fmt, value, "%u"); }
    void u64(to t, const char* key, const char* fmt, unsigned long long value) { number(t, key, fmt, value, "%llu"); }
    void lluint(to t, const char* key, const char* fmt, unsigned long long value) { number(t, key, fmt, value, "%llu"); }

    /// print_hex: JSON gets the value as a string in "%x".
    void hex(to t, const char* key, const char* fmt, unsigned value) {
        if (json_ctx(t)) {
            char b[32];
            std::snprintf(b, sizeof b, "%x", value);
            string(to::json, key, nullptr, b);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }
    /// print_0xhex: JSON gets the value as a string in "%#llx".
    void hex0x(to t, const char* key, const char* fmt, unsigned long long value) {
        if (json_ctx(t)) {
            char b[32];
            std::snprintf(b, sizeof b, "%#llx", value);
            string(to::json, key, nullptr, b);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }
    /// print_bool: text gets "true"/"false" through `fmt`.
    void boolean(to t, const char* key, const char* fmt, bool value) { truth(t, key, fmt, value, value ? "true" : "false"); }
    /// print_on_off: text gets "on"/"off" through `fmt`, JSON a boolean.
    void on_off(to t, const char* key, const char* fmt, bool value) { truth(t, key, fmt, value, value ? "on" : "off"); }
    void null(to t, const char* key, const char* fmt, const char* value) {
        if (json_ctx(t)) {
            if (key) name(key);
            eor();
            std::fputs("null", out_);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }
    /// A float in JSON written with `json_fmt` (iproute2 uses "%.2f" for bridge timers).
    void fixed(to t, const char* key, const char* fmt, double value, const char* json_fmt) {
        if (json_ctx(t)) {
            name(key);
            eor();
            std::fprintf(out_, json_fmt, value);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }

    /// A JSON number already formatted (iproute2's jsonw_printf, e.g. "14.82").
    void number_text(const char* key, const char* text) {
        if (!active_) return;
        name(key);
        eor();
        std::fputs(text, out_);
    }

    void flush() { std::fflush(out_); }

private:
    bool json_ctx(to t) const noexcept { return active_ && (t == to::json || t == to::any); }
    bool text_ctx(to t) const noexcept { return !active_ && (t == to::text || t == to::any); }

    template <class T>
    void number(to t, const char* key, const char* fmt, T value, const char* json_fmt) {
        if (json_ctx(t)) {
            if (key) name(key);
            eor();
            std::fprintf(out_, json_fmt, value);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, value);
        }
    }
    void truth(to t, const char* key, const char* fmt, bool value, const char* word) {
        if (json_ctx(t)) {
            if (key) name(key);
            eor();
            std::fputs(value ? "true" : "false", out_);
        } else if (text_ctx(t)) {
            std::fprintf(out_, fmt, word);
        }
    }

    // ---- json_writer.c ------------------------------------------------------------
    void indent() {
        for (int i = 0; i < depth_; ++i) std::fputs("    ", out_);
    }
    void eol() {
        if (!pretty_) return;
        std::fputc('\n', out_);
        indent();
    }
    void eor() {
        if (sep_ != '\0') std::fputc(sep_, out_);
        sep_ = ',';
    }
    void begin_value(char c) {
        eor();
        std::fputc(c, out_);
        ++depth_;
        sep_ = '\0';
    }
    void end_value(char c) {
        --depth_;
        if (sep_ != '\0') eol();
        std::fputc(c, out_);
        sep_ = ',';
    }
    void start_array() {
        begin_value('[');
        if (pretty_) std::fputc(' ', out_);
    }
    void end_array() {
        if (pretty_ && sep_) std::fputc(' ', out_);
        sep_ = '\0';
        end_value(']');
    }
    void name(const char* key) {
        eor();
        eol();
        sep_ = '\0';
        quoted(key);
        std::fputc(':', out_);
        if (pretty_) std::fputc(' ', out_);
    }
    /// A string value: the name (if any) was written already and reset sep_.
    void json_string(const char* value) {
        eor();
        quoted(value);
    }
    void quoted(const char* s) {
        std::fputc('"', out_);
        for (; s && *s; ++s) {
            switch (*s) {
                case '\t': std::fputs("\\t", out_); break;
                case '\n': std::fputs("\\n", out_); break;
                case '\r': std::fputs("\\r", out_); break;
                case '\f': std::fputs("\\f", out_); break;
                case '\b': std::fputs("\\b", out_); break;
                case '\\': std::fputs("\\\\", out_); break;
                case '"': std::fputs("\\\"", out_); break;
                default: std::fputc(*s, out_);
            }
        }
        std::fputc('"', out_);
    }

    std::FILE* out_;
    bool want_json_ = false;
    bool pretty_ = false;
    bool oneline_ = false;
    bool active_ = false;
    int depth_ = 0;
    char sep_ = '\0';
};

}  // namespace rtnl::tools
