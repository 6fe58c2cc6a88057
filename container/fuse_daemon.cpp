#include "container/fuse_daemon.hpp"

#include <signal.h>

#include "common/log.hpp"
#include "common/proc_list.hpp"
#include "common/strings.hpp"

namespace pc::container {

void stop_fuse_daemons(const std::string& merged) {
    for (pid_t pid : proc_pids()) {
        const auto args = proc_cmdline(pid);
        // fuse-overlayfs's command line ends with the mount point.
        if (args.size() < 2 || !str::ends_with(args.front(), "fuse-overlayfs") || args.back() != merged) continue;
        if (::kill(pid, SIGTERM) == 0) log::debug("stopped fuse-overlayfs " + std::to_string(pid) + " of " + merged);
    }
}

}  // namespace pc::container
