// The second process of a pod's infra container (`pc __pause`, Podman's `catatonit -P`):
// PID 1 of the pod's pid namespace, which members join with `pod create --share pid`.
// It only reaps the processes reparented to it and exits on SIGTERM, SIGINT or SIGHUP, so
// that `pod stop` ends it at once (a PID 1 ignores signals it has no handler for).
#pragma once

#include <string>

namespace pc::container {

// The program that runs it: pc-monitor next to pc (the smallest that knows the command),
// else pc itself. Resolved before forking: the infra's processes do not look it up.
std::string infra_pause_program();

// In the forked P2: drops every inherited descriptor and signal setting and execs the
// pause. Exits 125 when the exec fails.
[[noreturn]] void exec_infra_pause(const std::string& program);

// `pc __pause`.
[[noreturn]] void infra_pause_main();

}  // namespace pc::container
