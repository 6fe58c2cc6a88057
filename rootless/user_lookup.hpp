// Resolving a container's --user against the image's own /etc/passwd and /etc/group.
// Pure functions on file contents (the caller reads the files inside the container), so the
// rules are unit-tested without a container.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pc::rootless {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
    std::string shell;
};

struct GroupEntry {
    std::string name;
    uint32_t gid = 0;
    std::vector<std::string> members;
};

// /etc/passwd "name:pw:uid:gid:gecos:home:shell" lines; comments, blank and malformed lines
// (and NIS "+"/"-" entries) are skipped.
std::vector<PasswdEntry> parse_passwd(std::string_view content);
// /etc/group "name:pw:gid:member,member" lines; malformed lines skipped.
std::vector<GroupEntry> parse_group(std::string_view content);

struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> groups;  // supplementary groups for setgroups (includes gid)
    std::string home = "/";        // the passwd entry's home, "/" without one
    std::string name;              // empty when the uid has no passwd entry
};

// `user` is "", "uid", "name", "uid:gid", "name:group" (and mixes). Rules (Podman's):
// "" is root; a numeric uid needs no passwd entry (gid 0 then, or the entry's gid); a name
// must exist; an explicit group may be numeric or must exist in /etc/group. Without an
// explicit group, the user's /etc/group memberships are supplementary groups; `group_add`
// (names or ids) is always added. The primary gid is a supplementary group too only when
// `with_primary_gid`: Podman's container process gets it when a user was named (not for
// the default root), its exec sessions never. Throws pc::Error (exit 125) with Podman's
// message shape: "unable to find user NAME: no matching entries in passwd file".
ResolvedUser resolve_user(std::string_view user, std::string_view passwd, std::string_view group,
                          const std::vector<std::string>& group_add, bool with_primary_gid);

}  // namespace pc::rootless
