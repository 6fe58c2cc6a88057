#include "container/mpi_preset.hpp"

#include <algorithm>
#include <filesystem>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/mpi_closure_cache.hpp"

namespace pc::container {

namespace {

const char* const kPassedPrefixes[] = {"PMIX_", "PMI_", "OMPI_", "OPAL_", "PRTE_", "SLURM_"};

// A variable of the launcher naming a directory the ranks open: PMIx's rendezvous and
// dstore dirs, Open MPI's session dirs (its vader segments' fallback location).
bool names_a_launcher_dir(const std::string& key) {
    const bool launcher = str::starts_with(key, "PMIX_") || str::starts_with(key, "PMI_") ||
                          str::starts_with(key, "OMPI_") || str::starts_with(key, "PRTE_");
    return launcher && (str::ends_with(key, "TMPDIR") || str::ends_with(key, "_BASE_PATH") ||
                        str::ends_with(key, "session_dir") || key == "OMPI_FILE_LOCATION");
}

bool under(const std::string& path, const std::string& dir) {
    return path == dir || str::starts_with(path, dir == "/" ? dir : dir + "/");
}

}  // namespace

MpiPreset mpi_preset(const std::string& name, const std::vector<std::string>& environment, const std::string& runroot) {
    if (name != "host") throw Error("invalid --mpi \"" + name + "\" (valid: host)");
    MpiPreset out;
    out.mounts.push_back({"bind", "/dev/shm", "/dev/shm", {"rw"}, false, false, false});
    std::vector<std::string> dirs;
    for (const auto& e : environment) {
        auto [key, value] = str::split_once(e, '=');
        std::error_code ec;
        if (!value || value->empty() || (*value)[0] != '/' || !names_a_launcher_dir(std::string(key))) continue;
        const std::filesystem::path real = std::filesystem::canonical(*value, ec);
        if (!ec && real != "/" && std::filesystem::is_directory(real, ec)) dirs.push_back(real.string());
    }
    // One bind for /tmp and the session dirs below it (PMIX_SYSTEM_TMPDIR=/tmp).
    std::sort(dirs.begin(), dirs.end());
    std::string last;
    for (const auto& d : dirs) {
        if (!last.empty() && under(d, last)) continue;
        last = d;
        out.mounts.push_back({"bind", d, d, {"rw"}, false, false, false});
    }
    HostMpi mpi = cached_host_mpi(environment, runroot);
    out.mounts.insert(out.mounts.end(), mpi.mounts.begin(), mpi.mounts.end());
    out.library_path = std::move(mpi.library_path);
    return out;
}

CreateOptions with_mpi_options(CreateOptions f) {
    if (f.userns.empty()) f.userns = "keep-id";
    if (f.net.all_networks().empty()) f.net.network = "host";
    if (f.pid.empty()) f.pid = "host";
    if (f.ipc.empty()) f.ipc = "host";
    std::vector<std::string> env;
    for (const char* p : kPassedPrefixes) env.push_back(std::string(p) + "*");
    f.env.insert(f.env.begin(), env.begin(), env.end());  // -e after them wins
    return f;
}

void add_mpi_mounts(std::vector<MountConfig>& mounts, const MpiPreset& preset) {
    // First, so that a flag's mount below one of them (-v DIR:/tmp/x) is not hidden.
    std::vector<MountConfig> out;
    for (const auto& m : preset.mounts) {
        auto same = [&](const MountConfig& o) { return o.destination == m.destination; };
        if (std::none_of(mounts.begin(), mounts.end(), same)) out.push_back(m);
    }
    out.insert(out.end(), mounts.begin(), mounts.end());
    mounts = std::move(out);
}

void prepend_library_path(std::vector<std::string>& env, const MpiPreset& preset) {
    std::string value = str::join(preset.library_path, ":");
    for (auto& e : env) {
        if (!str::starts_with(e, "LD_LIBRARY_PATH=")) continue;
        if (e.size() > 16) value += ":" + e.substr(16);
        e = "LD_LIBRARY_PATH=" + value;
        return;
    }
    env.push_back("LD_LIBRARY_PATH=" + value);
}

}  // namespace pc::container
