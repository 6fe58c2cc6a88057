// Image reference handling for the local store (pure functions): how "busybox",
// "busybox:1", "quay.io/x/y" or an id prefix find a stored image, the way Podman resolves
// locally stored images.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::storage {

// "busybox" -> "localhost/busybox:latest", "busybox:1" -> "localhost/busybox:1",
// "x/y" -> "localhost/x/y:latest", "quay.io/x/y" -> "quay.io/x/y:latest",
// "localhost:5000/a:b" unchanged. A first component with '.' or ':' or equal to
// "localhost" is a registry. Digest references ("name@sha256:...") are kept as is.
std::string normalize_image_name(std::string_view ref);
// True when `ref` starts with a registry component.
bool is_registry_qualified(std::string_view ref);
// True when `name` (a stored, qualified name) matches a short reference by its trailing
// path components: "docker.io/library/busybox:latest" matches "busybox" and
// "library/busybox:latest", not "box".
bool short_name_matches(std::string_view stored_name, std::string_view ref);
// What an id reference looks like: the hex part of "sha256:<hex-prefix>" or of a bare hex
// string; nullopt when `ref` cannot be an id.
std::optional<std::string> id_prefix_of(std::string_view ref);

// Docker's reference grammar (github.com/distribution/reference), which Podman checks
// before it looks any reference up: [domain[:port]/]path[:tag][@digest], path components
// lowercase. "" when `ref` follows it, else the reason as Podman words it: "repository
// name must be lowercase", "repository name must have at least one component", ...
std::string reference_format_error(std::string_view ref);
// Throws pc::Error `"REF": invalid reference format: REASON` (exit 125) unless `ref`
// follows the grammar.
void check_reference_format(std::string_view ref);

}  // namespace pc::storage
