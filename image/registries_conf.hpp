// Short-name resolution from containers-registries.conf(5): `unqualified-search-registries`,
// `[aliases]` (also from registries.conf.d/*.conf), and `[[registry]] insecure = true`.
// Only the subset of TOML these keys use is read (strings, arrays of strings, booleans,
// tables); other keys are ignored.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace pc::image {

struct RegistriesConf {
    std::vector<std::string> search;             // unqualified-search-registries
    std::map<std::string, std::string> aliases;  // "busybox" -> "docker.io/library/busybox"
    std::set<std::string> insecure;              // registries with insecure = true
};

// $REGISTRIES_CONFIG_PATH, else ~/.config/containers/registries.conf if present, else
// /etc/containers/registries.conf; plus the matching registries.conf.d directories.
RegistriesConf load_registries_conf();
// Parses one file's text into `conf` (later files override aliases). Throws on a syntax
// error in the keys pc reads, naming `what`.
void parse_registries_conf(const std::string& text, const std::string& what, RegistriesConf& conf);

// Fully qualified candidates for `name` (a reference without registry): the alias when
// there is one, else one per search registry. Throws with Podman's wording when none.
std::vector<std::string> resolve_short_name(const std::string& name, const RegistriesConf& conf);

}  // namespace pc::image
