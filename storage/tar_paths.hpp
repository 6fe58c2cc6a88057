// Pure checks on tar entry names and link targets (no file system access), so that the
// hostile-input rules of layer extraction can be tested exhaustively without a namespace.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::storage {

// A checked entry name: relative, no "." / ".." / empty components. "" is the layer root.
struct EntryPath {
    std::vector<std::string> components;
    std::string joined() const;  // "a/b/c", "" for the root
};

// Normalizes a tar entry name: strips leading "./", repeated and trailing slashes and "."
// components; "/", "./" and "." name the layer root. Returns the reason instead when the
// name is absolute (other than the root), contains a ".." component or a NUL byte.
struct PathCheck {
    std::optional<EntryPath> path;
    std::string error;  // set when !path: "path escapes the layer", ...
};
PathCheck normalize_entry_path(std::string_view name);

// Hard-link targets are names of earlier entries of the same layer: same rules as entry
// names, and the layer root itself is not a valid target.
PathCheck check_hardlink_target(std::string_view target);

// A symlink at `entry` pointing at `target`: any target is fine, absolute or relative,
// even one climbing above the layer root (both resolve inside the container's root at run
// time, and extraction never follows a link); only an empty target, a NUL byte or a link
// replacing the root are refused. Returns the reason when refused, "" when fine.
std::string check_symlink_target(const EntryPath& entry, std::string_view target);

}  // namespace pc::storage
