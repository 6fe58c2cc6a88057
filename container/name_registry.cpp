#include "container/name_registry.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/fd.hpp"
#include "common/user_paths.hpp"
#include "container/container_store.hpp"

namespace pc::container {

namespace {

// A record directory holds config.json once the record exists (written last).
std::optional<bool> record_state(const std::string& dir) {
    if (::access((dir + "/config.json").c_str(), F_OK) == 0) return true;
    if (::access(dir.c_str(), F_OK) != 0) return std::nullopt;
    FileLock probe = FileLock::try_lock(dir + "/lock");
    return !probe.held();  // being created: its creator holds the lock
}

std::string kind_word(NameOwner o) { return o == NameOwner::Pod ? "pod" : "container"; }

}  // namespace

NameRegistry::NameRegistry(const storage::Store& store) : store_(store), dir_(store.root() + "/names") {}

std::optional<NameOwner> NameRegistry::live_owner(const std::string& id) const {
    if (auto s = record_state(store_.container_dir(id)); s && *s) return NameOwner::Container;
    if (auto s = record_state(store_.pod_dir(id)); s && *s) return NameOwner::Pod;
    return std::nullopt;
}

std::optional<std::string> NameRegistry::lookup(const std::string& name) const {
    if (!valid_container_name(name)) return std::nullopt;
    char buf[256];
    ssize_t n = ::readlink((dir_ + "/" + name).c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

void NameRegistry::reserve(const std::string& name, const std::string& id, NameOwner asking) {
    ensure_dir(dir_);
    const std::string link = dir_ + "/" + name;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (::symlink(id.c_str(), link.c_str()) == 0) return;
        if (errno != EEXIST) throw Error::sys("reserving the name " + name);
        auto owner_id = lookup(name);
        std::optional<NameOwner> owner = owner_id ? live_owner(*owner_id) : std::nullopt;
        if (owner) {
            // Podman's words, which differ by who asks and who has the name.
            if (asking == NameOwner::Container && *owner == NameOwner::Container)
                throw Error("creating container storage: the container name \"" + name + "\" is already in use by " +
                            *owner_id + ". You have to remove that container to be able to reuse that name: that name is already in use");
            const std::string in_use = "name \"" + name + "\" is in use: " + kind_word(*owner) + " already exists";
            throw Error(asking == NameOwner::Pod ? "adding pod to state: " + in_use : in_use);
        }
        // A leftover of an interrupted create or remove: reclaim it.
        ::unlink(link.c_str());
    }
    throw Error("reserving the name " + name + ": too much contention");
}

void NameRegistry::release(const std::string& name, const std::string& id) {
    if (lookup(name) == id) ::unlink((dir_ + "/" + name).c_str());
}

std::string NameRegistry::retire(const std::string& name, const std::string& id) {
    if (lookup(name) != id) return "";
    std::string trash = dir_ + "/.trash-" + id;
    if (::rename((dir_ + "/" + name).c_str(), trash.c_str()) < 0) return "";
    return trash;
}

}  // namespace pc::container
