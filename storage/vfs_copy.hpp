// The vfs driver's container rootfs: the layers copied bottom-up into one directory,
// applying each layer's overlay whiteouts (char 0:0 deletes the path) and opaque markers
// (user.overlay.opaque clears what lower layers put in that directory). Runs inside the
// user namespace so that ownership, modes and file capabilities are preserved.
#pragma once

#include <string>

namespace pc::storage {

// Applies the layer tree at `src_dir` on top of `dst_dir` (both open directory fds).
// Symlinks are copied, never followed. Hard links inside a layer become separate copies.
void copy_layer_onto(int dst_dir, int src_dir, const std::string& display);

}  // namespace pc::storage
