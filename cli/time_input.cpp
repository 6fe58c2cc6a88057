#include "cli/time_input.hpp"

#include <time.h>

#include <cctype>
#include <optional>

#include "cli/human_units.hpp"
#include "common/error.hpp"
#include "common/time_format.hpp"
#include "container/state.hpp"

namespace pc::cli {

namespace {

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// "SECONDS[.FRACTION]"
std::optional<int64_t> parse_unix(const std::string& text) {
    size_t dot = text.find('.');
    std::string secs = text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (!all_digits(secs) || (dot != std::string::npos && !all_digits(frac)) || secs.size() > 12) return std::nullopt;
    int64_t ns = std::stoll(secs) * 1000000000;
    frac.resize(9, '0');
    return ns + std::stoll(frac.substr(0, 9));
}

// A date and time without a zone: local time, like Go's time.ParseInLocation(..., time.Local).
std::optional<int64_t> parse_local(const std::string& text) {
    struct tm tm {};
    const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    int64_t nanos = 0;
    if (rest && *rest == '.') {
        ++rest;
        int digits = 0;
        while (std::isdigit(static_cast<unsigned char>(*rest))) {
            if (digits < 9) nanos = nanos * 10 + (*rest - '0'), ++digits;
            ++rest;
        }
        if (digits == 0) return std::nullopt;
        while (digits++ < 9) nanos *= 10;
    }
    if (!rest) {
        tm = {};
        rest = ::strptime(text.c_str(), "%Y-%m-%d", &tm);
    }
    if (!rest || *rest) return std::nullopt;
    tm.tm_isdst = -1;
    time_t secs = ::mktime(&tm);
    if (secs == static_cast<time_t>(-1)) return std::nullopt;
    return static_cast<int64_t>(secs) * 1000000000 + nanos;
}

}  // namespace

int64_t parse_input_time(const std::string& text, bool since) {
    if (auto t = parse_rfc3339(text)) return *t;
    if (auto t = parse_local(text)) return *t;
    // "2006-01-02Z07:00": a date with a zone.
    if (text.size() > 10 && (text[10] == 'Z' || text[10] == '+' || text[10] == '-'))
        if (auto t = parse_rfc3339(text.substr(0, 10) + "T00:00:00" + text.substr(10))) return *t;
    if (auto t = parse_unix(text)) return *t;
    int64_t d = 0;
    try {
        d = parse_duration_ns(text);
    } catch (const Error&) {
        throw Error("unable to interpret time value \"" + text + "\"");
    }
    return since ? container::now_ns() - d : container::now_ns() + d;
}

}  // namespace pc::cli
