// images.json: the name -> image index. Readers take no lock (the file is replaced
// atomically); writers hold the store lock across read-modify-write.
#include <dirent.h>

#include <algorithm>
#include <set>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "storage/digest.hpp"
#include "storage/image_refs.hpp"
#include "storage/records.hpp"
#include "storage/remove_tree.hpp"
#include "storage/storage_conf.hpp"
#include "storage/store.hpp"

namespace pc::storage {

namespace {

std::string index_path(const Store& s) { return s.root() + "/images.json"; }

std::vector<ImageRecord> read_index_at(const std::string& root) {
    auto j = try_read_json(root + "/images.json");
    std::vector<ImageRecord> out;
    if (!j) return out;
    for (const auto& e : j->value("images", nlohmann::json::array())) out.push_back(image_from_json(e));
    return out;
}

std::vector<ImageRecord> read_index(const Store& s) { return read_index_at(s.root()); }

void write_index(const Store& s, const std::vector<ImageRecord>& images) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : images) arr.push_back(to_json(i));
    write_json_atomic(index_path(s), nlohmann::json{{"images", arr}});
}

// Removes `name` from every image but `keep_id`; images left without names stay as
// dangling "<none>" images, as Podman does.
void take_name(std::vector<ImageRecord>& images, const std::string& name, const std::string& keep_id) {
    for (auto& i : images) {
        if (i.id == keep_id) continue;
        i.names.erase(std::remove(i.names.begin(), i.names.end(), name), i.names.end());
    }
}

std::optional<ImageRecord> resolve(const std::vector<ImageRecord>& images, const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    auto by_name = [&](const std::string& n) -> std::optional<ImageRecord> {
        for (const auto& i : images)
            if (std::find(i.names.begin(), i.names.end(), n) != i.names.end()) return i;
        return std::nullopt;
    };
    if (auto i = by_name(ref)) return i;
    if (auto i = by_name(normalize_image_name(ref))) return i;

    // Full id or unique id prefix.
    if (auto prefix = id_prefix_of(ref)) {
        std::vector<const ImageRecord*> hits;
        for (const auto& i : images)
            if (i.id.compare(0, prefix->size(), *prefix) == 0) hits.push_back(&i);
        if (hits.size() == 1) return *hits.front();
        if (hits.size() > 1) {
            for (const auto* h : hits)
                if (h->id == *prefix) return *h;
            throw Error("image reference \"" + ref + "\" is ambiguous: " + std::to_string(hits.size()) +
                        " images have ids starting with it");
        }
    }

    // A short name also finds "docker.io/library/busybox:latest" and similar.
    if (!is_registry_qualified(ref)) {
        const ImageRecord* hit = nullptr;
        for (const auto& i : images)
            for (const auto& n : i.names)
                if (short_name_matches(n, ref)) {
                    if (hit && hit->id != i.id)
                        throw Error("short name \"" + ref + "\" is ambiguous: it matches " + hit->names.front() +
                                    " and " + n + "; use the full name");
                    hit = &i;
                }
        if (hit) return *hit;
    }
    // Digest references: name@sha256:... against the recorded manifest digest.
    if (auto at = ref.find('@'); at != std::string::npos) {
        std::string repo = normalize_image_name(ref.substr(0, at));
        repo = repo.substr(0, repo.rfind(':'));
        std::string digest = ref.substr(at + 1);
        for (const auto& i : images) {
            if (i.digest != digest) continue;
            for (const auto& n : i.names)
                if (n.compare(0, repo.size() + 1, repo + ":") == 0) return i;
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<ImageRecord> Store::images() {
    auto images = read_index(*this);
    // Then those of the read-only stores that this one does not have (no lock: their
    // index is replaced atomically by whoever prepares them).
    for (const auto& root : additional_image_stores_besides(root()))
        for (auto& img : read_index_at(root))
            if (std::none_of(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == img.id; }))
                images.push_back(std::move(img));
    return images;
}

namespace {

std::optional<ImageRecord> find_in(const std::vector<ImageRecord>& images, const std::string& ref) {
    // A full manifest digest ("sha256:<64 hex>", what `images --digests` shows) names the
    // image it belongs to, as in Podman.
    if (ref.size() == 71 && ref.compare(0, 7, "sha256:") == 0) {
        for (const auto& img : images)
            if (img.digest == ref) return img;
    }
    return resolve(images, ref);
}

}  // namespace

std::optional<ImageRecord> Store::find_image(const std::string& ref) {
    // This store first, then each read-only store in order.
    if (auto img = find_in(read_index(*this), ref)) return img;
    for (const auto& root : additional_image_stores_besides(root()))
        if (auto img = find_in(read_index_at(root), ref)) return img;
    return std::nullopt;
}

std::optional<std::string> read_only_store_of(Store& store, const std::string& id) {
    const auto others = additional_image_stores_besides(store.root());
    if (others.empty()) return std::nullopt;  // the usual case: no index to read
    auto own = read_index(store);
    auto has = [&](const std::vector<ImageRecord>& images) {
        return std::any_of(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == id; });
    };
    if (has(own)) return std::nullopt;
    for (const auto& root : others)
        if (has(read_index_at(root))) return root;
    return std::nullopt;
}

void check_image_removable(Store& store, const std::string& id) {
    if (auto ro = read_only_store_of(store, id))
        throw Error("image " + id + " is in the read-only image store " + *ro +
                    " (storage.conf additionalimagestores) and cannot be removed");
}

void Store::put_image(const ImageRecord& image) {
    if (!is_hex64(image.id)) throw Error("invalid image id \"" + image.id + "\"");
    FileLock l = lock();
    auto images = read_index(*this);
    for (const auto& n : image.names) take_name(images, n, image.id);
    auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == image.id; });
    if (it == images.end()) {
        images.push_back(image);
    } else {
        // Re-pulling under a new name keeps the old names (Podman adds, never replaces).
        std::vector<std::string> names = it->names;
        for (const auto& n : image.names)
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
        *it = image;
        it->names = std::move(names);
    }
    write_index(*this, images);
}

