// The names of containers and pods: one name space, as in Podman (a pod cannot take a
// container's name, nor the reverse). ROOT/names/<name> is a symlink to the owner's id:
// symlink(2) is atomic, so two concurrent creates cannot both get a name, without a global
// lock. The owner is whichever record directory (containers/<id> or pods/<id>) has that id.
#pragma once

#include <optional>
#include <string>

#include "storage/store.hpp"

namespace pc::container {

enum class NameOwner { Container, Pod };

class NameRegistry {
public:
    explicit NameRegistry(const storage::Store& store);

    // Reserves `name` for `id` (whose record directory, with its lock held, already
    // exists). Throws Podman's "name in use" error, worded for `asking` and for whoever
    // has the name. A link left by an interrupted create or remove is reclaimed.
    void reserve(const std::string& name, const std::string& id, NameOwner asking);
    // The id `name` points to (nullopt for an invalid name or none).
    std::optional<std::string> lookup(const std::string& name) const;
    // Drops the name when it still points to `id`.
    void release(const std::string& name, const std::string& id);
    // For a removal: moves the name aside (invisible, still taken for reclaiming purposes
    // until the record is gone) and returns where it went ("" when it was not `id`'s).
    std::string retire(const std::string& name, const std::string& id);

private:
    // A name link is live when its owner has a record, or is being created right now (its
    // directory exists and its creator still holds its lock).
    std::optional<NameOwner> live_owner(const std::string& id) const;

    const storage::Store& store_;
    std::string dir_;
};

}  // namespace pc::container
