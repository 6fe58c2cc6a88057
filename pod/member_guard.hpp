// The pod guard pod/ sets (container/pod_guard.hpp): a member is made and started under its
// pod's lock (ROOT/pods/<id>/lock) held shared, which remove_pod holds exclusively. So a
// member either makes it before a removal, which then takes it along, or finds its pod gone.
#pragma once

#include "common/fd.hpp"
#include "container/container_store.hpp"

namespace pc::pod {

// The held lock; throws Podman's "no such pod" when the pod is gone (or went while we
// waited for its removal to finish).
UniqueFd guard_member(container::ContainerStore& containers, const container::ContainerConfig& cfg);

}  // namespace pc::pod
