// JSON forms of the store's records (images.json entries, layer.json). Internal to storage/.
#pragma once

#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace pc::storage {

nlohmann::json to_json(const ImageRecord& r);
ImageRecord image_from_json(const nlohmann::json& j);
nlohmann::json to_json(const LayerRecord& r);
LayerRecord layer_from_json(const nlohmann::json& j);

}  // namespace pc::storage
