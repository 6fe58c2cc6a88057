#include "pod/pod_config.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::pod {

bool PodConfig::shares(const std::string& ns) const { return std::find(shared.begin(), shared.end(), ns) != shared.end(); }

#define PC_POD_FIELDS(X)                                                                                  \
    X(id) X(name) X(created_ns) X(create_command) X(labels) X(hostname) X(shared) X(has_infra) X(infra_id) \
    X(exit_policy) X(userns) X(created_for)

void to_json(nlohmann::json& j, const PodConfig& c) {
    j = nlohmann::json::object();
#define PC_TO(f) j[#f] = c.f;
    PC_POD_FIELDS(PC_TO)
#undef PC_TO
}

void from_json(const nlohmann::json& j, PodConfig& c) {
#define PC_FROM(f) \
    if (auto it = j.find(#f); it != j.end() && !it->is_null()) it->get_to(c.f);
    PC_POD_FIELDS(PC_FROM)
#undef PC_FROM
}

#undef PC_POD_FIELDS

std::vector<std::string> parse_share(const std::string& value) {
    // "" and "none" share nothing; "+pid" adds to the default set, as Podman's --share.
    std::vector<std::string> out;
    std::string v = value;
    bool add = !v.empty() && v[0] == '+';
    if (add) {
        out = {"ipc", "net", "uts"};
        v = v.substr(1);
    }
    if (v.empty() || v == "none") return add ? out : std::vector<std::string>{};
    for (const auto& ns : str::split(v, ',')) {
        if (ns != "ipc" && ns != "net" && ns != "uts" && ns != "pid" && ns != "cgroup")
            throw Error("invalid kernel namespace to share: " + ns + ". Options are: cgroup, ipc, net, pid, uts or none");
        if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
    }
    return out;
}

}  // namespace pc::pod
