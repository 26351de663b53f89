// tools/common/args.hpp — command-line words the way iproute2 reads them.
//
// iproute2 accepts any prefix of a keyword (`ip l s dev x up`): its matches()
// compares the typed word against the full keyword. Some keywords are compared
// exactly (strcmp) and some by prefix; the tools copy which is which from
// iproute2 6.1, quirks included (`ip link add a …` reads "a" as "address").
//
// Errors that make iproute2 call exit(-1) (usage, invalid argument) end the whole
// process with status 255, even in the middle of a batch; they are thrown as
// `exit_now` so pending work can be flushed and reported first.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtnl::tools {

/// iproute2's matches(prefix, string) == 0: `word` is a non-empty prefix of
/// `keyword` (an empty word matches no keyword, as in iproute2).
inline bool matches(std::string_view word, std::string_view keyword) noexcept {
    // the first letter rules out most keywords without a memcmp (a batch line
    // is tested against dozens of them)
    return !word.empty() && word.size() <= keyword.size() && word[0] == keyword[0] &&
           keyword.substr(0, word.size()) == word;
}

/// Thrown to end the process with `status` (iproute2's exit(-1) is 255) after
/// printing `message` to stderr. The message is printed by whoever catches it,
/// after the errors of requests still queued from earlier batch lines.
struct exit_now {
    int status = 255;
    std::string message;
    /// A command iproute2 has but these tools do not implement. Alone it ends the
    /// process like a usage error; inside -batch it is one failed line (reported
    /// with "Command failed FILE:LINE"), and with -force the batch goes on — a
    /// line iproute2 would run must not stop the lines after it.
    bool refusal = false;
};

/// Ends the process with 255 after printing `message` (usage errors).
[[noreturn]] inline void fail_usage(std::string message) { throw exit_now{255, std::move(message)}; }

/// Refuses something iproute2 supports and we do not (see exit_now::refusal).
[[noreturn]] inline void refuse(std::string message) { throw exit_now{255, std::move(message), true}; }

/// iproute2's invarg(): `Error: argument "ARG" is wrong: MSG` (MSG often ends in "\n").
[[noreturn]] inline void invalid_argument(std::string_view msg, std::string_view arg) {
    fail_usage("Error: argument \"" + std::string(arg) + "\" is wrong: " + std::string(msg) + "\n");
}
[[noreturn]] inline void duplicate_argument(std::string_view key, std::string_view arg) {
    fail_usage("Error: duplicate \"" + std::string(key) + "\": \"" + std::string(arg) + "\" is the second value.\n");
}
[[noreturn]] inline void duplicate_or_garbage(std::string_view key, std::string_view arg) {
    fail_usage("Error: either \"" + std::string(key) + "\" is duplicate, or \"" + std::string(arg) +
               "\" is a garbage.\n");
}
[[noreturn]] inline void incomplete_command() {
    fail_usage("Command line is not complete. Try option \"help\"\n");
}

/// The remaining words of a command, consumed front to back (iproute2's argc/argv).
class arg_list {
public:
    arg_list() = default;
    explicit arg_list(std::span<const std::string> words) : words_(words) {}

    bool empty() const noexcept { return words_.empty(); }
    std::size_t size() const noexcept { return words_.size(); }
    /// The current word ("" when none is left).
    std::string_view peek() const noexcept { return words_.empty() ? std::string_view{} : std::string_view(words_.front()); }
    const std::string& current() const { return words_.front(); }
    void advance() noexcept {
        if (!words_.empty()) words_ = words_.subspan(1);
    }
    /// iproute2's NEXT_ARG(): step to the value of the current keyword, or fail
    /// with "Command line is not complete".
    const std::string& next_value() {
        if (words_.size() < 2) incomplete_command();
        words_ = words_.subspan(1);
        return words_.front();
    }
    std::span<const std::string> rest() const noexcept { return words_; }

private:
    std::span<const std::string> words_;
};

/// iproute2's get_integer/get_unsigned (base 0: decimal, 0x hex, 0 octal).
template <class T>
std::optional<T> parse_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool negative = false;
    std::string_view digits = s;
    if (digits.front() == '-' || digits.front() == '+') {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
        if constexpr (!std::numeric_limits<T>::is_signed)
            if (negative) return std::nullopt;
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    } else if (digits.size() > 1 && digits[0] == '0') {
        base = 8;
        digits.remove_prefix(1);
    }
    if (digits.empty()) return std::nullopt;
    unsigned long long v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (negative) {
        if (v > static_cast<unsigned long long>(std::numeric_limits<T>::max()) + 1ULL) return std::nullopt;
        return static_cast<T>(-static_cast<long long>(v));
    }
    if (v > static_cast<unsigned long long>(std::numeric_limits<T>::max())) return std::nullopt;
    return static_cast<T>(v);
}

/// iproute2's check_ifname(): what the kernel's dev_valid_name checks, minus ':'.
inline bool plausible_ifname(std::string_view name) noexcept {
    if (name.empty() || name.size() >= 16) return false;
    for (char c : name)
        if (c == '/' || c == ' ' || (c >= '\t' && c <= '\r')) return false;
    return true;
}

}  // namespace rtnl::tools
