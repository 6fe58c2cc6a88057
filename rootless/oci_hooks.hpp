// OCI runtime hooks (runtime-spec config.md "POSIX-platform Hooks"), as CDI specs name
// them: each runs as `path` with `args` (args[0] is its argv[0]) and exactly `env`, the
// container's state JSON on its stdin, and is killed after `timeout` seconds.
//
// Where pc runs each stage (rootless: there is no separate runtime namespace):
//   createRuntime, prestart, createContainer  the container's init, in the container's
//       namespaces once its filesystems are mounted, before pivot_root (host paths)
//   startContainer  the container's init after pivot_root, right before the payload
//   poststart       the monitor, once the payload runs
//   poststop        the process that records the container's final exit
// A failing hook before the payload fails the start (exit 125, naming the hook); a
// failing poststart or poststop hook is logged.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pc::rootless {

struct HookSpec {
    std::string stage, path;
    std::vector<std::string> args, env;
    int timeout = 0;  // seconds, 0 = none
};

// {"ociVersion","id","status","pid","bundle"} as the runtime spec's state.
std::string hook_state_json(const std::string& id, const std::string& status, pid_t pid, const std::string& bundle);

// Runs the hooks of `stage`, in order; throws pc::Error naming the hook on failure
// (non-zero exit, signal, timeout, not executable).
void run_hooks(const std::vector<HookSpec>& hooks, const std::string& stage, const std::string& state_json);

}  // namespace pc::rootless
