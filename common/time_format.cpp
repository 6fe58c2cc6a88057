#include "common/time_format.hpp"

#include <time.h>

#include <cstdio>
#include <cstring>
#include <ctime>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc {

std::string rfc3339_nano(int64_t unix_ns, bool utc) {
    time_t secs = static_cast<time_t>(unix_ns / 1000000000);
    long nanos = static_cast<long>(unix_ns % 1000000000);
    if (nanos < 0) {
        nanos += 1000000000;
        --secs;
    }
    struct tm tm {};
    if (utc) {
        ::gmtime_r(&secs, &tm);
    } else {
        ::tzset();  // localtime_r does not re-read TZ by itself
        ::localtime_r(&secs, &tm);
    }
    char base[64];
    std::strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = base;
    if (nanos) {
        char frac[16];
        std::snprintf(frac, sizeof(frac), ".%09ld", nanos);
        std::string f = frac;
        while (f.back() == '0') f.pop_back();
        out += f;
    }
    long off = utc ? 0 : tm.tm_gmtoff;
    if (off == 0) return out + "Z";
    // UTC offsets stay within ±26 h: the int casts tell the compiler so.
    const long abs_off = off < 0 ? -off : off;
    char zone[16];
    std::snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+', static_cast<int>(abs_off / 3600 % 100),
                  static_cast<int>(abs_off % 3600 / 60));
    return out + zone;
}

std::optional<int64_t> parse_rfc3339(const std::string& text) {
    struct tm tm {};
    const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    int64_t nanos = 0;
    if (*rest == '.') {
        ++rest;
        int digits = 0;
        while (*rest >= '0' && *rest <= '9') {
            if (digits < 9) nanos = nanos * 10 + (*rest - '0'), ++digits;
            ++rest;
        }
        while (digits++ < 9) nanos *= 10;
    }
    long offset = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if (*rest == '+' || *rest == '-') {
        int sign = *rest == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
        offset = sign * (hh * 3600L + mm * 60L);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest) return std::nullopt;
    time_t secs = ::timegm(&tm) - offset;
    return static_cast<int64_t>(secs) * 1000000000 + nanos;
}

int64_t parse_duration_ns(const std::string& orig) {
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

}  // namespace pc
