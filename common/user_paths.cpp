#include "common/user_paths.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "common/log.hpp"

namespace pc {

namespace {
std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return (v && *v) ? std::string(v) : std::string();
}
}  // namespace

const CallerIdentity& caller() {
    static const CallerIdentity id = [] {
        CallerIdentity c{::getuid(), ::getgid(), {}, env_or_empty("HOME")};
        struct passwd pw {};
        struct passwd* res = nullptr;
        char buf[4096];
        if (::getpwuid_r(c.uid, &pw, buf, sizeof(buf), &res) == 0 && res) {
            c.name = pw.pw_name;
            if (c.home.empty()) c.home = pw.pw_dir;
        }
        if (c.home.empty()) c.home = "/";
        return c;
    }();
    return id;
}

std::string default_store_root() {
    std::string base = env_or_empty("XDG_DATA_HOME");
    if (base.empty()) base = caller().home + "/.local/share";
    return base + "/pc";
}

namespace {

// Why $XDG_RUNTIME_DIR cannot hold pc's runtime dir ("" when it can): it must be a
// directory of the caller's that the caller can write, or already hold a pc dir of theirs.
std::string runtime_dir_problem(const std::string& base) {
    struct stat st {};
    if (::stat((base + "/pc").c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::getuid() &&
        ::access((base + "/pc").c_str(), W_OK | X_OK) == 0)
        return "";
    if (::stat(base.c_str(), &st) < 0) return std::string("it does not exist (") + std::strerror(errno) + ")";
    if (!S_ISDIR(st.st_mode)) return "it is not a directory";
    if (st.st_uid != ::getuid()) return "it is owned by uid " + std::to_string(st.st_uid) + ", not by you";
    if (::access(base.c_str(), W_OK | X_OK) < 0) return std::string("it is not writable (") + std::strerror(errno) + ")";
    return "";
}

}  // namespace

std::string default_runtime_root() {
    static const std::string root = [] {
        const std::string fallback = "/tmp/pc-" + std::to_string(caller().uid);
        std::string base = env_or_empty("XDG_RUNTIME_DIR");
        if (base.empty()) return fallback;
        if (std::string why = runtime_dir_problem(base); !why.empty()) {
            // Fatal before: a job step with a stale or foreign XDG_RUNTIME_DIR still runs.
            log::warn("XDG_RUNTIME_DIR=" + base + " is not usable: " + why + "; using " + fallback);
            return fallback;
        }
        return base + "/pc";
    }();
    return root;
}

std::string default_config_dir() {
    std::string base = env_or_empty("XDG_CONFIG_HOME");
    if (base.empty()) base = caller().home + "/.config";
    return base + "/pc";
}

void ensure_dir(const std::string& dir, unsigned mode, bool private_dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) < 0) {
        if (errno != ENOENT) throw Error::sys("checking " + dir);
        auto slash = dir.rfind('/');
        if (slash != std::string::npos && slash > 0) ensure_dir(dir.substr(0, slash), 0755, false);
        if (::mkdir(dir.c_str(), mode) < 0 && errno != EEXIST) throw Error::sys("creating " + dir);
        if (::lstat(dir.c_str(), &st) < 0) throw Error::sys("checking " + dir);
    }
    if (!S_ISDIR(st.st_mode)) throw Error(dir + ": exists and is not a directory");
    if (private_dir) {
        if (st.st_uid != ::getuid())
            throw Error(dir + ": owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " +
                        std::to_string(::getuid()) + "); refusing to use it");
        if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) < 0)
            throw Error::sys("making " + dir + " private");
    }
}

}  // namespace pc
