// What every fresh network namespace of a container gets before anything runs in it, as
// with Podman: `lo` up (it starts down; even --network none has a working loopback), and
// unprivileged ICMP echo sockets (ping_group_range "0 0", Podman's default sysctl), so
// `ping` works without CAP_NET_RAW.
#pragma once

namespace pc::net {

// Both run in the namespace helper, inside the new netns.
// Needs only CAP_NET_ADMIN there, so it may run before the user namespace is mapped.
// Throws pc::Error when lo cannot be brought up.
void bring_up_loopback();
// Needs the mapping (the group ids are read in the user namespace). Best effort: an old
// kernel may lack the setting.
void allow_unprivileged_ping();

}  // namespace pc::net
