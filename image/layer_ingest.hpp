// Turning verified blobs into store content: layers (extracted by Store::import_layer, the
// blob kept for later save/push) and images (config + manifest blobs, then the index entry,
// always last: a killed transfer never leaves a half image listed).
#pragma once

#include <string>
#include <vector>

#include "image/staging.hpp"
#include "storage/store.hpp"

namespace pc::image {

// Extracts `blob` as a layer on `parent_chain_id`, checking that its uncompressed content
// is `expected_diff_id` (when given), then moves the blob into blobs/ and records it as the
// layer's blob. `media_type` "" = by the blob's first bytes.
storage::LayerRecord ingest_layer(storage::Store& store, const StagedBlob& blob, const std::string& parent_chain_id,
                                  const std::string& expected_diff_id, const std::string& media_type,
                                  const std::string& what);

// The file of a staged blob, or of the same blob once committed to the store.
std::string blob_file(storage::Store& store, const StagedBlob& blob);

// Stores `config_text` and `manifest_text` as blobs (byte for byte: the image id is the
// config digest, the image digest the manifest's) and registers the image under `names`
// (already normalized; none = dangling).
storage::ImageRecord register_received_image(storage::Store& store, const std::string& config_text,
                                             const std::string& manifest_text,
                                             const std::vector<storage::LayerRecord>& layers,
                                             const std::vector<std::string>& names);

// The "rootfs.diff_ids" of a config document, checked for form.
std::vector<std::string> config_diff_ids(const std::string& config_text, const std::string& what);

}  // namespace pc::image
