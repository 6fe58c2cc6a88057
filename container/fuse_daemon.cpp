#include "container/fuse_daemon.hpp"

#include <dirent.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "common/log.hpp"
#include "common/strings.hpp"

namespace pc::container {

void stop_fuse_daemons(const std::string& merged) {
    DIR* d = ::opendir("/proc");
    if (!d) return;
    while (struct dirent* e = ::readdir(d)) {
        const int pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        std::ifstream in("/proc/" + std::string(e->d_name) + "/cmdline");
        const std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto args = str::split(cmd, '\0');
        if (args.size() < 2 || !str::ends_with(args.front(), "fuse-overlayfs")) continue;
        // The command line ends with the mount point, then (split's last piece) nothing.
        const std::string& target = args.back().empty() ? args[args.size() - 2] : args.back();
        if (target != merged) continue;
        if (::kill(pid, SIGTERM) == 0) log::debug("stopped fuse-overlayfs " + std::to_string(pid) + " of " + merged);
    }
    ::closedir(d);
}

}  // namespace pc::container
