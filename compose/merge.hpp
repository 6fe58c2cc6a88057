// The Compose Specification's merge rules, as compose-go applies them to `-f a -f b`,
// `extends` and `include` conflicts: mappings merge key by key, scalars are replaced, most
// sequences are appended, and the special cases (environment/labels/... merged by name
// through KEY=VALUE lists, command and entrypoint replaced, logging merged only for the
// same driver, depends_on/networks lists turned into mappings, ulimits replaced per limit,
// IPAM pools merged by subnet). Then de-duplication of keyed lists (ports, volumes by
// target, secrets by target, environment by name...), the later entry taking the earlier
// one's place.
#pragma once

#include <vector>

#include "compose/node.hpp"

namespace pc::compose {

// Merges `over` into `base` (both at `path`) and returns the result.
Node merge_nodes(Node base, Node over, const Path& path);

// Removes the later duplicates of keyed lists in the whole model, in place.
void enforce_unicity(Node& model);

// Deletes the map keys at `paths` (recorded `!reset` / `!override` tags) from `model`.
void apply_resets(Node& model, const std::vector<Path>& paths);

// Volume long syntax key ("target"), short syntax parsed: what de-duplication compares.
// Throws pc::Error for a volume spec that cannot be parsed.
std::string volume_target_key(const Node& volume, const Path& path);

}  // namespace pc::compose
