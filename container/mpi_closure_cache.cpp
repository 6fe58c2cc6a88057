#include "container/mpi_closure_cache.hpp"

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/config.hpp"

namespace pc::container {

namespace {

constexpr int kFormat = 1;

std::string steering_key(const std::vector<std::string>& environment) {
    std::string key;
    for (const char* name : {"PATH=", "PC_MPI_LIBRARY=", "PC_MPI_BIND="}) {
        key += name;
        for (const auto& e : environment)
            if (str::starts_with(e, name)) key += e.substr(std::string(name).size());
        key += '\n';
    }
    return key;
}

// The pc that wrote an entry: another build may find or bind the closure another way.
std::string this_program() { return file_signature("/proc/self/exe"); }

std::optional<HostMpi> still_valid(const nlohmann::json& j, const std::string& key) {
    if (j.value("format", 0) != kFormat || j.value("key", "") != key || j.value("program", "") != this_program())
        return std::nullopt;
    HostMpi out;
    for (const auto& [path, sig] : j.at("inputs").items()) {
        if (file_signature(path) != sig.get<std::string>()) {
            log::debug("--mpi: " + path + " changed since the MPI closure was cached");
            return std::nullopt;
        }
        out.inputs.emplace(path, sig.get<std::string>());
    }
    out.library = j.at("library").get<std::string>();
    out.mounts = j.at("mounts").get<std::vector<MountConfig>>();
    out.library_path = j.at("library_path").get<std::vector<std::string>>();
    return out;
}

}  // namespace

std::string mpi_closure_cache_path(const std::string& runroot) { return runroot + "/mpi-closure.json"; }

HostMpi cached_host_mpi(const std::vector<std::string>& environment, const std::string& runroot) {
    const std::string path = mpi_closure_cache_path(runroot), key = steering_key(environment);
    try {
        if (auto j = try_read_json(path))
            if (auto hit = still_valid(*j, key)) return *hit;
    } catch (const std::exception& e) {  // a torn or foreign file: found again below
        log::debug("--mpi: ignoring " + path + ": " + e.what());
    }
    HostMpi found = find_host_mpi(environment);
    try {
        write_json_atomic(path,
                          {{"format", kFormat},
                           {"key", key},
                           {"program", this_program()},
                           {"inputs", found.inputs},
                           {"library", found.library},
                           {"mounts", found.mounts},
                           {"library_path", found.library_path}},
                          false);
    } catch (const std::exception& e) {
        log::debug("--mpi: not caching the MPI closure in " + path + ": " + e.what());
    }
    return found;
}

}  // namespace pc::container
