// `pc load`: docker-archive (manifest.json, legacy layer dirs), oci-archive and OCI layout
// directories (index.json, nested indexes). Every blob is verified against its digest
// before it is committed; images are registered only after all their layers are in.
#pragma once

#include <string>
#include <vector>

#include "image/progress.hpp"
#include "storage/store.hpp"

namespace pc::image {

struct LoadedImage {
    std::string id;
    std::vector<std::string> names;
};

// `input`: an archive file, an OCI layout directory, or "" / "-" for stdin.
std::vector<LoadedImage> load_images(storage::Store& store, const std::string& input, Progress& progress);

}  // namespace pc::image
