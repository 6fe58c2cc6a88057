// Resource limits by the names `--ulimit` uses (nofile, nproc, core...): parsing a user's
// "NAME=SOFT[:HARD]" and naming the kernel's resources. Applied in the container's init
// before execve (sandbox.cpp) and to exec sessions alike.
#pragma once

#include <sys/resource.h>

#include <string>
#include <vector>

namespace pc::rootless {

struct Rlimit {
    int resource;
    rlim_t soft, hard;
};

// "NAME=SOFT[:HARD]": HARD defaults to SOFT, -1 means unlimited. Throws pc::Error with the
// reason (unknown type, not a number, soft above hard), as Podman words it.
Rlimit parse_ulimit(const std::string& spec);
// Sets each limit on this process; throws pc::Error otherwise. Raising one above the hard
// limit needs CAP_SYS_RESOURCE in the host's user namespace, which a rootless container
// never has: exit code 126, as with Podman.
void apply_rlimits(const std::vector<Rlimit>& limits);
// "1024", or "-1" for unlimited (as --ulimit and inspect write it).
std::string limit_text(rlim_t v);
// "RLIMIT_NOFILE" for RLIMIT_NOFILE: inspect's and the error messages' name.
std::string rlimit_name(int resource);

}  // namespace pc::rootless
