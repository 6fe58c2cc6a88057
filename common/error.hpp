// pc::Error: the one exception type of the project. Thrown with context (what file, which
// container, errno text), caught only at the CLI boundary, which prints "Error: ..." and
// exits with exit_code() (Podman's convention: 125 engine error, 126 cannot invoke,
// 127 not found).
#pragma once

#include <stdexcept>
#include <string>

namespace pc {

inline constexpr int kExitEngine = 125;
inline constexpr int kExitCannotInvoke = 126;
inline constexpr int kExitNotFound = 127;

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, int exit_code = kExitEngine)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const noexcept { return exit_code_; }

    // "CONTEXT: strerror(err)" with the given errno value.
    static Error sys(const std::string& context, int err);
    // Same, with the current errno.
    static Error sys(const std::string& context);

private:
    int exit_code_;
};

// Throws Error::sys(context) when rc < 0; returns rc otherwise.
long check_sys(long rc, const std::string& context);

}  // namespace pc
