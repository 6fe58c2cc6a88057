#include "storage/records.hpp"

namespace pc::storage {

nlohmann::json to_json(const ImageRecord& r) {
    nlohmann::json j = {{"id", r.id},         {"names", r.names},     {"layers", r.layers},
                        {"digest", r.digest}, {"created", r.created}, {"size", r.size}};
    if (!r.parent.empty()) j["parent"] = r.parent;
    return j;
}

ImageRecord image_from_json(const nlohmann::json& j) {
    ImageRecord r;
    r.id = j.value("id", "");
    r.names = j.value("names", std::vector<std::string>{});
    r.layers = j.value("layers", std::vector<std::string>{});
    r.digest = j.value("digest", "");
    r.created = j.value("created", int64_t{0});
    r.size = j.value("size", uint64_t{0});
    r.parent = j.value("parent", "");
    return r;
}

nlohmann::json to_json(const LayerRecord& r) {
    return {{"chain_id", r.chain_id}, {"diff_id", r.diff_id}, {"parent", r.parent}, {"size", r.size}};
}

LayerRecord layer_from_json(const nlohmann::json& j) {
    LayerRecord r;
    r.chain_id = j.value("chain_id", "");
    r.diff_id = j.value("diff_id", "");
    r.parent = j.value("parent", "");
    r.size = j.value("size", uint64_t{0});
    return r;
}

}  // namespace pc::storage
