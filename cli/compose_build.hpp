// Compose's `build:` sections built by pc's builder (imagebuild/): the hook compose::Engine
// calls for `up --build`, `pull_policy: build`, a missing image and watch's rebuild, and
// `pc compose build`. Here, in cli/, because compose/ and imagebuild/ are siblings.
#pragma once

#include <string>
#include <vector>

#include "compose/engine.hpp"

namespace pc::cli {

class Context;

// What `compose build` adds to each service's build section.
struct ComposeBuildSettings {
    bool no_cache = false;
    bool pull = false;    // --pull: always pull the base images
    bool quiet = false;   // no step output
    std::vector<std::string> build_args;  // --build-arg KEY=VALUE or KEY, over build.args
};

// A hook that builds a service's image with Podman-shaped progress on stderr, each line
// prefixed with the service name as Docker Compose does ("[web] STEP 1/2: FROM ...").
compose::BuildHook compose_build_hook(Context& ctx, ComposeBuildSettings settings = {});

}  // namespace pc::cli
