// Seccomp profiles in the OCI/Docker JSON format (defaultAction, defaultErrnoRet,
// architectures, syscalls[{names, action, errnoRet, args, includes, excludes}]), the default
// profile (denies what Podman's default profile denies, with the same errno), and loading a
// profile into the kernel with libseccomp.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::rootless {

struct SeccompProfile {
    std::shared_ptr<const nlohmann::json> document;  // validated; null: the built-in default
    std::string origin;                              // "default" or the file path (for error messages)
    // What the compiled-program cache is keyed on instead of the serialised document, when
    // set: for the built-in default, the executable that carries it (so a new build never
    // reuses an old program) — a cached start then never builds the document at all.
    std::string identity;

    // The document; the built-in default's is built on first use.
    const nlohmann::json& doc() const;
};

SeccompProfile default_seccomp_profile();
// The built-in default's document (built once per process).
const nlohmann::json& default_seccomp_document();
// Reads and validates a profile file; errors name the file and the offending field.
SeccompProfile load_seccomp_profile(const std::string& path);
// Validates a profile document (throws pc::Error naming `origin` and the field).
SeccompProfile parse_seccomp_profile(const std::string& json_text, const std::string& origin);
// Loads the filter for the calling thread (and its descendants). `caps` are the container's
// capabilities (for includes/excludes "caps" conditions). Must be the last step before execve.
void apply_seccomp(const SeccompProfile& profile, const std::vector<int>& caps);

}  // namespace pc::rootless
