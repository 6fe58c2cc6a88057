// keep-id copies of layers (Store::keep_id_lowers; the owners: keep_id_owners.hpp):
//
//   layers/<chain-hex>/keep-id/<key>/           the copy, a lower dir as diff/ is
//   layers/<chain-hex>/keep-id/<key>.unmapped   the layer has an owner the mapping cannot
//                                               show (the reason): fuse-overlayfs for it
//
// Kept in the layer's own dir, so every removal of the layer (rmi, prune, system reset)
// removes its copies. A copy is assembled in layers/.tmp-PID-RANDOM/ (collected as the
// leftover of a dead PID) and renamed into place under layers/.keep-id.lock, so that ranks
// of one job starting together make it once and the others wait for it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/file_lock.hpp"
#include "common/log.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns.hpp"
#include "storage/keep_id_owners.hpp"
#include "storage/store.hpp"
#include "storage/vfs_copy.hpp"

namespace pc::storage {

namespace {

constexpr const char* kUnmappedSuffix = ".unmapped";

// The layers without a copy; nullopt (with `why`) when one cannot have one.
std::optional<std::vector<KeepIdCopyJob>> missing_copies(Store& store, const std::vector<std::string>& layers,
                                                   const std::string& key, std::string& why) {
    std::vector<KeepIdCopyJob> missing;
    for (const auto& l : layers) {
        const std::string copy = store.layer_dir(l) + "/keep-id/" + key;
        if (::access(copy.c_str(), F_OK) == 0) continue;
        if (auto reason = try_read_file(copy + kUnmappedSuffix)) {
            why = *reason;
            return std::nullopt;
        }
        const std::string diff = store.layer_dir(l) + "/diff";
        if (::access(diff.c_str(), F_OK) != 0) {
            why = "layer " + l + " is in a read-only additional image store";
            return std::nullopt;
        }
        missing.push_back({diff, copy});
    }
    return missing;
}

}  // namespace

std::optional<std::vector<std::string>> Store::keep_id_lowers(const std::vector<std::string>& layers,
                                                              const rootless::IdMapping& container, std::string& why) {
    // overlay needs at least one lower: an image built FROM scratch with no layers.
    if (layers.empty()) return std::vector<std::string>{empty_layer_dir()};
    const std::string key = keep_id_copy_key(container);
    auto missing = missing_copies(*this, layers, key, why);
    if (!missing) return std::nullopt;
    if (!missing->empty()) {
        FileLock l(layers_dir() + "/.keep-id.lock");
        missing = missing_copies(*this, layers, key, why);  // made while we waited?
        if (!missing) return std::nullopt;
        if (!missing->empty() && !make_keep_id_copies(*missing, container, why)) return std::nullopt;
    }
    std::vector<std::string> lowers;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) lowers.push_back(layer_dir(*it) + "/keep-id/" + key);
    return lowers;
}

bool Store::make_keep_id_copies(const std::vector<KeepIdCopyJob>& jobs, const rootless::IdMapping& container,
                                std::string& why) {
    log::timing("making keep-id copies of " + std::to_string(jobs.size()) + " layer(s)");
    collect_garbage(layers_dir());
    const std::string tmp = make_temp_layer_dir(false);
    for (const auto& j : jobs) ensure_dir(j.target.substr(0, j.target.rfind('/')), 0700);
    // Runs in the store's namespace (D): an owner reads as its image id k and is given
    // the id whose host id is K(k).
    const rootless::IdMapping owners = keep_id_owner_translation(mapping(), container);
    Pipe result = Pipe::make();
    auto child = rootless::UsernsChild::enter(mapping(), 0, [&]() -> int {
        result.read.reset();
        UniqueFd t(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!t) throw Error::sys("opening " + tmp);
        for (size_t i = 0; i < jobs.size(); ++i) {
            const std::string name = std::to_string(i);
            if (::mkdirat(t.get(), name.c_str(), 0700) < 0) throw Error::sys("creating " + tmp + "/" + name);
            UniqueFd src(::open(jobs[i].source.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd dst(::openat(t.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!src || !dst) throw Error::sys("opening " + jobs[i].source);
            try {
                copy_layer_as_is(dst.get(), src.get(), jobs[i].source, owners);
            } catch (const UnmappedOwner& e) {
                const std::string text = std::to_string(i) + "\n" + e.what();
                if (!write_all(result.write.get(), text.data(), text.size())) throw Error::sys("reporting an owner");
                return 0;
            }
            // Renamed here: moving a directory needs write access to it (its ".."), and it
            // is owned by a subordinate id now.
            if (::renameat(t.get(), name.c_str(), AT_FDCWD, jobs[i].target.c_str()) < 0 && errno != EEXIST &&
                errno != ENOTEMPTY)
                throw Error::sys("renaming the keep-id copy to " + jobs[i].target);
        }
        return 0;
    });
    result.write.reset();
    child.map_and_release(mapping());
    std::string text;
    (void)read_to_eof(result.read.get(), text);
    try {
        child.wait_ok();
    } catch (const Error& e) {
        discard_temp_layer(tmp);
        throw Error("making the keep-id copy of a layer: " + std::string(e.what()), e.exit_code());
    }
    discard_temp_layer(tmp);
    log::timing("keep-id copies made");
    if (text.empty()) return true;
    // Recorded, so that later containers with this mapping go to fuse-overlayfs at once.
    const auto nl = text.find('\n');
    const KeepIdCopyJob& job = jobs[std::stoul(text.substr(0, nl))];
    why = text.substr(nl + 1) + ", which --userns=keep-id with this mapping cannot show";
    write_file_atomic(job.target + kUnmappedSuffix, why, 0600, false);
    return false;
}

}  // namespace pc::storage
