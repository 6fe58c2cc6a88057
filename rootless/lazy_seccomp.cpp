// libseccomp, opened on first use (see common/lazy_library.hpp for why): it is needed only
// to compile a profile into BPF, which happens once per profile and build (the program is
// cached); starting a container loads the cached program with seccomp(2) directly, and a
// container's monitor never needs the library.
#include <seccomp.h>

#include "common/lazy_library.hpp"

namespace {

pc::common::LazyLibrary& seccomp_library() {
    static pc::common::LazyLibrary library(PC_SONAME_SECCOMP, "compiling seccomp profiles");
    return library;
}

}  // namespace

PC_LAZY_FORWARD(seccomp_library(), const struct scmp_version*, seccomp_version, (void), ())
PC_LAZY_FORWARD(seccomp_library(), scmp_filter_ctx, seccomp_init, (uint32_t default_action), (default_action))
PC_LAZY_FORWARD(seccomp_library(), void, seccomp_release, (scmp_filter_ctx ctx), (ctx))
PC_LAZY_FORWARD(seccomp_library(), uint32_t, seccomp_arch_native, (void), ())
PC_LAZY_FORWARD(seccomp_library(), int, seccomp_arch_add, (scmp_filter_ctx ctx, uint32_t arch), (ctx, arch))
PC_LAZY_FORWARD(seccomp_library(), int, seccomp_attr_set,
                (scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value), (ctx, attr, value))
PC_LAZY_FORWARD(seccomp_library(), int, seccomp_syscall_resolve_name, (const char* name), (name))
PC_LAZY_FORWARD(seccomp_library(), int, seccomp_rule_add_array,
                (scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int count,
                 const struct scmp_arg_cmp* args),
                (ctx, action, syscall, count, args))
PC_LAZY_FORWARD(seccomp_library(), int, seccomp_export_bpf, (const scmp_filter_ctx ctx, int fd), (ctx, fd))
