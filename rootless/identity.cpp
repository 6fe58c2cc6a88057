// The payload's identity: bounding set, groups, ids and capability sets, in the order the
// kernel needs (PLATFORM.md §7). KEEPCAPS keeps the permitted set across setresuid so that
// apply_capabilities can pick from it.
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "rootless/caps.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

void set_identity(const ResolvedUser& u, const std::vector<int>& caps, const std::vector<int>& added,
                  bool drop_bounding, bool single_id_mapping) {
    if (drop_bounding) drop_bounding_set(caps);
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) throw Error::sys("prctl(PR_SET_KEEPCAPS)", errno);
    if (!single_id_mapping) {
        std::vector<gid_t> groups(u.groups.begin(), u.groups.end());
        if (::setgroups(groups.size(), groups.data()) < 0)
            throw Error::sys("setgroups for uid " + std::to_string(u.uid), errno);
    }
    if (::setresgid(u.gid, u.gid, u.gid) < 0)
        throw Error::sys("setresgid " + std::to_string(u.gid) + " (is the gid mapped?)", errno);
    if (::setresuid(u.uid, u.uid, u.uid) < 0)
        throw Error::sys("setresuid " + std::to_string(u.uid) + " (is the uid mapped?)", errno);
    apply_capabilities(caps, u.uid != 0, added);
}

}  // namespace pc::rootless
