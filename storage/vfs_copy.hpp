// Layer tree copies. The vfs driver's container rootfs: the layers copied bottom-up into
// one directory, applying each layer's overlay whiteouts (char 0:0 deletes the path) and opaque markers
// (user.overlay.opaque clears what lower layers put in that directory). Runs inside the
// user namespace so that ownership, modes and file capabilities are preserved.
#pragma once

#include <string>

#include "common/error.hpp"
#include "rootless/idmap.hpp"

namespace pc::storage {

// Applies the layer tree at `src_dir` on top of `dst_dir` (both open directory fds).
// Symlinks are copied, never followed. Hard links inside a layer become separate copies.
void copy_layer_onto(int dst_dir, int src_dir, const std::string& display);

// A layer's owner that `owners` does not map (copy_layer_as_is).
struct UnmappedOwner : Error {
    using Error::Error;
};

// Copies the layer tree at `src_dir` into the empty `dst_dir` as it is (a keep-id copy,
// keep_id_layers.cpp): whiteouts and opaque markers stay in overlay form, hard links
// within the layer stay hard links, symlinks are never followed, modes (setuid, setgid,
// sticky), mtimes, user.* xattrs and file capabilities are kept, and every owner (and
// a capability's root id) is translated with `owners` (host_uid/host_gid); an owner it
// does not map throws UnmappedOwner. The root directory's attributes are copied too.
void copy_layer_as_is(int dst_dir, int src_dir, const std::string& display, const rootless::IdMapping& owners);

}  // namespace pc::storage
