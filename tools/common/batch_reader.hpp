// tools/common/batch_reader.hpp — reads `-batch FILE` the way iproute2 does
// (lib/utils.c getcmdline + makeargs): '#' starts a comment, a trailing
// backslash joins the next line, words split on blanks, a word may be quoted
// with ' or " (no escapes inside), blank lines are skipped. Line numbers count
// physical lines, so "Command failed FILE:LINE" points where iproute2 points.
#pragma once

#include <cerrno>
#include <cstdio>
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
            std::string text;
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
            if (!split(text, words)) return std::nullopt;
            if (!words.empty()) return words;
        }
    }
    const std::string& syntax_error() const noexcept { return syntax_error_; }

private:
    bool read_line(std::string& out) {
        if (!in_) return false;
        out.clear();
        int c;
        bool any = false;
        while ((c = std::getc(in_)) != EOF) {
            any = true;
            out.push_back(static_cast<char>(c));
            if (c == '\n') break;
        }
        if (!any) return false;
        ++line_;
        return true;
    }
    static void cut_comment(std::string& s) {
        if (auto p = s.find('#'); p != std::string::npos) s.resize(p);
    }
    static bool ends_with_continuation(const std::string& s) {
        return s.size() >= 2 && s[s.size() - 2] == '\\' && s.back() == '\n';
    }
    bool split(const std::string& s, std::vector<std::string>& words) {
        static constexpr const char* ws = " \t\r\n";
        std::size_t i = 0;
        while (i < s.size()) {
            i = s.find_first_not_of(ws, i);
            if (i == std::string::npos) break;
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
                auto end = s.find_first_of(ws, i);
                if (end == std::string::npos) end = s.size();
                words.push_back(s.substr(i, end - i));
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
    int line_ = 0;
    std::string error_;
    std::string syntax_error_;
};

}  // namespace rtnl::tools
