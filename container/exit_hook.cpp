#include "container/exit_hook.hpp"

#include "common/log.hpp"
#include "container/spec_builder.hpp"

namespace pc::container {

namespace {
ExitHook g_hook = nullptr;
}

void set_exit_hook(ExitHook hook) { g_hook = hook; }

void run_exit_hook(ContainerStore& containers, const ContainerConfig& cfg) noexcept {
    run_monitor_hooks(containers.storage(), cfg, "poststop", 0);  // the container's OCI hooks (CDI)
    if (!g_hook) return;
    try {
        g_hook(containers, cfg);
    } catch (const std::exception& e) {
        log::warn("after container " + cfg.name + " exited: " + e.what());
    }
}

}  // namespace pc::container
