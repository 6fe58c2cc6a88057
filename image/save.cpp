#include "image/save.hpp"

#include <archive.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "image/archive_sink.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "storage/digest.hpp"
#include "storage/image_refs.hpp"

namespace pc::image {

namespace {
using nlohmann::json;
using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

struct Selected {
    storage::ImageRecord img;
    std::string name;  // the name the user gave, normalized; "" when given by id
};

std::vector<Selected> resolve(storage::Store& store, const std::vector<std::string>& refs) {
    std::vector<Selected> out;
    for (const auto& r : refs) storage::check_reference_format(r);
    for (const auto& r : refs) {
        auto img = store.find_image(r);
        if (!img) throw Error(r + ": image not known");
        std::string n = storage::normalize_image_name(r);
        bool by_name = false;
        for (const auto& x : img->names) by_name = by_name || x == n;
        if (!by_name && img->names.size() > 0 && !storage::id_prefix_of(r)) {
            // Found through a short name: use the stored name it matched.
            for (const auto& x : img->names)
                if (storage::short_name_matches(x, r)) n = x, by_name = true;
        }
        out.push_back({*img, by_name ? n : ""});
    }
    return out;
}

// The layer's kept blob, decompressed on the fly when it is compressed (docker-archive
// layers are plain tars).
void add_plain_layer(storage::Store& store, ArchiveSink& sink, const std::string& name, const storage::LayerRecord& layer) {
    auto blobs = store.layer_blobs(layer.diff_id);
    if (blobs.empty())
        throw Error("layer " + layer.diff_id + " has no stored blob (imported by an older pc): re-create the image to save it");
    for (const auto& b : blobs)
        if (b.digest == layer.diff_id) return sink.add_file(name, store.blob_path(b.digest), b.size);
    const std::string path = store.blob_path(blobs.front().digest);
    ArchivePtr a(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_raw(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), size_t{256} * 1024) != ARCHIVE_OK)
        throw Error("reading blob " + path + ": " + archive_error_string(a.get()));
    struct archive_entry* e = nullptr;
    if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) throw Error("reading blob " + path + ": " + archive_error_string(a.get()));
    storage::Sha256 hash;
    sink.add_stream(name, layer.size, [&](char* buf, size_t len) -> size_t {
        la_ssize_t n = archive_read_data(a.get(), buf, len);
        if (n < 0) throw Error("decompressing blob " + path + ": " + archive_error_string(a.get()));
        hash.update(buf, static_cast<size_t>(n));
        return static_cast<size_t>(n);
    });
    if ("sha256:" + hash.hex() != layer.diff_id) throw Error("layer blob " + path + " does not decompress to " + layer.diff_id + ": the store is corrupted");
}

void save_docker(storage::Store& store, const std::vector<Selected>& images, ArchiveSink& sink, Progress& progress) {
    json manifest = json::array();
    json repositories = json::object();
    std::set<std::string> written;
    for (const auto& s : images) {
        auto config = store.get_blob("sha256:" + s.img.id);
        if (!config) throw Error("image " + s.img.id.substr(0, 12) + ": config blob missing from the store");
        const std::string config_name = s.img.id + ".json";
        if (written.insert(config_name).second) sink.add_bytes(config_name, *config);
        json layers = json::array();
        std::string top;
        for (const auto& chain : s.img.layers) {
            auto l = store.find_layer(chain);
            if (!l) throw Error("image " + s.img.id.substr(0, 12) + ": layer " + chain + " missing from the store");
            top = storage::digest_hex(l->diff_id);
            const std::string name = top + ".tar";
            if (written.insert(name).second) {
                progress.start(l->diff_id, l->size);
                add_plain_layer(store, sink, name, *l);
                progress.finish(l->diff_id, "written");
            }
            layers.push_back(name);
        }
        json tags = json::array();
        if (!s.name.empty()) {
            tags.push_back(s.name);
            auto colon = s.name.rfind(':');
            repositories[s.name.substr(0, colon)][s.name.substr(colon + 1)] = top;
        }
        manifest.push_back({{"Config", config_name}, {"RepoTags", tags}, {"Layers", layers}});
    }
    sink.add_bytes("repositories", repositories.dump());
    sink.add_bytes("manifest.json", manifest.dump());
}

