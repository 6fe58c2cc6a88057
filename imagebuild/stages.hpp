// A parsed Containerfile split into build stages: the ARGs before the first FROM (the
// "meta" scope FROM lines are expanded in), each FROM with its instructions, which stages
// the target needs (COPY --from, RUN --mount from=, FROM <stage>), and the build args the
// whole file declares.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imagebuild/dockerfile.hpp"

namespace pc::build {

struct Stage {
    size_t index = 0;
    std::string name;      // the AS name, lower case; "" when none
    Instruction from;      // its FROM
    std::string base;      // FROM's image after meta-ARG expansion ("scratch", a stage's name...)
    std::string platform;  // --platform, expanded
    std::vector<Instruction> steps;  // after FROM
    // Stages this one needs built first (FROM <stage>, COPY --from=, RUN --mount from=).
    std::set<size_t> needs;
    bool needed = false;   // needed by the target

    // "stage-0"-style key used by COPY --from=0 and for messages.
    std::string display() const { return name.empty() ? std::to_string(index) : name; }
};

struct StagePlan {
    std::vector<Instruction> meta_args;  // ARG lines before the first FROM
    std::vector<Stage> stages;
    size_t target = 0;                   // index of the last stage to build
    // Names declared by any ARG (for "build args were not consumed" warnings).
    std::set<std::string> declared_args;
};

// Splits `df` into stages and computes what `target` ("" = the last stage) needs.
// `meta_value` gives the value of a meta ARG (--build-arg, else its default) for FROM.
// Throws pc::Error naming FILE:LINE for an empty file, instructions before FROM, an unknown
// --target, duplicate stage names, or a stage referring to itself or a later one.
StagePlan plan_stages(const Dockerfile& df, const std::string& target,
                      const std::map<std::string, std::string>& build_args);

// Stage lookup by name (case-insensitive) or index: nullopt when `ref` names none of the
// stages before `before` (an image then).
std::optional<size_t> find_stage(const StagePlan& plan, const std::string& ref, size_t before);

// The `from=` value of a RUN --mount flag (expanded later), or "".
std::string mount_from(const std::string& mount_spec);

}  // namespace pc::build
