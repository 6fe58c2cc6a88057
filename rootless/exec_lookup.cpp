#include "rootless/exec_lookup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::rootless {

std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view key) {
    std::optional<std::string> found;
    for (const std::string& kv : env) {
        if (kv.size() > key.size() && kv[key.size()] == '=' && kv.compare(0, key.size(), key) == 0)
            found = kv.substr(key.size() + 1);
    }
    return found;
}

std::vector<std::string> complete_env(std::vector<std::string> env, const std::string& home,
                                      const std::string& hostname, bool terminal) {
    auto has = [&env](std::string_view key) {
        for (const std::string& kv : env)
            if (kv.size() >= key.size() + 1 && kv[key.size()] == '=' && kv.compare(0, key.size(), key) == 0)
                return true;
        return false;
    };
    if (!has("PATH")) env.insert(env.begin(), std::string("PATH=") + kDefaultPath);
    if (terminal && !has("TERM")) env.push_back("TERM=xterm");
    if (!hostname.empty() && !has("HOSTNAME")) env.push_back("HOSTNAME=" + hostname);
    if (!has("HOME")) env.push_back("HOME=" + (home.empty() ? std::string("/") : home));
    return env;
}

FileCheck check_executable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0)
        return (errno == ENOENT || errno == ENOTDIR) ? FileCheck::Missing : FileCheck::NotExecutable;
    if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) < 0) return FileCheck::NotExecutable;
    return FileCheck::Executable;
}

std::string find_executable(const std::string& name, const std::string& path_env,
                            const std::function<FileCheck(const std::string&)>& check) {
    auto denied = [](const std::string& p) {
        return Error("open executable `" + p + "`: permission denied", kExitCannotInvoke);
    };
    if (name.empty()) throw Error("no command specified: the executable name is empty", kExitNotFound);
    if (name.find('/') != std::string::npos) {
        switch (check(name)) {
            case FileCheck::Executable: return name;
            case FileCheck::NotExecutable: throw denied(name);
            case FileCheck::Missing:
                throw Error("executable file `" + name + "` not found: No such file or directory",
                            kExitNotFound);
        }
    }
    std::optional<std::string> first_denied;
    for (const std::string& dir : str::split(path_env, ':')) {
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        FileCheck c = check(candidate);
        if (c == FileCheck::Executable) return candidate;
        if (c == FileCheck::NotExecutable && !first_denied) first_denied = candidate;
    }
    if (first_denied) throw denied(*first_denied);
    throw Error("executable file `" + name + "` not found in $PATH: No such file or directory",
                kExitNotFound);
}

int exec_failure_code(int err) {
    switch (err) {
        case ENOENT: return kExitNotFound;
        case EACCES:
        case ENOEXEC:
        case EISDIR: return kExitCannotInvoke;
        default: return kExitEngine;
    }
}

}  // namespace pc::rootless
