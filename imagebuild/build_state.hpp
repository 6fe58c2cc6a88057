// What the stages of one build share: the options, the parsed file and its stages, the
// contexts, the build args, the finished stages' images, the step cache.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "imagebuild/build.hpp"
#include "imagebuild/context.hpp"
#include "imagebuild/dockerfile.hpp"
#include "imagebuild/stages.hpp"
#include "imagebuild/step_cache.hpp"

namespace pc::build {

// An image as a stage builds it: its config document and layers, and the image it is
// stored as (empty until committed; "scratch" has none).
struct ImageState {
    std::string id;                   // hex image id, "" when not stored
    std::string name;                 // how history names it: "FROM <name>"
    nlohmann::json doc;               // the image config document
    std::vector<std::string> layers;  // chain ids, base first
    std::string manifest_digest;      // of the stored image ("" when not stored)
};

struct BuildShared {
    BuildShared(storage::Store& s, const BuildOptions& o, BuildReporter& r, const Dockerfile& f, const StagePlan& p,
                const BuildContext& c)
        : store(s), options(o), reporter(r), file(f), plan(p), context(c), cache(s) {}

    storage::Store& store;
    const BuildOptions& options;
    BuildReporter& reporter;
    const Dockerfile& file;
    const StagePlan& plan;
    const BuildContext& context;
    std::map<std::string, BuildContext> named_contexts;  // --build-context NAME=DIR
    std::map<std::string, std::string> image_contexts;   // --build-context NAME=docker-image://REF
    std::map<std::string, std::string> args;             // --build-arg, last value wins
    std::set<std::string> consumed_args;                 // build args some ARG declared
    std::map<size_t, ImageState> finished;               // stage index -> its image
    std::vector<std::string> temporary_images;           // removed when the build ends
    // The final stage's base image, for the annotations Podman puts on the final manifest.
    std::string final_base_name, final_base_digest;
    StepCache cache;

    // Stages the output counts ("[i/N] STEP ..."): those up to the target, as Buildah drops
    // the ones after it (a --target of the first stage prints no prefix).
    size_t counted_stages() const { return plan.target + 1; }
    bool multi_stage() const { return counted_stages() > 1; }
    bool docker_format() const { return options.format == "docker"; }
    // The stage image of `ref` (a stage name or index before `before`) if it is one.
    const ImageState* stage_image(const std::string& ref, size_t before) const;
    // A stored image by reference, pulled as --pull says; `what` names the instruction.
    ImageState image(const std::string& ref, const std::string& what);
};

// Loads a stored image's config and layers.
ImageState load_image_state(storage::Store& store, const storage::ImageRecord& rec, const std::string& name);

}  // namespace pc::build
