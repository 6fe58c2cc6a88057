#include "container/cdi_registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::container::cdi {

namespace fs = std::filesystem;

std::vector<std::string> default_spec_dirs() { return {"/etc/cdi", "/var/run/cdi"}; }

std::vector<std::string> spec_dirs(const std::vector<std::string>& configured) {
    if (!configured.empty()) return configured;
    if (const char* env = std::getenv("PC_CDI_SPEC_DIRS"); env && *env) {
        std::vector<std::string> out;
        for (const auto& d : str::split(env, ':'))
            if (!d.empty()) out.push_back(d);
        return out;
    }
    return default_spec_dirs();
}

namespace {

struct Loaded {
    std::vector<Spec> specs;            // in priority order, lowest first
    std::vector<std::string> problems;  // "file: why" of specs that could not be used
};

Loaded load_specs(const std::vector<std::string>& dirs) {
    Loaded out;
    for (const auto& dir : dirs) {
        std::error_code ec;
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string ext = it->path().extension().string();
            if (ext == ".json" || ext == ".yaml" || ext == ".yml") files.push_back(it->path());
        }
        std::sort(files.begin(), files.end());  // a stable order within one directory
        for (const auto& f : files) {
            try {
                auto text = try_read_file(f.string());
                if (!text) throw Error(f.string() + ": cannot be read");
                out.specs.push_back(parse_spec(*text, f.string()));
            } catch (const Error& e) {
                out.problems.push_back(e.what());
            }
        }
    }
    return out;
}

}  // namespace

ContainerEdits resolve_devices(const std::vector<std::string>& names, const std::vector<std::string>& dirs) {
    const Loaded loaded = load_specs(dirs);
    // kind=name -> (spec, device), later directories winning.
    std::map<std::string, std::pair<const Spec*, const Device*>> index;
    for (const auto& s : loaded.specs)
        for (const auto& d : s.devices) index[s.kind + "=" + d.name] = {&s, &d};

    ContainerEdits out;
    std::vector<const Spec*> specs_used;
    std::vector<std::string> missing;
    auto append = [&](const ContainerEdits& e) {
        out.env.insert(out.env.end(), e.env.begin(), e.env.end());
        out.device_nodes.insert(out.device_nodes.end(), e.device_nodes.begin(), e.device_nodes.end());
        out.mounts.insert(out.mounts.end(), e.mounts.begin(), e.mounts.end());
        out.hooks.insert(out.hooks.end(), e.hooks.begin(), e.hooks.end());
        out.additional_gids.insert(out.additional_gids.end(), e.additional_gids.begin(), e.additional_gids.end());
    };
    std::vector<std::string> seen;
    for (const auto& name : names) {
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;  // asked twice: once
        seen.push_back(name);
        auto it = index.find(name);
        if (it == index.end()) {
            missing.push_back(name);
            continue;
        }
        const Spec* spec = it->second.first;
        if (std::find(specs_used.begin(), specs_used.end(), spec) == specs_used.end()) {
            specs_used.push_back(spec);
            append(spec->edits);
        }
        append(it->second.second->edits);
    }
    if (!missing.empty()) {
        std::string msg = "setting up CDI devices: unresolvable CDI devices " + str::join(missing, ", ") +
                          " (spec directories: " + str::join(dirs, ", ") + ")";
        for (const auto& p : loaded.problems) msg += "\n  skipped spec " + p;
        throw Error(msg);
    }
    return out;
}

}  // namespace pc::container::cdi
