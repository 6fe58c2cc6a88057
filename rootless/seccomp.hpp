// Seccomp profiles in the OCI/Docker JSON format (defaultAction, defaultErrnoRet,
// architectures, syscalls[{names, action, errnoRet, args, includes, excludes}]), the default
// profile (denies what Podman's default profile denies, with the same errno), and loading a
// profile into the kernel with libseccomp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::rootless {

struct SeccompProfile {
    nlohmann::json doc;   // validated profile document
    std::string origin;   // "default" or the file path (for error messages)
};

SeccompProfile default_seccomp_profile();
// Reads and validates a profile file; errors name the file and the offending field.
SeccompProfile load_seccomp_profile(const std::string& path);
// Validates a profile document (throws pc::Error naming `origin` and the field).
SeccompProfile parse_seccomp_profile(const std::string& json_text, const std::string& origin);
// Loads the filter for the calling thread (and its descendants). `caps` are the container's
// capabilities (for includes/excludes "caps" conditions). Must be the last step before execve.
void apply_seccomp(const SeccompProfile& profile, const std::vector<int>& caps);

}  // namespace pc::rootless
