// Writing a layer tree back as a tar stream (libarchive archive_write, pax): the inverse of
// tar_extract. Runs in the caller's process, which must see the files with their image ids
// (inside a user namespace with the store's mapping, see Store::write_tree_tar).
#pragma once

#include <cstdint>
#include <optional>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

namespace pc::storage {

enum class TreeTarView {
    // One directory in overlay form (a layer's diff or a container's upper) written as an
    // OCI layer: char 0:0 whiteouts become ".wh.NAME", user.overlay.opaque dirs get a
    // ".wh..wh..opq" entry.
    Diff,
    // Several directories, top-most first, merged the way overlayfs shows them (whiteouts
    // and opaque dirs hide lower content): a flat root filesystem (`pc export`).
    Flatten,
};

// Regular files whose content the caller holds in memory because it has just written them
// (a build's COPY of small files), by path relative to the tree ("a/b"): a file of the tree
// with one link and exactly this size and modification time is written from here, not
// read again. Its writer set no extended attributes, so none are looked for.
struct KnownFile {
    const std::string* content = nullptr;
    struct timespec mtime {};
};
using KnownContent = std::unordered_map<std::string, KnownFile>;

// Writes the tar stream to `out_fd`; entries are sorted by name so the same tree always
// gives the same bytes. Throws pc::Error naming the file that could not be read.
// `mtime`: every entry's modification time (reproducible builds: --timestamp); else the
// files' own.
void write_tree_tar(const std::vector<std::string>& dirs_top_first, int out_fd, TreeTarView view,
                    std::optional<int64_t> mtime = std::nullopt, const KnownContent* known = nullptr);

}  // namespace pc::storage
