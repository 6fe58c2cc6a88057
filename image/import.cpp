#include "image/import.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "image/image_config.hpp"
#include "image/layer_ingest.hpp"
#include "image/media_types.hpp"
#include "image/staging.hpp"
#include "storage/image_refs.hpp"

namespace pc::image {

namespace {

int64_t wall_ns() {
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
}  // namespace

storage::ImageRecord register_image(storage::Store& store, nlohmann::json config,
                                    const std::vector<storage::LayerRecord>& layers, const RegisterOptions& options) {
    nlohmann::json diff_ids = nlohmann::json::array();
    for (const auto& l : layers) diff_ids.push_back(l.diff_id);
    config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
    const std::string config_text = config.dump();
    const std::string config_digest = store.put_blob(config_text);

    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", options.docker ? media::kDockerManifest : media::kOciManifest},
                               {"config",
                                {{"mediaType", options.docker ? media::kDockerConfig : media::kOciConfig},
                                 {"digest", config_digest},
                                 {"size", config_text.size()}}},
                               {"layers", nlohmann::json::array()}};
    for (const auto& l : layers) {
        // The blob the layer was received as (what save and push hand out), else its tar.
        auto blobs = store.layer_blobs(l.diff_id);
        std::string type = blobs.empty() ? std::string(media::kOciLayer) : blobs.front().media_type;
        type = options.docker ? media::to_docker_layer(type) : media::to_oci_layer(type);
        if (!blobs.empty())
            manifest["layers"].push_back({{"mediaType", type}, {"digest", blobs.front().digest}, {"size", blobs.front().size}});
        else
            manifest["layers"].push_back({{"mediaType", type}, {"digest", l.diff_id}, {"size", l.size}});
    }
    if (!options.annotations.empty()) manifest["annotations"] = options.annotations;
    const std::string manifest_digest = store.put_blob(manifest.dump());

    storage::ImageRecord rec;
    rec.id = config_digest.substr(std::string("sha256:").size());
    rec.names = options.names;
    for (const auto& l : layers) {
        rec.layers.push_back(l.chain_id);
        rec.size += l.size;
    }
    rec.digest = manifest_digest;
    rec.parent = options.parent;
    if (auto created = parse_rfc3339(config.value("created", ""))) rec.created = *created / 1000000000;
    store.put_image(rec);
    return rec;
}

storage::ImageRecord register_image(storage::Store& store, nlohmann::json config,
                                    const std::vector<storage::LayerRecord>& layers, const std::string& reference) {
    RegisterOptions o;
    if (!reference.empty()) o.names.push_back(storage::normalize_image_name(reference));
    return register_image(store, std::move(config), layers, o);
}

storage::ImageRecord import_tarball(storage::Store& store, int fd, const ImportOptions& options) {
    RuntimeConfig rc;
    for (const auto& c : options.changes) apply_change(rc, c);  // before touching the store
    if (!options.reference.empty()) {
        std::string n = storage::normalize_image_name(options.reference);
        if (n.find('@') != std::string::npos)
            throw Error("invalid image name \"" + options.reference + "\": a digest cannot be used as a new name");
    }

    // Staged first so the layer's blob is kept (save/push give back the same digests).
    StagingDir staging(store);
    StagedBlob blob = stage_from_fd(staging, fd, options.source_description.empty() ? "the tarball" : options.source_description);
    storage::LayerRecord layer = ingest_layer(store, blob, "", "", "", "tarball " + options.source_description);

    const std::string created = rfc3339_nano(wall_ns());
    nlohmann::json config = {{"created", created}, {"architecture", "amd64"}, {"os", "linux"}};
    set_runtime_config(config, rc);
    nlohmann::json history = {{"created", created},
                              {"created_by", "/bin/sh -c #(nop) ADD file:" + layer.diff_id.substr(7) + " in /"}};
    history["comment"] = options.message.empty() ? std::string("imported from tarball") : options.message;
    config["history"] = nlohmann::json::array({history});
    return register_image(store, config, {layer}, options.reference);
}

}  // namespace pc::image
