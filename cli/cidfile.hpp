// --cidfile: `run`/`create` write the new container's id to a file that must not exist yet
// (so two scripts cannot share one by mistake); `rm`, `stop` and `kill` read it back.
// Podman's messages.
#pragma once

#include <optional>
#include <string>

namespace pc::cli {

// Throws when `path` exists already (before anything is created).
void check_cidfile_absent(const std::string& path);
// Writes the id (no newline, as Podman), refusing to replace a file made meanwhile.
void write_cidfile(const std::string& path, const std::string& id);
// The id in `path`; nullopt when it does not exist and `ignore_missing`.
std::optional<std::string> read_cidfile(const std::string& path, bool ignore_missing);

}  // namespace pc::cli
