// Layer tar extraction, run inside the user namespace (chrooted into the new layer dir by
// layer_import.cpp). Every path is resolved component by component from `root_fd` with
// O_NOFOLLOW, so no entry can write through a symlink; names, link targets, device nodes
// and whiteouts are checked as described in store.hpp import_layer().
#pragma once

#include <cstdint>
#include <string>

namespace pc::storage {

struct ExtractOptions {
    // Single-id mapping: owners that are not mapped are left as namespace root (squashed)
    // instead of failing the import.
    bool squash_unmapped = false;
};

struct ExtractResult {
    std::string diff_id;         // "sha256:<hex>" of the decompressed tar stream
    uint64_t size = 0;           // its length in bytes
    uint64_t squashed = 0;       // entries whose owner was squashed
    uint64_t xattrs_skipped = 0; // xattrs the file system refused (ENOTSUP) or not allowed

    std::string serialize() const;
    static ExtractResult parse(const std::string& text);
};

// Decompresses (gzip, zstd, xz, bzip2, ... or none) the tar stream read from `in_fd` and
// extracts it below `root_fd`. Throws pc::Error: "not a valid tar archive: ...",
// "truncated tar archive: ...", or `tar entry "NAME": REASON`.
ExtractResult extract_layer(int in_fd, int root_fd, const ExtractOptions& options);

// Only decompresses and hashes the stream (for a layer that is already stored).
ExtractResult digest_layer_stream(int in_fd);

}  // namespace pc::storage
