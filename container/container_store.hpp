// Container records of a store: ROOT/containers/<id>/{config.json,state.json}, their names
// reserved in the name space containers share with pods (container/name_registry.hpp).
//
// A record is visible only once config.json exists (written last, atomically), so a pc
// killed half-way through `create` leaves nothing that `pc ps` shows; such leftovers and
// stale name links are reclaimed later.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "container/config.hpp"
#include "container/name_registry.hpp"
#include "container/state.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct Container {
    ContainerConfig config;
    ContainerState state;
};

class ContainerStore {
public:
    explicit ContainerStore(storage::Store& store);

    storage::Store& storage() { return store_; }

    // All containers, newest first. Containers whose monitor died are reported exited
    // (and their state file corrected); dead --rm containers are removed.
    std::vector<Container> list();
    // By full name, full id or unique id prefix.
    std::optional<Container> find(const std::string& name_or_id);
    // Same, throwing Podman's "no container with name or ID "x" found: no such container".
    Container get(const std::string& name_or_id);

    // Reserves the name (generating one when empty), creates the container's storage and
    // writes its record. Throws when the name is in use; leaves nothing behind on failure.
    Container create(ContainerConfig config);

    // Per-container lock (held while changing its state).
    FileLock lock(const std::string& id);
    // Held while the container is being started (never while waiting on it): one start at
    // a time.
    FileLock start_lock(const std::string& id);
    // `durable` = fsync (not needed for --rm containers, see write_file_atomic).
    void save_state(const std::string& id, const ContainerState& state, bool durable = true);
    // Re-reads the state from disk.
    ContainerState load_state(const std::string& id);
    // Read-modify-write of the state under the container's lock (the monitor and CLI
    // commands change different fields concurrently). Returns the new state. Does nothing
    // (and returns the default state) when the container's record is gone.
    ContainerState update_state(const std::string& id, const std::function<void(ContainerState&)>& change,
                                bool durable = true);
    void rename(Container& c, const std::string& new_name);
    // Read-modify-write of the configuration under the container's lock (`network
    // connect`/`disconnect` change its networks). Returns the new configuration.
    ContainerConfig update_config(const std::string& id, const std::function<void(ContainerConfig&)>& change);

    // Removes the record, its name and its storage (and its anonymous volumes when asked,
    // as `rm -v` and --rm do). The caller has stopped it.
    // `background`: the storage is deleted by a detached process (foreground run --rm).
    void remove(const Container& c, bool anonymous_volumes = false, bool background = false);

    std::string dir(const std::string& id) const;

private:
    ContainerState reconcile(const std::string& id, ContainerState state, bool auto_remove, bool* removed);
    std::optional<Container> load(const std::string& id);

    storage::Store& store_;
    NameRegistry names_;
};

// Podman's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*
bool valid_container_name(const std::string& name);
// A random "adjective_surname" name.
std::string generate_container_name();

}  // namespace pc::container
