// Named volumes: ROOT/volumes/<name>/_data plus volume.json (Podman's inspect shape).
// "In use" checks belong to the caller (container/ knows which containers mount what).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace pc::storage {

struct VolumeRecord {
    std::string name;
    std::string driver = "local";
    std::string mountpoint;
    std::string created_at;  // RFC 3339
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;
    std::string scope = "local";
    bool anonymous = false;
    // Image content has not been copied into it yet (Podman's NeedsCopyUp): true until a
    // container that mounts it over a non-empty image directory copies that in.
    bool needs_copy_up = true;
};

// [a-zA-Z0-9][a-zA-Z0-9_.-]* (Podman's rule for volume names).
bool valid_volume_name(const std::string& name);

class Volumes {
public:
    explicit Volumes(Store& store) : store_(store) {}

    // Empty name: a random 64-hex name (an anonymous volume when `anonymous`). Throws
    // "volume with name X already exists: volume already exists".
    VolumeRecord create(const std::string& name, const std::map<std::string, std::string>& labels = {},
                        const std::map<std::string, std::string>& options = {}, bool anonymous = false);
    // The volume `name`, created when it does not exist yet (a container's first use of
    // `-v name:/dir`): concurrent callers all get the one volume, none fails.
    VolumeRecord ensure(const std::string& name, bool anonymous = false);
    std::vector<VolumeRecord> list();
    std::optional<VolumeRecord> find(const std::string& name);
    // Returns false when there is no such volume. Contents are removed inside the user
    // namespace (a container may have created subuid-owned files).
    bool remove(const std::string& name);
    std::string mountpoint(const std::string& name) const;
    // The volume's lock file and its "copied up" marker (see rootless::MountSpec).
    std::string lock_path(const std::string& name) const { return dir(name) + "/lock"; }
    std::string copied_up_marker(const std::string& name) const { return dir(name) + "/copied-up"; }

private:
    VolumeRecord create_locked(const std::string& name, const std::map<std::string, std::string>& labels,
                               const std::map<std::string, std::string>& options, bool anonymous);
    std::string dir(const std::string& name) const { return store_.volumes_dir() + "/" + name; }
    Store& store_;
};

}  // namespace pc::storage
