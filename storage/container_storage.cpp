// A container's storage dirs: layers.json (which layers it pins: remove_image keeps them),
// then upper/work/merged for the overlay drivers or a full rootfs/ copy for vfs.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns.hpp"
#include "storage/store.hpp"
#include "storage/vfs_copy.hpp"

namespace pc::storage {

std::string Store::temp_container_id() {
    return ".tmp-" + std::to_string(::getpid()) + "-" + str::random_hex_id().substr(0, 12);
}

void Store::create_container_storage(const std::string& id, const std::vector<std::string>& layers, bool durable) {
    if (id.empty() || id.find('/') != std::string::npos || (id.front() == '.' && !str::starts_with(id, ".tmp-")))
        throw Error("invalid container id \"" + id + "\"");
    for (const auto& l : layers)
        if (!find_layer(l)) throw Error("container " + id + ": layer " + l + " is not in the store");
    const Driver drv = driver();
    const std::string dir = container_dir(id);
    ensure_layout();
    ensure_dir(dir, 0700);
    // Written first: from here on remove_image keeps these layers.
    write_json_atomic(dir + "/layers.json", nlohmann::json(layers), durable);

    if (drv != Driver::Vfs) {
        // Owned by the caller, i.e. root in the container's namespace; the upper dir's mode
        // is the mode of the container's "/".
        ensure_dir(dir + "/upper", 0755);
        ensure_dir(dir + "/work", 0700);
        ensure_dir(dir + "/merged", 0755);
        return;
    }
    const std::string rootfs = dir + "/rootfs";
    ensure_dir(rootfs, 0755);
    std::vector<std::string> diffs;
    for (const auto& l : layers) diffs.push_back(layer_diff_dir(l));
    rootless::run_in_userns(mapping(), [&] {
        UniqueFd dst(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dst) throw Error::sys("opening " + rootfs);
        for (const auto& d : diffs) {
            UniqueFd src(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!src) throw Error::sys("opening " + d);
            copy_layer_onto(dst.get(), src.get(), rootfs);
            // The root directory's own attributes come from the layer, as with overlay.
            struct stat st {};
            if (::fstat(src.get(), &st) == 0) {
                ::fchown(dst.get(), st.st_uid, st.st_gid);
                ::fchmod(dst.get(), st.st_mode & 07777);
            }
        }
    });
}

}  // namespace pc::storage
