// `pc save`: images as docker-archive (manifest.json, repositories, uncompressed layer
// tars), oci-archive or an OCI layout directory (oci-dir), from the blobs the store kept, so
// that a later load gives the same image ids (and, for OCI, the same manifest digests).
#pragma once

#include <string>
#include <vector>

#include "image/progress.hpp"
#include "storage/store.hpp"

namespace pc::image {

enum class SaveFormat { DockerArchive, OciArchive, OciDir };
// "docker-archive", "oci-archive", "oci-dir"; throws for anything else.
SaveFormat parse_save_format(const std::string& text);

// `output`: a file (or dir for oci-dir) path; "" = `out_fd` (stdout) for the archive forms.
void save_images(storage::Store& store, const std::vector<std::string>& refs, SaveFormat format,
                 const std::string& output, int out_fd, Progress& progress);

}  // namespace pc::image
