#include "image/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "image/archive_source.hpp"
#include "image/layer_ingest.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "image/reference.hpp"
#include "storage/digest.hpp"

namespace pc::image {

namespace {
using nlohmann::json;

std::string normalized_name(const std::string& tag, const std::string& what) {
    try {
        Reference r = parse_docker_normalized(tag);
        if (!r.digest.empty() && !r.tag.empty()) r.digest.clear();
        return r.str();
    } catch (const Error& e) {
        throw Error(what + ": " + e.what());
    }
}

// "abc.json", "blobs/sha256/abc": names that promise a digest are checked against it.
void check_named_digest(const StagedBlob& b, const std::string& member, const std::string& what) {
    std::string base = member.substr(member.rfind('/') == std::string::npos ? 0 : member.rfind('/') + 1);
    if (str::ends_with(base, ".json")) base = base.substr(0, base.size() - 5);
    if (storage::is_hex64(base)) verify_digest(b, "sha256:" + base, what + ": " + member);
}

StagedBlob need(FileSource& src, const std::string& member, const std::string& what) {
    auto b = src.get(member);
    if (!b) throw Error(src.describe() + ": " + what + " " + member + " is missing from the archive");
    return *b;
}

std::vector<LoadedImage> load_docker_archive(storage::Store& store, FileSource& src, Progress& progress) {
    const std::string where = src.describe();
    json manifest = json::parse(read_small_file(need(src, "manifest.json", "file").path, where + ": manifest.json"), nullptr, false);
    if (!manifest.is_array() || manifest.empty()) throw Error(where + ": manifest.json is not a non-empty list of images");
    std::vector<LoadedImage> out;
    for (const auto& entry : manifest) {
        if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() || !entry.contains("Layers") ||
            !entry["Layers"].is_array())
            throw Error(where + ": malformed manifest.json entry (Config and Layers are required)");
        const std::string config_member = entry["Config"].get<std::string>();
        StagedBlob config_blob = need(src, config_member, "image config");
        check_named_digest(config_blob, config_member, where);
        const std::string config_text = read_small_file(config_blob.path, where + ": " + config_member);
        std::vector<std::string> diff_ids = config_diff_ids(config_text, where + ": " + config_member);
        if (diff_ids.size() != entry["Layers"].size())
            throw Error(where + ": " + config_member + " lists " + std::to_string(diff_ids.size()) + " layers, manifest.json " +
                        std::to_string(entry["Layers"].size()));
        std::vector<std::string> names;
        if (entry.contains("RepoTags") && entry["RepoTags"].is_array())
            for (const auto& t : entry["RepoTags"])
                if (t.is_string()) names.push_back(normalized_name(t.get<std::string>(), where));

        // Resolve every member before extracting anything: a missing blob fails early.
        std::vector<StagedBlob> blobs;
        for (const auto& l : entry["Layers"]) {
            if (!l.is_string()) throw Error(where + ": malformed layer name in manifest.json");
            blobs.push_back(need(src, l.get<std::string>(), "layer"));
            check_named_digest(blobs.back(), l.get<std::string>(), where);
        }
        std::vector<storage::LayerRecord> layers;
        json doc = {{"schemaVersion", 2}, {"mediaType", media::kDockerManifest}};
        doc["config"] = {{"mediaType", media::kDockerConfig}, {"digest", config_blob.digest}, {"size", config_blob.size}};
        doc["layers"] = json::array();
        for (size_t i = 0; i < blobs.size(); ++i) {
            const std::string member = entry["Layers"][i].get<std::string>();
            progress.start(diff_ids[i], blobs[i].size);
            auto rec = ingest_layer(store, blobs[i], layers.empty() ? "" : layers.back().chain_id, diff_ids[i], "",
                                    where + ": layer " + member);
            progress.finish(diff_ids[i], "done");
            auto kept = store.layer_blobs(rec.diff_id);
            std::string type = media::kDockerLayer;
            for (const auto& k : kept)
                if (k.digest == blobs[i].digest) type = media::to_docker_layer(k.media_type);
            doc["layers"].push_back({{"mediaType", type}, {"digest", blobs[i].digest}, {"size", blobs[i].size}});
            layers.push_back(rec);
        }
        auto img = register_received_image(store, config_text, doc.dump(), layers, names);
        out.push_back({img.id, names});
    }
    return out;
}

std::string blob_member(const std::string& digest) { return "blobs/sha256/" + storage::digest_hex(digest); }

std::string fetch_verified_doc(FileSource& src, const Descriptor& d, const std::string& what) {
    StagedBlob b = need(src, blob_member(d.digest), what);
    verify_digest(b, d.digest, src.describe() + ": " + what);
    return read_small_file(b.path, src.describe() + ": " + what);
}

LoadedImage load_oci_manifest(storage::Store& store, FileSource& src, const Descriptor& desc,
                              const std::vector<std::string>& names, Progress& progress) {
    const std::string where = src.describe();
    const std::string text = fetch_verified_doc(src, desc, "manifest " + desc.digest);
    ImageManifest m = parse_manifest(text, where + ": manifest " + desc.digest);
    StagedBlob config_blob = need(src, blob_member(m.config.digest), "image config");
    verify_digest(config_blob, m.config.digest, where + ": config");
    const std::string config_text = read_small_file(config_blob.path, where + ": config");
    std::vector<std::string> diff_ids = config_diff_ids(config_text, where + ": config " + m.config.digest);
    if (diff_ids.size() != m.layers.size())
        throw Error(where + ": config lists " + std::to_string(diff_ids.size()) + " layers, the manifest " +
                    std::to_string(m.layers.size()));
    std::vector<StagedBlob> blobs;
    for (const auto& l : m.layers) {
        if (!src.has(blob_member(l.digest))) throw Error(where + ": layer " + l.digest + " named by the manifest is missing");
    }
    std::vector<storage::LayerRecord> layers;
    for (size_t i = 0; i < m.layers.size(); ++i) {
        const auto& l = m.layers[i];
        StagedBlob b = need(src, blob_member(l.digest), "layer");
        verify_digest(b, l.digest, where + ": layer");
        progress.start(l.digest, b.size);
        layers.push_back(ingest_layer(store, b, layers.empty() ? "" : layers.back().chain_id, diff_ids[i], l.media_type,
                                      where + ": layer " + l.digest));
        progress.finish(l.digest, "done");
    }
    auto img = register_received_image(store, config_text, text, layers, names);
    return {img.id, names};
}

std::vector<std::string> names_of(const Descriptor& d, const std::string& where) {
    for (const char* key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
        auto it = d.annotations.find(key);
        if (it == d.annotations.end() || it->second.empty()) continue;
        // A bare tag ("1.0") names no repository: such images load without a name, as in Podman.
        if (it->second.find('/') == std::string::npos && it->second.find(':') == std::string::npos &&
            std::string(key) == "org.opencontainers.image.ref.name")
            continue;
        return {normalized_name(it->second, where)};
    }
    return {};
}

void load_index(storage::Store& store, FileSource& src, const std::vector<Descriptor>& index,
                std::vector<LoadedImage>& out, int depth, Progress& progress) {
    if (depth > 4) throw Error(src.describe() + ": indexes nested too deeply");
    for (const auto& d : index) {
        if (media::is_index(d.media_type)) {
            std::string text = fetch_verified_doc(src, d, "index " + d.digest);
            auto nested = parse_index(text, src.describe() + ": index " + d.digest);
            // A nested multi-platform index: only the image of this machine's platform.
            bool multi = false;
            for (const auto& n : nested) multi = multi || n.platform.has_value();
            if (multi) {
                Descriptor pick = select_platform(nested, host_platform(), src.describe());
                if (pick.annotations.empty()) pick.annotations = d.annotations;
                load_index(store, src, {pick}, out, depth + 1, progress);
            } else {
                for (auto& n : nested)
                    if (n.annotations.empty()) n.annotations = d.annotations;
                load_index(store, src, nested, out, depth + 1, progress);
            }
        } else if (media::is_manifest(d.media_type)) {
            out.push_back(load_oci_manifest(store, src, d, names_of(d, src.describe()), progress));
        } else {
            throw Error(src.describe() + ": unsupported media type \"" + d.media_type + "\" in index.json");
        }
    }
}

std::vector<LoadedImage> load_from(storage::Store& store, FileSource& src, Progress& progress) {
    if (src.has("manifest.json")) return load_docker_archive(store, src, progress);
    if (src.has("index.json")) {
        std::string text = read_small_file(need(src, "index.json", "file").path, src.describe() + ": index.json");
        auto index = parse_index(text, src.describe() + ": index.json");
        std::vector<LoadedImage> out;
        load_index(store, src, index, out, 0, progress);
        if (out.empty()) throw Error(src.describe() + ": index.json lists no images");
        return out;
    }
    throw Error(src.describe() + ": not an image archive (no manifest.json or index.json): use `pc import` for a root filesystem tarball");
}

}  // namespace

std::vector<LoadedImage> load_images(storage::Store& store, const std::string& input, Progress& progress) {
    StagingDir staging(store);
    if (input.empty() || input == "-") {
        auto src = spool_archive(staging, STDIN_FILENO, "archive on stdin", progress);
        return load_from(store, *src, progress);
    }
    struct stat st {};
    if (::stat(input.c_str(), &st) < 0) throw Error::sys("opening " + input);
    if (S_ISDIR(st.st_mode)) {
        auto src = layout_dir(staging, input);
        return load_from(store, *src, progress);
    }
    UniqueFd fd(::open(input.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("opening " + input);
    auto src = spool_archive(staging, fd.get(), "archive " + input, progress);
    return load_from(store, *src, progress);
}

}  // namespace pc::image
