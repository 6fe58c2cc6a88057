// The payload's environment defaults and the lookup of its executable, with Podman's exit
// codes (127 not found, 126 not executable). The decision logic is pure (the file checks are
// injected) so it is unit-tested without a container.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pc::rootless {

inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Value of KEY in a "K=V" list (the last one wins, as getenv after putenv would see).
std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view key);

// Adds what Podman adds when absent: PATH (default path), HOME (`home`), TERM=xterm (with a
// terminal), HOSTNAME (`hostname`, when non-empty).
std::vector<std::string> complete_env(std::vector<std::string> env, const std::string& home,
                                      const std::string& hostname, bool terminal);

enum class FileCheck { Missing, NotExecutable, Executable };
// The real check: a regular file the current credentials may execute.
FileCheck check_executable(const std::string& path);

// Resolves argv[0]: with a '/', used as is; else searched in `path_env` (empty entries mean
// "."). Throws pc::Error 127 "executable file `foo` not found in $PATH: No such file or
// directory" or 126 "...: permission denied" when only non-executable candidates exist.
std::string find_executable(const std::string& name, const std::string& path_env,
                            const std::function<FileCheck(const std::string&)>& check);

// Exit code for an execve failure: ENOENT 127 (e.g. a missing interpreter), EACCES/ENOEXEC/
// EISDIR 126, anything else 125.
int exec_failure_code(int err);

}  // namespace pc::rootless
