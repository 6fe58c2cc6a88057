// The default seccomp profile: the same effect as Podman's (containers/common) default.
//
// What it does, in words:
//  * anything not mentioned answers ENOSYS, so programs probing for new syscalls
//    (clone3, io_uring, add_key, ...) fall back as they would on an older kernel, instead of
//    treating EPERM as a hard failure;
//  * a small set of obsolete or dangerous syscalls answers EPERM;
//  * a large allowlist covers what ordinary programs need. Unlike Docker's profile, Podman's
//    also allows mount, umount2, unshare, setns, pivot_root, clone/clone3 with any flags,
//    ptrace, reboot and keyctl: in a rootless container the kernel's own capability checks
//    (against the container's user namespace and reduced capability set) already refuse
//    what must be refused, and nested containers/builds keep working;
//  * syscalls that only make sense with a capability are allowed when the container has it
//    and answer EPERM otherwise (resolved against the container's capabilities);
//  * personality() only for the common personas; socket(AF_NETLINK, *, NETLINK_AUDIT) answers
//    EINVAL without CAP_AUDIT_WRITE.
//
// Rule order matters: for a syscall named by several applicable rules without argument
// filters, libseccomp keeps the first one. The groups below never overlap, except the
// capability-conditional pairs, whose conditions exclude each other.

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <string_view>

#include "rootless/seccomp.hpp"
#include "rootless/seccomp_profile.hpp"

namespace pc::rootless {
namespace {

using nlohmann::json;
using seccomp::Action;
using seccomp::action_name;

// Obsolete interfaces, kernel-global knobs, and syscalls with a history of exploits that
// containers do not need: always EPERM.
constexpr std::string_view kDenied = R"(
    bdflush cachestat futex_requeue futex_wait futex_waitv futex_wake io_pgetevents
    io_pgetevents_time64 kexec_file_load kexec_load map_shadow_stack migrate_pages move_pages
    nfsservctl nice oldfstat oldlstat oldolduname oldstat olduname pciconfig_iobase
    pciconfig_read pciconfig_write sgetmask ssetmask swapoff swapon syscall sysfs uselib
    userfaultfd ustat vm86 vm86old vmsplice
)";

// Always allowed (names of other arches' variants are harmless here: they apply to the
// 32-bit sub-architectures added through archMap, or are skipped when unknown).
constexpr std::string_view kAllowed = R"(
    _llseek _newselect accept accept4 access adjtimex alarm bind brk capget capset chdir chmod
    chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
    clock_gettime64 clock_nanosleep clock_nanosleep_time64 clone clone3 close close_range
    connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl
    epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve
    execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate
    fanotify_init fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl
    fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsconfig fsetxattr fsmount
    fsopen fspick fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex
    futex_time64 futimesat get_mempolicy get_robust_list get_thread_area getcpu getcwd
    getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups
    getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom
    getresgid getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname
    getsockopt gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init
    inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_setup io_submit ioctl
    ioprio_get ioprio_set ipc keyctl kill landlock_add_rule landlock_create_ruleset
    landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr
    lremovexattr lseek lsetxattr lstat lstat64 madvise mbind membarrier memfd_create
    memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mount
    mount_setattr move_mount mprotect mq_getsetattr mq_notify mq_open mq_timedreceive
    mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget
    msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat open
    open_tree openat openat2 pause pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2
    pivot_root pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv
    preadv2 prlimit64 process_mrelease process_vm_readv process_vm_writev pselect6
    pselect6_time64 ptrace pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv
    reboot recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename
    renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
    rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
    rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity
    sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
    sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
    sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
    semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy
    set_robust_list set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32
    setgid setgid32 setgroups setgroups32 setitimer setns setpgid setpriority setregid
    setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit setsid
    setsockopt setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signal
    signalfd signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs
    statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo syslog tee tgkill time
    timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
    timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
    timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask umount umount2 uname
    unlink unlinkat unshare utime utimensat utimensat_time64 utimes vfork wait4 waitid waitpid
    write writev
)";

// personality() values programs legitimately set: PER_LINUX, PER_LINUX32, and the same with
// UNAME26, plus 0xffffffff which only queries the current persona.
constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

// Allowed only on some native architectures (Go-style names, as in includes.arches).
struct ArchAllow {
    std::string_view names;
    std::initializer_list<const char*> arches;
};

