// Where `pc load` finds the files of an image archive: a tar (docker-archive or
// oci-archive, possibly compressed, from a file or stdin) spooled entry by entry into the
// staging directory and hashed on the way, or an OCI layout directory read in place.
// Paths are relative, normalized ("./x" -> "x"); anything outside the archive is refused.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "image/progress.hpp"
#include "image/staging.hpp"

namespace pc::image {

class FileSource {
public:
    virtual ~FileSource() = default;
    // The file at `path` as a staged blob; nullopt when the archive has no such file.
    virtual std::optional<StagedBlob> get(const std::string& path) = 0;
    virtual bool has(const std::string& path) = 0;
    // Names the source in errors ("archive app.tar").
    virtual std::string describe() const = 0;
};

// Reads the whole tar from `fd` into `staging`. Throws for a truncated or garbage archive.
std::unique_ptr<FileSource> spool_archive(StagingDir& staging, int fd, const std::string& what, Progress& progress);
// An OCI layout directory.
std::unique_ptr<FileSource> layout_dir(StagingDir& staging, const std::string& dir);

// "./a//b" -> "a/b"; throws for "..", absolute or empty names.
std::string normalize_member(const std::string& name, const std::string& what);

}  // namespace pc::image
