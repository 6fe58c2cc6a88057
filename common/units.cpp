#include "common/units.hpp"

#include <cctype>
#include <cstdlib>
#include <utility>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc {

int64_t parse_size(const std::string& text) {
    size_t sep = text.find_last_of("01234567890. ");
    if (sep == std::string::npos) throw Error("invalid size: '" + text + "'");
    std::string num, sfx;
    if (text[sep] != ' ') {
        num = text.substr(0, sep + 1);
        sfx = text.substr(sep + 1);
    } else {
        num = text.substr(0, sep);
        sfx = text.substr(sep + 1);
    }
    // strconv.ParseFloat syntax: sign, digits, optional fraction and exponent.
    auto bad_float = [&]() { return Error("strconv.ParseFloat: parsing " + str::go_quote(num) + ": invalid syntax"); };
    {
        size_t i = 0;
        if (i < num.size() && (num[i] == '+' || num[i] == '-')) ++i;
        size_t digits = 0;
        while (i < num.size() && std::isdigit(static_cast<unsigned char>(num[i]))) ++i, ++digits;
        if (i < num.size() && num[i] == '.') {
            ++i;
            while (i < num.size() && std::isdigit(static_cast<unsigned char>(num[i]))) ++i, ++digits;
        }
        if (digits == 0) throw bad_float();
        if (i < num.size() && (num[i] == 'e' || num[i] == 'E')) {
            ++i;
            if (i < num.size() && (num[i] == '+' || num[i] == '-')) ++i;
            size_t exp_digits = 0;
            while (i < num.size() && std::isdigit(static_cast<unsigned char>(num[i]))) ++i, ++exp_digits;
            if (exp_digits == 0) throw bad_float();
        }
        if (i != num.size()) throw bad_float();
    }
    double size = std::strtod(num.c_str(), nullptr);
    if (size < 0) throw Error("invalid size: '" + text + "'");
    auto to_int = [&](double v) -> int64_t {
        if (!(v < 9223372036854775807.0)) throw Error("invalid size: '" + text + "'");
        return static_cast<int64_t>(v);
    };
    if (sfx.empty()) return to_int(size);
    auto bad_suffix = [&]() { return Error("invalid suffix: '" + sfx + "'"); };
    if (sfx.size() > 3) throw bad_suffix();
    std::string lower;
    for (char c : sfx) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    sfx = lower;
    if (sfx[0] == 'b') {
        if (sfx.size() > 1) throw bad_suffix();
        return to_int(size);
    }
    static const std::pair<char, double> kMul[] = {
        {'k', 1024.0}, {'m', 1048576.0}, {'g', 1073741824.0}, {'t', 1099511627776.0}, {'p', 1125899906842624.0}};
    bool found = false;
    for (const auto& [c, m] : kMul)
        if (sfx[0] == c) {
            size *= m;
            found = true;
        }
    if (!found) throw bad_suffix();
    if ((sfx.size() == 2 && sfx[1] != 'b') || (sfx.size() == 3 && sfx.substr(1) != "ib")) throw bad_suffix();
    return to_int(size);
}

int64_t parse_duration_ns(const std::string& orig, DurationUnits units) {
    auto invalid = [&]() { return Error("time: invalid duration " + str::go_quote(orig)); };
    std::string s = orig;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.erase(0, 1);
    }
    if (s == "0") return 0;
    if (s.empty()) throw invalid();
    constexpr uint64_t kMax = uint64_t{1} << 63;
    uint64_t d = 0;
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (!(c == '.' || (c >= '0' && c <= '9'))) throw invalid();
        uint64_t v = 0;
        size_t start = i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
            if (v > (kMax - 1) / 10) throw invalid();  // overflow
            v = v * 10 + static_cast<uint64_t>(s[i] - '0');
            if (v > kMax) throw invalid();
        }
        bool pre = i != start;
        bool post = false;
        uint64_t f = 0;
        double scale = 1.0;
        if (i < s.size() && s[i] == '.') {
            ++i;
            size_t fstart = i;
            bool overflow = false;
            for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
                if (overflow) continue;
                if (f > (kMax - 1) / 10) {
                    overflow = true;  // Go keeps consuming digits but ignores them
                    continue;
                }
                f = f * 10 + static_cast<uint64_t>(s[i] - '0');
                scale *= 10;
            }
            post = i != fstart;
        }
        if (!pre && !post) throw invalid();
        size_t ustart = i;
        while (i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) ++i;
        if (i == ustart) throw Error("time: missing unit in duration " + str::go_quote(orig));
        std::string u = s.substr(ustart, i - ustart);
        uint64_t unit;
        if (u == "ns")
            unit = 1;
        else if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs")
            unit = 1000;
        else if (u == "ms")
            unit = 1000000;
        else if (u == "s")
            unit = 1000000000;
        else if (u == "m")
            unit = 60ULL * 1000000000;
        else if (u == "h")
            unit = 3600ULL * 1000000000;
        else if (u == "d" && units == DurationUnits::DaysAndWeeks)
            unit = 24ULL * 3600 * 1000000000;
        else if (u == "w" && units == DurationUnits::DaysAndWeeks)
            unit = 7ULL * 24 * 3600 * 1000000000;
        else
            throw Error("time: unknown unit " + str::go_quote(u) + " in duration " + str::go_quote(orig));
        if (v > kMax / unit) throw invalid();
        v *= unit;
        if (f > 0) {
            v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
            if (v > kMax) throw invalid();
        }
        d += v;
        if (d > kMax) throw invalid();
    }
    if (neg) return d == kMax ? INT64_MIN : -static_cast<int64_t>(d);
    if (d > kMax - 1) throw invalid();
    return static_cast<int64_t>(d);
}

int64_t parse_duration(const std::string& text) { return parse_duration_ns(text) / 1000000; }

}  // namespace pc
