// --build-arg values, shared by `pc build` and `pc compose build` (and compose's `args:`
// entries given without a value).
#pragma once

#include <string>

#include "imagebuild/build.hpp"

namespace pc::cli {

// --build-arg KEY=VALUE, or KEY: the value of the caller's environment variable (skipped
// when unset, as Podman does).
void add_build_arg(build::BuildOptions& o, const std::string& spec);

}  // namespace pc::cli
