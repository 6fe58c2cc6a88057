// Descriptors and cell formatting of `pc top` (psgo's names, headers and value shapes).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/top.hpp"
#include "rootless/caps.hpp"

namespace pc::container {

namespace {

struct Descriptor {
    const char* name;
    const char* aix;  // "" when none
    const char* header;
};

constexpr Descriptor kDescriptors[] = {
    {"args", "%a", "COMMAND"},        {"capamb", "", "AMBIENT CAPS"},   {"capbnd", "", "BOUNDING CAPS"},
    {"capeff", "", "EFFECTIVE CAPS"}, {"capinh", "", "INHERITED CAPS"}, {"capprm", "", "PERMITTED CAPS"},
    {"comm", "%c", "COMMAND"},        {"etime", "%t", "ELAPSED"},       {"group", "%G", "GROUP"},
    {"hgroup", "", "HGROUP"},         {"hpid", "", "HPID"},             {"huser", "", "HUSER"},
    {"label", "", "LABEL"},           {"nice", "%n", "NI"},             {"pcpu", "%C", "%CPU"},
    {"pgid", "%r", "PGID"},           {"pid", "%p", "PID"},             {"ppid", "%P", "PPID"},
    {"rgroup", "%g", "RGROUP"},       {"rss", "", "RSS"},               {"ruser", "%u", "RUSER"},
    {"seccomp", "", "SECCOMP"},       {"state", "", "STATE"},           {"stime", "", "STIME"},
    {"time", "%x", "TIME"},           {"tty", "%y", "TTY"},             {"user", "%U", "USER"},
    {"vsz", "%z", "VSZ"},
};

const Descriptor* find(const std::string& name) {
    for (const Descriptor& d : kDescriptors)
        if (name == d.name || (*d.aix && name == d.aix)) return &d;
    return nullptr;
}

std::string valid_list() {
    std::string out;
    for (const Descriptor& d : kDescriptors) out += (out.empty() ? "" : ", ") + std::string(d.name);
    return out;
}

// Container id of a host id, or the host id when unmapped (shown as is, like ps would).
uint32_t inside(const std::vector<rootless::IdMapEntry>& map, uint32_t host) {
    for (const auto& e : map)
        if (host >= e.outside && host - e.outside < e.count) return e.inside + (host - e.outside);
    return host;
}

std::string name_or_id(const std::map<uint32_t, std::string>& names, uint32_t id) {
    auto it = names.find(id);
    return it != names.end() ? it->second : std::to_string(id);
}

std::string caps_text(uint64_t set, int last_cap) {
    if (set == 0) return "none";
    const uint64_t all = last_cap >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last_cap + 1)) - 1;
    if ((set & all) == all) return "full";
    std::vector<std::string> names;
    for (int c = 0; c < 64; ++c) {
        if (!(set & (uint64_t{1} << c))) continue;
        std::string n = rootless::capability_name(c);
        if (str::starts_with(n, "CAP_")) n = n.substr(4);
        names.push_back(n);
    }
    return str::join(names, ",");
}

std::string tty_name(uint64_t tty_nr) {
    if (tty_nr == 0) return "?";
    // Linux encodes major in bits 8-19 and minor in bits 0-7 and 20-31.
    const unsigned major = static_cast<unsigned>((tty_nr >> 8) & 0xfff);
    const unsigned minor = static_cast<unsigned>((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
    if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
    if (major == 4 && minor < 64) return "tty" + std::to_string(minor);
    if (major == 4) return "ttyS" + std::to_string(minor - 64);
    if (major == 5 && minor == 1) return "console";
    return "?";
}

int64_t start_ns(const ProcessInfo& p, const TopContext& c) {
    return c.boot_time_ns + static_cast<int64_t>(p.start_ticks * 1000000000ULL / static_cast<uint64_t>(c.clock_ticks));
}

int64_t cpu_ns(const ProcessInfo& p, const TopContext& c) {
    return static_cast<int64_t>((p.utime + p.stime) * 1000000000ULL / static_cast<uint64_t>(c.clock_ticks));
}

std::string local_time(int64_t ns) {
    time_t t = static_cast<time_t>(ns / 1000000000);
    struct tm tm {};
    ::localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
    return buf;
}

}  // namespace

std::string go_duration(int64_t ns) {
    if (ns == 0) return "0s";
    std::string sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
    // "<int>.<frac>" with the fraction's trailing zeros dropped.
    auto fixed = [](uint64_t v, uint64_t unit, int digits) {
        std::string s = std::to_string(v / unit);
        uint64_t frac = v % unit;
        if (frac) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%0*" PRIu64, digits, frac);
            std::string f = buf;
            while (!f.empty() && f.back() == '0') f.pop_back();
            s += "." + f;
        }
        return s;
    };
    if (u < 1000) return sign + std::to_string(u) + "ns";
    if (u < 1000000) return sign + fixed(u, 1000, 3) + "µs";
    if (u < 1000000000) return sign + fixed(u, 1000000, 6) + "ms";
    const uint64_t minute = 60ULL * 1000000000ULL;
    std::string out = fixed(u % minute, 1000000000ULL, 9) + "s";
    uint64_t minutes = u / minute;
    if (minutes > 0) {
        out = std::to_string(minutes % 60) + "m" + out;
        if (minutes >= 60) out = std::to_string(minutes / 60) + "h" + out;
    }
    return sign + out;
}

