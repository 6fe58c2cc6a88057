#include "common/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "common/error.hpp"

namespace pc {

namespace {
UniqueFd open_lock_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) throw Error::sys("opening lock " + path);
    return fd;
}
int op_for(FileLock::Mode mode) { return mode == FileLock::Mode::Shared ? LOCK_SH : LOCK_EX; }
}  // namespace

FileLock::FileLock(const std::string& path, Mode mode) : fd_(open_lock_file(path)) {
    while (::flock(fd_.get(), op_for(mode)) < 0) {
        if (errno != EINTR) throw Error::sys("locking " + path);
    }
}

FileLock FileLock::try_lock(const std::string& path, Mode mode) {
    FileLock lock;
    UniqueFd fd = open_lock_file(path);
    if (::flock(fd.get(), op_for(mode) | LOCK_NB) == 0) lock.fd_ = std::move(fd);
    return lock;
}

}  // namespace pc
