// Disk usage of a container's writable layer (`ps --size`, inspect's SizeRw) and of any
// tree (volumes, for `system df`).
#include <ftw.h>
#include <sys/stat.h>

#include "storage/store.hpp"

namespace pc::storage {

namespace {
thread_local uint64_t g_total = 0;

int add_entry(const char*, const struct stat* st, int type, struct FTW*) {
    // Apparent size of regular files and symlinks, as Podman reports SizeRw; directories
    // count for nothing. Unreadable directories (overlay's work dir) are skipped.
    if (type == FTW_F || type == FTW_SL) g_total += static_cast<uint64_t>(st->st_size);
    return 0;
}
}  // namespace

uint64_t tree_size(const std::string& path) {
    g_total = 0;
    ::nftw(path.c_str(), add_entry, 32, FTW_PHYS);
    return g_total;
}

uint64_t Store::container_rw_size(const std::string& id) {
    const std::string dir = container_dir(id);
    std::string tree = dir + "/upper";
    struct stat st {};
    if (::stat(tree.c_str(), &st) != 0) tree = dir + "/rootfs";
    return tree_size(tree);
}

}  // namespace pc::storage
