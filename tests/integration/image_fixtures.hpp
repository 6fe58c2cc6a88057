// Test images built at test time: docker-archives with several layers on top of the
// busybox rootfs (whiteouts, opaque dirs, hard links, symlinks, files of several owners),
// compressed or not, optionally tampered with or missing a layer.
#pragma once

#include <string>
#include <vector>

namespace pcit {

// Run with `sh -c` in the test image; prints kCheckExpected when every layer applied right.
extern const char* const kCheckScript;
extern const char* const kCheckExpected;

std::string sha256_of_file(const std::string& path);
std::string sha256_of(const std::string& data);

// comp: "none", "gzip", "zstd". Returns the archive path (in `dir`, created).
std::string make_test_archive(const std::string& dir, const std::string& name, const std::string& comp,
                              bool tamper = false, bool drop_layer = false);
// busybox + the given layer tars (uncompressed), as a docker-archive.
std::string make_archive_with_layers(const std::string& dir, const std::string& name, const std::vector<std::string>& extra);
// busybox + `layers` layers of `bytes` random bytes each.
std::string make_big_archive(const std::string& dir, const std::string& name, int layers, size_t bytes);

}  // namespace pcit
