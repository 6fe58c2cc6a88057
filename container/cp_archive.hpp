// The tar streams of `pc cp` (libarchive, pax): a tree written from inside a root, and a
// stream extracted into a root without ever leaving it.
//
// Writing resolves the source in `root_fd` with RESOLVE_IN_ROOT (a container's symlinks
// stay inside the container) and walks below it without following any symlink (they are
// stored as symlinks). Extraction resolves the destination in the root the same way, then
// creates every entry below it with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: an entry can
// neither leave the destination nor write through a symlink (the archive's own or one that
// was already there), and ".." in names is refused.
#pragma once

#include <string>
#include <vector>

namespace pc::container {

// Writes the node at `path` (in `root_fd`) as a stream whose first entry is `top` (the
// node itself; "." when only a directory's contents are wanted) followed by "top/child..."
// entries. `follow`: a final symlink is followed (inside the root). Throws pc::Error; a
// missing source gives `"PATH" could not be found on WHERE: no such file or directory`.
void write_copy_archive(int root_fd, const std::string& path, bool follow, const std::string& top, int out_fd,
                        const std::string& where);

// A node of the host stored under a name of its own (compose watch's sync: changed files
// at their paths in the container). Directories are written without their contents,
// symlinks as symlinks; a node that no longer exists is left out.
struct ArchiveNode {
    std::string host_path;  // absolute
    std::string name;       // in the archive, relative ("app/src/main.js")
};
void write_nodes_archive(const std::vector<ArchiveNode>& nodes, int out_fd);

struct ExtractSpec {
    int root_fd = -1;
    std::string dest;        // the destination as given, resolved in root_fd
    std::string where;       // "container NAME" / "the host", for messages
    bool raw = false;        // a user's tar stream: extracted as is into `dest`, a directory
                             // (missing parents of its entries are made, 0755)
    bool keep_ids = false;   // chown entries to the archive's uid/gid (-a)
    bool host_side = false;  // drop setuid/setgid bits; device nodes are skipped
};

// Reads a (possibly compressed) tar stream from `in_fd` and extracts it per `spec`, using
// the destination rules of cp_plan.hpp for streams written by write_copy_archive.
void extract_copy_archive(int in_fd, const ExtractSpec& spec);

}  // namespace pc::container
