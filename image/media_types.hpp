// Media types of the image formats pc reads and writes (OCI image spec, Docker schema 2).
#pragma once

#include <string>
#include <string_view>

namespace pc::image::media {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kDockerForeign = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

inline bool is_index(std::string_view t) { return t == kOciIndex || t == kDockerList; }
inline bool is_manifest(std::string_view t) { return t == kOciManifest || t == kDockerManifest; }
// Layer media types pc can extract (libarchive detects the compression itself).
inline bool is_layer(std::string_view t) {
    return t == kOciLayer || t == kOciLayerGzip || t == kOciLayerZstd || t == kDockerLayer || t == kDockerLayerGzip ||
           t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" || t == kDockerForeign;
}

enum class Compression { None, Gzip, Zstd, Other };
// By the first bytes of a blob.
Compression sniff_compression(const unsigned char* head, size_t n);
// The OCI layer media type for a compression; Docker's when `docker` (Docker has no zstd).
std::string layer_type(Compression c, bool docker);
// The same layer type in the other family (for format conversion on save/push).
std::string to_oci_layer(std::string_view t);
std::string to_docker_layer(std::string_view t);

}  // namespace pc::image::media
