// Registry credentials in auth.json, compatible with Podman and Docker:
//   {"auths": {"registry.example:5000": {"auth": base64("user:password")}}}
// Read from --authfile, else $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json
// (or ~/.config/containers/auth.json when there is no runtime dir), then
// ~/.config/containers/auth.json and ~/.docker/config.json as fallbacks. Written (login) to
// the first of those, mode 0600, atomically.
#pragma once

#include <optional>
#include <string>

namespace pc::image {

struct Credentials {
    std::string username, password;
    // Set when the credentials came from a bearer identity token.
    std::string identity_token;
};

// The file login writes and logout edits (`authfile` = --authfile, may be "").
std::string auth_file_path(const std::string& authfile);
// Credentials for `registry` ("host[:port]"; entries with a scheme or a path also match).
std::optional<Credentials> find_credentials(const std::string& registry, const std::string& authfile);
void store_credentials(const std::string& registry, const Credentials& c, const std::string& authfile);
// Returns false when there was nothing to remove.
bool remove_credentials(const std::string& registry, const std::string& authfile);
void remove_all_credentials(const std::string& authfile);

std::string base64_encode(const std::string& in);
std::optional<std::string> base64_decode(const std::string& in);

}  // namespace pc::image
