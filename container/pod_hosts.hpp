// The /etc/hosts that a pod's members share (their infra's): each member's name resolves
// to 127.0.0.1, since all members are in one network namespace (Podman does the same).
#pragma once

#include <string>
#include <vector>

namespace pc::container {

// Appends "127.0.0.1\tNAME" to the shared hosts file unless NAME is there already. In
// place (one O_APPEND write): running members have this very file bind-mounted, and a
// rename would leave them the old one.
void add_pod_member_host(const std::string& hosts_path, const std::string& name);

// Appends `line` (with its newline) to a hosts file in place, for the same reason.
void append_hosts_line(const std::string& hosts_path, const std::string& line);

}  // namespace pc::container
