// `pc compose config --resolve-image-digests`: image tags pinned to the digest their
// registry serves now (as Docker Compose pins them: "docker.io/library/redis:7@sha256:...").
// This asks each image's registry (Registry API v2, with auth.json credentials and
// registries.conf `insecure`), so it needs that registry to be reachable: there is no
// offline answer for what a tag points to.
#pragma once

#include "compose/model.hpp"
#include "compose/node.hpp"

namespace pc::cli {

// Service images, pre_start hook images and `type: image` volume sources of the project.
void resolve_project_image_digests(compose::Project& project);
// The same in the raw model (config --no-interpolate).
void resolve_model_image_digests(compose::Node& model);

}  // namespace pc::cli
