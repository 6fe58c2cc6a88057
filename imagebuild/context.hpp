// The build context: the directory COPY and ADD read from (opened once; every source is
// resolved inside it, see copy.hpp), its ignore file, and the named contexts of
// --build-context / compose's additional_contexts.
#pragma once

#include <string>

#include "common/fd.hpp"
#include "imagebuild/ignore.hpp"

namespace pc::build {

class BuildContext {
public:
    BuildContext() = default;  // no context (a Containerfile given alone): COPY finds nothing
    // Throws pc::Error when `dir` is not a directory that can be opened.
    BuildContext(const std::string& dir, IgnoreMatcher ignore, std::string name = "the build context");

    bool present() const { return static_cast<bool>(fd_); }
    const std::string& dir() const { return dir_; }
    int fd() const { return fd_.get(); }
    const IgnoreMatcher& ignore() const { return ignore_; }
    const std::string& name() const { return name_; }

private:
    std::string dir_;
    UniqueFd fd_;
    IgnoreMatcher ignore_;
    std::string name_ = "the build context";
};

// Where the ignore file is: `explicit_path` (--ignorefile), else <containerfile>.containerignore
// or <containerfile>.dockerignore beside the Containerfile, else .containerignore or
// .dockerignore in the context. Returns its path ("" when there is none).
std::string find_ignore_file(const std::string& context_dir, const std::string& containerfile_path,
                             const std::string& explicit_path);
// Its patterns (none for "").
IgnoreMatcher load_ignore_file(const std::string& path);

// Unpacks a tar stream (any compression) into the existing directory `dir` as the caller:
// no owners kept, setuid bits and device nodes dropped, nothing written outside `dir` (a
// context sent on stdin, an -o type=local output). `what` prefixes errors.
void extract_tar_as_caller(int fd, const std::string& dir, const std::string& what);

}  // namespace pc::build
