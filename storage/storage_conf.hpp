// storage.conf(5), as far as pc uses it: the read-only additional image stores
// ([storage.options] additionalimagestores, as containers/storage has them). An HPC site
// prepares one on a shared filesystem (`pc --root DIR pull`/`load`), and every node's pc
// finds images there without copying layers into the user's store and without writing
// to, or locking, that store (it may be mounted read-only).
//
// Which file (containers/storage's rule for rootless users): $CONTAINERS_STORAGE_CONF alone
// when set; else the user's $XDG_CONFIG_HOME/containers/storage.conf (~/.config/...) when it
// exists; else /etc/containers/storage.conf; else /usr/share/containers/storage.conf.
// Other keys are Podman's and ignored; a key of the wrong type, or a store path that is
// not absolute, is an error naming the file, the line and the key.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pc::storage {

class Store;

// The storage.conf that applies (the rule above), "" when there is none: `info`'s
// store.configFile.
std::string storage_conf_path();

// The configured stores' roots, in order; read once per process.
const std::vector<std::string>& additional_image_stores();

// Those other than `root` (a store may list itself), for the store at `root`.
std::vector<std::string> additional_image_stores_besides(const std::string& root);

// The additional store image `id` is in, when it is not in `store` itself (`rmi` refuses
// it: the store is read-only); nullopt otherwise.
std::optional<std::string> read_only_store_of(Store& store, const std::string& id);
// Throws, naming the store, when image `id` is in a read-only store (before anything of a
// removal is done or printed).
void check_image_removable(Store& store, const std::string& id);

// One file's text (`origin` names it in errors).
std::vector<std::string> parse_additional_image_stores(const std::string& text, const std::string& origin);

}  // namespace pc::storage
