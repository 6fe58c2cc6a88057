#include "image/manifest.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "image/media_types.hpp"
#include "storage/digest.hpp"

namespace pc::image {

namespace {
using nlohmann::json;

std::string str_field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Descriptor parse_descriptor(const json& j, const std::string& what) {
    if (!j.is_object()) throw Error(what + ": malformed descriptor");
    Descriptor d;
    d.media_type = str_field(j, "mediaType");
    d.digest = str_field(j, "digest");
    try {
        storage::digest_hex(d.digest);
    } catch (const Error&) {
        throw Error(what + ": unsupported or malformed digest \"" + d.digest + "\"");
    }
    if (j.contains("size") && j["size"].is_number_unsigned()) d.size = j["size"].get<uint64_t>();
    if (j.contains("annotations") && j["annotations"].is_object())
        for (auto& [k, v] : j["annotations"].items())
            if (v.is_string()) d.annotations[k] = v.get<std::string>();
    if (j.contains("platform") && j["platform"].is_object()) {
        Platform p;
        p.os = str_field(j["platform"], "os");
        p.architecture = str_field(j["platform"], "architecture");
        p.variant = str_field(j["platform"], "variant");
        d.platform = p;
    }
    return d;
}

json parse_doc(const std::string& text, const std::string& what) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(what + ": not a valid JSON document");
    return j;
}

std::string normalize_arch(std::string a) {
    if (a == "x86_64") return "amd64";
    if (a == "aarch64") return "arm64";
    return a;
}
}  // namespace

Platform parse_platform(const std::string& text) {
    auto parts = str::split(text, '/');
    Platform p;
    for (const auto& x : parts)
        if (x.empty()) throw Error("invalid platform \"" + text + "\": expected OS/ARCH[/VARIANT]");
    if (parts.size() == 1) p.architecture = normalize_arch(parts[0]);
    else if (parts.size() == 2 || parts.size() == 3) {
        p.os = parts[0];
        p.architecture = normalize_arch(parts[1]);
        if (parts.size() == 3) p.variant = parts[2];
    } else throw Error("invalid platform \"" + text + "\": expected OS/ARCH[/VARIANT]");
    return p;
}

Platform host_platform() {
    Platform p;
#if defined(__x86_64__)
    p.architecture = "amd64";
#elif defined(__aarch64__)
    p.architecture = "arm64";
#elif defined(__i386__)
    p.architecture = "386";
#elif defined(__powerpc64__)
    p.architecture = "ppc64le";
#elif defined(__s390x__)
    p.architecture = "s390x";
#endif
    return p;
}

std::string document_media_type(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return "";
    std::string t = str_field(j, "mediaType");
    // OCI documents may omit mediaType: tell them apart by their fields.
    if (t.empty() && j.contains("manifests")) return media::kOciIndex;
    if (t.empty() && j.contains("layers")) return media::kOciManifest;
    return t;
}

ImageManifest parse_manifest(const std::string& text, const std::string& what) {
    json j = parse_doc(text, what);
    ImageManifest m;
    m.media_type = document_media_type(text);
    const auto version = j.find("schemaVersion");
    const bool schema1 = version != j.end() && version->is_number_integer() && version->get<int64_t>() == 1;
    if (schema1 || str::starts_with(m.media_type, "application/vnd.docker.distribution.manifest.v1"))
        throw Error(what + ": Docker schema 1 manifests are not supported (deprecated since 2017)");
    if (!media::is_manifest(m.media_type)) throw Error(what + ": unsupported manifest media type \"" + m.media_type + "\"");
    if (!j.contains("config") || !j.contains("layers") || !j["layers"].is_array())
        throw Error(what + ": manifest without config or layers");
    m.config = parse_descriptor(j["config"], what);
    for (const auto& l : j["layers"]) {
        Descriptor d = parse_descriptor(l, what);
        if (!media::is_layer(d.media_type)) throw Error(what + ": unsupported layer media type \"" + d.media_type + "\"");
        m.layers.push_back(d);
    }
    return m;
}

std::vector<Descriptor> parse_index(const std::string& text, const std::string& what) {
    json j = parse_doc(text, what);
    if (!j.contains("manifests") || !j["manifests"].is_array()) throw Error(what + ": index without manifests");
    std::vector<Descriptor> out;
    for (const auto& m : j["manifests"]) out.push_back(parse_descriptor(m, what));
    return out;
}

const Descriptor& select_platform(const std::vector<Descriptor>& index, const Platform& want, const std::string& what) {
    const Descriptor* loose = nullptr;
    std::vector<std::string> have;
    for (const auto& d : index) {
        if (!d.platform) continue;
        const Platform& p = *d.platform;
        have.push_back(p.str());
        if (p.os != want.os || normalize_arch(p.architecture) != want.architecture) continue;
        if (p.variant == want.variant) return d;
        // arm64 images often say v8 or nothing: accept a variant mismatch when none was asked.
        if (want.variant.empty() && !loose) loose = &d;
    }
    if (loose) return *loose;
    throw Error(what + ": no image for platform " + want.str() + " in the manifest list (it has: " +
                (have.empty() ? std::string("no platforms") : str::join(have, ", ")) + ")");
}

BuiltManifest manifest_for(storage::Store& store, const storage::ImageRecord& img, ManifestFamily family) {
    const std::string want_type = family == ManifestFamily::Oci ? media::kOciManifest : media::kDockerManifest;
    if (!img.digest.empty()) {
        if (auto text = store.get_blob(img.digest)) {
            try {
                ImageManifest m = parse_manifest(*text, "manifest " + img.digest);
                bool complete = m.media_type == want_type && m.config.digest == "sha256:" + img.id;
                for (const auto& l : m.layers) complete = complete && store.has_blob(l.digest);
                if (complete) return {*text, img.digest, want_type, m};
            } catch (const Error&) {
                // a manifest pc itself made for an older format: build a new one below
            }
        }
    }
    auto config = store.get_blob("sha256:" + img.id);
    if (!config) throw Error("image " + img.id.substr(0, 12) + ": its config blob is missing from the store");
    ImageManifest m;
    m.media_type = want_type;
    m.config = {family == ManifestFamily::Oci ? media::kOciConfig : media::kDockerConfig, "sha256:" + img.id,
                config->size(), {}, std::nullopt};
    json doc = {{"schemaVersion", 2}, {"mediaType", want_type}};
    doc["config"] = {{"mediaType", m.config.media_type}, {"digest", m.config.digest}, {"size", m.config.size}};
    doc["layers"] = json::array();
    for (const auto& chain : img.layers) {
        auto layer = store.find_layer(chain);
        if (!layer) throw Error("image " + img.id.substr(0, 12) + ": layer " + chain + " is missing from the store");
        auto blobs = store.layer_blobs(layer->diff_id);
        if (blobs.empty())
            throw Error("image " + img.id.substr(0, 12) + ": no stored blob for layer " + layer->diff_id +
                        " (it was imported by an older pc); re-create the image to save or push it");
        const auto& b = blobs.front();
        std::string t = family == ManifestFamily::Oci ? media::to_oci_layer(b.media_type) : media::to_docker_layer(b.media_type);
        m.layers.push_back({t, b.digest, b.size, {}, std::nullopt});
        doc["layers"].push_back({{"mediaType", t}, {"digest", b.digest}, {"size", b.size}});
    }
    std::string text = doc.dump();
    return {text, "sha256:" + storage::sha256_hex(text), want_type, m};
}

}  // namespace pc::image
