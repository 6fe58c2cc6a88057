// Owners of keep-id copies of layers (keep_id_layers.cpp). Layers are stored with the
// default mapping D (image id k is host id D(k)); a keep-id container's namespace has the
// mapping K. Kernel overlay cannot translate owners (idmapped mounts of ext4 are refused in a
// user namespace, PLATFORM.md §2), so a keep-id container on kernel overlay uses copies of
// the layers whose files are owned by host id K(k): it then reads k, as a default container
// reads the original.
#pragma once

#include <string>
#include <vector>

#include "rootless/idmap.hpp"

namespace pc::storage {

// For every host id h that both mappings hold, one entry {inside = K^-1(h), outside =
// D^-1(h)} (ranges merged as they come). fuse-overlayfs' "uidmapping=" is these entries;
// read as a mapping, host_uid(k) is the id of D's namespace whose host id is K(k).
std::vector<rootless::IdMapEntry> keep_id_id_pairs(const std::vector<rootless::IdMapEntry>& storage,
                                                   const std::vector<rootless::IdMapEntry>& container);

// The owner translation a keep-id copy applies while it runs in D's namespace: an owner k
// (as D's namespace reads it, i.e. the image id) becomes host_uid(k) / host_gid(k), the id of
// D's namespace whose host id is K(k). An id without a value cannot be shown in a keep-id
// container (keep-id:size= smaller than the image's ids): such layers stay on fuse-overlayfs.
rootless::IdMapping keep_id_owner_translation(const rootless::IdMapping& storage,
                                              const rootless::IdMapping& container);

// The name of a mapping's copies inside a layer dir: "keep-id-" and 16 hex digits of a
// hash of K's host ranges, so that keep-id, keep-id:uid=,gid= and keep-id:size= each get
// their own copies.
std::string keep_id_copy_key(const rootless::IdMapping& container);

}  // namespace pc::storage
