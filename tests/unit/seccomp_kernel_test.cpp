// Loads seccomp filters into the kernel, in forked children (a filter cannot be removed),
// and checks what syscalls answer. Needs no privileges: the children set no_new_privs first.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "common/error.hpp"
#include "rootless/caps.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/seccomp_bpf.hpp"

namespace pc::rootless {
namespace {

// Result of a syscall as text: "ok" or the errno name-ish number ("e1", "e38").
std::string result(long rc) { return rc < 0 ? "e" + std::to_string(errno) : "ok"; }

// Runs `body` in a forked child that reports "key=value" lines through a pipe; returns them.
// Child-side failures are reported as key "error" (exceptions) or via the exit status.
std::map<std::string, std::string> run_in_child(const std::function<void(std::ostringstream&)>& body) {
    int fds[2];
    if (pipe(fds) != 0) throw Error::sys("pipe");
    pid_t pid = fork();
    if (pid < 0) throw Error::sys("fork");
    if (pid == 0) {
        close(fds[0]);
        std::ostringstream out;
        try {
            body(out);
        } catch (const std::exception& e) {
            out << "error=" << e.what() << "\n";
        }
        const std::string s = out.str();
        size_t off = 0;
        while (off < s.size()) {
            ssize_t n = write(fds[1], s.data() + off, s.size() - off);
            if (n <= 0) _exit(3);
            off += static_cast<size_t>(n);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    std::map<std::string, std::string> kv;
    kv["exit"] = WIFEXITED(status) ? std::to_string(WEXITSTATUS(status)) : "signal" + std::to_string(WTERMSIG(status));
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return kv;
}

// Runs `fn` in a grandchild and returns its exit code (or 1000 + signal); used for probes
// that change the process (unshare) or may crash (int 0x80 without ia32 emulation).
int in_grandchild(const std::function<int()>& fn) {
    pid_t pid = fork();
    if (pid == 0) _exit(fn());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

std::string seccomp_status_line() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Seccomp:", 0) == 0) return line;
    return "";
}

#if defined(__x86_64__)
// A 32-bit syscall from a 64-bit process: the kernel checks it against the filter's i386
// section, which only exists because archMap adds SCMP_ARCH_X86.
long int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0) {
    long ret;
    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
                 : "memory", "r8", "r9", "r10", "r11");
    return ret;
}
constexpr long kI386Getpid = 20;
constexpr long kI386KexecLoad = 283;
#endif

TEST(SeccompKernel, DefaultProfileWithDefaultCaps) {
    auto kv = run_in_child([](std::ostringstream& out) {
        // Probes before the filter: what the kernel alone answers here.
        const int unshare_before = in_grandchild([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; });
#if defined(__x86_64__)
        const int int80_before = in_grandchild([] { return int80(kI386Getpid) > 0 ? 0 : 1; });
#endif
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw Error::sys("PR_SET_NO_NEW_PRIVS");
        const auto t0 = std::chrono::steady_clock::now();
        apply_seccomp(default_seccomp_profile(), default_capabilities());
        const auto t1 = std::chrono::steady_clock::now();
        out << "apply_us=" << std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count() << "\n";

        out << "status=" << seccomp_status_line() << "\n";
        out << "getpid=" << (syscall(SYS_getpid) == getpid() ? "ok" : "bad") << "\n";
        out << "kexec_load=" << result(syscall(SYS_kexec_load, 0, 0, nullptr, 0)) << "\n";
        out << "open_by_handle_at=" << result(syscall(SYS_open_by_handle_at, -1, nullptr, 0)) << "\n";
        // Kernel alone would say EBADF: EPERM can only come from the filter.
        out << "vmsplice=" << result(syscall(SYS_vmsplice, -1, nullptr, 0, 0)) << "\n";
        // Not listed at all: ENOSYS (the kernel alone would say EFAULT / create a key).
        out << "io_uring_setup=" << result(syscall(SYS_io_uring_setup, 1, nullptr)) << "\n";
        out << "add_key=" << result(syscall(SYS_add_key, "user", "pc-test", "x", 1, -2 /* process keyring */))
            << "\n";
        struct timespec ts {};
        clock_gettime(CLOCK_REALTIME, &ts);
        out << "clock_settime=" << result(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts)) << "\n";
        // Allowed because the default caps include CAP_SYS_CHROOT: the kernel answers ENOENT.
        out << "chroot=" << result(chroot("/nonexistent-pc-seccomp-test")) << "\n";
        out << "personality_query=" << result(personality(0xffffffff)) << "\n";
        out << "personality_bsd=" << result(personality(PER_BSD)) << "\n";
        int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
        out << "socket_audit=" << result(s) << "\n";
        int r = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        out << "socket_route=" << result(r) << "\n";
        int u = socket(AF_UNIX, SOCK_STREAM, 0);
        out << "socket_unix=" << result(u) << "\n";
        // Podman's profile allows unshare: the kernel decides, as without a filter.
        const int unshare_after = in_grandchild([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; });
        out << "unshare_same=" << (unshare_before == unshare_after ? "yes" : "no") << "\n";
        out << "unshare_after=" << unshare_after << "\n";
#if defined(__x86_64__)
        if (int80_before == 0) {
            out << "i386_getpid=" << in_grandchild([] { return int80(kI386Getpid) == getpid() ? 0 : 1; }) << "\n";
            out << "i386_kexec=" << in_grandchild([] { return static_cast<int>(-int80(kI386KexecLoad)); }) << "\n";
        }
#endif
    });
    ASSERT_EQ(kv["exit"], "0");
    ASSERT_EQ(kv.count("error"), 0u) << kv["error"];
    EXPECT_EQ(kv["status"], "Seccomp:\t2");
    EXPECT_EQ(kv["getpid"], "ok");
    EXPECT_EQ(kv["kexec_load"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["open_by_handle_at"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["vmsplice"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["io_uring_setup"], "e" + std::to_string(ENOSYS));
    EXPECT_EQ(kv["add_key"], "e" + std::to_string(ENOSYS));
    EXPECT_EQ(kv["clock_settime"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["chroot"], "e" + std::to_string(ENOENT));
    EXPECT_EQ(kv["personality_query"], "ok");
    EXPECT_EQ(kv["personality_bsd"], "e" + std::to_string(ENOSYS));
    EXPECT_EQ(kv["socket_audit"], "e" + std::to_string(EINVAL));
    EXPECT_EQ(kv["socket_route"], "ok");
    EXPECT_EQ(kv["socket_unix"], "ok");
    EXPECT_EQ(kv["unshare_same"], "yes") << "unshare(CLONE_NEWUSER) after filter: " << kv["unshare_after"];
    if (kv.count("i386_getpid")) {
        EXPECT_EQ(kv["i386_getpid"], "0");
        EXPECT_EQ(kv["i386_kexec"], std::to_string(EPERM));
    }
    RecordProperty("apply_us", kv["apply_us"]);
    std::cout << "[ info     ] default profile built and loaded in " << kv["apply_us"] << " us\n";
}

TEST(SeccompKernel, CustomProfileErrnoAndArgs) {
    auto kv = run_in_child([](std::ostringstream& out) {
        signal(SIGUSR1, SIG_IGN);
        signal(SIGUSR2, SIG_IGN);
        auto profile = parse_seccomp_profile(R"({
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [
              {"names": ["mkdir", "mkdirat", "pc_no_such_syscall"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
              {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
               "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"},
                        {"index": 1, "value": 12, "op": "SCMP_CMP_EQ"}]},
              {"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30,
               "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
              {"names": ["getppid"], "action": "SCMP_ACT_ALLOW"}
            ]})", "custom.json");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw Error::sys("PR_SET_NO_NEW_PRIVS");
        apply_seccomp(profile, {});
        out << "mkdir=" << result(mkdir("/tmp/pc-seccomp-test-never-created", 0700)) << "\n";
        out << "kill0=" << result(kill(getpid(), 0)) << "\n";
        out << "kill_usr1=" << result(kill(getpid(), SIGUSR1)) << "\n";
        out << "kill_usr2=" << result(kill(getpid(), SIGUSR2)) << "\n";
        out << "kill_chld=" << result(kill(getpid(), SIGCHLD)) << "\n";
        int fd = open("/proc/self/status", O_RDONLY);
        out << "open_ro=" << result(fd) << "\n";
        out << "open_creat=" << result(open("/tmp/pc-seccomp-test-never-created", O_WRONLY | O_CREAT, 0600)) << "\n";
        out << "status=" << seccomp_status_line() << "\n";
    });
    ASSERT_EQ(kv["exit"], "0");
    ASSERT_EQ(kv.count("error"), 0u) << kv["error"];
    EXPECT_EQ(kv["mkdir"], "e" + std::to_string(EACCES));
    EXPECT_EQ(kv["kill0"], "ok");
    EXPECT_EQ(kv["kill_usr1"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["kill_usr2"], "e" + std::to_string(EPERM));
    EXPECT_EQ(kv["kill_chld"], "ok");
    EXPECT_EQ(kv["open_ro"], "ok");
    EXPECT_EQ(kv["open_creat"], "e" + std::to_string(EROFS));
    EXPECT_EQ(kv["status"], "Seccomp:\t2");
}

TEST(SeccompKernel, ConflictingRulesNameTheSyscall) {
    // Fails while building the filter, before anything is loaded: safe in this process.
    auto profile = parse_seccomp_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
        {"names": ["kill"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}
    ]})", "conflict.json");
    try {
        apply_seccomp(profile, {});
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("seccomp profile conflict.json"), std::string::npos) << msg;
        EXPECT_NE(msg.find("\"kill\""), std::string::npos) << msg;
    }
}

TEST(SeccompKernel, LoadWithoutNoNewPrivsNeedsCapSysAdmin) {
    auto kv = run_in_child([](std::ostringstream& out) {
        apply_seccomp(default_seccomp_profile(), default_capabilities());
        out << "status=" << seccomp_status_line() << "\n";
    });
    ASSERT_EQ(kv["exit"], "0");
    if (kv.count("error")) {
        // Unprivileged in the host user namespace: the kernel refuses, and the message says
        // why (EACCES reported as such thanks to SCMP_FLTATR_API_SYSRAWRC).
        EXPECT_NE(kv["error"].find("no_new_privs"), std::string::npos) << kv["error"];
        EXPECT_NE(kv["error"].find("Permission denied"), std::string::npos) << kv["error"];
    } else {
        EXPECT_EQ(kv["status"], "Seccomp:\t2");  // we hold CAP_SYS_ADMIN (e.g. run as root)
    }
}

TEST(SeccompKernel, LoadsInFreshUserNamespaceWithoutNoNewPrivs) {
    auto kv = run_in_child([](std::ostringstream& out) {
        if (unshare(CLONE_NEWUSER) != 0) {
            out << "skip=" << errno << "\n";
            return;
        }
        apply_seccomp(default_seccomp_profile(), default_capabilities());
        out << "status=" << seccomp_status_line() << "\n";
        out << "nnp=" << prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) << "\n";
    });
    ASSERT_EQ(kv["exit"], "0");
    if (kv.count("skip")) GTEST_SKIP() << "unshare(CLONE_NEWUSER) failed: errno " << kv["skip"];
    ASSERT_EQ(kv.count("error"), 0u) << kv["error"];
    EXPECT_EQ(kv["status"], "Seccomp:\t2");
    EXPECT_EQ(kv["nnp"], "0");  // libseccomp did not set it behind our back
}

// The program compiled in a parent is reused by a forked child: its apply_seccomp() only
// loads it (the expensive libseccomp generation happened before fork).
TEST(SeccompKernel, CompiledInParentReusedInChild) {
    auto profile = parse_seccomp_profile(
        R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]})",
        "memo.json");
    const auto prog = compile_seccomp(profile, {5 /* CAP_KILL */});
    EXPECT_GT(prog.insns.size(), 4u);
    auto kv = run_in_child([&](std::ostringstream& out) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw Error::sys("PR_SET_NO_NEW_PRIVS");
        const auto t0 = std::chrono::steady_clock::now();
        apply_seccomp(profile, {5 /* CAP_KILL */});
        const auto t1 = std::chrono::steady_clock::now();
        out << "apply_us=" << std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count() << "\n";
        out << "mkdir=" << result(mkdir("/tmp/pc-seccomp-test-never-created", 0700)) << "\n";
    });
    ASSERT_EQ(kv["exit"], "0");
    ASSERT_EQ(kv.count("error"), 0u) << kv["error"];
    EXPECT_EQ(kv["mkdir"], "e" + std::to_string(EACCES));
    std::cout << "[ info     ] apply of a program compiled before fork: " << kv["apply_us"] << " us\n";
}

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') out.push_back(e->d_name);
        closedir(d);
    }
    return out;
}

