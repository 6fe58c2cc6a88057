// Parsing of -v/--volume, --mount and --tmpfs values into mount configurations, with
// Podman's rules and messages (absolute destinations, absolute bind sources, known options).
#pragma once

#include <string>
#include <vector>

#include "container/config.hpp"

namespace pc::container {

// "SRC:DST[:OPTS]", "NAME:DST[:OPTS]" or "DST" (anonymous volume, named by the caller).
MountConfig parse_volume_flag(const std::string& value);
// "type=bind,source=/a,target=/b,readonly", "type=tmpfs,target=/t,tmpfs-size=64m", "type=volume,..."
MountConfig parse_mount_flag(const std::string& value);
// "/path[:opts]"
MountConfig parse_tmpfs_flag(const std::string& value);

}  // namespace pc::container
