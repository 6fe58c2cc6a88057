// Image manifests and indexes (OCI image spec and Docker schema 2): parsing with checks,
// platform selection in an index, and the manifest of a stored image for save and push.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace pc::image {

struct Platform {
    std::string os = "linux", architecture = "amd64", variant;
    std::string str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }
};
// "linux/arm64/v8", "linux/amd64", "arm64" (os linux). Throws on an empty part.
Platform parse_platform(const std::string& text);
// The platform pc runs (linux + the build's architecture in OCI naming).
Platform host_platform();

struct Descriptor {
    std::string media_type, digest;
    uint64_t size = 0;
    std::map<std::string, std::string> annotations;
    std::optional<Platform> platform;
};

struct ImageManifest {
    std::string media_type;
    Descriptor config;
    std::vector<Descriptor> layers;
};

// Throws pc::Error naming `what` for malformed documents or unsupported media types.
ImageManifest parse_manifest(const std::string& text, const std::string& what);
std::vector<Descriptor> parse_index(const std::string& text, const std::string& what);
// The "mediaType" field of a manifest or index document ("" if absent).
std::string document_media_type(const std::string& text);
// The descriptor of `want` in an index; throws listing what the index has.
const Descriptor& select_platform(const std::vector<Descriptor>& index, const Platform& want, const std::string& what);

struct BuiltManifest {
    std::string text, digest, media_type;
    ImageManifest manifest;
};
enum class ManifestFamily { Oci, Docker };
// The manifest of a stored image in `family`: the one it was received with when that is of
// the family and all its blobs are in the store (same digest), else a new one describing
// the layer blobs the store kept. Throws when a layer has no stored blob.
BuiltManifest manifest_for(storage::Store& store, const storage::ImageRecord& img, ManifestFamily family);

}  // namespace pc::image
