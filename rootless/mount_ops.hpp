// mount(2) wrappers that produce pc::Error with context, and read-only remounts that keep
// the "locked" flags of mounts inherited from a more privileged namespace (PLATFORM.md §2:
// a remount that would clear a locked nosuid/nodev/noexec/ro fails with EPERM).
#pragma once

#include <string>

namespace pc::rootless {

// mount(2); on failure throws "mounting <what> on <shown>: <strerror>". `target` is what the
// kernel gets (often /proc/self/fd/N), `shown` the container path for the message.
void mount_or_throw(const char* source, const std::string& target, const char* fstype,
                    unsigned long flags, const std::string& data, const std::string& what,
                    const std::string& shown);

// MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY as currently set on the mount at `target`.
unsigned long current_mount_flags(const std::string& target, const std::string& shown);

// Bind-remount of the mount at `target` with `flags` (e.g. MS_RDONLY, MS_NOSUID) added to
// the flags it already has, so locked ones are never cleared. Atime flags are left alone
// (a remount without atime flags keeps them).
void remount_bind_adding(const std::string& target, unsigned long flags, const std::string& shown);

// Sets MOUNT_ATTR_RDONLY on the mount `fd` names and every mount below it (a remount only
// changes the top one, so submounts of an rbind would stay writable). Setting, never
// clearing, an attribute is allowed on locked mounts too.
void make_tree_readonly(int fd, const std::string& shown);

}  // namespace pc::rootless
