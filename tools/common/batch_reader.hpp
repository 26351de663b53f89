// tools/common/batch_reader.hpp — reads `-batch FILE` the way iproute2 does
// (lib/utils.c getcmdline + makeargs): '#' starts a comment, a trailing
// backslash joins the next line, words split on blanks, a word may be quoted
// with ' or " (no escapes inside), blank lines are skipped. Line numbers count
// physical lines, so "Command failed FILE:LINE" points where iproute2 points.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace rtnl::tools {

class batch_reader {
public:
    /// Opens FILE, or reads standard input for "-".
    explicit batch_reader(const std::string& name) : name_(name) {
        if (name == "-") {
            in_ = stdin;
        } else {
            in_ = std::fopen(name.c_str(), "r");
            if (!in_) error_ = "Cannot open file \"" + name + "\" for reading: " + std::strerror(errno) + "\n";
            owned_ = in_ != nullptr;
        }
    }
    ~batch_reader() {
        if (owned_) std::fclose(in_);
        std::free(line_buf_);
    }
    batch_reader(const batch_reader&) = delete;
    batch_reader& operator=(const batch_reader&) = delete;

    /// Empty when the file opened; else iproute2's message.
    const std::string& open_error() const noexcept { return error_; }
    const std::string& name() const noexcept { return name_; }
    /// Physical line number of the last line read (of its last continuation).
    int line() const noexcept { return line_; }

    /// The next command's words; nullopt at end of input. Blank lines are skipped.
    /// A syntax error (unterminated quote, missing continuation) sets `syntax_error`.
    std::optional<std::vector<std::string>> next() {
        for (;;) {
            std::string& text = text_;  // reused: no allocation per line
            if (!read_line(text)) return std::nullopt;
            cut_comment(text);
            // a backslash before the newline continues the command on the next line
            while (ends_with_continuation(text)) {
                text.resize(text.size() - 2);
                std::string more;
                if (!read_line(more)) {
                    syntax_error_ = "Missing continuation line\n";
                    return std::nullopt;
                }
                cut_comment(more);
                text += more;
            }
            std::vector<std::string> words;
            words.reserve(16);
            if (!split(text, words)) return std::nullopt;
            if (!words.empty()) return words;
        }
    }
    const std::string& syntax_error() const noexcept { return syntax_error_; }

private:
    // One getline per physical line (iproute2's getcmdline reads with getline
    // too), not one locked getc per byte: a 1000-line batch spent more time here
    // than in parsing. The length getline returns keeps NUL bytes in the line.
    bool read_line(std::string& out) {
        if (!in_) return false;
        const ssize_t n = ::getline(&line_buf_, &line_cap_, in_);
        if (n <= 0) return false;
        out.assign(line_buf_, static_cast<std::size_t>(n));
        ++line_;
        return true;
    }
    static void cut_comment(std::string& s) {
        if (auto p = s.find('#'); p != std::string::npos) s.resize(p);
    }
    static bool ends_with_continuation(const std::string& s) {
        return s.size() >= 2 && s[s.size() - 2] == '\\' && s.back() == '\n';
    }
    // iproute2's makeargs splits on these four; tested inline (find_first_of
    // calls memchr once per character of the line).
    static bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

    bool split(const std::string& s, std::vector<std::string>& words) {
        std::size_t i = 0;
        while (i < s.size()) {
            while (i < s.size() && blank(s[i])) ++i;
            if (i == s.size()) break;
            if (s[i] == '\'' || s[i] == '"') {
                const char quote = s[i++];
                const auto end = s.find(quote, i);
                if (end == std::string::npos) {
                    syntax_error_ = "Unterminated quoted string\n";
                    return false;
                }
                words.push_back(s.substr(i, end - i));
                i = end + 1;
            } else {
                std::size_t end = i;
                while (end < s.size() && !blank(s[end])) ++end;
                words.emplace_back(s, i, end - i);
                i = end;
            }
            if (words.size() >= 511) {
                syntax_error_ = "Too many arguments to command\n";
                return false;
            }
        }
        return true;
    }

    std::string name_;
    std::FILE* in_ = nullptr;
    bool owned_ = false;
    char* line_buf_ = nullptr;  ///< getline's buffer, reused for every line
    std::string text_;          ///< the command being read, reused for every line
    std::size_t line_cap_ = 0;
    int line_ = 0;
    std::string error_;
    std::string syntax_error_;
};

}  // namespace rtnl::tools
