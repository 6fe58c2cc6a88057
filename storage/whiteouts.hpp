// OCI whiteouts (".wh.NAME", ".wh..wh..opq") and their overlayfs form in a rootless store
// (PLATFORM.md §2): a whiteout is a char device 0:0, an opaque dir carries the
// user.overlay.opaque="y" xattr (the "userxattr" format; trusted.* is not writable in a
// user namespace).
#pragma once

#include <string>
#include <string_view>
#include <sys/stat.h>

namespace pc::storage {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
inline constexpr const char* kOpaqueXattr = "user.overlay.opaque";

enum class WhiteoutKind {
    None,      // an ordinary name
    Whiteout,  // ".wh.NAME": delete NAME from lower layers
    Opaque,    // ".wh..wh..opq": hide the lower content of the containing directory
    Ignored,   // other ".wh..wh.*" (aufs hard-link metadata): skipped
    Invalid,   // ".wh." with no name, or ".wh.." / ".wh..."
};
struct WhiteoutName {
    WhiteoutKind kind = WhiteoutKind::None;
    std::string target;  // the whited-out name for Whiteout
};
WhiteoutName classify_whiteout(std::string_view basename);

// Overlay forms, relative to an open directory. All throw pc::Error with `what` as context.
void make_whiteout(int dirfd, const std::string& name, const std::string& what);
void set_opaque(int dirfd_of_dir, const std::string& what);
bool is_whiteout(const struct stat& st);
bool is_opaque(int dir_fd);

}  // namespace pc::storage
