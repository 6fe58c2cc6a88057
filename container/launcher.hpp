// Starting a container's processes (DESIGN.md "Process model"):
//
//   monitor M (host user ns; the CLI process for a foreground run)
//    └─ P1: clone(CLONE_NEWUSER), mapped by M (newuidmap/newgidmap), stays in the host
//       │   mount ns. While M writes the mapping: setsid; unshare(NET) with lo up (and,
//       │   with the default network, the tap device); unshare(PID|UTS|IPC); fork P2.
//       │   Then it hands the tap to M and makes sockets in the container's netns for
//       │   M's port proxy; waits for P2 and exits with its status (128+N for a signal).
//       │   With --network container:X or ns:PATH, P1 is forked instead and joins the
//       │   user namespace that owns that netns, then it.
//       └─ P2: PID 1 of the container: unshare(NS), then waits at a gate that M opens
//              once the mapping is written; mounts the rootfs, then
//              rootless::exec_container (mounts, pivot_root, security, execve).
//
// P1 keeps the user namespace alive; P2's failures before execve come back to M over a
// pipe with the exit code Podman would use (125/126/127). M runs the network's slirp
// stack and port proxy (Launched::network) in its poll loop.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "common/fd.hpp"
#include "container/config.hpp"
#include "net/container_network.hpp"
#include "rootless/userns.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct Launched {
    rootless::UsernsChild p1;
    pid_t init_pid = 0;   // host pid of the container's PID 1
    UniqueFd pty_master;  // with a terminal
    // The container's own network (default mode) or its side of networks by name,
    // attached: the monitor polls it.
    std::unique_ptr<net::ContainerNetwork> network;
    // Its addresses on networks by name (the container's state shows them).
    std::vector<net::Endpoint> endpoints;
    // With --rm: the container's mount namespace, held so that its teardown (unmounting
    // the overlay, /proc, /sys...: two expedited RCU grace periods, ~0.5 ms here) does not
    // happen in the exit of the container's last process, which the monitor waits for, but
    // in whichever process closes it last: the detached child that removes the container's
    // files (it inherits this fd) rather than the monitor. Empty when the payload was gone
    // before it could be opened.
    UniqueFd mount_ns;
    // The root filesystem is fuse-overlayfs (keep-id on vfs or fuse-overlayfs stores): with
    // --pid host its daemon outlives the payload and is stopped at the exit (fuse_daemon).
    bool fuse_rootfs = false;
};

// Starts `cfg` and returns once its payload has been exec'ed. Throws pc::Error (exit code
// 125, 126 or 127) after reaping everything when the container could not be started
// (a published port already in use fails before anything runs).
// `monitor_only`: descriptors of the caller that the container's processes must not keep
// (P1 never execs, so O_CLOEXEC does not drop them there): the monitor's end of a relayed
// stdin, whose closing must reach the payload as end of file.
Launched launch(storage::Store& store, const ContainerConfig& cfg, const std::vector<int>& monitor_only = {});

}  // namespace pc::container
