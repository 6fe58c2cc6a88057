#include "container/mpi_closure.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "container/elf_deps.hpp"

namespace fs = std::filesystem;

namespace pc::container {

namespace {

std::string env_value(const std::vector<std::string>& environment, const std::string& key) {
    for (const auto& e : environment)
        if (str::starts_with(e, key + "=")) return e.substr(key.size() + 1);
    return "";
}

std::string real_path(const std::string& p) {
    std::error_code ec;
    fs::path r = fs::canonical(p, ec);
    return ec ? "" : r.string();
}

std::string parent(const std::string& p) { return fs::path(p).parent_path().string(); }

// Every file and directory whose change could change the closure (a library rebuilt, a
// plugin added, mpirun pointed elsewhere, the loader cache rewritten), for the cache
// (container/mpi_closure_cache.hpp) to check. Absent paths count: one appearing would be
// found. Each is signed when first looked at, before it is read: a change after that is a
// change the next launch sees.
using Inputs = std::map<std::string, std::string>;

void note(Inputs& inputs, const std::string& path) { inputs.try_emplace(path, file_signature(path)); }

bool is_dir(const std::string& p, Inputs& inputs) {
    note(inputs, p);
    std::error_code ec;
    return fs::is_directory(p, ec);
}

// "libmpi.so.40": the name the loader looks for (a development libmpi.so link is not one).
bool is_soname(const std::string& name, const std::string& stem) {
    if (!str::starts_with(name, stem + ".so.")) return false;
    const std::string v = name.substr(stem.size() + 4);
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string libmpi_in(const std::string& dir, Inputs& inputs) {
    note(inputs, dir);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (is_soname(e.path().filename().string(), "libmpi")) return e.path().string();
    return "";
}

// The C library's own: the image has them, and its libc must be the one its loader loads.
bool from_the_image(const std::string& name) {
    static const char* glibc[] = {"libc.so.", "libm.so.", "libpthread.so.", "libdl.so.", "librt.so.", "libresolv.so.",
                                  "libutil.so.", "libanl.so.", "libmvec.so.", "libnsl.so.", "libthread_db.so.",
                                  "libBrokenLocale.so.", "libc_malloc_debug.so.", "ld-linux", "ld64.so."};
    return std::any_of(std::begin(glibc), std::end(glibc), [&](const char* p) { return str::starts_with(name, p); });
}

// `ldconfig -p`: soname -> paths, in the cache's order (several for several ABIs).
std::map<std::string, std::vector<std::string>> loader_cache(Inputs& inputs) {
    std::map<std::string, std::vector<std::string>> out;
    note(inputs, "/etc/ld.so.cache");
    std::string ldconfig = find_program("ldconfig");
    for (const char* p : {"/sbin/ldconfig", "/usr/sbin/ldconfig"})
        if (ldconfig.empty() && ::access(p, X_OK) == 0) ldconfig = p;
    if (ldconfig.empty()) return out;
    RunResult r = run_capture({ldconfig, "-p"});
    for (const auto& line : str::split(r.output, '\n')) {
        const auto arrow = line.find(" => ");
        if (arrow == std::string::npos) continue;
        const std::string name = str::trim(line.substr(0, line.find(" (")));
        out[name].push_back(str::trim(line.substr(arrow + 4)));
    }
    return out;
}

std::string find_libmpi(const std::vector<std::string>& environment,
                        const std::map<std::string, std::vector<std::string>>& cache, Inputs& inputs) {
    if (const std::string named = env_value(environment, "PC_MPI_LIBRARY"); !named.empty()) {
        if (::access(named.c_str(), R_OK) != 0) throw Error("PC_MPI_LIBRARY=" + named + ": no such readable file");
        return named;
    }
    for (const auto& dir : str::split(env_value(environment, "PATH"), ':')) {
        if (dir.empty()) continue;
        note(inputs, dir);  // an mpirun installed earlier in PATH
        if (::access((dir + "/mpirun").c_str(), X_OK) != 0) continue;
        note(inputs, dir + "/mpirun");  // followed: another target is another file
        const std::string prefix = parent(parent(real_path(dir + "/mpirun")));
        for (const std::string& lib : {prefix + "/lib", prefix + "/lib64"})
            if (std::string f = libmpi_in(lib, inputs); !f.empty()) return f;
        // PREFIX/lib/<triplet> (Debian's /usr/lib/x86_64-linux-gnu): known to the loader's cache.
        for (const auto& [name, paths] : cache)
            for (const auto& p : paths)
                if (is_soname(name, "libmpi") && str::starts_with(real_path(p), prefix + "/lib/")) return p;
        break;  // the mpirun the user would run
    }
    for (const auto& [name, paths] : cache)
        if (is_soname(name, "libmpi")) return paths.front();
    throw Error("--mpi: no MPI library found on this host (no libmpi.so.N next to an mpirun in PATH, none in ldconfig's "
                "cache); install the site's MPI or name its library with PC_MPI_LIBRARY=/path/to/libmpi.so.N");
}

// PREFIX of a library directory: /usr/lib/x86_64-linux-gnu -> /usr, /opt/ompi/lib64 -> /opt/ompi.
std::string prefix_of(std::string libdir) {
    if (fs::path(parent(libdir)).filename() == "lib") libdir = parent(libdir);
    return parent(libdir);
}

class Closure {
public:
    Closure(const ElfDeps& root, std::map<std::string, std::vector<std::string>> cache, Inputs& inputs)
        : class_(root.elf_class), machine_(root.machine), cache_(std::move(cache)), inputs_(inputs) {}

    // A library (or plugin) and, transitively, what it needs.
    void add(const std::string& path, const std::string& name, bool bind) {
        // Bound at the name the loader asks for, in the directory's real path (/lib is
        // /usr/lib on a merged-/usr host), from the file the name leads to.
        const std::string real = real_path(path), dir = real_path(parent(path));
        if (real.empty() || dir.empty()) return;
        const std::string dest = dir + "/" + name;
        if (!seen_.insert(dest).second) return;
        if (bind) files_[dest] = real;
        const ElfDeps* deps = elf(real);
        if (!deps) return;
        for (const auto& needed : deps->needed) {
            if (from_the_image(needed)) continue;
            const std::string found = resolve(needed, *deps, parent(real));
            if (found.empty()) log::debug("--mpi: " + needed + " (needed by " + path + ") not found on the host");
            else add(found, needed, true);
        }
    }

    const std::map<std::string, std::string>& files() const { return files_; }

private:
    // Each file read once: a plugin directory's files mostly need the same few libraries.
    const ElfDeps* elf(const std::string& path) {
        auto [it, added] = elf_.try_emplace(path);
        if (added) {
            note(inputs_, path);
            it->second = read_elf_deps(path);
        }
        return it->second ? &*it->second : nullptr;
    }
    bool fits(const std::string& p) {
        const ElfDeps* d = elf(p);
        return d && d->elf_class == class_ && d->machine == machine_;
    }
    std::string resolve(const std::string& needed, const ElfDeps& by, const std::string& origin) {
        if (needed.find('/') != std::string::npos) return needed;
        std::vector<std::string> dirs;
        for (std::string d : by.runpath) {
            if (auto at = d.find("$ORIGIN"); at != std::string::npos) d.replace(at, 7, origin);
            dirs.push_back(d);
        }
        for (const auto& d : dirs)
            if (fits(d + "/" + needed)) return d + "/" + needed;
        if (auto it = cache_.find(needed); it != cache_.end())
            for (const auto& p : it->second)
                if (fits(p)) return p;
        for (const char* d : {"/lib64", "/usr/lib64", "/lib", "/usr/lib"})
            if (fits(std::string(d) + "/" + needed)) return std::string(d) + "/" + needed;
        return "";
    }

    int class_, machine_;
    std::map<std::string, std::vector<std::string>> cache_;
    std::set<std::string> seen_;
    std::map<std::string, std::optional<ElfDeps>> elf_;
    std::map<std::string, std::string> files_;  // destination -> real source
    Inputs& inputs_;
};

bool under(const std::string& path, const std::string& dir) { return path == dir || str::starts_with(path, dir + "/"); }

}  // namespace

std::string file_signature(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "-";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
           std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
}

HostMpi find_host_mpi(const std::vector<std::string>& environment) {
    Inputs inputs;
    auto cache = loader_cache(inputs);
    HostMpi out;
    out.library = find_libmpi(environment, cache, inputs);
    note(inputs, out.library);
    const auto root = read_elf_deps(real_path(out.library));
    if (!root) throw Error("--mpi: " + out.library + " is not an ELF shared library");
    const std::string libdir = real_path(parent(out.library));
    const std::string prefix = prefix_of(libdir);
    const std::string sysconf = prefix == "/usr" ? "/etc" : prefix + "/etc";

    std::vector<std::string> dirs;  // bound whole
    for (const char* d : {"openmpi", "pmix", "pmix2", "ucx", "hwloc", "libfabric", "mpich"})
        if (is_dir(libdir + "/" + d, inputs)) dirs.push_back(libdir + "/" + d);
    const size_t plugin_dirs = dirs.size();
    for (const char* d : {"openmpi", "pmix", "mpich"})
        for (const std::string& base : {prefix + "/share", sysconf})
            if (is_dir(base + "/" + d, inputs)) dirs.push_back(base + "/" + d);
    for (const auto& p : str::split(env_value(environment, "PC_MPI_BIND"), ':')) {
        if (p.empty()) continue;
        note(inputs, p);
        if (::access(p.c_str(), F_OK) != 0) throw Error("PC_MPI_BIND: " + p + ": no such file or directory");
        dirs.push_back(real_path(p));
    }

    Closure closure(*root, std::move(cache), inputs);
    closure.add(out.library, fs::path(out.library).filename().string(), true);
    // The plugins are bound with their directories; what they need is followed.
    for (size_t i = 0; i < plugin_dirs; ++i) {
        std::error_code ec;
        for (fs::recursive_directory_iterator it(dirs[i], ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (it->is_directory(ec)) note(inputs, it->path().string());  // a plugin added
            if (it->is_regular_file(ec) && (str::ends_with(name, ".so") || name.find(".so.") != std::string::npos))
                closure.add(it->path().string(), name, false);
        }
    }

    std::sort(dirs.begin(), dirs.end());
    std::vector<std::string> bound;
    for (const auto& d : dirs) {
        if (!bound.empty() && under(d, bound.back())) continue;
        bound.push_back(d);
        out.mounts.push_back({"bind", d, d, {"ro"}, true, false, false});
    }
    // The libraries, wherever they live on the host, are bound side by side into one
    // tmpfs of the container's (kMpiLibraryDir) rather than at their own paths: each bind
    // then needs an empty file made in that tmpfs, where at the host path (in a keep-id
    // rootfs, which is fuse-overlayfs) it needed a lookup of every directory and a file
    // created through the fuse daemon: ~20 ms a rank for Debian's ~50 libraries.
    std::set<std::string> names;
    for (const auto& [dest, source] : closure.files()) {
        const std::string& file = dest;  // clang 14 cannot capture a structured binding
        if (std::any_of(bound.begin(), bound.end(), [&](const std::string& d) { return under(file, d); })) continue;
        const std::string name = fs::path(dest).filename().string();
        if (!names.insert(name).second) {  // the loader would take the first one too
            log::debug("--mpi: " + source + " not bound: another " + name + " is");
            continue;
        }
        if (names.size() == 1)
            out.mounts.push_back({"tmpfs", "", kMpiLibraryDir, {"mode=0755", "size=64k", "noexec"}, false, false, false});
        out.mounts.push_back({"bind", source, std::string(kMpiLibraryDir) + "/" + name, {"ro", "bind"}, true, false, false});
    }
    out.library_path.push_back(kMpiLibraryDir);
    out.inputs = std::move(inputs);
    return out;
}

}  // namespace pc::container
