// Seccomp profile parsing, validation, condition resolution and the default profile's
// contents. Nothing here loads a filter (see seccomp_kernel_test.cpp for that).

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "common/error.hpp"
#include "rootless/caps.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/seccomp_profile.hpp"

namespace pc::rootless {
namespace {

using seccomp::Action;

// Expects parse_seccomp_profile(text, origin) to throw a pc::Error containing `needle`.
void expect_parse_error(const std::string& text, const std::string& needle,
                        const std::string& origin = "/x/p.json") {
    try {
        parse_seccomp_profile(text, origin);
        ADD_FAILURE() << "no error for: " << text;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message: " << e.what() << "\nexpected to contain: " << needle;
        EXPECT_NE(std::string(e.what()).find("seccomp profile " + origin), std::string::npos) << e.what();
    }
}

seccomp::Environment env_with(std::vector<int> caps, std::string arch = "amd64",
                              seccomp::KernelVersion kernel = {6, 1}) {
    return seccomp::Environment{std::move(arch), std::move(caps), kernel};
}

TEST(SeccompParse, MinimalProfile) {
    auto p = parse_seccomp_profile(R"({"defaultAction":"SCMP_ACT_ALLOW"})", "t");
    EXPECT_EQ(p.origin, "t");
    auto parsed = seccomp::parse_profile(p.doc(), p.origin);
    EXPECT_EQ(parsed.default_action, Action::Allow);
    EXPECT_TRUE(parsed.rules.empty());
}

TEST(SeccompParse, FullRule) {
    auto p = parse_seccomp_profile(R"({
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        "flags": ["SECCOMP_FILTER_FLAG_LOG"],
        "syscalls": [
          {"names": ["kill", "tkill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
           "args": [{"index": 1, "value": 10, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
                    {"index": 0, "value": 255, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}],
           "includes": {"caps": ["CAP_KILL"], "arches": ["amd64"], "minKernel": "4.8"},
           "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"name": "getpid", "action": "SCMP_ACT_LOG", "comment": "ignored"},
          {"names": ["x"], "action": "SCMP_ACT_ERRNO", "errno": "EROFS"},
          {"names": ["y"], "action": "SCMP_ACT_ERRNO"}
        ]})", "t");
    auto parsed = seccomp::parse_profile(p.doc(), "t");
    EXPECT_EQ(parsed.default_ret, 38u);
    ASSERT_EQ(parsed.rules.size(), 4u);
    const auto& r = parsed.rules[0];
    EXPECT_EQ(r.names, (std::vector<std::string>{"kill", "tkill"}));
    EXPECT_EQ(r.action, Action::Errno);
    EXPECT_EQ(r.ret, 13u);
    ASSERT_EQ(r.args.size(), 2u);
    EXPECT_EQ(r.args[1].op, seccomp::Op::MaskedEqual);
    EXPECT_EQ(r.args[1].value, 255u);
    EXPECT_EQ(r.args[1].value_two, 3u);
    ASSERT_TRUE(r.includes.min_kernel);
    EXPECT_EQ(r.includes.min_kernel->major, 4);
    EXPECT_EQ(r.includes.min_kernel->minor, 8);
    EXPECT_EQ(parsed.rules[1].names, std::vector<std::string>{"getpid"});
    EXPECT_EQ(parsed.rules[1].action, Action::Log);
    EXPECT_EQ(parsed.rules[2].ret, static_cast<unsigned>(EROFS));
    EXPECT_EQ(parsed.rules[3].ret, static_cast<unsigned>(EPERM));  // the runtime-spec default
}

TEST(SeccompParse, DefaultErrnoDefaultsAndNames) {
    auto a = seccomp::parse_profile(nlohmann::json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO"})"), "t");
    EXPECT_EQ(a.default_ret, static_cast<unsigned>(EPERM));
    auto b = seccomp::parse_profile(
        nlohmann::json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS"})"), "t");
    EXPECT_EQ(b.default_ret, static_cast<unsigned>(ENOSYS));
    auto c = seccomp::parse_profile(
        nlohmann::json::parse(R"({"defaultAction":"SCMP_ACT_KILL","syscalls":null,"archMap":null})"), "t");
    EXPECT_EQ(c.default_action, Action::KillThread);
}

TEST(SeccompParse, JsonSyntaxErrorNamesFile) {
    expect_parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW",,})", "invalid JSON");
    expect_parse_error("", "invalid JSON");
    expect_parse_error("[1,2]", "expected a JSON object");
}

TEST(SeccompParse, BadActions) {
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","action":"SCMP_ACT_ALLOW"},
        {"name":"b","action":"SCMP_ACT_ALLOW"},{"name":"c","action":"SCMP_ACT_ALLOW"},
        {"name":"d","action":"SCMP_ACT_FOO"}]})",
                       "syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_NOPE"})", "defaultAction: unknown action \"SCMP_ACT_NOPE\"");
    expect_parse_error(R"({"syscalls":[]})", "defaultAction: missing");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_NOTIFY"})", "defaultAction: SCMP_ACT_NOTIFY is not supported");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","action":"SCMP_ACT_NOTIFY"}]})",
                       "syscalls[0].action: SCMP_ACT_NOTIFY is not supported");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a"}]})", "syscalls[0].action: missing");
    expect_parse_error(R"({"defaultAction":5})", "defaultAction: expected a string");
}

