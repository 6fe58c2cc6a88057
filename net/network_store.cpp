#include "net/network_store.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"

namespace pc::net {

NetworkStore::NetworkStore(std::string store_root) : dir_(std::move(store_root) + "/networks") {}

FileLock NetworkStore::lock() const {
    ensure_dir(dir_, 0700);
    return FileLock(dir_ + "/.lock");
}

std::vector<NetworkConfig> NetworkStore::list() const {
    std::vector<NetworkConfig> out{default_network()};
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir_.c_str()), ::closedir);
    if (d) {
        while (struct dirent* e = ::readdir(d.get())) {
            const std::string file = e->d_name;
            if (file.empty() || file[0] == '.' || !str::ends_with(file, ".json")) continue;
            auto j = try_read_json(dir_ + "/" + file);
            if (!j) continue;  // removed meanwhile
            NetworkConfig n;
            try {
                n = j->get<NetworkConfig>();
            } catch (const std::exception& ex) {
                throw Error("network record " + dir_ + "/" + file + " is damaged: " + ex.what());
            }
            if (n.name == kDefaultNetworkName) continue;
            out.push_back(std::move(n));
        }
    }
    std::sort(out.begin(), out.end(), [](const NetworkConfig& a, const NetworkConfig& b) { return a.name < b.name; });
    return out;
}

std::optional<NetworkConfig> NetworkStore::find(const std::string& name_or_id) const {
    if (name_or_id.empty()) return std::nullopt;
    auto all = list();
    for (auto& n : all)
        if (n.name == name_or_id || n.id == name_or_id) return n;
    std::optional<NetworkConfig> match;
    for (auto& n : all) {
        if (!str::starts_with(n.id, name_or_id)) continue;
        if (match) throw Error("more than one network matches ID " + name_or_id + ": give more of it");
        match = n;
    }
    return match;
}

NetworkConfig NetworkStore::get(const std::string& name_or_id) const {
    auto n = find(name_or_id);
    if (!n) throw Error("unable to find network with name or ID " + name_or_id + ": network not found");
    return *n;
}

NetworkConfig NetworkStore::create(const NetworkCreateOptions& options, bool ignore_existing) {
    FileLock l = lock();
    auto existing = list();
    if (ignore_existing && !options.name.empty())
        for (const auto& n : existing)
            if (n.name == options.name) return n;
    NetworkConfig n = make_network_config(options, existing, host_interface_subnets());
    write_file_atomic(path(n.name), network_json(n).dump(5) + "\n", 0644);
    return n;
}

void NetworkStore::remove(const std::string& name) {
    if (name == kDefaultNetworkName) throw Error("default network " + name + " cannot be removed");
    FileLock l = lock();
    if (::unlink(path(name).c_str()) < 0 && errno != ENOENT) throw Error::sys("removing network " + name, errno);
}

}  // namespace pc::net
