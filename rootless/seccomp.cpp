// Seccomp profiles: validation of the OCI/Docker JSON format and building + loading the
// filter with libseccomp. The default profile's contents live in seccomp_default.cpp.

#include "rootless/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/capability.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "rootless/seccomp_bpf.hpp"
#include "rootless/seccomp_profile.hpp"

namespace pc::rootless {
namespace seccomp {
namespace {

using nlohmann::json;

// Every validation error carries the profile's origin and the JSON path of the field, so
// that a user with a 900-line profile knows where to look.
[[noreturn]] void fail(const std::string& origin, const std::string& field, const std::string& what) {
    throw Error("seccomp profile " + origin + ": " + (field.empty() ? "" : field + ": ") + what);
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// The errnos a profile may name with "errno"/"defaultErrno" (containers/common accepts
// names there). Only the ones that make sense as a syscall answer are listed.
struct ErrnoName {
    const char* name;
    unsigned value;
};
constexpr ErrnoName kErrnoNames[] = {
    {"EPERM", EPERM},         {"ENOENT", ENOENT},         {"ESRCH", ESRCH},
    {"EINTR", EINTR},         {"EIO", EIO},               {"ENXIO", ENXIO},
    {"E2BIG", E2BIG},         {"ENOEXEC", ENOEXEC},       {"EBADF", EBADF},
    {"ECHILD", ECHILD},       {"EAGAIN", EAGAIN},         {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},       {"EFAULT", EFAULT},         {"EBUSY", EBUSY},
    {"EEXIST", EEXIST},       {"EXDEV", EXDEV},           {"ENODEV", ENODEV},
    {"ENOTDIR", ENOTDIR},     {"EISDIR", EISDIR},         {"EINVAL", EINVAL},
    {"ENFILE", ENFILE},       {"EMFILE", EMFILE},         {"ENOTTY", ENOTTY},
    {"ETXTBSY", ETXTBSY},     {"EFBIG", EFBIG},           {"ENOSPC", ENOSPC},
    {"ESPIPE", ESPIPE},       {"EROFS", EROFS},           {"EMLINK", EMLINK},
    {"EPIPE", EPIPE},         {"EDOM", EDOM},             {"ERANGE", ERANGE},
    {"EDEADLK", EDEADLK},     {"ENAMETOOLONG", ENAMETOOLONG}, {"ENOLCK", ENOLCK},
    {"ENOSYS", ENOSYS},       {"ENOTEMPTY", ENOTEMPTY},   {"ELOOP", ELOOP},
    {"ENOMSG", ENOMSG},       {"ENODATA", ENODATA},       {"ENOTSUP", ENOTSUP},
    {"EOPNOTSUPP", EOPNOTSUPP}, {"EAFNOSUPPORT", EAFNOSUPPORT},
    {"EPROTONOSUPPORT", EPROTONOSUPPORT}, {"EADDRINUSE", EADDRINUSE},
    {"ECONNREFUSED", ECONNREFUSED}, {"ENETUNREACH", ENETUNREACH}, {"ETIMEDOUT", ETIMEDOUT},
    {"EOVERFLOW", EOVERFLOW}, {"EUSERS", EUSERS},         {"EDQUOT", EDQUOT},
    {"ECANCELED", ECANCELED}, {"EKEYREJECTED", EKEYREJECTED},
};

// errno values above this are not errors to userspace (the kernel caps them too).
constexpr uint64_t kMaxErrno = 4095;

struct ActionName {
    const char* name;
    Action action;
};
constexpr ActionName kActions[] = {
    {"SCMP_ACT_ALLOW", Action::Allow},
    {"SCMP_ACT_ERRNO", Action::Errno},
    // Docker's SCMP_ACT_KILL predates KILL_PROCESS and means "kill the thread".
    {"SCMP_ACT_KILL", Action::KillThread},
    {"SCMP_ACT_KILL_THREAD", Action::KillThread},
    {"SCMP_ACT_KILL_PROCESS", Action::KillProcess},
    {"SCMP_ACT_TRAP", Action::Trap},
    {"SCMP_ACT_LOG", Action::Log},
    {"SCMP_ACT_TRACE", Action::Trace},
};

struct OpName {
    const char* name;
    Op op;
};
constexpr OpName kOps[] = {
    {"SCMP_CMP_NE", Op::NotEqual},     {"SCMP_CMP_LT", Op::Less},
    {"SCMP_CMP_LE", Op::LessEqual},    {"SCMP_CMP_EQ", Op::Equal},
    {"SCMP_CMP_GE", Op::GreaterEqual}, {"SCMP_CMP_GT", Op::Greater},
    {"SCMP_CMP_MASKED_EQ", Op::MaskedEqual},
};

constexpr const char* kFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};

// libseccomp arch token <-> profile name <-> the Go-style name used by includes/excludes
// "arches" (runtimes compare those against the native arch as Go spells it).
struct ArchName {
    uint32_t token;
    const char* scmp;
    const char* go;
};
constexpr ArchName kArches[] = {
    {SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86"},
    {SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64"},
    {SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32"},
    {SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm"},
    {SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64"},
    {SCMP_ARCH_MIPS, "SCMP_ARCH_MIPS", "mips"},
    {SCMP_ARCH_MIPS64, "SCMP_ARCH_MIPS64", "mips64"},
    {SCMP_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32"},
    {SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel"},
    {SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64"},
    {SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {SCMP_ARCH_PPC, "SCMP_ARCH_PPC", "ppc"},
    {SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64", "ppc64"},
    {SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le"},
    {SCMP_ARCH_S390, "SCMP_ARCH_S390", "s390"},
    {SCMP_ARCH_S390X, "SCMP_ARCH_S390X", "s390x"},
    {SCMP_ARCH_PARISC, "SCMP_ARCH_PARISC", "parisc"},
    {SCMP_ARCH_PARISC64, "SCMP_ARCH_PARISC64", "parisc64"},
    {SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64"},
};

const ArchName* arch_by_scmp_name(const std::string& name) {
    for (const auto& a : kArches)
        if (name == a.scmp) return &a;
    return nullptr;
}

const ArchName* native_arch() {
    const uint32_t token = seccomp_arch_native();
    for (const auto& a : kArches)
        if (a.token == token) return &a;
    return nullptr;
}

uint64_t get_u64(const json& v, const std::string& origin, const std::string& field) {
    // nlohmann stores non-negative integer literals as unsigned; anything else (negative,
    // fractional, string) is a profile error rather than something to coerce.
    // (Documents built in code hold signed integers; both representations are fine.)
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
    fail(origin, field, "expected a non-negative integer, got " + v.dump());
}

std::string get_string(const json& v, const std::string& origin, const std::string& field) {
    if (!v.is_string()) fail(origin, field, "expected a string, got " + v.dump());
    return v.get<std::string>();
}

// Arrays in Docker/Podman profiles are often written as null or omitted; both mean empty.
std::vector<std::string> get_string_list(const json& obj, const char* key, const std::string& origin,
                                         const std::string& field) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array()) fail(origin, field, "expected an array of strings, got " + it->dump());
    for (size_t i = 0; i < it->size(); ++i)
        out.push_back(get_string((*it)[i], origin, field + "[" + std::to_string(i) + "]"));
    return out;
}

Action parse_action(const json& v, const std::string& origin, const std::string& field) {
    const std::string name = get_string(v, origin, field);
    for (const auto& a : kActions)
        if (name == a.name) return a.action;
    if (name == "SCMP_ACT_NOTIFY")
        fail(origin, field,
             "SCMP_ACT_NOTIFY is not supported (it needs a seccomp notification agent, which pc "
             "does not provide)");
    fail(origin, field, "unknown action " + in_quotes(name));
}

unsigned parse_errno_value(const json& v, const std::string& origin, const std::string& field,
                           uint64_t max) {
    const uint64_t n = get_u64(v, origin, field);
    if (n > max) fail(origin, field, "value " + std::to_string(n) + " out of range (max " + std::to_string(max) + ")");
    return static_cast<unsigned>(n);
}

unsigned parse_errno_name(const json& v, const std::string& origin, const std::string& field) {
    const std::string name = get_string(v, origin, field);
    if (auto n = errno_from_name(name)) return *n;
    fail(origin, field, "unknown errno name " + in_quotes(name));
}

KernelVersion parse_kernel_version(const std::string& s, bool* ok) {
    // "4.8", "5.10.12", "6.18.44-1-amd64": major.minor is all runtimes compare.
    KernelVersion v;
    *ok = false;
    const auto parts = str::split(s, '.');
    if (parts.size() < 2) return v;
    auto minor_digits = parts[1].substr(0, parts[1].find_first_not_of("0123456789"));
    auto major = str::parse_u64(parts[0]);
    auto minor = str::parse_u64(minor_digits);
    if (!major || !minor || *major > 10000 || *minor > 10000) return v;
    v.major = static_cast<int>(*major);
    v.minor = static_cast<int>(*minor);
    *ok = true;
    return v;
}

Condition parse_condition(const json& rule, const char* key, const std::string& origin,
                          const std::string& prefix) {
    Condition c;
    auto it = rule.find(key);
    if (it == rule.end() || it->is_null()) return c;
    const std::string field = prefix + "." + key;
    if (!it->is_object()) fail(origin, field, "expected an object, got " + it->dump());
    c.caps = get_string_list(*it, "caps", origin, field + ".caps");
    c.arches = get_string_list(*it, "arches", origin, field + ".arches");
    auto mk = it->find("minKernel");
    if (mk != it->end() && !mk->is_null()) {
        const std::string s = get_string(*mk, origin, field + ".minKernel");
        if (!s.empty()) {
            bool ok = false;
            c.min_kernel = parse_kernel_version(s, &ok);
            if (!ok) fail(origin, field + ".minKernel", "invalid kernel version " + in_quotes(s) + " (expected e.g. \"5.8\")");
        }
    }
    return c;
}

ArgCmp parse_arg(const json& a, const std::string& origin, const std::string& field) {
    if (!a.is_object()) fail(origin, field, "expected an object, got " + a.dump());
    ArgCmp cmp;
    auto idx = a.find("index");
    if (idx == a.end()) fail(origin, field + ".index", "missing");
    const uint64_t index = get_u64(*idx, origin, field + ".index");
    if (index > 5) fail(origin, field + ".index", "syscall argument index " + std::to_string(index) + " out of range (0-5)");
    cmp.index = static_cast<unsigned>(index);
    if (auto v = a.find("value"); v != a.end() && !v->is_null()) cmp.value = get_u64(*v, origin, field + ".value");
    if (auto v = a.find("valueTwo"); v != a.end() && !v->is_null())
        cmp.value_two = get_u64(*v, origin, field + ".valueTwo");
    auto op = a.find("op");
    if (op == a.end()) fail(origin, field + ".op", "missing");
    const std::string opname = get_string(*op, origin, field + ".op");
    bool found = false;
    for (const auto& o : kOps)
        if (opname == o.name) {
            cmp.op = o.op;
            found = true;
        }
    if (!found) fail(origin, field + ".op", "unknown operator " + in_quotes(opname));
    return cmp;
}

Rule parse_rule(const json& r, const std::string& origin, const std::string& prefix) {
    if (!r.is_object()) fail(origin, prefix, "expected an object, got " + r.dump());
    Rule rule;
    auto name = r.find("name");
    const bool has_name = name != r.end() && !name->is_null();
    const bool has_names = r.contains("names") && !r["names"].is_null();
    if (has_name && has_names) fail(origin, prefix, "both \"name\" and \"names\" given; use one of them");
    if (has_name) {
        rule.names.push_back(get_string(*name, origin, prefix + ".name"));
    } else {
        rule.names = get_string_list(r, "names", origin, prefix + ".names");
    }
    if (rule.names.empty()) fail(origin, prefix + ".names", "missing (a rule needs \"name\" or a non-empty \"names\")");
    for (size_t i = 0; i < rule.names.size(); ++i)
        if (rule.names[i].empty()) fail(origin, prefix + ".names[" + std::to_string(i) + "]", "empty syscall name");

    auto action = r.find("action");
    if (action == r.end() || action->is_null()) fail(origin, prefix + ".action", "missing");
    rule.action = parse_action(*action, origin, prefix + ".action");

    // errnoRet wins over the symbolic "errno" (as in containers/common); absent both, an
    // ERRNO rule answers EPERM as the runtime spec says.
    if (auto e = r.find("errnoRet"); e != r.end() && !e->is_null()) {
        const bool is_trace = rule.action == Action::Trace;
        rule.ret = parse_errno_value(*e, origin, prefix + ".errnoRet", is_trace ? 0xffff : kMaxErrno);
    } else if (auto en = r.find("errno"); en != r.end() && !en->is_null() && !(en->is_string() && en->get<std::string>().empty())) {
        rule.ret = parse_errno_name(*en, origin, prefix + ".errno");
    } else {
        rule.ret = rule.action == Action::Trace ? 0 : EPERM;
    }

    if (auto args = r.find("args"); args != r.end() && !args->is_null()) {
        if (!args->is_array()) fail(origin, prefix + ".args", "expected an array, got " + args->dump());
        for (size_t i = 0; i < args->size(); ++i)
            rule.args.push_back(parse_arg((*args)[i], origin, prefix + ".args[" + std::to_string(i) + "]"));
        if (rule.args.size() > 6) fail(origin, prefix + ".args", "more than 6 argument comparisons");
    }
    rule.includes = parse_condition(r, "includes", origin, prefix);
    rule.excludes = parse_condition(r, "excludes", origin, prefix);
    return rule;
}

bool has_cap(const std::vector<int>& caps, const std::string& name) {
    // libcap knows every capability this system can have; a name it does not know cannot be
    // held, which is what runtimes conclude too when they compare strings.
    std::string n = name;
    if (!str::starts_with(str::to_lower(n), "cap_")) n = "CAP_" + n;
    cap_value_t v = -1;
    if (cap_from_name(n.c_str(), &v) != 0) return false;
    return std::find(caps.begin(), caps.end(), static_cast<int>(v)) != caps.end();
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::optional<unsigned> errno_from_name(const std::string& name) {
    for (const auto& e : kErrnoNames)
        if (name == e.name) return e.value;
    return std::nullopt;
}

const char* action_name(Action action) {
    switch (action) {
        case Action::Allow: return "SCMP_ACT_ALLOW";
        case Action::Errno: return "SCMP_ACT_ERRNO";
        case Action::KillThread: return "SCMP_ACT_KILL_THREAD";
        case Action::KillProcess: return "SCMP_ACT_KILL_PROCESS";
        case Action::Trap: return "SCMP_ACT_TRAP";
        case Action::Log: return "SCMP_ACT_LOG";
        case Action::Trace: return "SCMP_ACT_TRACE";
    }
    return "?";
}

const char* op_name(Op op) {
    for (const auto& o : kOps)
        if (o.op == op) return o.name;
    return "?";
}

Profile parse_profile(const json& doc, const std::string& origin) {
    if (!doc.is_object()) fail(origin, "", "expected a JSON object at the top level");
    Profile p;

    auto da = doc.find("defaultAction");
    if (da == doc.end() || da->is_null()) fail(origin, "defaultAction", "missing");
    p.default_action = parse_action(*da, origin, "defaultAction");
    if (auto e = doc.find("defaultErrnoRet"); e != doc.end() && !e->is_null()) {
        const bool is_trace = p.default_action == Action::Trace;
        p.default_ret = parse_errno_value(*e, origin, "defaultErrnoRet", is_trace ? 0xffff : kMaxErrno);
    } else if (auto en = doc.find("defaultErrno"); en != doc.end() && !en->is_null() && !(en->is_string() && en->get<std::string>().empty())) {
        p.default_ret = parse_errno_name(*en, origin, "defaultErrno");
    } else {
        p.default_ret = p.default_action == Action::Trace ? 0 : EPERM;
    }

    p.architectures = get_string_list(doc, "architectures", origin, "architectures");
    for (size_t i = 0; i < p.architectures.size(); ++i)
        if (!arch_by_scmp_name(p.architectures[i]))
            fail(origin, "architectures[" + std::to_string(i) + "]", "unknown architecture " + in_quotes(p.architectures[i]));

    if (auto am = doc.find("archMap"); am != doc.end() && !am->is_null()) {
        if (!am->is_array()) fail(origin, "archMap", "expected an array, got " + am->dump());
        for (size_t i = 0; i < am->size(); ++i) {
            const std::string field = "archMap[" + std::to_string(i) + "]";
            const json& e = (*am)[i];
            if (!e.is_object()) fail(origin, field, "expected an object, got " + e.dump());
            ArchMapEntry entry;
            auto a = e.find("architecture");
            if (a == e.end()) fail(origin, field + ".architecture", "missing");
            entry.arch = get_string(*a, origin, field + ".architecture");
            // Entries are for all hosts the profile may run on, possibly naming arches this
            // libseccomp does not know: those are only checked if they turn out to be native.
            entry.subarches = get_string_list(e, "subArchitectures", origin, field + ".subArchitectures");
            p.arch_map.push_back(std::move(entry));
        }
    }
    if (!p.architectures.empty() && !p.arch_map.empty())
        fail(origin, "archMap", "both \"architectures\" and \"archMap\" given; use one of them");

    p.flags = get_string_list(doc, "flags", origin, "flags");
    for (size_t i = 0; i < p.flags.size(); ++i) {
        bool known = false;
        for (const char* f : kFlags) known = known || p.flags[i] == f;
        if (!known) fail(origin, "flags[" + std::to_string(i) + "]", "unsupported flag " + in_quotes(p.flags[i]));
    }

    if (auto sc = doc.find("syscalls"); sc != doc.end() && !sc->is_null()) {
        if (!sc->is_array()) fail(origin, "syscalls", "expected an array, got " + sc->dump());
        for (size_t i = 0; i < sc->size(); ++i)
            p.rules.push_back(parse_rule((*sc)[i], origin, "syscalls[" + std::to_string(i) + "]"));
    }
    return p;
}

Environment host_environment(const std::vector<int>& caps) {
    Environment env;
    if (const ArchName* a = native_arch()) env.arch = a->go;
    env.caps = caps;
    struct utsname u {};
    if (uname(&u) == 0) {
        bool ok = false;
        KernelVersion v = parse_kernel_version(u.release, &ok);
        if (ok) env.kernel = v;
    }
    return env;
}

bool rule_applies(const Rule& rule, const Environment& env) {
    const Condition& in = rule.includes;
    const Condition& ex = rule.excludes;
    for (const auto& c : in.caps)
        if (!has_cap(env.caps, c)) return false;
    if (!in.arches.empty() && !contains(in.arches, env.arch)) return false;
    if (in.min_kernel && env.kernel < *in.min_kernel) return false;
    for (const auto& c : ex.caps)
        if (has_cap(env.caps, c)) return false;
    if (!ex.arches.empty() && contains(ex.arches, env.arch)) return false;
    if (ex.min_kernel && !(env.kernel < *ex.min_kernel)) return false;
    return true;
}

Outcome unconditional_outcome(const Profile& profile, const std::string& syscall, const Environment& env) {
    Outcome out{profile.default_action, profile.default_ret, false};
    for (const auto& r : profile.rules) {
        if (!contains(r.names, syscall) || !rule_applies(r, env)) continue;
        // apply_seccomp skips rules that repeat the default action (libseccomp refuses them).
        if (r.action == profile.default_action && r.ret == profile.default_ret) continue;
        if (!r.args.empty()) {
            out.has_arg_rules = true;
            continue;
        }
        // libseccomp keeps the first syscall-level rule and lets it replace any argument
        // rules, before or after it.
        out.action = r.action;
        out.ret = r.ret;
        out.has_arg_rules = false;
        return out;
    }
    return out;
}

namespace {

uint32_t scmp_action(Action action, unsigned ret) {
    switch (action) {
        case Action::Allow: return SCMP_ACT_ALLOW;
        case Action::Errno: return SCMP_ACT_ERRNO(ret);
        case Action::KillThread: return SCMP_ACT_KILL_THREAD;
        case Action::KillProcess: return SCMP_ACT_KILL_PROCESS;
        case Action::Trap: return SCMP_ACT_TRAP;
        case Action::Log: return SCMP_ACT_LOG;
        case Action::Trace: return SCMP_ACT_TRACE(ret);
    }
    return SCMP_ACT_KILL_PROCESS;
}

scmp_compare scmp_op(Op op) {
    switch (op) {
        case Op::NotEqual: return SCMP_CMP_NE;
        case Op::Less: return SCMP_CMP_LT;
        case Op::LessEqual: return SCMP_CMP_LE;
        case Op::Equal: return SCMP_CMP_EQ;
        case Op::GreaterEqual: return SCMP_CMP_GE;
        case Op::Greater: return SCMP_CMP_GT;
        case Op::MaskedEqual: return SCMP_CMP_MASKED_EQ;
    }
    return SCMP_CMP_EQ;
}

scmp_arg_cmp to_scmp(const ArgCmp& a) {
    scmp_arg_cmp c{};
    c.arg = a.index;
    c.op = scmp_op(a.op);
    c.datum_a = a.value;
    c.datum_b = a.value_two;
    return c;
}

struct CtxDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

void set_attr(const Ctx& ctx, scmp_filter_attr attr, uint32_t value, const std::string& origin,
              const char* what) {
    int rc = seccomp_attr_set(ctx.get(), attr, value);
    if (rc < 0) throw Error::sys("seccomp profile " + origin + ": setting " + what, -rc);
}

void add_arch(const Ctx& ctx, uint32_t token, const std::string& origin, const std::string& name) {
    int rc = seccomp_arch_add(ctx.get(), token);
    // The native arch is already in a fresh filter: EEXIST is expected for it.
    if (rc < 0 && rc != -EEXIST)
        throw Error::sys("seccomp profile " + origin + ": adding architecture " + name, -rc);
}

void add_architectures(const Ctx& ctx, const Profile& p, const std::string& origin) {
    for (const auto& name : p.architectures) add_arch(ctx, arch_by_scmp_name(name)->token, origin, name);
    const ArchName* native = native_arch();
    if (!native) return;
    for (const auto& entry : p.arch_map) {
        if (entry.arch != native->scmp) continue;
        for (const auto& sub : entry.subarches) {
            const ArchName* a = arch_by_scmp_name(sub);
            if (!a) fail(origin, "archMap", "unknown sub-architecture " + in_quotes(sub) + " for native " + entry.arch);
            add_arch(ctx, a->token, origin, sub);
        }
        break;
    }
}

void add_rule(const Ctx& ctx, const std::string& origin, const std::string& name, int nr,
              uint32_t action, const std::vector<ArgCmp>& args) {
    // libseccomp accepts one comparison per argument in a rule. Profiles that compare the
    // same argument several times mean "any of these" (runc's reading): one rule each.
    std::set<unsigned> seen;
    bool repeated = false;
    for (const auto& a : args) repeated = repeated || !seen.insert(a.index).second;

    auto add = [&](const std::vector<scmp_arg_cmp>& cmps) {
        int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(cmps.size()),
                                        cmps.empty() ? nullptr : cmps.data());
        if (rc < 0) {
            std::string why = std::strerror(-rc);
            if (rc == -EEXIST) why = "conflicts with an earlier rule with the same arguments and another action";
            fail(origin, "", "syscall " + in_quotes(name) + ": adding rule: " + why);
        }
    };
    if (repeated) {
        for (const auto& a : args) add({to_scmp(a)});
    } else {
        std::vector<scmp_arg_cmp> cmps;
        for (const auto& a : args) cmps.push_back(to_scmp(a));
        add(cmps);
    }
}

}  // namespace
}  // namespace seccomp

SeccompProfile parse_seccomp_profile(const std::string& json_text, const std::string& origin) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e400).
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix: the rest already says
        // line and column, which is what the user needs.
        std::string what = e.what();
        if (auto pos = what.find("] "); pos != std::string::npos && str::starts_with(what, "[json.exception"))
            what = what.substr(pos + 2);
        throw Error("seccomp profile " + origin + ": invalid JSON: " + what);
    }
    seccomp::parse_profile(doc, origin);
    return SeccompProfile{std::make_shared<const nlohmann::json>(std::move(doc)), origin, {}};
}

SeccompProfile load_seccomp_profile(const std::string& path) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error& e) {
        throw Error(std::string("seccomp profile: ") + e.what());
    }
    return parse_seccomp_profile(text, path);
}

namespace {

unsigned filter_flags(const seccomp::Profile& p) {
    unsigned flags = 0;
    for (const auto& f : p.flags) {
        if (f == "SECCOMP_FILTER_FLAG_TSYNC") flags |= SECCOMP_FILTER_FLAG_TSYNC;
        else if (f == "SECCOMP_FILTER_FLAG_LOG") flags |= SECCOMP_FILTER_FLAG_LOG;
        else if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    }
    return flags;
}

}  // namespace

// Builds the libseccomp filter for `profile` as it applies to this host and `caps`, and
// returns it as BPF with the seccomp(2) flags the profile asks for.
SeccompProgram build_seccomp_program(const SeccompProfile& profile, const std::vector<int>& caps) {
    using namespace seccomp;
    const std::string& origin = profile.origin;
    const Profile p = parse_profile(profile.doc(), origin);
    const Environment env = host_environment(caps);

    const uint32_t def = scmp_action(p.default_action, p.default_ret);
    Ctx ctx(seccomp_init(def));
    if (!ctx) throw Error("seccomp profile " + origin + ": seccomp_init failed (libseccomp cannot build a filter for this architecture)");

    // We load the program ourselves (load_seccomp_program), which never sets no_new_privs:
    // the caller sets it when the container asks for it; in the container's own user
    // namespace we hold CAP_SYS_ADMIN, so the kernel accepts the filter without it. The
    // attributes say the same to libseccomp, should this context ever be loaded with
    // seccomp_load(): no implicit NNP, and real errnos instead of ECANCELED.
    set_attr(ctx, SCMP_FLTATR_CTL_NNP, 0, origin, "no_new_privs attribute");
    set_attr(ctx, SCMP_FLTATR_API_SYSRAWRC, 1, origin, "raw return code attribute");
    // A binary search over syscall numbers instead of libseccomp's default linear list:
    // with ~400 rules, every syscall the container makes walks a few branches instead of
    // hundreds, and the kernel's per-syscall action cache (which emulates the filter for
    // every syscall number when it is loaded) is built several times faster.
    if (seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
        log::debug("seccomp: libseccomp cannot build a binary tree filter; using its linear one");

    SeccompProgram prog;
    prog.flags = filter_flags(p);

    // Architectures before rules: libseccomp only adds a rule to the arches already present.
    add_architectures(ctx, p, origin);

    for (const auto& rule : p.rules) {
        if (!rule_applies(rule, env)) continue;
        const uint32_t action = scmp_action(rule.action, rule.ret);
        // libseccomp refuses rules that repeat the default action; they change nothing anyway.
        if (action == def) continue;
        for (const auto& name : rule.names) {
            const int nr = seccomp_syscall_resolve_name(name.c_str());
            // A name libseccomp does not know cannot be filtered: runtimes skip it silently,
            // which lets one profile serve kernels and arches of different ages.
            if (nr == __NR_SCMP_ERROR) continue;
            add_rule(ctx, origin, name, nr, action, rule.args);
        }
    }

    // Export instead of seccomp_load(): the program can then be cached and loaded later
    // (after fork, after pivot_root) without libseccomp's generation cost.
    UniqueFd mem(memfd_create("pc-seccomp", MFD_CLOEXEC));
    if (!mem) throw Error::sys("seccomp profile " + origin + ": memfd_create");
    if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc < 0)
        throw Error::sys("seccomp profile " + origin + ": generating the filter", -rc);
    const off_t size = lseek(mem.get(), 0, SEEK_END);
    if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0 ||
        size / static_cast<off_t>(sizeof(sock_filter)) > BPF_MAXINSNS)
        throw Error("seccomp profile " + origin + ": the generated filter is too large (" +
                    std::to_string(size / 8) + " instructions, the kernel accepts " +
                    std::to_string(BPF_MAXINSNS) + ")");
    prog.insns.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), prog.insns.data(), static_cast<size_t>(size), 0) != size)
        throw Error::sys("seccomp profile " + origin + ": reading the generated filter");
    return prog;
}

namespace {

// Everything the compiled program depends on. Rules only look at the kernel's major.minor,
// the arch and caps, but the whole release and libseccomp's version are included so that
// an upgrade of either never reuses an old program.
std::string program_key(const SeccompProfile& profile, const std::vector<int>& caps) {
    std::vector<int> sorted = caps;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::string key = profile.identity.empty() ? profile.doc().dump() : profile.identity;
    key += "\ncaps:";
    for (int c : sorted) key += std::to_string(c) + ",";
    // Without calling into libseccomp (a cached start never loads it): the machine names
    // the native arch, and the header's version the library's (same soname, same BPF).
    struct utsname u {};
    uname(&u);
    key += std::string("\nmachine:") + u.machine + "\nkernel:" + u.release + "\nlibseccomp:" +
           std::to_string(SCMP_VER_MAJOR) + "." + std::to_string(SCMP_VER_MINOR) + "." +
           std::to_string(SCMP_VER_MICRO) + "\n";
    return key;
}

// Programs compiled in this process, by key: a child forked after compile_seccomp() finds its
// program here. Few distinct profiles exist per process, so no eviction.
std::map<std::string, SeccompProgram>& memo() {
    static std::map<std::string, SeccompProgram> m;
    return m;
}

constexpr char kCacheMagic[] = "pc-seccomp-bpf-2";  // -2: binary tree programs

std::optional<SeccompProgram> read_cached(const std::string& path, const std::string& header) {
    std::optional<std::string> data;
    try {
        data = try_read_file(path);
    } catch (const Error&) {
        return std::nullopt;  // unreadable: compile again
    }
    if (!data || data->compare(0, header.size(), header) != 0) return std::nullopt;
    const size_t body = data->size() - header.size();
    if (body == 0 || body % sizeof(sock_filter) != 0 || body / sizeof(sock_filter) > BPF_MAXINSNS)
        return std::nullopt;
    SeccompProgram prog;
    prog.insns.resize(body / sizeof(sock_filter));
    std::memcpy(prog.insns.data(), data->data() + header.size(), body);
    return prog;
}

void make_private_dirs(const std::string& dir) {
    // mkdir -p, the created levels 0700: the cache decides what a container may do.
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/') continue;
        const std::string part = dir.substr(0, pos);
        if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) throw Error::sys("creating " + part);
    }
}

}  // namespace

SeccompProgram compile_seccomp(const SeccompProfile& profile, const std::vector<int>& caps) {
    std::string key = program_key(profile, caps);
    auto& m = memo();
    if (auto it = m.find(key); it != m.end()) return it->second;
    SeccompProgram prog = build_seccomp_program(profile, caps);
    m.emplace(std::move(key), prog);
    return prog;
}

SeccompProgram compile_seccomp_cached(const SeccompProfile& profile, const std::vector<int>& caps,
                                      const std::string& cache_dir) {
    std::string key = program_key(profile, caps);
    auto& m = memo();
    if (auto it = m.find(key); it != m.end()) return it->second;

    // Two independent 64-bit hashes name the entry; the header repeats them with the key's
    // length and the flags, so a foreign or truncated file is never taken for a match.
    const std::string name = str::fingerprint(key);
    const std::string path = cache_dir + "/" + name + ".bpf";
    // A cache entry exists only for a document that compiled before (the key covers all of
    // it), so the flags can be read without validating the whole profile again.
    seccomp::Profile flags_only;
    if (profile.document)  // the built-in default has none
        if (auto f = profile.document->find("flags"); f != profile.document->end() && f->is_array())
            for (const auto& v : *f)
                if (v.is_string()) flags_only.flags.push_back(v.get<std::string>());
    const unsigned flags = filter_flags(flags_only);
    const std::string header = std::string(kCacheMagic) + " " + name + " " + std::to_string(key.size()) + " " +
                               std::to_string(flags) + "\n";
    if (auto cached = read_cached(path, header)) {
        cached->flags = flags;
        m.emplace(std::move(key), *cached);
        return *cached;
    }
    SeccompProgram prog = build_seccomp_program(profile, caps);
    make_private_dirs(cache_dir);
    std::string data = header;
    data.append(reinterpret_cast<const char*>(prog.insns.data()), prog.insns.size() * sizeof(sock_filter));
    write_file_atomic(path, data, 0600);
    m.emplace(std::move(key), prog);
    return prog;
}

void load_seccomp_program(const SeccompProgram& program, const std::string& origin) {
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(program.insns.size());
    fprog.filter = const_cast<sock_filter*>(program.insns.data());
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &fprog);
    if (rc < 0 && errno == ENOSYS && program.flags == 0)
        rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);  // kernels before 3.17
    if (rc > 0)  // with TSYNC: the id of a thread that could not be synchronized
        throw Error("loading seccomp filter (profile " + origin + "): thread " + std::to_string(rc) +
                    " could not be synchronized (SECCOMP_FILTER_FLAG_TSYNC)");
    if (rc < 0) {
        const int err = errno;
        std::string msg = "loading seccomp filter (profile " + origin + ")";
        if (err == EACCES) msg += " without no_new_privs or CAP_SYS_ADMIN";
        throw Error::sys(msg, err);
    }
}

void apply_seccomp(const SeccompProfile& profile, const std::vector<int>& caps) {
    load_seccomp_program(compile_seccomp(profile, caps), profile.origin);
}

}  // namespace pc::rootless
