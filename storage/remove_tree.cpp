#include "storage/remove_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "rootless/userns.hpp"
#include "storage/store.hpp"

namespace pc::storage {

namespace {

void remove_dir_contents(int fd, const std::string& display) {
    int dup = ::dup(fd);
    if (dup < 0) throw Error::sys("removing " + display);
    DIR* d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        throw Error::sys("removing " + display);
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    for (const auto& n : names) remove_tree_at(fd, n, display + "/" + n);
}

std::string dir_of(const std::string& p) {
    auto s = p.rfind('/');
    return s == std::string::npos ? "." : (s == 0 ? "/" : p.substr(0, s));
}
std::string base_of(const std::string& p) {
    auto s = p.rfind('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

void remove_path(const std::string& path) {
    UniqueFd parent(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) {
        if (errno == ENOENT) return;
        throw Error::sys("removing " + path);
    }
    remove_tree_at(parent.get(), base_of(path), path);
}

}  // namespace

void remove_tree_at(int dirfd, const std::string& name, const std::string& display) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return;
    if (errno != EISDIR && errno != EPERM) throw Error::sys("removing " + display);
    // EPERM/EISDIR: a directory (Linux reports EISDIR; EPERM per POSIX).
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == EACCES) {
        // A dir without r/x for us (e.g. mode 0000 overlay work/work): make it accessible.
        if (::fchmodat(dirfd, name.c_str(), 0700, 0) < 0) throw Error::sys("removing " + display);
        fd.reset(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!fd) {
        if (errno == ENOENT) return;
        throw Error::sys("removing " + display);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && (st.st_mode & 0700) != 0700) ::fchmod(fd.get(), 0700);
    remove_dir_contents(fd.get(), display);
    fd.reset();
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
        throw Error::sys("removing " + display);
}

std::string move_to_trash(const std::string& path) {
    static std::mt19937_64 rng{std::random_device{}()};
    std::string trash = dir_of(path) + "/.trash-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 100000000);
    if (::rename(path.c_str(), trash.c_str()) < 0) {
        if (errno == ENOENT) return "";
        throw Error::sys("removing " + path + " (rename to " + trash + ")");
    }
    return trash;
}

void remove_trees_in_userns(const rootless::IdMapping& m, const std::vector<std::string>& paths) {
    std::vector<std::string> left;
    for (const auto& p : paths) {
        // The common case for caller-owned trees (volumes of a keep-id container, probe
        // dirs) avoids the cost of a user namespace.
        try {
            remove_path(p);
        } catch (const Error&) {
            left.push_back(p);
        }
    }
    if (left.empty()) return;
    rootless::run_in_userns(m, [&left] {
        for (const auto& p : left) remove_path(p);
    });
}

void Store::remove_tree(const std::string& path) {
    auto inside = [](const std::string& p, const std::string& dir) {
        return p.size() > dir.size() + 1 && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/' &&
               p.find("/../") == std::string::npos && p.substr(p.size() - 3) != "/..";
    };
    if (!inside(path, root_) && !inside(path, runroot_))
        throw Error("refusing to remove " + path + ": not inside the store " + root_ + " or " + runroot_);
    std::string trash = move_to_trash(path);
    if (!trash.empty()) remove_trees_in_userns(mapping(), {trash});
}

void Store::remove_container_storage(const std::string& id, bool background, const std::string& also_remove) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..")
        throw Error("invalid container id \"" + id + "\"");
    if (!background) {
        if (!also_remove.empty()) ::unlink(also_remove.c_str());
        remove_tree(container_dir(id));
        return;
    }
    remove_detached(move_to_trash(container_dir(id)), also_remove);
}

void Store::remove_detached(const std::string& trash, const std::string& also_remove) {
    if (trash.empty()) {
        if (!also_remove.empty()) ::unlink(also_remove.c_str());
        return;
    }
    // Deleting even an empty container tree costs ~1 ms per inode on a filesystem mounted
    // with online discard; a double-forked child does it after we have returned (init
    // reaps it). A trash dir left by a crash is collected with the store's other leftovers.
    pid_t pid = ::fork();
    if (pid < 0) {
        if (!also_remove.empty()) ::unlink(also_remove.c_str());
        remove_trees_in_userns(mapping(), {trash});
        return;
    }
    if (pid == 0) {
        // Let go of the caller's stdio first: whoever waits for EOF on it (a shell
        // pipeline, a test harness) must not wait for this clean-up.
        int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
        }
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        if (!also_remove.empty()) ::unlink(also_remove.c_str());
        try {
            remove_trees_in_userns(mapping(), {trash});
        } catch (...) {
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace pc::storage