void Store::tag_image(const std::string& id, const std::string& name) {
    const std::string n = normalize_image_name(name);
    FileLock l = lock();
    auto images = read_index(*this);
    auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == id; });
    if (it == images.end()) throw Error("image " + id + " not known");
    take_name(images, n, id);
    if (std::find(it->names.begin(), it->names.end(), n) == it->names.end()) it->names.push_back(n);
    write_index(*this, images);
}

bool Store::untag_image(const std::string& id, const std::string& name) {
    FileLock l = lock();
    auto images = read_index(*this);
    auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == id; });
    if (it == images.end()) return false;
    for (const std::string& n : {name, normalize_image_name(name)}) {
        auto pos = std::find(it->names.begin(), it->names.end(), n);
        if (pos != it->names.end()) {
            it->names.erase(pos);
            write_index(*this, images);
            return true;
        }
    }
    return false;
}

bool Store::remove_image(const std::string& id) {
    check_image_removable(*this, id);
    FileLock l = lock();
    auto images = read_index(*this);
    auto it = std::find_if(images.begin(), images.end(), [&](const ImageRecord& i) { return i.id == id; });
    if (it == images.end()) return false;
    images.erase(it);
    write_index(*this, images);
    prune_layers_locked();
    return true;
}

void Store::prune_layers_locked() {
    std::set<std::string> used;
    for (const auto& i : read_index(*this))
        for (const auto& c : i.layers) used.insert(c);
    if (DIR* d = ::opendir(containers_dir().c_str())) {
        while (struct dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            // Builds' working containers (".tmp-PID-*") pin their layers too.
            if (n == "." || n == ".." || (n.front() == '.' && !str::starts_with(n, ".tmp-"))) continue;
            for (const auto& c : container_layers(n)) used.insert(c);
        }
        ::closedir(d);
    }
    std::vector<std::string> unused;
    if (DIR* d = ::opendir(layers_dir().c_str())) {
        while (struct dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (is_hex64(n) && !used.count("sha256:" + n)) unused.push_back(n);
        }
        ::closedir(d);
    }
    std::vector<std::string> trash;
    for (const auto& n : unused) {
        std::string t = move_to_trash(layers_dir() + "/" + n);
        if (!t.empty()) trash.push_back(t);
    }
    if (trash.empty()) return;
    try {
        remove_trees_in_userns(mapping(), trash);
    } catch (const Error& e) {
        // The layers are already gone from the index's point of view; the trash is
        // collected by a later import.
        log::warn("removing unused layers: " + std::string(e.what()));
    }
}

}  // namespace pc::storage
