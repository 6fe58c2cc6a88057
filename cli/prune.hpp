// The prune operations behind `container prune`, `image prune`, `volume prune` and
// `system prune`: each removes what is unused and returns the ids or names it removed.
#pragma once

#include <string>
#include <vector>

#include "cli/context.hpp"

namespace pc::cli {

// Containers that are not running and match every filter (label=KEY[=VALUE]).
std::vector<std::string> prune_containers(Context& ctx, const std::vector<std::string>& filters);
// Images no container uses: dangling ones (no name), or all of them with `all`.
std::vector<std::string> prune_images(Context& ctx, bool all);
// Volumes no container mounts that match every filter (name, driver, label, dangling).
std::vector<std::string> prune_volumes(Context& ctx, const std::vector<std::string>& filters);
// Networks no container is on that match every filter (label, label!, until), never the
// default network "podman".
std::vector<std::string> prune_networks(Context& ctx, const std::vector<std::string>& filters);

}  // namespace pc::cli
