// What `compose watch` does inside a service's containers: the sync (Docker Compose's tar
// sync: removed paths deleted with `rm -rf`, then every changed file, directory and
// symlink copied in one tar stream extracted at "/", missing directories made) and the
// sync+exec command.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compose/model.hpp"
#include "container/container_store.hpp"

namespace pc::compose {

// A changed host path and where it goes in the container (absolute).
struct SyncPath {
    std::string host;
    std::string container;
};

// Copies the paths that exist on the host into each container (running or stopped), and
// deletes the others in the running ones (a stopped container keeps them: `warning` says
// so). Throws pc::Error naming the container that failed.
void sync_to_containers(container::ContainerStore& containers, const std::vector<container::Container>& ctrs,
                        const std::vector<SyncPath>& paths, const std::function<void(const std::string&)>& warning);

// Runs `hook` (a sync+exec trigger's exec) in each running container, its output to `out`
// and `err`; a non-zero exit is an error naming the container and the command.
void run_exec_hook(container::ContainerStore& containers, const std::vector<container::Container>& ctrs,
                   const ServiceHook& hook, int out, int err);

}  // namespace pc::compose
