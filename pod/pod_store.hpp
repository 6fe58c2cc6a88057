// Pod records of a store: ROOT/pods/<id>/{config.json,lock}, with names in the name space
// pods share with containers. A pod's containers are the container records whose `pod`
// field names it (its infra among them); a record is visible once config.json exists
// (written last), so a pc killed half-way through `pod create` leaves nothing `pod ps`
// shows, and its leftovers are reclaimed as a container's are.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "container/container_store.hpp"
#include "container/name_registry.hpp"
#include "pod/pod_config.hpp"

namespace pc::pod {

class PodStore {
public:
    explicit PodStore(container::ContainerStore& containers);

    container::ContainerStore& containers() { return containers_; }

    // All pods, newest first.
    std::vector<PodConfig> list();
    // By full name, full id or unique id prefix.
    std::optional<PodConfig> find(const std::string& name_or_id);
    // Same, throwing Podman's "no pod with name or ID X found: no such pod".
    PodConfig get(const std::string& name_or_id);

    // Makes the pod's directory (its lock held meanwhile), reserves its name, lets
    // `populate` add what belongs to the pod (its infra container, which records the pod's
    // id), then writes the record. Throws when the name is in use; on any failure nothing
    // is left behind (what `populate` made is its own to undo when it throws).
    PodConfig create(PodConfig config, const std::function<void(PodConfig&)>& populate);

    // Removes the record and the name; the caller has removed its containers.
    void remove(const PodConfig& pod);

    // The pod's lock: held while containers join or leave it, and while it starts or stops.
    FileLock lock(const std::string& id);

    // The pod's containers (infra first), from `all` (a ContainerStore::list()) or a fresh
    // listing.
    std::vector<container::Container> containers_of(const std::string& pod_id);
    static std::vector<container::Container> containers_of(const std::string& pod_id,
                                                           const std::vector<container::Container>& all);

    std::string dir(const std::string& id) const;

private:
    std::optional<PodConfig> load(const std::string& id);

    container::ContainerStore& containers_;
    container::NameRegistry names_;
};

}  // namespace pc::pod
