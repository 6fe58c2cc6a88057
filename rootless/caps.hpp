// Linux capabilities by name, Podman's default set, and applying a set to the current
// process (bounding, effective, permitted, inheritable; ambient for non-root users).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pc::rootless {

// CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_NET_BIND_SERVICE,
// CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT.
std::vector<int> default_capabilities();
// The base set of a container: `names` (containers.conf default_capabilities, "ALL" allowed)
// or, when empty, the default. Throws for an unknown name.
std::vector<int> base_capabilities(const std::vector<std::string>& names);
// All capabilities the running kernel knows (0..cap_last_cap).
std::vector<int> all_capabilities();
// "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" -> number; nullopt if unknown.
std::optional<int> capability_from_name(const std::string& name);
std::string capability_name(int cap);  // "CAP_NET_ADMIN"
// Applies --cap-add/--cap-drop ("ALL" allowed in both) to a base set; throws pc::Error
// naming an unknown capability.
std::vector<int> resolve_capabilities(std::vector<int> base, const std::vector<std::string>& add,
                                      const std::vector<std::string>& drop);

// Drops every capability not in `caps` from the bounding set (before changing uid).
void drop_bounding_set(const std::vector<int>& caps);
// After setresuid (with PR_SET_KEEPCAPS): root payload: effective = permitted = `caps`,
// inheritable and ambient empty (Podman >= 4.0.3, CVE-2022-27649). Non-root payload
// (Podman 4 semantics, like Docker): only the capabilities explicitly added with --cap-add
// (`added`, a subset of caps) are effective, permitted, inheritable and ambient, so they
// survive execve; the rest stay in the bounding set only.
void apply_capabilities(const std::vector<int>& caps, bool non_root, const std::vector<int>& added);

}  // namespace pc::rootless
