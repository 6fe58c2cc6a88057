#include "container/exit_hook.hpp"

#include "common/log.hpp"

namespace pc::container {

namespace {
ExitHook g_hook = nullptr;
}

void set_exit_hook(ExitHook hook) { g_hook = hook; }

void run_exit_hook(ContainerStore& containers, const ContainerConfig& cfg) noexcept {
    if (!g_hook) return;
    try {
        g_hook(containers, cfg);
    } catch (const std::exception& e) {
        log::warn("after container " + cfg.name + " exited: " + e.what());
    }
}

}  // namespace pc::container