TEST(SeccompKernel, OnDiskCache) {
    char tmp[] = "/tmp/pc-seccomp-cache-XXXXXX";
    ASSERT_NE(mkdtemp(tmp), nullptr);
    const std::string dir = std::string(tmp) + "/sub/seccomp";
    const auto profile = default_seccomp_profile();
    const auto caps = default_capabilities();

    // Each compile runs in its own child so that the in-process memo starts empty there.
    auto compile_in_child = [&] {
        return run_in_child([&](std::ostringstream& out) {
            const auto t0 = std::chrono::steady_clock::now();
            auto prog = compile_seccomp_cached(profile, caps, dir);
            const auto t1 = std::chrono::steady_clock::now();
            out << "us=" << std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count() << "\n";
            out << "insns=" << prog.insns.size() << "\n";
            out << "sum=" << std::hash<std::string_view>{}(std::string_view(
                                 reinterpret_cast<const char*>(prog.insns.data()), prog.insns.size() * 8))
                << "\n";
        });
    };
    auto first = compile_in_child();
    ASSERT_EQ(first["exit"], "0");
    ASSERT_EQ(first.count("error"), 0u) << first["error"];
    auto entries = list_dir(dir);
    ASSERT_EQ(entries.size(), 1u);
    struct stat st {};
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    auto second = compile_in_child();
    EXPECT_EQ(second["insns"], first["insns"]);
    EXPECT_EQ(second["sum"], first["sum"]);
    std::cout << "[ info     ] compile: " << first["us"] << " us, from the disk cache: " << second["us"] << " us\n";

    // A damaged entry is recompiled and rewritten, not loaded.
    const std::string entry = dir + "/" + entries[0];
    ASSERT_EQ(truncate(entry.c_str(), 100), 0);
    auto third = compile_in_child();
    EXPECT_EQ(third["sum"], first["sum"]);
    ASSERT_EQ(stat(entry.c_str(), &st), 0);
    EXPECT_GT(st.st_size, 100);

    // The same program as compiling without the cache (this fills the memo of this process,
    // so it comes last).
    const auto direct = compile_seccomp(profile, caps);
    EXPECT_EQ(std::to_string(direct.insns.size()), first["insns"]);

    unlink(entry.c_str());
    rmdir(dir.c_str());
    rmdir((std::string(tmp) + "/sub").c_str());
    rmdir(tmp);
}

}  // namespace
}  // namespace pc::rootless
