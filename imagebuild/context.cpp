#include "imagebuild/context.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "container/cp_archive.hpp"
#include "storage/lazy_libraries.hpp"

namespace pc::build {

BuildContext::BuildContext(const std::string& dir, IgnoreMatcher ignore, std::string name)
    : dir_(dir), ignore_(std::move(ignore)), name_(std::move(name)) {
    fd_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd_) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw Error("the build context " + dir + " is not a directory: no such file or directory");
        throw Error::sys("opening the build context " + dir);
    }
}

std::string find_ignore_file(const std::string& context_dir, const std::string& containerfile_path,
                             const std::string& explicit_path) {
    if (!explicit_path.empty()) {
        if (::access(explicit_path.c_str(), R_OK) != 0) throw Error::sys("--ignorefile " + explicit_path);
        return explicit_path;
    }
    auto exists = [](const std::string& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    if (!containerfile_path.empty()) {
        // Buildah's order: the file beside the Containerfile, .dockerignore winning over
        // .containerignore when both are there.
        if (exists(containerfile_path + ".dockerignore")) return containerfile_path + ".dockerignore";
        if (exists(containerfile_path + ".containerignore")) return containerfile_path + ".containerignore";
    }
    if (context_dir.empty()) return "";
    if (exists(context_dir + "/.containerignore")) return context_dir + "/.containerignore";
    if (exists(context_dir + "/.dockerignore")) return context_dir + "/.dockerignore";
    return "";
}

IgnoreMatcher load_ignore_file(const std::string& path) {
    if (path.empty()) return IgnoreMatcher();
    return IgnoreMatcher(parse_ignore_file(read_file(path)), path);
}

void extract_tar_as_caller(int fd, const std::string& dir, const std::string& what) {
    UniqueFd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw Error::sys("opening " + dir);
    storage::load_archive_libraries();
    container::ExtractSpec spec;
    spec.root_fd = root.get();
    spec.dest = "/";
    spec.where = dir;
    spec.raw = true;
    spec.host_side = true;
    try {
        container::extract_copy_archive(fd, spec);
    } catch (const Error& e) {
        throw Error(what + ": " + e.what());
    }
}

}  // namespace pc::build
