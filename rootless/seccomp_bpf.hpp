// Compiled seccomp filters. libseccomp needs 5-10 ms to turn the default profile into BPF
// for x86_64 + its x86/x32 sub-arches (measured on the 2-vCPU test VM; the three-arch filter
// is what makes it slow), which is more than the rest of a container start. Compiling is
// therefore separable from loading:
//
//  * compile_seccomp() builds the program; it is remembered in this process, so a parent that
//    calls it before forking the container's init makes the child's apply_seccomp() (same
//    profile, same caps) a plain seccomp(2) call of ~0.1 ms;
//  * compile_seccomp_cached() additionally keeps programs in a directory (per user), so later
//    invocations of pc skip libseccomp entirely;
//  * the program is plain data and can also be sent to a child over a pipe.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "rootless/seccomp.hpp"

namespace pc::rootless {

struct SeccompProgram {
    std::vector<sock_filter> insns;
    unsigned flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER)
};

SeccompProgram compile_seccomp(const SeccompProfile& profile, const std::vector<int>& caps);
// The compilation itself, remembered nowhere (what compile_seccomp memoizes; tests/fuzz).
SeccompProgram build_seccomp_program(const SeccompProfile& profile, const std::vector<int>& caps);
// Same, with an on-disk cache under `cache_dir` (created 0700 if missing). The cache key
// covers the profile, the caps, the native arch, the kernel version and libseccomp's version;
// a missing, unreadable or corrupt entry just means compiling again.
SeccompProgram compile_seccomp_cached(const SeccompProfile& profile, const std::vector<int>& caps,
                                      const std::string& cache_dir);
// Loads a compiled program for the calling thread. Does not set no_new_privs.
void load_seccomp_program(const SeccompProgram& program, const std::string& origin);

}  // namespace pc::rootless
