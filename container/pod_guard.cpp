#include "container/pod_guard.hpp"

namespace pc::container {

namespace {
PodGuard g_guard = nullptr;
}

void set_pod_guard(PodGuard guard) { g_guard = guard; }

UniqueFd guard_pod_member(ContainerStore& containers, const ContainerConfig& cfg) {
    if (!g_guard || cfg.pod.empty()) return UniqueFd();
    return g_guard(containers, cfg);
}

}  // namespace pc::container
