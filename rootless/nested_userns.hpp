// A user namespace nested in the user's shared one, for a keep-id container on networks
// by name: its network namespace must be made in the shared namespace, which owns the
// networks' namespace (net/network_holder), so the container's own user namespace is made
// inside that one afterwards. Here: its mapping in the shared namespace's ids, making it,
// and the order in which others join a container that has one.
#pragma once

#include <sys/types.h>

#include <vector>

#include "rootless/idmap.hpp"
#include "rootless/ns_join.hpp"

namespace pc::rootless {

// `inner` (ids inside -> host ids) expressed in the ids of a user namespace mapped by
// `outer`: the uid_map a process in `outer` writes for a namespace nested in it so that
// its ids reach the same host ids. Throws pc::Error when a host id of `inner` is not
// mapped by `outer`.
IdMapping nested_mapping(const IdMapping& inner, const IdMapping& outer);

// Writes /proc/PID/{uid_map,setgroups,gid_map} itself (no setuid helper): for a single
// mapping, or from the parent user namespace with its capabilities (a nested namespace,
// whose map newuidmap, acting from the host's namespace, cannot write).
void write_mapping_directly(pid_t pid, const IdMapping& m);

// Moves the calling process (single-threaded, with CAP_SETUID and CAP_SETGID in its user
// namespace) into a new user namespace nested in the current one, mapped by `m` in the
// current namespace's ids: a forked helper that stays behind writes the mapping, since a
// namespace's mapping must come from its parent. The namespaces the caller is in keep
// their owner, and the caller (without capabilities there from now on) cannot join others
// of them; those it makes from here on belong to the new namespace. Throws pc::Error.
void unshare_nested_userns(const IdMapping& m);

// [user, others...] as open_namespaces returns them -> the order to join them: when some
// are owned by the parent of that user namespace (a nested one), [parent, those, user,
// the rest] (the parent left out when the caller is in it already); else unchanged.
void order_for_joining(std::vector<NamespaceFd>& namespaces);

// The network namespace of `pid` and, first, the user namespace that owns it: what a
// process that administers the container's network joins (`network connect`).
std::vector<NamespaceFd> open_network_namespace(pid_t pid);

}  // namespace pc::rootless
