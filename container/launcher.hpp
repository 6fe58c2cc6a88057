// Starting a container's processes (DESIGN.md "Process model"):
//
//   monitor M (host user ns; the CLI process for a foreground run)
//    └─ P1: clone(CLONE_NEWUSER), mapped by M (newuidmap/newgidmap), stays in the host
//       │   mount ns; setsid; unshare(PID|UTS|IPC[|NET]); brings up lo; waits for P2 and
//       │   exits with its status (128+N for a signal).
//       └─ P2: PID 1 of the container: unshare(NS), mounts the rootfs, then
//              rootless::exec_container (mounts, pivot_root, security, execve).
//
// P1 keeps the user namespace alive and is where later work that needs it (pods joining,
// cleanup) can run; P2's failures before execve come back to M over a pipe with the exit
// code Podman would use (125/126/127).
#pragma once

#include <optional>

#include "common/fd.hpp"
#include "container/config.hpp"
#include "rootless/userns.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct Launched {
    rootless::UsernsChild p1;
    pid_t init_pid = 0;   // host pid of the container's PID 1
    UniqueFd pty_master;  // with a terminal
};

// Starts `cfg` and returns once its payload has been exec'ed. Throws pc::Error (exit code
// 125, 126 or 127) after reaping everything when the container could not be started.
Launched launch(storage::Store& store, const ContainerConfig& cfg);

}  // namespace pc::container
