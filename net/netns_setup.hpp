// What every fresh network namespace of a container gets before anything runs in it, as
// with Podman: `lo` up (it starts down; even --network none has a working loopback), and
// unprivileged ICMP echo sockets (ping_group_range "0 0", Podman's default sysctl), so
// `ping` works without CAP_NET_RAW.
#pragma once

namespace pc::net {

// Runs in the namespace helper, inside the new netns. Throws pc::Error when lo cannot be
// brought up; the ping setting is best effort (an old kernel may lack it).
void setup_network_namespace();

}  // namespace pc::net