TEST(SeccompParse, BadOperatorsAndArgs) {
    auto with_arg = [](const std::string& arg) {
        return R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[)" +
               arg + "]}]}";
    };
    expect_parse_error(with_arg(R"({"index":0,"value":1,"op":"SCMP_CMP_LIKE"})"),
                       "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_LIKE\"");
    expect_parse_error(with_arg(R"({"index":0,"value":1})"), "syscalls[0].args[0].op: missing");
    expect_parse_error(with_arg(R"({"value":1,"op":"SCMP_CMP_EQ"})"), "syscalls[0].args[0].index: missing");
    expect_parse_error(with_arg(R"({"index":6,"value":1,"op":"SCMP_CMP_EQ"})"), "syscalls[0].args[0].index: syscall argument index 6 out of range");
    expect_parse_error(with_arg(R"({"index":0,"value":-1,"op":"SCMP_CMP_EQ"})"), "syscalls[0].args[0].value: expected a non-negative integer");
    expect_parse_error(with_arg(R"({"index":0,"value":"1","op":"SCMP_CMP_EQ"})"), "syscalls[0].args[0].value");
    expect_parse_error(with_arg(R"(7)"), "syscalls[0].args[0]: expected an object");
    // The full unsigned 64-bit range is valid.
    EXPECT_NO_THROW(parse_seccomp_profile(with_arg(R"({"index":5,"value":18446744073709551615,"op":"SCMP_CMP_GE"})"), "t"));
}

TEST(SeccompParse, MissingOrBadNames) {
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]})",
                       "syscalls[0].names: missing");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]})",
                       "syscalls[0].names: missing");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]})",
                       "syscalls[0]: both \"name\" and \"names\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a",3],"action":"SCMP_ACT_ERRNO"}]})",
                       "syscalls[0].names[1]: expected a string");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":{"name":"a"}})", "syscalls: expected an array");
}

TEST(SeccompParse, OtherFieldErrors) {
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000})", "defaultErrnoRet: value 5000 out of range");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"EWHAT"})", "defaultErrno: unknown errno name \"EWHAT\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]})",
                       "architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],
                          "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]})",
                       "both \"architectures\" and \"archMap\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]})",
                       "flags[0]: unsupported flag");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","action":"SCMP_ACT_ERRNO",
                          "includes":{"minKernel":"four"}}]})",
                       "syscalls[0].includes.minKernel: invalid kernel version \"four\"");
    expect_parse_error(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","action":"SCMP_ACT_ERRNO",
                          "excludes":{"caps":"CAP_SYS_ADMIN"}}]})",
                       "syscalls[0].excludes.caps: expected an array of strings");
    // Foreign entries of an archMap may name arches this libseccomp does not know.
    EXPECT_NO_THROW(parse_seccomp_profile(R"({"defaultAction":"SCMP_ACT_ALLOW",
        "archMap":[{"architecture":"SCMP_ARCH_LOONGARCH64","subArchitectures":[]}]})", "t"));
}

