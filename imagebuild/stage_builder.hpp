// One stage of a build: FROM, then each instruction in turn, as Podman's builder does it.
//
// With layers (the default), every instruction is a step of its own: it is looked up in
// the step cache and otherwise executed in a fresh working container on the previous
// step's image, and committed as an untagged intermediate image (RUN, COPY and ADD with a
// layer taken from the container's upper dir, the others with an empty-layer history
// entry), so a later build, or this one after a crash, resumes from the last step done.
// Without layers (--layers=false, --squash, --squash-all) the instructions run in one
// working container and the stage is committed once, with one new layer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "imagebuild/build_state.hpp"

namespace pc::build {

// Builds stage `index`; `final_stage` is the one the build is for (it gets --label steps
// and prints COMMIT). Returns the stage's image (stored).
ImageState build_stage(BuildShared& shared, size_t index, bool final_stage);

}  // namespace pc::build
