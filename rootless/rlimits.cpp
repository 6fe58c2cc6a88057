#include "rootless/rlimits.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <string_view>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::rootless {

namespace {

struct Resource {
    std::string_view name;  // as --ulimit spells it
    int resource;
    std::string_view kernel_name;
};

constexpr std::array<Resource, 16> kResources = {{
    {"as", RLIMIT_AS, "RLIMIT_AS"},
    {"core", RLIMIT_CORE, "RLIMIT_CORE"},
    {"cpu", RLIMIT_CPU, "RLIMIT_CPU"},
    {"data", RLIMIT_DATA, "RLIMIT_DATA"},
    {"fsize", RLIMIT_FSIZE, "RLIMIT_FSIZE"},
    {"locks", RLIMIT_LOCKS, "RLIMIT_LOCKS"},
    {"memlock", RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
    {"msgqueue", RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"},
    {"nice", RLIMIT_NICE, "RLIMIT_NICE"},
    {"nofile", RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {"nproc", RLIMIT_NPROC, "RLIMIT_NPROC"},
    {"rss", RLIMIT_RSS, "RLIMIT_RSS"},
    {"rtprio", RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
    {"rttime", RLIMIT_RTTIME, "RLIMIT_RTTIME"},
    {"sigpending", RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {"stack", RLIMIT_STACK, "RLIMIT_STACK"},
}};

rlim_t parse_value(const std::string& text) {
    if (text == "-1") return RLIM_INFINITY;
    auto v = str::parse_i64(text);
    if (!v || *v < 0) throw Error("invalid limit value \"" + text + "\": not a non-negative integer or -1");
    return static_cast<rlim_t>(*v);
}

}  // namespace

std::string limit_text(rlim_t v) { return v == RLIM_INFINITY ? "-1" : std::to_string(v); }

Rlimit parse_ulimit(const std::string& spec) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) throw Error("invalid ulimit argument: " + spec);
    const std::string name = spec.substr(0, eq);
    const Resource* found = nullptr;
    for (const auto& r : kResources)
        if (r.name == name) found = &r;
    if (!found) throw Error("invalid ulimit type: " + name);
    auto values = str::split(spec.substr(eq + 1), ':');
    if (values.empty() || values.size() > 2)
        throw Error("too many limit value arguments - " + spec.substr(eq + 1) + ", can only have up to two, `soft[:hard]`");
    Rlimit l{found->resource, parse_value(values[0]), 0};
    l.hard = values.size() == 2 ? parse_value(values[1]) : l.soft;
    // RLIM_INFINITY is the largest value, so "unlimited" compares as such.
    if (l.soft > l.hard)
        throw Error("ulimit soft limit must be less than or equal to hard limit: " + values[0] + " > " + values[1]);
    return l;
}

void apply_rlimits(const std::vector<Rlimit>& limits) {
    for (const Rlimit& l : limits) {
        struct rlimit rl {l.soft, l.hard};
        if (::setrlimit(static_cast<__rlimit_resource_t>(l.resource), &rl) == 0) continue;
        const int err = errno;
        std::string what = "setting " + rlimit_name(l.resource) + " to " + limit_text(l.soft) + ":" + limit_text(l.hard);
        // Exit 126 as Podman's runtime does ("OCI permission denied").
        if (err == EPERM)
            throw Error(what + ": " + std::strerror(err) + " (above the hard limit of the user running pc, which only "
                        "the host's root can raise)", 126);
        throw Error::sys(what, err);
    }
}

std::string rlimit_name(int resource) {
    for (const auto& r : kResources)
        if (r.resource == resource) return std::string(r.kernel_name);
    return "RLIMIT_" + std::to_string(resource);
}

}  // namespace pc::rootless
