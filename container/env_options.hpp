// `-e/--env` and `--env-file` values (run, create, exec) turned into "K=V" entries (Podman's rules: "-e K=V" sets,
// "-e K" copies K from pc's own environment when set, "-e 'P*'" copies every variable
// matching the pattern; --env-file lines are the same, with blank lines and '#' comments
// skipped). Files come first, then -e, later entries override earlier ones.
#pragma once

#include <string>
#include <vector>

namespace pc::container {

// `lookup` gives the environment to copy from (tests pass their own).
std::vector<std::string> env_from_flags(const std::vector<std::string>& env_files, const std::vector<std::string>& env_flags,
                                  const std::vector<std::string>& process_environment);

// The environment a container starts from before the image's: all of `process_environment`
// with --env-host, else (with --http-proxy, Podman's default) its proxy variables
// (http_proxy, https_proxy, ftp_proxy, no_proxy, in lower and upper case).
std::vector<std::string> host_env_defaults(bool env_host, bool http_proxy,
                                           const std::vector<std::string>& process_environment);

}  // namespace pc::container
