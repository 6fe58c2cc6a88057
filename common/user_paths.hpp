// Where a user's pc data lives: the store root ($XDG_DATA_HOME/pc, ~/.local/share/pc) and
// the runtime dir ($XDG_RUNTIME_DIR/pc, or a private /tmp/pc-UID when unset: no systemd
// session is needed; also, with one warning, when it is set but unusable: missing, not the
// caller's, not writable). Also the caller's identity (uid, gid, user name).
#pragma once

#include <sys/types.h>

#include <string>

namespace pc {

struct CallerIdentity {
    uid_t uid;
    gid_t gid;
    std::string name;  // from the passwd database; empty when the uid has no entry
    std::string home;  // $HOME, else the passwd entry's home
};

const CallerIdentity& caller();

std::string default_store_root();
std::string default_runtime_root();
// Config dir: $XDG_CONFIG_HOME/pc or ~/.config/pc.
std::string default_config_dir();

// Creates `dir` (and parents) if missing with `mode`; when `private_dir` is set, refuses a
// directory not owned by the caller or accessible by others (the /tmp fallback must not
// be a directory another user planted).
void ensure_dir(const std::string& dir, unsigned mode = 0755, bool private_dir = false);

}  // namespace pc
