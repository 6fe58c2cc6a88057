#include "rootless/caps.hpp"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::rootless {

namespace {

int last_cap() {
    static const int last = [] {
        if (auto text = try_read_file("/proc/sys/kernel/cap_last_cap")) {
            if (auto v = str::parse_u64(str::trim(*text)); v && *v < 64) return static_cast<int>(*v);
        }
        // /proc may not be mounted (e.g. in a fresh mount namespace); libcap probes prctl.
        return static_cast<int>(cap_max_bits()) - 1;
    }();
    return last;
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

void sort_unique(std::vector<int>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

// "net_admin" / "CAP_NET_ADMIN" -> "CAP_NET_ADMIN", as Podman normalizes (and reports) names.
std::string normalize(const std::string& name) {
    std::string up;
    for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (up == "ALL" || str::starts_with(up, "CAP_")) return up;
    return "CAP_" + up;
}

struct Parsed {
    bool all = false;
    std::vector<int> caps;
};

Parsed parse_list(const std::vector<std::string>& names) {
    Parsed p;
    for (const auto& n : names) {
        if (normalize(n) == "ALL") {
            p.all = true;
            continue;
        }
        auto cap = capability_from_name(n);
        if (!cap) throw Error("unknown capability \"" + normalize(n) + "\"");
        p.caps.push_back(*cap);
    }
    sort_unique(p.caps);
    return p;
}

struct CapFree {
    void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

void set_proc_caps(const std::vector<int>& eff_perm, const std::vector<int>& inheritable) {
    CapState state(cap_init());
    if (!state) throw Error::sys("allocating a capability state");
    std::vector<cap_value_t> ep(eff_perm.begin(), eff_perm.end());
    std::vector<cap_value_t> inh(inheritable.begin(), inheritable.end());
    if ((!ep.empty() && (cap_set_flag(state.get(), CAP_EFFECTIVE, static_cast<int>(ep.size()), ep.data(), CAP_SET) < 0 ||
                         cap_set_flag(state.get(), CAP_PERMITTED, static_cast<int>(ep.size()), ep.data(), CAP_SET) < 0)) ||
        (!inh.empty() && cap_set_flag(state.get(), CAP_INHERITABLE, static_cast<int>(inh.size()), inh.data(), CAP_SET) < 0))
        throw Error::sys("building the capability set");
    if (cap_set_proc(state.get()) < 0) throw Error::sys("setting capabilities (capset)");
}

// Capabilities the running kernel does not know cannot be set; drop them quietly.
std::vector<int> known(const std::vector<int>& caps) {
    std::vector<int> out;
    for (int c : caps)
        if (c >= 0 && c <= last_cap()) out.push_back(c);
    sort_unique(out);
    return out;
}

}  // namespace

std::vector<int> default_capabilities() {
    return {CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,       CAP_NET_BIND_SERVICE,
            CAP_SETFCAP, CAP_SETGID,      CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT};
}

std::vector<int> all_capabilities() {
    std::vector<int> out;
    for (int c = 0; c <= last_cap(); ++c) out.push_back(c);
    return out;
}

std::optional<int> capability_from_name(const std::string& name) {
    std::string norm = normalize(name);
    if (norm == "ALL") return std::nullopt;
    std::string bare = norm.substr(4);
    // libcap also accepts numbers and "all"; Podman accepts names only.
    if (bare.empty() ||
        !std::all_of(bare.begin(), bare.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || c == '_'; }))
        return std::nullopt;
    cap_value_t v = 0;
    if (cap_from_name(str::to_lower(norm).c_str(), &v) < 0) return std::nullopt;
    return static_cast<int>(v);
}

std::string capability_name(int cap) {
    std::unique_ptr<char, CapFree> name(cap_to_name(static_cast<cap_value_t>(cap)));
    if (!name) return "CAP_" + std::to_string(cap);
    std::string n = name.get();
    if (!n.empty() && std::isdigit(static_cast<unsigned char>(n[0]))) return "CAP_" + n;  // unnamed to libcap
    return normalize(n);
}

std::vector<int> base_capabilities(const std::vector<std::string>& names) {
    if (names.empty()) return default_capabilities();
    Parsed p = parse_list(names);
    return p.all ? all_capabilities() : p.caps;
}

std::vector<int> resolve_capabilities(std::vector<int> base, const std::vector<std::string>& add,
                                      const std::vector<std::string>& drop) {
    Parsed adds = parse_list(add);
    Parsed drops = parse_list(drop);
    if (adds.all && drops.all) throw Error("adding all capabilities and dropping all capabilities is not allowed");
    if (drops.all) {
        // Start from nothing: only what is explicitly added remains.
        return adds.caps;
    }
    // Podman refuses to guess which of the two the user meant.
    for (int c : adds.caps)
        if (contains(drops.caps, c))
            throw Error("capability \"" + capability_name(c) + "\" cannot be dropped and added");
    if (adds.all) base = all_capabilities();
    std::vector<int> out;
    for (int c : base)
        if (!contains(drops.caps, c)) out.push_back(c);
    for (int c : adds.caps) out.push_back(c);
    sort_unique(out);
    return out;
}

void drop_bounding_set(const std::vector<int>& caps) {
    for (int c = 0; c <= last_cap(); ++c) {
        if (contains(caps, c)) continue;
        if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            throw Error::sys("dropping " + capability_name(c) + " from the bounding set");
    }
}

void apply_capabilities(const std::vector<int>& caps, bool non_root, const std::vector<int>& added) {
    const std::vector<int> keep = known(caps);
    // Ambient capabilities inherited from whoever started pc must not leak into the payload.
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        throw Error::sys("clearing ambient capabilities");
    if (!non_root) {
        // Inheritable stays empty (Podman >= 4.0.3, CVE-2022-27649): a non-empty inheritable
        // set lets programs with inheritable file capabilities gain them across execve.
        set_proc_caps(keep, {});
        return;
    }
    std::vector<int> extra;
    for (int c : known(added))
        if (contains(keep, c)) extra.push_back(c);
    // Ambient raise requires the capability in both permitted and inheritable.
    set_proc_caps(extra, extra);
    for (int c : extra)
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
            throw Error::sys("raising ambient capability " + capability_name(c));
}

}  // namespace pc::rootless
