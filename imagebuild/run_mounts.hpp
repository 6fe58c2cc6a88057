// RUN --mount: what each mount type becomes for the step's container.
//
//   bind    the context (or a named context) path, read-only unless rw; from a stage or an
//           image, or rw (writes are discarded): a copy made for the step
//   cache   ROOT/build-cache-mounts/<id>, kept between builds (sharing=locked: one step at
//           a time); from= seeds an empty cache from a stage or image
//   tmpfs   a tmpfs
//   secret  the --secret file, copied for the step (mode 0400 unless mode=), or an
//           environment variable with env=
//   ssh     the --ssh agent socket of that id, bound in (default target
//           /run/buildkit/ssh_agent.N; SSH_AUTH_SOCK names the first)
//
// Mount points the step had to create are removed from its layer afterwards.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "container/config.hpp"
#include "imagebuild/build_state.hpp"
#include "imagebuild/instructions.hpp"
#include "imagebuild/work_container.hpp"

namespace pc::build {

struct PreparedMounts {
    std::vector<container::MountConfig> mounts;
    std::vector<std::string> env;            // secrets exposed as environment variables
    std::vector<std::string> targets;        // mount points to remove from the layer after
    std::vector<std::unique_ptr<FileLock>> locks;  // sharing=locked caches, held during the step
    std::vector<std::string> cache_key;      // what the step's result depends on (bind contents)
};

// `vars` expands the specs; `stage_index` limits from= to earlier stages.
PreparedMounts prepare_run_mounts(BuildShared& shared, const std::vector<RunMount>& specs, WorkContainer& wc,
                                  size_t stage_index, const std::string& where);

}  // namespace pc::build
