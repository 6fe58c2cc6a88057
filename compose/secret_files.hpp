// Secrets and configs as files in the container: /run/secrets/<name> for secrets, /<name>
// for configs (or `target`), read-only, with the uid, gid and mode the service asks for
// (default root and 0444). The content comes from the top-level definition's file,
// environment variable or inline content; each container gets its own copy (owned, inside
// the container, by the uid and gid asked for), so that modes and owners never touch the
// user's own file.
#pragma once

#include <string>

#include "compose/model.hpp"
#include "container/config.hpp"
#include "storage/store.hpp"

namespace pc::compose {

enum class SecretKind { Secret, Config };

// Writes the file under `dir` and returns the read-only bind mount for it. Throws
// pc::Error naming the secret or config.
container::MountConfig secret_mount(storage::Store& store, const FileObject& object, const FileReference& ref,
                                    const std::string& dir, SecretKind kind);

}  // namespace pc::compose
