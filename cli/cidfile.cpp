#include "cli/cidfile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"

namespace pc::cli {

namespace {
const char* const kExists = "container id file exists. Ensure another container is not using it or delete it";
}

void check_cidfile_absent(const std::string& path) {
    if (::access(path.c_str(), F_OK) == 0) throw Error(kExists);
}

void write_cidfile(const std::string& path, const std::string& id) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
        if (errno == EEXIST) throw Error(kExists);
        throw Error("opening CIDFile: " + path + ": " + std::strerror(errno));
    }
    if (!write_all(fd.get(), id.data(), id.size())) throw Error::sys("writing CIDFile " + path);
}

std::optional<std::string> read_cidfile(const std::string& path, bool ignore_missing) {
    if (::access(path.c_str(), F_OK) != 0) {
        const int err = errno;
        if (ignore_missing && err == ENOENT) return std::nullopt;
        throw Error("reading CIDFile: open " + path + ": " + std::strerror(err));
    }
    auto text = try_read_file(path);
    if (!text) throw Error("reading CIDFile: " + path + ": cannot be read");
    return str::trim(*text);
}

}  // namespace pc::cli
