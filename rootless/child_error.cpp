// The error pipe between a container's init and its monitor: "<code> <message>", written
// once before exiting; EOF with nothing written means execve succeeded (the pipe is
// CLOEXEC).
#include <unistd.h>

#include <cerrno>

#include "common/fd.hpp"
#include "common/strings.hpp"
#include "common/error.hpp"
#include "rootless/sandbox.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

void fail(int error_fd, int code, const std::string& message) {
    report_child_error(error_fd, code, message);
    ::_exit(code);
}

void run_reporting_errors(int error_fd, const std::function<void()>& body, const std::string& what) {
    try {
        body();
    } catch (const Error& e) {
        fail(error_fd, e.exit_code(), e.what());
    } catch (const std::exception& e) {
        fail(error_fd, kExitEngine, e.what());
    } catch (...) {
        fail(error_fd, kExitEngine, what + " failed with an unknown error");
    }
    fail(error_fd, kExitEngine, what + " returned without exec");
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

void report_child_error(int error_fd, int code, const std::string& message) {
    if (error_fd < 0) return;
    std::string line = std::to_string(code) + " " + message;
    // One write: the reader gets the whole message or (if we die mid-way) nothing usable.
    (void)write_all(error_fd, line.data(), line.size());
}

std::optional<ChildError> read_child_error(int fd) {
    std::string text;
    (void)read_to_eof(fd, text);
    if (text.empty()) return std::nullopt;
    auto [code_text, message] = str::split_once(text, ' ');
    auto code = str::parse_u64(code_text);
    if (!code || *code > 255) return ChildError{125, text};  // not ours: show it whole
    return ChildError{static_cast<int>(*code), message.value_or("")};
}

}  // namespace pc::rootless
