#include "image/media_types.hpp"

namespace pc::image::media {

Compression sniff_compression(const unsigned char* h, size_t n) {
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) return Compression::Gzip;
    if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd) return Compression::Zstd;
    if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') return Compression::Other;
    if (n >= 6 && h[0] == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X') return Compression::Other;
    return Compression::None;
}

std::string layer_type(Compression c, bool docker) {
    switch (c) {
        case Compression::Gzip: return docker ? kDockerLayerGzip : kOciLayerGzip;
        case Compression::Zstd: return kOciLayerZstd;
        case Compression::None: return docker ? kDockerLayer : kOciLayer;
        case Compression::Other: break;
    }
    return kOciLayer;  // only used for blobs converted before they are described
}

std::string to_oci_layer(std::string_view t) {
    if (t == kDockerLayer) return kOciLayer;
    if (t == kDockerLayerGzip || t == kDockerForeign) return kOciLayerGzip;
    return std::string(t);
}

std::string to_docker_layer(std::string_view t) {
    if (t == kOciLayer) return kDockerLayer;
    if (t == kOciLayerGzip) return kDockerLayerGzip;
    return std::string(t);  // zstd has no Docker form; kept as OCI (registries accept it)
}

}  // namespace pc::image::media
