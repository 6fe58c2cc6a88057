#include "common/time_format.hpp"

#include <time.h>

#include <cstdio>
#include <cstring>
#include <ctime>

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

}  // namespace pc
