#include "pod/member_guard.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"

namespace pc::pod {

UniqueFd guard_member(container::ContainerStore& containers, const container::ContainerConfig& cfg) {
    const std::string dir = containers.storage().pod_dir(cfg.pod);
    auto exists = [&] { return ::access((dir + "/config.json").c_str(), F_OK) == 0; };
    const Error gone("no pod with name or ID " + cfg.pod + " found: no such pod (container " + cfg.name +
                     " cannot join it)");
    if (!exists()) throw gone;
    // Not created: the pod's create made it, and a pod removed meanwhile has no directory.
    UniqueFd fd(::open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) throw gone;
    while (::flock(fd.get(), LOCK_SH) < 0)
        if (errno != EINTR) throw Error::sys("locking pod " + cfg.pod);
    // A removal renames the directory away before it lets go of the lock.
    if (!exists()) throw gone;
    return fd;
}

}  // namespace pc::pod