// Allowed with the capability, EPERM without.
struct CapGated {
    const char* cap;
    std::string_view names;
};
constexpr CapGated kCapGated[] = {
    {"CAP_DAC_READ_SEARCH", "open_by_handle_at"},
    {"CAP_SYS_ADMIN", "lookup_dcookie quotactl quotactl_fd setdomainname sethostname"},
    {"CAP_SYS_CHROOT", "chroot"},
    {"CAP_SYS_MODULE", "delete_module finit_module init_module query_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE", "kcmp process_madvise"},
    {"CAP_SYS_RAWIO", "ioperm iopl"},
    {"CAP_SYS_TIME", "clock_settime clock_settime64 settimeofday stime"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
};

// Allowed with any one of the capabilities, EPERM with none of them.
struct AnyCapGated {
    const char* name;
    std::initializer_list<const char*> caps;
};

json split_names(std::string_view list) {
    json names = json::array();
    size_t i = 0;
    while (i < list.size()) {
        while (i < list.size() && (list[i] == ' ' || list[i] == '\n')) ++i;
        size_t j = i;
        while (j < list.size() && list[j] != ' ' && list[j] != '\n') ++j;
        if (j > i) names.push_back(std::string(list.substr(i, j - i)));
        i = j;
    }
    return names;
}

json rule(std::string_view names, Action action, unsigned err = 0) {
    json r = {{"names", split_names(names)}, {"action", action_name(action)}};
    if (action == Action::Errno) r["errnoRet"] = err;
    return r;
}

json arg_cmp(unsigned index, uint64_t value, const char* op) {
    return {{"index", index}, {"value", value}, {"op", op}};
}

json build_default_profile() {
    json rules = json::array();

    rules.push_back(rule(kDenied, Action::Errno, EPERM));
    rules.push_back(rule(kAllowed, Action::Allow));

    for (uint64_t persona : kPersonalities) {
        json r = rule("personality", Action::Allow);
        r["args"] = json::array({arg_cmp(0, persona, "SCMP_CMP_EQ")});
        rules.push_back(std::move(r));
    }

    const ArchAllow arch_allows[] = {
        {"sync_file_range2 swapcontext", {"ppc64le"}},
        {"arm_fadvise64_64 arm_sync_file_range breakpoint cacheflush set_tls sync_file_range2",
         {"arm", "arm64"}},
        {"arch_prctl", {"amd64", "x32"}},
        {"modify_ldt", {"amd64", "x32", "x86"}},
        {"s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr", {"s390", "s390x"}},
        {"riscv_flush_icache", {"riscv64"}},
    };
    for (const auto& a : arch_allows) {
        json r = rule(a.names, Action::Allow);
        r["includes"] = {{"arches", json(std::vector<std::string>(a.arches.begin(), a.arches.end()))}};
        rules.push_back(std::move(r));
    }

    for (const auto& g : kCapGated) {
        json allow = rule(g.names, Action::Allow);
        allow["includes"] = {{"caps", json::array({g.cap})}};
        rules.push_back(std::move(allow));
        json deny = rule(g.names, Action::Errno, EPERM);
        deny["excludes"] = {{"caps", json::array({g.cap})}};
        rules.push_back(std::move(deny));
    }

    // bpf() and perf_event_open() became usable with the narrower CAP_BPF / CAP_PERFMON
    // (Linux 5.8); CAP_SYS_ADMIN keeps working for both.
    const AnyCapGated any_cap_gated[] = {
        {"bpf", {"CAP_SYS_ADMIN", "CAP_BPF"}},
        {"perf_event_open", {"CAP_SYS_ADMIN", "CAP_PERFMON"}},
    };
    for (const auto& g : any_cap_gated) {
        for (const char* cap : g.caps) {
            json allow = rule(g.name, Action::Allow);
            allow["includes"] = {{"caps", json::array({cap})}};
            rules.push_back(std::move(allow));
        }
        json deny = rule(g.name, Action::Errno, EPERM);
        deny["excludes"] = {{"caps", json(std::vector<std::string>(g.caps.begin(), g.caps.end()))}};
        rules.push_back(std::move(deny));
    }

    // Without CAP_AUDIT_WRITE, opening an audit netlink socket answers EINVAL (as if the
    // protocol did not exist), every other socket is allowed. With the capability, all are.
    {
        json audit = rule("socket", Action::Errno, EINVAL);
        audit["args"] = json::array({arg_cmp(0, AF_NETLINK, "SCMP_CMP_EQ"),
                                     arg_cmp(2, NETLINK_AUDIT, "SCMP_CMP_EQ")});
        audit["excludes"] = {{"caps", json::array({"CAP_AUDIT_WRITE"})}};
        rules.push_back(std::move(audit));
        for (const json& cmp : {arg_cmp(0, AF_NETLINK, "SCMP_CMP_NE"), arg_cmp(2, NETLINK_AUDIT, "SCMP_CMP_NE")}) {
            json r = rule("socket", Action::Allow);
            r["args"] = json::array({cmp});
            r["excludes"] = {{"caps", json::array({"CAP_AUDIT_WRITE"})}};
            rules.push_back(std::move(r));
        }
        json all = rule("socket", Action::Allow);
        all["includes"] = {{"caps", json::array({"CAP_AUDIT_WRITE"})}};
        rules.push_back(std::move(all));
    }

    // On a 64-bit host, 32-bit (and x32) binaries enter the kernel through their own syscall
    // tables; the filter must cover them or they would hit libseccomp's bad-arch kill.
    json arch_map = json::array();
    auto map_entry = [&](const char* arch, std::initializer_list<const char*> subs) {
        arch_map.push_back({{"architecture", arch},
                            {"subArchitectures", json(std::vector<std::string>(subs.begin(), subs.end()))}});
    };
    map_entry("SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"});
    map_entry("SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"});
    map_entry("SCMP_ARCH_MIPS64", {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"});
    map_entry("SCMP_ARCH_MIPS64N32", {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"});
    map_entry("SCMP_ARCH_MIPSEL64", {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"});
    map_entry("SCMP_ARCH_MIPSEL64N32", {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"});
    map_entry("SCMP_ARCH_S390X", {"SCMP_ARCH_S390"});

    return {
        {"defaultAction", action_name(Action::Errno)},
        {"defaultErrnoRet", ENOSYS},
        {"archMap", std::move(arch_map)},
        {"syscalls", std::move(rules)},
    };
}

}  // namespace

const json& default_seccomp_document() {
    static const json doc = build_default_profile();
    return doc;
}

SeccompProfile default_seccomp_profile() {
    static const std::string identity = [] {
        struct stat st {};
        if (::stat("/proc/self/exe", &st) != 0) return std::string();  // keyed on the document then
        return "builtin-default " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + " " +
               std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
               std::to_string(st.st_mtim.tv_nsec);
    }();
    return SeccompProfile{nullptr, "default", identity};
}

const json& SeccompProfile::doc() const { return document ? *document : default_seccomp_document(); }

}  // namespace pc::rootless