TEST(SeccompParse, NumberTooLargeIsAnError) {
    // nlohmann reports 1e400 as out_of_range, not parse_error; both are the user's bad JSON.
    try {
        parse_seccomp_profile(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1e400})", "big.json");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("seccomp profile big.json: invalid JSON"), std::string::npos) << e.what();
    }
}

TEST(SeccompParse, LoadFromFile) {
    char dir[] = "/tmp/pc-seccomp-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string good = std::string(dir) + "/good.json";
    const std::string bad = std::string(dir) + "/bad.json";
    std::ofstream(good) << R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]})";
    std::ofstream(bad) << "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n}";
    auto p = load_seccomp_profile(good);
    EXPECT_EQ(p.origin, good);
    EXPECT_EQ(p.doc()["syscalls"][0]["names"][0], "mkdir");
    try {
        load_seccomp_profile(bad);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("seccomp profile " + bad + ": invalid JSON"), std::string::npos) << msg;
        EXPECT_NE(msg.find("line 4"), std::string::npos) << msg;
    }
    try {
        load_seccomp_profile(std::string(dir) + "/missing.json");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
    }
    unlink(good.c_str());
    unlink(bad.c_str());
    rmdir(dir);
}

TEST(SeccompConditions, CapsArchesKernel) {
    auto p = seccomp::parse_profile(nlohmann::json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
        {"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN","CAP_NET_ADMIN"]}},
        {"names":["b"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_ADMIN","CAP_BPF"]}},
        {"names":["c"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["arm64","amd64"]}},
        {"names":["d"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}},
        {"names":["e"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.8"}},
        {"names":["f"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["sys_admin"]}},
        {"names":["g"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_NOT_A_CAP"]}}
    ]})"), "t");
    const auto& r = p.rules;
    // includes.caps: all of them are needed.
    EXPECT_FALSE(seccomp::rule_applies(r[0], env_with({CAP_SYS_ADMIN})));
    EXPECT_TRUE(seccomp::rule_applies(r[0], env_with({CAP_SYS_ADMIN, CAP_NET_ADMIN})));
    // excludes.caps: any of them drops the rule.
    EXPECT_TRUE(seccomp::rule_applies(r[1], env_with({CAP_CHOWN})));
    EXPECT_FALSE(seccomp::rule_applies(r[1], env_with({CAP_BPF})));
    EXPECT_FALSE(seccomp::rule_applies(r[1], env_with({CAP_SYS_ADMIN})));
    EXPECT_TRUE(seccomp::rule_applies(r[2], env_with({}, "amd64")));
    EXPECT_FALSE(seccomp::rule_applies(r[2], env_with({}, "s390x")));
    EXPECT_FALSE(seccomp::rule_applies(r[3], env_with({}, "amd64")));
    EXPECT_TRUE(seccomp::rule_applies(r[3], env_with({}, "arm64")));
    EXPECT_TRUE(seccomp::rule_applies(r[4], env_with({}, "amd64", {5, 8})));
    EXPECT_TRUE(seccomp::rule_applies(r[4], env_with({}, "amd64", {6, 0})));
    EXPECT_FALSE(seccomp::rule_applies(r[4], env_with({}, "amd64", {5, 4})));
    EXPECT_FALSE(seccomp::rule_applies(r[4], env_with({}, "amd64", {4, 19})));
    EXPECT_TRUE(seccomp::rule_applies(r[5], env_with({CAP_SYS_ADMIN})));
    EXPECT_FALSE(seccomp::rule_applies(r[6], env_with(all_capabilities())));
}

TEST(SeccompConditions, HostEnvironment) {
    auto env = seccomp::host_environment({CAP_KILL});
#if defined(__x86_64__)
    EXPECT_EQ(env.arch, "amd64");
#endif
    EXPECT_GE(env.kernel.major, 3);
    EXPECT_EQ(env.caps, std::vector<int>{CAP_KILL});
}

TEST(SeccompConditions, FirstSyscallLevelRuleWins) {
    auto p = seccomp::parse_profile(nlohmann::json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
        {"names":["x"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
        {"names":["x"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
        {"names":["x"],"action":"SCMP_ACT_ALLOW"},
        {"names":["y"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}
    ]})"), "t");
    auto env = env_with({});
    // The first rule repeats the default and is skipped; the EPERM one comes next.
    auto x = seccomp::unconditional_outcome(p, "x", env);
    EXPECT_EQ(x.action, Action::Errno);
    EXPECT_EQ(x.ret, 1u);
    auto y = seccomp::unconditional_outcome(p, "y", env);
    EXPECT_EQ(y.action, Action::Errno);
    EXPECT_EQ(y.ret, 38u);
    EXPECT_TRUE(y.has_arg_rules);
}

// --- the default profile -----------------------------------------------------------------

class SeccompDefaultProfile : public ::testing::Test {
protected:
    seccomp::Profile profile = seccomp::parse_profile(default_seccomp_profile().doc(), "default");

    seccomp::Outcome outcome(const std::string& name, std::vector<int> caps = default_capabilities()) {
        return seccomp::unconditional_outcome(profile, name, env_with(std::move(caps)));
    }
    void expect_allowed(const std::string& name, std::vector<int> caps = default_capabilities()) {
        auto o = outcome(name, std::move(caps));
        EXPECT_EQ(o.action, Action::Allow) << name;
        EXPECT_FALSE(o.has_arg_rules) << name;
    }
    void expect_errno(const std::string& name, unsigned err, std::vector<int> caps = default_capabilities()) {
        auto o = outcome(name, std::move(caps));
        EXPECT_EQ(o.action, Action::Errno) << name;
        EXPECT_EQ(o.ret, err) << name;
        EXPECT_FALSE(o.has_arg_rules) << name;
    }
};

TEST_F(SeccompDefaultProfile, ValidatesAndHasPodmanDefaults) {
    auto p = default_seccomp_profile();
    EXPECT_EQ(p.origin, "default");
    EXPECT_EQ(p.doc()["defaultAction"], "SCMP_ACT_ERRNO");
    EXPECT_EQ(p.doc()["defaultErrnoRet"], ENOSYS);
    EXPECT_EQ(profile.default_action, Action::Errno);
    EXPECT_EQ(profile.default_ret, static_cast<unsigned>(ENOSYS));
    // The JSON form round-trips through the public parser (it is what `inspect` would show).
    EXPECT_NO_THROW(parse_seccomp_profile(p.doc().dump(), "default"));
    bool x86_64_maps_32bit = false;
    for (const auto& e : profile.arch_map)
        if (e.arch == "SCMP_ARCH_X86_64")
            x86_64_maps_32bit = e.subarches == std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    EXPECT_TRUE(x86_64_maps_32bit);
}

TEST_F(SeccompDefaultProfile, CommonSyscallsAllowed) {
    for (const char* name : {"read", "write", "openat", "close", "mmap", "execve", "clone", "clone3", "fork",
                             "futex", "rt_sigaction", "exit_group", "getpid", "socketpair", "epoll_wait",
                             "statx", "getdents64", "prctl", "seccomp", "capset", "setresuid", "chown32"})
        expect_allowed(name);
    // Podman leaves these to the kernel's capability checks in the container's user namespace.
    for (const char* name : {"mount", "umount2", "unshare", "setns", "pivot_root", "ptrace", "reboot", "keyctl"})
        expect_allowed(name);
    // The default capabilities include CAP_SYS_CHROOT.
    expect_allowed("chroot");
    expect_allowed("arch_prctl");  // amd64 environment
}

TEST_F(SeccompDefaultProfile, ExplicitDenialsAreEperm) {
    for (const char* name : {"kexec_load", "kexec_file_load", "swapon", "swapoff", "userfaultfd", "vmsplice",
                             "move_pages", "nfsservctl", "uselib", "bdflush", "sysfs", "ustat"})
        expect_errno(name, EPERM);
    // Capability-gated ones without the capability.
    for (const char* name : {"open_by_handle_at", "init_module", "finit_module", "delete_module", "acct",
                             "kcmp", "process_madvise", "iopl", "ioperm", "clock_settime", "settimeofday",
                             "vhangup", "bpf", "perf_event_open", "sethostname", "setdomainname",
                             "quotactl", "lookup_dcookie"})
        expect_errno(name, EPERM);
}

TEST_F(SeccompDefaultProfile, UnlistedSyscallsAreEnosys) {
    for (const char* name : {"add_key", "request_key", "io_uring_setup", "io_uring_enter", "readdir",
                             "lsm_get_self_attr", "no_such_syscall"})
        expect_errno(name, ENOSYS);
    // Arch-specific allows for other arches do not apply on amd64.
    expect_errno("riscv_flush_icache", ENOSYS);
    auto on_arm = seccomp::unconditional_outcome(profile, "arch_prctl", env_with(default_capabilities(), "arm64"));
    EXPECT_EQ(on_arm.ret, static_cast<unsigned>(ENOSYS));
}

TEST_F(SeccompDefaultProfile, CapabilitiesUnlockSyscalls) {
    auto with = [](std::vector<int> extra) {
        auto caps = default_capabilities();
        caps.insert(caps.end(), extra.begin(), extra.end());
        return caps;
    };
    expect_allowed("open_by_handle_at", with({CAP_DAC_READ_SEARCH}));
    expect_allowed("clock_settime", with({CAP_SYS_TIME}));
    expect_allowed("init_module", with({CAP_SYS_MODULE}));
    expect_allowed("sethostname", with({CAP_SYS_ADMIN}));
    expect_allowed("bpf", with({CAP_SYS_ADMIN}));
    expect_allowed("bpf", with({CAP_BPF}));
    expect_allowed("perf_event_open", with({CAP_PERFMON}));
    expect_allowed("perf_event_open", with({CAP_SYS_ADMIN}));
    expect_errno("perf_event_open", EPERM, with({CAP_BPF}));
    expect_allowed("kcmp", with({CAP_SYS_PTRACE}));
    // Without CAP_SYS_CHROOT, chroot is denied.
    expect_errno("chroot", EPERM, {CAP_CHOWN});
}

TEST_F(SeccompDefaultProfile, ArgumentFilters) {
    // personality and socket are decided by argument comparisons (checked for real in the
    // kernel test); with CAP_AUDIT_WRITE socket becomes unconditional.
    EXPECT_TRUE(outcome("personality").has_arg_rules);
    EXPECT_TRUE(outcome("socket").has_arg_rules);
    auto caps = default_capabilities();
    caps.push_back(CAP_AUDIT_WRITE);
    expect_allowed("socket", caps);
}

TEST_F(SeccompDefaultProfile, NoSyscallInTwoUnconditionalGroups) {
    // Each syscall-level rule without conditions must be the only one naming its syscall,
    // or the effective answer would depend on rule order in a way nobody reviews.
    std::map<std::string, int> seen;
    for (const auto& r : profile.rules) {
        if (!r.args.empty() || !r.includes.empty() || !r.excludes.empty()) continue;
        for (const auto& n : r.names) EXPECT_EQ(++seen[n], 1) << n;
    }
    EXPECT_GT(seen.size(), 350u);
}

}  // namespace
}  // namespace pc::rootless
