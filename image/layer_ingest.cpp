#include "image/layer_ingest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time_format.hpp"
#include "image/media_types.hpp"

namespace pc::image {

std::string blob_file(storage::Store& store, const StagedBlob& blob) {
    if (::access(blob.path.c_str(), F_OK) == 0) return blob.path;
    return store.blob_path(blob.digest);
}

storage::LayerRecord ingest_layer(storage::Store& store, const StagedBlob& blob, const std::string& parent_chain_id,
                                  const std::string& expected_diff_id, const std::string& media_type,
                                  const std::string& what) {
    const std::string path = blob_file(store, blob);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("opening " + what);
    std::string type = media_type;
    if (type.empty()) {
        unsigned char head[8] = {};
        long n = ::pread(fd.get(), head, sizeof(head), 0);
        type = media::layer_type(media::sniff_compression(head, n > 0 ? static_cast<size_t>(n) : 0), false);
    }
    storage::LayerRecord rec;
    try {
        rec = store.import_layer(fd.get(), parent_chain_id, expected_diff_id);
    } catch (const Error& e) {
        throw Error(what + " (" + blob.digest + "): " + e.what(), e.exit_code());
    }
    if (path == blob.path && !store.has_blob(blob.digest)) store.commit_blob_file(blob.path, blob.digest);
    store.add_layer_blob(rec.diff_id, {blob.digest, type, blob.size});
    return rec;
}

std::vector<std::string> config_diff_ids(const std::string& config_text, const std::string& what) {
    nlohmann::json cfg = nlohmann::json::parse(config_text, nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object()) throw Error(what + ": the image config is not valid JSON");
    auto rootfs = cfg.value("rootfs", nlohmann::json::object());
    if (!rootfs.is_object() || !rootfs.contains("diff_ids") || !rootfs["diff_ids"].is_array())
        throw Error(what + ": the image config has no rootfs.diff_ids");
    std::vector<std::string> out;
    for (const auto& d : rootfs["diff_ids"]) {
        if (!d.is_string()) throw Error(what + ": malformed rootfs.diff_ids");
        storage::digest_hex(d.get<std::string>());  // throws for another form
        out.push_back(d.get<std::string>());
    }
    return out;
}

storage::ImageRecord register_received_image(storage::Store& store, const std::string& config_text,
                                             const std::string& manifest_text,
                                             const std::vector<storage::LayerRecord>& layers,
                                             const std::vector<std::string>& names) {
    const std::string config_digest = store.put_blob(config_text);
    storage::ImageRecord rec;
    rec.id = config_digest.substr(7);
    rec.digest = manifest_text.empty() ? "" : store.put_blob(manifest_text);
    rec.names = names;
    for (const auto& l : layers) {
        rec.layers.push_back(l.chain_id);
        rec.size += l.size;
    }
    nlohmann::json cfg = nlohmann::json::parse(config_text, nullptr, false);
    if (cfg.is_object() && cfg.contains("created") && cfg["created"].is_string())
        if (auto t = parse_rfc3339(cfg["created"].get<std::string>())) rec.created = *t / 1000000000;
    store.put_image(rec);
    return rec;
}

}  // namespace pc::image
