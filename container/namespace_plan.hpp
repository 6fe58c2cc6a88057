// Which namespaces a container's P1 joins and which it makes (container/launcher.hpp).
//
// A container makes its own pid, uts, ipc and network namespaces unless its configuration
// names another's: --network container:X / ns:PATH, --ipc/--uts/--pid container:X, and a
// pod's members, which join their infra's. Joined namespaces are entered from the user
// namespace that owns them (PLATFORM.md §5: a namespace can only be joined from there), so
// every namespace joined must belong to one user namespace; it is joined first.
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"
#include "net/network_mode.hpp"
#include "rootless/ns_join.hpp"
#include "storage/store.hpp"

namespace pc::container {

struct NamespacePlan {
    // The user namespace first, then the others to join; empty: the user's own namespace
    // (the shared one, or a fresh one).
    std::vector<rootless::NamespaceFd> joins;
    // What P1 unshares for P2 (CLONE_NEWPID/NEWUTS/NEWIPC less what is joined).
    int unshare_flags = 0;
    bool own_net = false;   // P1 makes the network namespace (not joined, not the host's)
    bool joined() const { return !joins.empty(); }
};

// Opens what `cfg` joins. Throws pc::Error naming the option when a container to join does
// not exist or is not running, or when the namespaces to join belong to different user
// namespaces.
NamespacePlan plan_namespaces(storage::Store& store, const ContainerConfig& cfg, const net::NetworkMode& network);

// "container:<id>" -> the id; "" for anything else.
std::string shared_container(const std::string& mode);

}  // namespace pc::container
