#include "cli/human_units.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::cli {

std::string human_duration(double seconds) {
    // Go converts through time.Duration (int64 nanoseconds); int() truncates toward zero.
    double d = seconds;
    auto secs = static_cast<long long>(d);
    if (secs < 1) return "Less than a second";
    if (secs == 1) return "1 second";
    if (secs < 60) return std::to_string(secs) + " seconds";
    auto minutes = static_cast<long long>(d / 60);
    if (minutes == 1) return "About a minute";
    if (minutes < 60) return std::to_string(minutes) + " minutes";
    auto hours = static_cast<long long>(d / 3600 + 0.5);
    if (hours == 1) return "About an hour";
    if (hours < 48) return std::to_string(hours) + " hours";
    if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
    if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
    if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
    return std::to_string(static_cast<long long>(d / 3600) / 24 / 365) + " years";
}

std::string created_ago(double ts, double now) { return human_duration(now - ts) + " ago"; }

std::string container_status(const std::string& state, int exit_code, double started_at, double exited_at, double now,
                             const std::string& health) {
    std::string s;
    if (state == "running") {
        s = "Up " + human_duration(now - started_at) + " ago";
    } else if (state == "exited" || state == "stopped") {
        s = "Exited (" + std::to_string(exit_code) + ") " + human_duration(now - exited_at) + " ago";
    } else {
        // strings.Title: first letter of each word upper-cased.
        s = state;
        bool start = true;
        for (auto& c : s) {
            if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            start = !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80);
        }
    }
    if (!health.empty()) s += " (" + health + ")";
    return s;
}

std::string human_size_compact(double bytes, int significant_digits) {
    static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    int i = 0;
    while (bytes >= 1000.0 && i < 8) {
        bytes /= 1000.0;
        ++i;
    }
    // C's %.3g matches Go's here: 3 significant digits, trailing zeros dropped, e+NN form
    // when the exponent reaches the precision (999999 -> "1e+03kB", as go-units prints).
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g%s", significant_digits, bytes, kUnits[i]);
    return buf;
}

std::string human_size(double bytes) {
    std::string s = human_size_compact(bytes);
    // Podman's imageReporter.Size(): a space after the last digit.
    size_t j = s.find_last_of("0123456789");
    if (j == std::string::npos) return s;
    return s.substr(0, j + 1) + " " + s.substr(j + 1);
}


namespace {

struct Broken {
    struct tm tm {};
    long offset = 0;  // seconds east of UTC
    std::string zone;
};

Broken break_down(const struct timespec& ts, bool utc) {
    Broken b;
    time_t t = ts.tv_sec;
    if (utc) {
        gmtime_r(&t, &b.tm);
        b.zone = "UTC";
    } else {
        tzset();
        localtime_r(&t, &b.tm);
        b.offset = b.tm.tm_gmtoff;
        b.zone = b.tm.tm_zone ? b.tm.tm_zone : "";
    }
    return b;
}

std::string date_time(const struct tm& tm, char sep) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sep,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// ".999999999": the fraction without trailing zeros, nothing when zero.
std::string fraction(long nsec) {
    if (nsec <= 0) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, ".%09ld", nsec);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    return s;
}

}  // namespace

std::string go_time_string(const struct timespec& ts, bool utc) {
    Broken b = break_down(ts, utc);
    long off = b.offset;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char buf[48];
    std::snprintf(buf, sizeof buf, " %c%02ld%02ld ", sign, off / 3600, (off / 60) % 60);
    std::string zone = b.zone;
    if (zone.empty()) {
        // Go prints the numeric offset when the zone has no abbreviation.
        char z[48];
        std::snprintf(z, sizeof z, "%c%02ld%02ld", sign, off / 3600, (off / 60) % 60);
        zone = z;
    }
    return date_time(b.tm, ' ') + fraction(ts.tv_nsec) + buf + zone;
}

}  // namespace pc::cli
