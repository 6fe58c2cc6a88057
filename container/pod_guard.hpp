// A pod's members must not be made or started while the pod is being removed: `pod rm -f`
// lists the pod's containers once, so a member made or started meanwhile (and the infra a
// member's start starts first) would outlive the pod as a record or a process with no
// owner. container/ knows nothing of pods; pod/ sets the guard from the programs that link
// it. The guard holds the pod's lock shared (members make and start together; removal
// holds it exclusively) and throws when the pod no longer exists.
#pragma once

#include "common/fd.hpp"
#include "container/config.hpp"

namespace pc::container {

class ContainerStore;

// The held lock is a descriptor (closing it lets go) rather than a FileLock: a launcher's
// P1, which never execs, must close its copy, or it would hold the lock for the
// container's whole life.
using PodGuard = UniqueFd (*)(ContainerStore& containers, const ContainerConfig& cfg);

void set_pod_guard(PodGuard guard);
// Held while `cfg` is made or started; empty for a container outside any pod (or while no
// guard is set). Throws pc::Error when its pod is gone.
UniqueFd guard_pod_member(ContainerStore& containers, const ContainerConfig& cfg);

}  // namespace pc::container
