// The user's networks: one record per network in ROOT/networks/<name>.json (Podman keeps
// its own the same way), written atomically; creation and removal under
// ROOT/networks/.lock, so two `pc network create` never take the same subnet. The default
// network "podman" is always listed and never stored.
//
// What uses a network (containers) is container/'s business: this store only keeps records.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "net/network_config.hpp"
#include "net/network_create.hpp"

namespace pc::net {

class NetworkStore {
public:
    // `store_root`: the pc store's root directory (ROOT).
    explicit NetworkStore(std::string store_root);

    // Every network, the default one included, sorted by name.
    std::vector<NetworkConfig> list() const;
    // By name, full id or unique id prefix.
    std::optional<NetworkConfig> find(const std::string& name_or_id) const;
    // Throws pc::Error "unable to find network with name or ID X: network not found".
    NetworkConfig get(const std::string& name_or_id) const;

    // Checks the options against the other networks and the host and writes the record.
    // With `ignore_existing`, a network of that name is returned as it is.
    NetworkConfig create(const NetworkCreateOptions& options, bool ignore_existing = false);
    // Removes the record (the caller has checked that nothing uses it). Throws for the
    // default network, which cannot be removed.
    void remove(const std::string& name);

    // Held while records change.
    FileLock lock() const;
    const std::string& dir() const { return dir_; }

private:
    std::string path(const std::string& name) const { return dir_ + "/" + name + ".json"; }
    std::string dir_;
};

}  // namespace pc::net
