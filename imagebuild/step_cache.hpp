// The build cache: ROOT/build-cache/<key> names the image a step made, where the key covers
// everything the step's result depends on (the image it ran on, the instruction after
// substitution, the build args it sees, the content of the files it copies, the output
// format and timestamp). The images are ordinary, untagged intermediate images (as
// Podman's --layers keeps them): removing one just makes its entries stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace pc::build {

class StepCache {
public:
    explicit StepCache(storage::Store& store);

    // The image recorded for `key`, when it and all its layers are still in the store (and,
    // with `max_age_s` (--cache-ttl), when it was recorded less than that long ago).
    std::optional<storage::ImageRecord> lookup(const std::string& key, std::optional<int64_t> max_age_s = std::nullopt);
    // Written atomically; concurrent builds may both record (the same or an equal image).
    void record(const std::string& key, const std::string& image_id);

private:
    storage::Store& store_;
    std::string dir_;
};

// The key of a step: sha256 over its parts (separated so that parts cannot run together).
std::string step_key(const std::vector<std::string>& parts);

}  // namespace pc::build
