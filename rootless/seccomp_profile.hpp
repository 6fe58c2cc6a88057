// Internal model of a seccomp profile, shared by the parser, the filter builder and the
// unit tests. The public interface is rootless/seccomp.hpp; this header exists so that the
// condition logic (includes/excludes on caps, arches, kernel version) can be tested without
// loading anything into the kernel.
#pragma once

#include <nlohmann/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pc::rootless::seccomp {

enum class Action { Allow, Errno, KillThread, KillProcess, Trap, Log, Trace };

enum class Op { NotEqual, Less, LessEqual, Equal, GreaterEqual, Greater, MaskedEqual };

struct ArgCmp {
    unsigned index = 0;  // 0..5
    uint64_t value = 0;
    uint64_t value_two = 0;  // only used by MaskedEqual (value is the mask)
    Op op = Op::Equal;
};

struct KernelVersion {
    int major = 0, minor = 0;
    auto operator<=>(const KernelVersion&) const = default;
};

// includes/excludes. Semantics follow the runtimes (containers/common, moby):
//  includes: the rule applies only if EVERY listed cap is held, the native arch is one of
//            `arches` (when given) and the kernel is at least `min_kernel` (when given);
//  excludes: the rule is dropped if ANY listed cap is held, or the native arch is listed,
//            or the kernel is at least `min_kernel`.
struct Condition {
    std::vector<std::string> caps;    // "CAP_SYS_ADMIN" (as written in the profile)
    std::vector<std::string> arches;  // Go-style arch names: "amd64", "x86", "arm64", ...
    std::optional<KernelVersion> min_kernel;
    bool empty() const { return caps.empty() && arches.empty() && !min_kernel; }
};

struct Rule {
    std::vector<std::string> names;
    Action action = Action::Allow;
    unsigned ret = 1;  // errno for Errno (default EPERM), message for Trace
    std::vector<ArgCmp> args;
    Condition includes, excludes;
};

struct ArchMapEntry {
    std::string arch;                 // "SCMP_ARCH_X86_64"
    std::vector<std::string> subarches;
};

struct Profile {
    Action default_action = Action::Errno;
    unsigned default_ret = 1;  // EPERM unless defaultErrnoRet/defaultErrno say otherwise
    std::vector<std::string> architectures;  // "architectures": added as listed
    std::vector<ArchMapEntry> arch_map;      // "archMap": only the native entry is used
    std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
    std::vector<Rule> rules;                 // in profile order (order matters, see apply)
};

// Validates a profile document. Errors are pc::Error "seccomp profile ORIGIN: FIELD: what".
Profile parse_profile(const nlohmann::json& doc, const std::string& origin);

// What a rule's conditions are evaluated against.
struct Environment {
    std::string arch;          // Go-style native arch name ("amd64")
    std::vector<int> caps;     // capability numbers the container holds
    KernelVersion kernel;
};
Environment host_environment(const std::vector<int>& caps);
bool rule_applies(const Rule& rule, const Environment& env);

// The outcome for a syscall called with arguments no arg-conditional rule cares about:
// the first applicable rule that names the syscall without argument comparisons wins (that is
// what libseccomp does with several syscall-level rules: it keeps the first), otherwise the
// default action. Used by tests and diagnostics; rules with args are not evaluated.
struct Outcome {
    Action action;
    unsigned ret;
    bool has_arg_rules;  // some applicable rule for this syscall compares arguments
};
Outcome unconditional_outcome(const Profile& profile, const std::string& syscall,
                              const Environment& env);

// "SCMP_ACT_ERRNO" etc. (for messages and the default profile builder).
const char* action_name(Action action);
const char* op_name(Op op);

// errno names accepted in "errno"/"defaultErrno" ("EPERM" -> 1); nullopt if unknown.
std::optional<unsigned> errno_from_name(const std::string& name);

}  // namespace pc::rootless::seccomp
