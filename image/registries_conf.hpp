// containers-registries.conf(5), read with toml++ in both formats:
//   v2: unqualified-search-registries, short-name-mode, [aliases], and [[registry]] tables
//       (prefix, location, insecure, blocked, mirror-by-digest-only, [[registry.mirror]]
//       with location, insecure, pull-from-mirror);
//   v1: [registries.search] / [registries.insecure] / [registries.block] registries = [...]
//       (main file only; mixing v1 and v2 in one file is an error, as in containers/image).
// Files, in order: $CONTAINERS_REGISTRIES_CONF or $REGISTRIES_CONFIG_PATH, else
// ~/.config/containers/registries.conf when it exists, else /etc/containers/registries.conf;
// then the drop-ins (*.conf, sorted) of /etc/containers/registries.conf.d (not with the
// user's own file) and ~/.config/containers/registries.conf.d. Later files override:
// search list and mode when they set them, aliases key by key, [[registry]] by prefix.
// Errors name the file and line.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "image/reference.hpp"

namespace pc::image {

enum class ShortNameMode { Enforcing, Permissive, Disabled };
const char* to_string(ShortNameMode mode);

struct RegistryEndpoint {
    std::string location;          // "registry.example:5000/ns" ("" for a wildcard prefix)
    bool insecure = false;         // plain HTTP or unverified TLS allowed
    std::string pull_from_mirror;  // mirrors only: "", "all", "digest-only", "tag-only"
};

struct RegistryEntry {
    std::string prefix;  // what image names it applies to: "example.com/ns", "*.example.com"
    RegistryEndpoint endpoint;
    bool blocked = false;
    bool mirror_by_digest_only = false;
    std::vector<RegistryEndpoint> mirrors;
};

struct RegistriesConf {
    std::vector<std::string> search;             // unqualified-search-registries
    std::optional<ShortNameMode> short_name_mode;
    std::map<std::string, std::string> aliases;  // "busybox" -> "docker.io/library/busybox"
    std::vector<RegistryEntry> registries;       // one per prefix, sorted by prefix
    std::vector<std::string> files;              // the files read, in order

    ShortNameMode mode() const { return short_name_mode.value_or(ShortNameMode::Permissive); }
    // The entry with the longest prefix matching `name` ("registry/repository"), if any.
    const RegistryEntry* find(const std::string& name) const;
    // Whether pc may talk plain HTTP / unverified TLS to `registry` (host[:port]).
    bool insecure(const std::string& registry) const;
};

RegistriesConf load_registries_conf();
// Reads one file's text on top of `conf`. `drop_in`: the v1 format is refused. Throws
// pc::Error naming `path` and the line.
void parse_registries_conf(const std::string& text, const std::string& path, RegistriesConf& conf,
                           bool drop_in = false);

// Fully qualified candidates for `name` (a reference without registry): the alias when
// there is one, else one per search registry. Throws with Podman's wording when none.
std::vector<std::string> resolve_short_name(const std::string& name, const RegistriesConf& conf);

// Where to pull `ref` from, in order: the mirrors of its [[registry]] that apply (by tag or
// digest), then its location (the prefix rewritten). Throws when the registry is blocked.
struct PullSource {
    Reference ref;
    bool insecure = false;
    bool mirror = false;
};
std::vector<PullSource> pull_sources(const Reference& ref, const RegistriesConf& conf);

}  // namespace pc::image