void save_oci(storage::Store& store, const std::vector<Selected>& images, ArchiveSink& sink, Progress& progress) {
    sink.add_bytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    sink.add_dir("blobs");
    sink.add_dir("blobs/sha256");
    std::set<std::string> written;
    auto add_blob = [&](const std::string& digest, const std::string* bytes, uint64_t size) {
        if (!written.insert(digest).second) return;
        const std::string name = "blobs/sha256/" + storage::digest_hex(digest);
        if (bytes) return sink.add_bytes(name, *bytes);
        progress.start(digest, size);
        sink.add_file(name, store.blob_path(digest), size);
        progress.finish(digest, "written");
    };
    json index = {{"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", json::array()}};
    for (const auto& s : images) {
        BuiltManifest bm = manifest_for(store, s.img, ManifestFamily::Oci);
        auto config = store.get_blob(bm.manifest.config.digest);
        if (!config) throw Error("image " + s.img.id.substr(0, 12) + ": config blob missing from the store");
        for (const auto& l : bm.manifest.layers) add_blob(l.digest, nullptr, l.size);
        add_blob(bm.manifest.config.digest, &*config, config->size());
        add_blob(bm.digest, &bm.text, bm.text.size());
        json d = {{"mediaType", bm.media_type}, {"digest", bm.digest}, {"size", bm.text.size()}};
        if (!s.name.empty())
            d["annotations"] = {{"org.opencontainers.image.ref.name", s.name}, {"io.containerd.image.name", s.name}};
        index["manifests"].push_back(d);
    }
    sink.add_bytes("index.json", index.dump());
}

}  // namespace

SaveFormat parse_save_format(const std::string& text) {
    if (text.empty() || text == "docker-archive") return SaveFormat::DockerArchive;
    if (text == "oci-archive") return SaveFormat::OciArchive;
    if (text == "oci-dir") return SaveFormat::OciDir;
    throw Error("unsupported format \"" + text + "\" for save (valid: docker-archive, oci-archive, oci-dir)");
}

void save_images(storage::Store& store, const std::vector<std::string>& refs, SaveFormat format,
                 const std::string& output, int out_fd, Progress& progress) {
    if (refs.empty()) throw Error("no image given to save");
    auto images = resolve(store, refs);
    if (format == SaveFormat::OciDir) {
        if (output.empty()) throw Error("--format oci-dir needs a directory (-o DIR)");
        auto sink = dir_sink(output);
        save_oci(store, images, *sink, progress);
        sink->finish();
        return;
    }
    // A file is written next to its final name and renamed at the end: an interrupted save
    // never leaves a truncated archive under the requested name.
    UniqueFd file;
    std::string tmp;
    int fd = out_fd;
    if (!output.empty()) {
        tmp = output + ".tmp-" + std::to_string(::getpid());
        file.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!file) throw Error::sys("creating " + tmp);
        fd = file.get();
    }
    try {
        auto sink = tar_sink(fd, output.empty() ? "stdout" : output);
        if (format == SaveFormat::DockerArchive) save_docker(store, images, *sink, progress);
        else save_oci(store, images, *sink, progress);
        sink->finish();
        if (!tmp.empty()) {
            if (::fsync(fd) < 0) throw Error::sys("writing " + output);
            if (::rename(tmp.c_str(), output.c_str()) < 0) throw Error::sys("renaming " + tmp + " to " + output);
        }
    } catch (...) {
        if (!tmp.empty()) ::unlink(tmp.c_str());
        throw;
    }
}

}  // namespace pc::image
