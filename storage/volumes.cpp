#include "storage/volumes.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <ctime>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"

namespace pc::storage {

namespace {

std::string rfc3339_now() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm {};
    ::localtime_r(&ts.tv_sec, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09ld", static_cast<long>(ts.tv_nsec));
    long off = tm.tm_gmtoff;
    if (off == 0) return std::string(buf) + frac + "Z";
    char zone[40];
    std::snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600, (std::labs(off) % 3600) / 60);
    return std::string(buf) + frac + zone;
}

nlohmann::json to_json(const VolumeRecord& v) {
    return {{"Name", v.name},          {"Driver", v.driver}, {"Mountpoint", v.mountpoint},
            {"CreatedAt", v.created_at}, {"Labels", v.labels}, {"Options", v.options},
            {"Scope", v.scope},        {"Anonymous", v.anonymous}};
}

VolumeRecord from_json(const nlohmann::json& j) {
    VolumeRecord v;
    v.name = j.value("Name", "");
    v.driver = j.value("Driver", "local");
    v.mountpoint = j.value("Mountpoint", "");
    v.created_at = j.value("CreatedAt", "");
    v.labels = j.value("Labels", std::map<std::string, std::string>{});
    v.options = j.value("Options", std::map<std::string, std::string>{});
    v.scope = j.value("Scope", "local");
    v.anonymous = j.value("Anonymous", false);
    return v;
}

}  // namespace

bool valid_volume_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

std::string Volumes::mountpoint(const std::string& name) const { return dir(name) + "/_data"; }

VolumeRecord Volumes::create(const std::string& name_in, const std::map<std::string, std::string>& labels,
                             const std::map<std::string, std::string>& options, bool anonymous) {
    const std::string name = name_in.empty() ? str::random_hex_id() : name_in;
    if (!valid_volume_name(name))
        throw Error("invalid volume name \"" + name + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    for (const auto& [k, v] : options)
        if (k != "o" && k != "type" && k != "device" && k != "uid" && k != "gid" && k != "size" && k != "inodes" &&
            k != "noquota" && k != "copy" && k != "nocopy")
            throw Error("invalid volume option \"" + k + "\" for driver local");
    FileLock l = store_.lock();
    return create_locked(name, labels, options, anonymous || name_in.empty());
}

VolumeRecord Volumes::ensure(const std::string& name, bool anonymous) {
    if (auto v = find(name)) return *v;
    if (!valid_volume_name(name))
        throw Error("invalid volume name \"" + name + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    // The check again under the lock that create takes: whoever comes second finds it.
    FileLock l = store_.lock();
    if (auto v = find(name)) return *v;
    return create_locked(name, {}, {}, anonymous);
}

VolumeRecord Volumes::create_locked(const std::string& name, const std::map<std::string, std::string>& labels,
                                    const std::map<std::string, std::string>& options, bool anonymous) {
    const std::string d = dir(name);
    if (::mkdir(d.c_str(), 0700) < 0) {
        if (errno == EEXIST) throw Error("volume with name " + name + " already exists: volume already exists");
        throw Error::sys("creating volume directory " + d);
    }
    VolumeRecord v;
    v.name = name;
    v.mountpoint = mountpoint(name);
    v.created_at = rfc3339_now();
    v.labels = labels;
    v.options = options;
    v.anonymous = anonymous;
    try {
        // _data is owned by the caller = root in the container, mode 0755 like Podman's.
        if (::mkdir(v.mountpoint.c_str(), 0755) < 0) throw Error::sys("creating " + v.mountpoint);
        write_json_atomic(d + "/volume.json", to_json(v));
    } catch (...) {
        store_.remove_tree(d);
        throw;
    }
    return v;
}

std::optional<VolumeRecord> Volumes::find(const std::string& name) {
    if (!valid_volume_name(name)) return std::nullopt;
    auto j = try_read_json(dir(name) + "/volume.json");
    if (!j) return std::nullopt;
    VolumeRecord v = from_json(*j);
    v.needs_copy_up = ::access(copied_up_marker(name).c_str(), F_OK) != 0;
    return v;
}

std::vector<VolumeRecord> Volumes::list() {
    std::vector<VolumeRecord> out;
    DIR* d = ::opendir(store_.volumes_dir().c_str());
    if (!d) return out;
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (valid_volume_name(n)) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names)
        if (auto v = find(n)) out.push_back(*v);
    return out;
}

bool Volumes::remove(const std::string& name) {
    if (!valid_volume_name(name)) return false;
    FileLock l = store_.lock();
    struct stat st {};
    if (::lstat(dir(name).c_str(), &st) < 0) return false;
    store_.remove_tree(dir(name));
    return true;
}

}  // namespace pc::storage