std::vector<std::string> parse_top_descriptors(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const std::string& a : args) {
        for (const std::string& raw : str::split(a, ',')) {
            std::string name = str::trim(raw);
            if (name.empty()) continue;
            const Descriptor* d = find(name);
            if (!d) throw Error("unknown descriptor: " + name + " (valid: " + valid_list() + ")");
            out.push_back(d->name);
        }
    }
    if (out.empty()) out = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
    return out;
}

std::string top_header(const std::string& descriptor) {
    const Descriptor* d = find(descriptor);
    return d ? d->header : str::to_lower(descriptor);
}

std::string top_field(const std::string& d, const ProcessInfo& p, const TopContext& c) {
    if (d == "pid") return std::to_string(p.pid);
    if (d == "ppid") return std::to_string(p.ppid);
    if (d == "pgid") return std::to_string(p.pgid);
    if (d == "hpid") return std::to_string(p.host_pid);
    if (d == "user") return name_or_id(c.users, inside(c.mapping.uids, p.euid));
    if (d == "ruser") return name_or_id(c.users, inside(c.mapping.uids, p.ruid));
    if (d == "group") return name_or_id(c.groups, inside(c.mapping.gids, p.egid));
    if (d == "rgroup") return name_or_id(c.groups, inside(c.mapping.gids, p.rgid));
    if (d == "huser") return std::to_string(p.euid);
    if (d == "hgroup") return std::to_string(p.egid);
    if (d == "comm") return p.comm;
    if (d == "args") return p.args.empty() ? "[" + p.comm + "]" : str::join(p.args, " ");
    if (d == "state") return p.state;
    if (d == "nice") return std::to_string(p.nice);
    if (d == "tty") return tty_name(p.tty_nr);
    if (d == "vsz") return std::to_string(p.vsize / 1024);
    if (d == "rss") return std::to_string(p.rss_pages * static_cast<uint64_t>(c.page_size) / 1024);
    if (d == "time") return go_duration(cpu_ns(p, c));
    if (d == "etime") return go_duration(std::max<int64_t>(0, c.now_ns - start_ns(p, c)));
    if (d == "stime") return local_time(start_ns(p, c));
    if (d == "pcpu") {
        const int64_t elapsed = c.now_ns - start_ns(p, c);
        const double pct = elapsed > 0 ? 100.0 * static_cast<double>(cpu_ns(p, c)) / static_cast<double>(elapsed) : 0.0;
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.3f", pct);
        return buf;
    }
    if (d == "capinh") return caps_text(p.cap_inh, c.last_cap);
    if (d == "capprm") return caps_text(p.cap_prm, c.last_cap);
    if (d == "capeff") return caps_text(p.cap_eff, c.last_cap);
    if (d == "capbnd") return caps_text(p.cap_bnd, c.last_cap);
    if (d == "capamb") return caps_text(p.cap_amb, c.last_cap);
    if (d == "seccomp") return p.seccomp == 2 ? "filter" : p.seccomp == 1 ? "strict" : "disabled";
    if (d == "label") return p.label.empty() ? "-" : p.label;
    throw Error("unknown descriptor: " + d);
}

}  // namespace pc::container
