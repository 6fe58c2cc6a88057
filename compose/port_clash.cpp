// The project's pod holds one network namespace for all its services: two of them cannot
// listen on one port. Found before anything is created, from what each service declares
// (ports, expose) and what its image declares (EXPOSE); no other compose tool checks this.
#include <algorithm>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/engine.hpp"
#include "compose/service_container.hpp"

namespace pc::compose {

namespace {

struct Listener {
    std::string service;
    std::string origin;  // "ports", "expose", "the image's EXPOSE"
};

// "80", "80/udp", "8000-8003/tcp" -> "80/tcp", ...
std::vector<std::string> expand(const std::string& spec) {
    auto [range, proto] = str::split_once(spec, '/');
    auto [first, last] = str::split_once(range, '-');
    auto a = str::parse_u64(first), b = last ? str::parse_u64(*last) : a;
    std::vector<std::string> out;
    if (!a || !b || *b < *a || *b - *a > 65535) return out;
    for (uint64_t p = *a; p <= *b; ++p) out.push_back(std::to_string(p) + "/" + proto.value_or("tcp"));
    return out;
}

}  // namespace

void check_port_clashes(const Project& project, const std::vector<std::string>& services,
                        const std::map<std::string, int>& scale,
                        const std::function<std::vector<std::string>(const std::string& image)>& image_exposed) {
    std::map<std::string, std::vector<Listener>> by_port;
    for (const auto& name : services) {
        const Service& s = project.services.at(name);
        if (!runs_in_pod(project, s)) continue;
        std::set<std::string> seen;
        auto add = [&](const std::string& port, const std::string& origin) {
            if (seen.insert(port).second) by_port[port].push_back({name, origin});
        };
        for (const auto& p : s.ports) add(std::to_string(p.target) + "/" + (p.protocol.empty() ? "tcp" : p.protocol), "ports");
        for (const auto& e : s.expose)
            for (const auto& p : expand(e)) add(p, "expose");
        if (image_exposed)
            for (const auto& e : image_exposed(s.image))
                for (const auto& p : expand(e)) add(p, "the image's EXPOSE");
        auto it = scale.find(name);
        const int64_t replicas = it != scale.end() ? it->second : s.replicas();
        if (replicas > 1 && !seen.empty()) {
            const std::string port = *seen.begin();
            throw Error("service \"" + name + "\" listens on port " + port + " (" + by_port[port].back().origin +
                        ") and would run " + std::to_string(replicas) +
                        " replicas in the project's pod, whose services share one network namespace: the replicas "
                        "cannot all listen there. Run one replica, give the service a network_mode of its own, or run "
                        "the project with `pc compose --in-pod=false` (each service on the project's networks)");
        }
    }
    for (const auto& [port, listeners] : by_port) {
        if (listeners.size() < 2) continue;
        const Listener& a = listeners[0];
        const Listener& b = listeners[1];
        throw Error("services \"" + a.service + "\" and \"" + b.service + "\" would both listen on port " + port + " (" +
                    a.service + ": " + a.origin + ", " + b.service + ": " + b.origin +
                    ") in the project's pod, whose services share one network namespace. Change one of them to "
                    "another port, give one a network_mode of its own (network_mode: host, or service:NAME), run it "
                    "in a separate project, or run the project with `pc compose --in-pod=false` (each service in "
                    "its own network namespace on the project's networks, or `x-podman: {in_pod: false}` in the file)");
    }
}

}  // namespace pc::compose
