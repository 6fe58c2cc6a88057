#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pc {


void fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) ::fsync(fd.get());
}

void write_file_atomic(const std::string& path, std::string_view content, unsigned mode, bool durable) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000);
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd) throw Error::sys("writing " + path);
    if (!write_all(fd.get(), content.data(), content.size()) || (durable && ::fsync(fd.get()) < 0)) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error::sys("writing " + path, err);
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error::sys("renaming " + tmp + " to " + path, err);
    }
    // No fsync of the directory: the rename is atomic either way (a crash leaves the old
    // content or the new one, DESIGN.md), and a second fsync per record (~4 ms here) would
    // only make the new name survive a power loss a little sooner.
}

void write_json_atomic(const std::string& path, const nlohmann::json& value, bool durable) {
    write_file_atomic(path, value.dump(2) + "\n", 0644, durable);
}

std::optional<std::string> try_read_file(const std::string& path, bool short_read_is_eof) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw Error::sys("reading " + path);
    }
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::sys("reading " + path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (short_read_is_eof && static_cast<size_t>(n) < sizeof(buf)) break;
    }
    return out;
}

std::string read_file(const std::string& path) {
    auto s = try_read_file(path);
    if (!s) throw Error::sys("reading " + path, ENOENT);
    return *s;
}

std::optional<nlohmann::json> try_read_json(const std::string& path) {
    auto s = try_read_file(path);
    if (!s) return std::nullopt;
    try {
        return nlohmann::json::parse(*s);
    } catch (const nlohmann::json::exception& e) {
        throw Error("parsing " + path + ": " + e.what());
    }
}

nlohmann::json read_json(const std::string& path) {
    auto j = try_read_json(path);
    if (!j) throw Error::sys("reading " + path, ENOENT);
    return *j;
}

}  // namespace pc
