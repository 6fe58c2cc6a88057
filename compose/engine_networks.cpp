// The project's user-defined networks, for a project run outside a pod (--in-pod=false):
// every one its services join is checked before anything is made (an external one must
// exist, the others must be networks pc can make), made with Docker Compose's labels when
// missing, and removed by `down` after the containers. Networks are found again by their
// com.docker.compose.project label, so `down` removes them whichever way the project ran.
#include "common/error.hpp"
#include "compose/engine.hpp"
#include "compose/labels.hpp"
#include "compose/project_networks.hpp"
#include "container/network_attach.hpp"
#include "net/network_store.hpp"

namespace pc::compose {

void Engine::check_networks(const std::vector<std::string>& services) {
    net::NetworkStore store(containers_.storage().root());
    for (const auto& key : networks_of_services(project_, services)) {
        auto it = project_.networks.find(key);
        if (it == project_.networks.end()) throw Error("service network \"" + key + "\" is not declared");
        const Network& n = it->second;
        if (n.external) {
            const std::string name = n.name.empty() ? key : n.name;
            if (!store.find(name))
                throw Error("networks." + key + ": external network \"" + name +
                            "\" not found (create it with `pc network create " + name + "`)");
            continue;
        }
        std::vector<std::string> warnings;
        const net::NetworkCreateOptions o = network_create_options(project_, key, warnings);  // throws for what pc cannot make
        // One found by name that compose made must be this project's, for this key (Docker
        // Compose's check); one the user made is used as it is (ensure_networks warns).
        auto existing = store.find(o.name);
        if (!existing || !existing->labels.count(kLabelNetwork)) continue;
        for (const auto& [label, expected] : {std::pair<std::string, std::string>{kLabelNetwork, key}, {kLabelProject, project_.name}}) {
            auto at = existing->labels.find(label);
            const std::string found = at == existing->labels.end() ? "" : at->second;
            if (found != expected)
                throw Error("network " + o.name + " was found but has incorrect label " + label + " set to \"" + found +
                            "\" (expected: \"" + expected + "\")");
        }
    }
}

void Engine::ensure_networks(const std::vector<std::string>& services) {
    if (project_.in_pod) return;
    check_networks(services);
    net::NetworkStore store(containers_.storage().root());
    for (const auto& key : networks_of_services(project_, services)) {
        const Network& n = project_.networks.at(key);
        if (n.external) continue;  // check_networks found it
        std::vector<std::string> warnings;
        net::NetworkCreateOptions o = network_create_options(project_, key, warnings);
        if (auto existing = store.find(o.name)) {
            if (!existing->labels.count(kLabelNetwork))
                progress_.warning("a network with name " + o.name + " exists but was not created by compose. "
                                  "Set `external: true` to use an existing network");
            continue;
        }
        for (const auto& w : warnings) progress_.warning(w);
        progress_.event("Network " + o.name, "Creating");
        store.create(o, true);
        progress_.event("Network " + o.name, "Created");
    }
}

void Engine::remove_networks() {
    net::NetworkStore store(containers_.storage().root());
    for (const auto& n : store.list()) {
        auto it = n.labels.find(kLabelProject);
        if (it == n.labels.end() || it->second != project_.name || !n.labels.count(kLabelNetwork)) continue;
        auto users = container::network_users(containers_, n.name);
        if (!users.empty()) {
            // Not the project's containers (they are gone): something else joined it.
            progress_.warning("network " + n.name + " is still used by " + std::to_string(users.size()) +
                              " container(s) outside the project: not removed");
            continue;
        }
        progress_.event("Network " + n.name, "Removing");
        store.remove(n.name);
        progress_.event("Network " + n.name, "Removed");
    }
}

}  // namespace pc::compose
