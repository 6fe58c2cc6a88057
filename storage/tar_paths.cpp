#include "storage/tar_paths.hpp"

namespace pc::storage {

std::string EntryPath::joined() const {
    std::string out;
    for (const auto& c : components) {
        if (!out.empty()) out += '/';
        out += c;
    }
    return out;
}

namespace {

// Splits at '/', dropping empty and "." components; nullopt on "..".
std::optional<std::vector<std::string>> split_clean(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find('/', i);
        if (j == std::string_view::npos) j = s.size();
        std::string_view comp = s.substr(i, j - i);
        if (comp == "..") return std::nullopt;
        if (!comp.empty() && comp != ".") out.emplace_back(comp);
        i = j + 1;
    }
    return out;
}

}  // namespace

PathCheck normalize_entry_path(std::string_view name) {
    PathCheck r;
    if (name.find('\0') != std::string_view::npos) {
        r.error = "name contains a NUL byte";
        return r;
    }
    if (!name.empty() && name.front() == '/') {
        r.error = "absolute path not allowed";
        return r;
    }
    auto comps = split_clean(name);
    if (!comps) {
        r.error = "path escapes the layer";
        return r;
    }
    r.path = EntryPath{std::move(*comps)};
    return r;
}

PathCheck check_hardlink_target(std::string_view target) {
    PathCheck r = normalize_entry_path(target);
    if (!r.path) {
        r.error = "hard link target \"" + std::string(target) + "\": " + r.error;
        return r;
    }
    if (r.path->components.empty()) {
        r.path.reset();
        r.error = "hard link to the layer root";
    }
    return r;
}

std::string check_symlink_target(const EntryPath& entry, std::string_view target) {
    if (target.empty()) return "empty symlink target";
    if (target.find('\0') != std::string_view::npos) return "symlink target contains a NUL byte";
    if (target.front() == '/') return "";
    // Depth of the link's directory below the layer root; each ".." climbs one level.
    long depth = static_cast<long>(entry.components.size()) - 1;
    if (depth < 0) return "symlink at the layer root";
    size_t i = 0;
    while (i <= target.size()) {
        size_t j = target.find('/', i);
        if (j == std::string_view::npos) j = target.size();
        std::string_view comp = target.substr(i, j - i);
        if (comp == "..") {
            if (--depth < 0) return "symlink target \"" + std::string(target) + "\" escapes the layer";
        } else if (!comp.empty() && comp != ".") {
            ++depth;
        }
        i = j + 1;
    }
    return "";
}

}  // namespace pc::storage
