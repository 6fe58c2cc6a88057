// Registry image references: "registry.example:5000/ns/app:1.2", "ns/app@sha256:...",
// "busybox" (docker.io/library/busybox:latest once qualified).
#pragma once

#include <string>

namespace pc::image {

struct Reference {
    std::string registry;    // "docker.io", "127.0.0.1:5000", "localhost"
    std::string repository;  // "library/busybox", "ns/app"
    std::string tag;         // "" when only a digest is given
    std::string digest;      // "sha256:..." or ""

    std::string name() const { return registry + "/" + repository; }
    // "registry/repo:tag", "registry/repo@digest" (tag wins when both are set, as stored).
    std::string str() const;
    // The tag or digest for the registry's /manifests/ endpoint.
    std::string manifest_ref() const { return digest.empty() ? tag : digest; }
};

// True when the first component names a registry (has '.' or ':' or is "localhost").
bool has_registry(const std::string& text);
// Parses a fully qualified reference; throws pc::Error "invalid reference format" otherwise.
Reference parse_qualified(const std::string& text);
// Docker's normalization: an unqualified name goes to docker.io (library/ for one component).
Reference parse_docker_normalized(const std::string& text);

}  // namespace pc::image
