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
        // "/" (umoci writes it first) names the layer root, as "./" and "." do: its mode
        // and owner apply to the root. Any other absolute name is refused.
        if (auto comps = split_clean(name); comps && comps->empty()) {
            r.path = EntryPath{};
            return r;
        }
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
    if (entry.components.empty()) return "symlink at the layer root";
    // Any other target is stored as it is, absolute or climbing above the layer root
    // ("etc/x -> ../../../usr/bin/x" is common): inside the container it resolves within
    // the root ("/.." is "/"). Extraction itself never resolves a link it created.
    return "";
}

}  // namespace pc::storage
