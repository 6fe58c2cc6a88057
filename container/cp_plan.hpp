// `pc cp` destination rules (Docker's and Podman's), pure so they are unit-tested:
//
//   SRC file -> DEST missing   : DEST is created (a trailing '/' means "a directory that
//                                must exist": error)
//            -> DEST directory : DEST/basename(SRC)
//            -> DEST file      : overwritten
//   SRC dir  -> DEST missing   : DEST is created with SRC's contents
//            -> DEST directory : DEST/basename(SRC), or the contents merged into DEST when
//                                SRC ends in "/."
//            -> DEST file      : error
#pragma once

#include <string>

namespace pc::container {

enum class NodeType { Missing, Directory, Other };

// `dest` as given ("/a/b", "/a/b/", "."); `dest_type` what it names now.
// Returns the path (in the same namespace as `dest`, lexically cleaned but relative paths
// kept relative) that the top of the copied tree becomes. `top` is SRC's base name.
// Throws pc::Error with Podman-like messages.
std::string copy_target(const std::string& dest, NodeType dest_type, bool src_is_dir, bool contents_only,
                        const std::string& top);

// SRC "x/." or "x/" variants: `contents_only` for "/.", and the base name used as `top`.
struct SourceName {
    std::string top;          // base name; "." when the contents of a directory are copied
    bool contents_only = false;
    bool follow = false;      // a trailing '/' or "/." follows a final symlink (to a dir)
};
SourceName source_name(const std::string& src);

// Parent and base name of a path: "/a/b" -> {"/a", "b"}, "b" -> {".", "b"}, "/" -> {"/", "."}.
std::pair<std::string, std::string> split_parent(const std::string& path);

}  // namespace pc::container
