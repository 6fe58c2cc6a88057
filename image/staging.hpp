// Files being received (layer and config blobs from an archive or a registry) are written
// to a private staging directory in the store's file system, hashed while written, and
// moved into blobs/ only once their digest has been checked. The directory is removed when
// the operation ends; one left by a killed pc (a dead pid in its name) is removed by the
// next transfer.
#pragma once

#include <cstdint>
#include <string>

#include "common/fd.hpp"
#include "storage/digest.hpp"
#include "storage/store.hpp"

namespace pc::image {

class StagingDir {
public:
    explicit StagingDir(storage::Store& store);
    ~StagingDir();
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    const std::string& path() const { return path_; }
    // A new, unique file path inside the directory.
    std::string new_file(const std::string& hint = "blob");

private:
    std::string path_;
    uint64_t counter_ = 0;
};

// A blob on disk with its digest and size.
struct StagedBlob {
    std::string path;
    std::string digest;  // "sha256:<hex>" of the content
    uint64_t size = 0;
};

// A file being written and hashed.
class BlobWriter {
public:
    explicit BlobWriter(std::string path);
    void write(const void* data, size_t len);
    uint64_t size() const { return size_; }
    // Closes the file (fsync'ed: the blob is about to be committed) and returns it.
    StagedBlob finish();

private:
    std::string path_;
    UniqueFd fd_;
    storage::Sha256 hash_;
    uint64_t size_ = 0;
};

// Copies `fd` to a new staged file. `what` names the source in errors.
StagedBlob stage_from_fd(StagingDir& dir, int fd, const std::string& what);
// Throws pc::Error naming `what` when the blob's digest is not `expected`.
void verify_digest(const StagedBlob& b, const std::string& expected, const std::string& what);
// Whole small file (configs, manifests).
std::string read_small_file(const std::string& path, const std::string& what);

}  // namespace pc::image
