#include "compose/watch_tree.hpp"

#include <dirent.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::compose {

namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO |
                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// `path` is `dir` or below it.
bool at_or_below(const std::string& path, const std::string& dir) {
    return path == dir || (str::starts_with(path, dir) && (dir == "/" || path[dir.size()] == '/'));
}

std::string parent_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

TreeWatcher::TreeWatcher(std::function<bool(const std::string&)> skip_dir)
    : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), skip_dir_(std::move(skip_dir)) {
    if (!fd_) throw Error::sys("inotify_init1", errno);
}

void TreeWatcher::add(const std::string& path, const Report& existing) {
    roots_.push_back(path);
    attach(path, existing ? &existing : nullptr);
}

void TreeWatcher::rescan(const Report& changed) {
    for (const auto& root : std::vector<std::string>(roots_)) attach(root, &changed);
}

void TreeWatcher::attach(const std::string& root, const Report* report) {
    if (is_dir(root)) {
        add_tree(root, report);
        return;
    }
    struct stat st {};
    if (report && ::lstat(root.c_str(), &st) == 0) (*report)(root);
    std::string dir = parent_of(root);
    while (!is_dir(dir)) dir = parent_of(dir);
    add_watch(dir, false);
}

int TreeWatcher::add_watch(const std::string& dir, bool recursive) {
    const int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kMask);
    if (wd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EACCES) return -1;  // gone, or not ours to read
        if (errno == ENOSPC)
            throw Error("cannot watch " + dir + ": this user's inotify watch limit is reached (sysctl "
                        "fs.inotify.max_user_watches): ignore large directories in develop.watch, or raise the limit");
        throw Error::sys("watching " + dir, errno);
    }
    Dir& d = dirs_[wd];
    d.path = dir;
    d.recursive = d.recursive || recursive;
    return wd;
}

void TreeWatcher::add_tree(const std::string& dir, const Report* report) {
    if (skip_dir_(dir) || add_watch(dir, true) < 0) return;
    if (report) (*report)(dir);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;  // removed meanwhile
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
        const std::string path = dir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) add_tree(path, report);
        else if (report) (*report)(path);
    }
}

void TreeWatcher::drop_below(const std::string& dir) {
    for (auto it = dirs_.begin(); it != dirs_.end();) {
        if (at_or_below(it->second.path, dir)) {
            ::inotify_rm_watch(fd_.get(), it->first);
            it = dirs_.erase(it);
        } else {
            ++it;
        }
    }
}

bool TreeWatcher::read(const Report& changed) {
    bool complete = true;
    alignas(struct inotify_event) char buf[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return complete;
        if (n <= 0) throw Error::sys("reading file events", n < 0 ? errno : EIO);
        for (const char* p = buf; p < buf + n;) {
            const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
            p += sizeof(struct inotify_event) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                complete = false;
                continue;
            }
            auto it = dirs_.find(ev->wd);
            if (it == dirs_.end()) continue;
            const Dir d = it->second;  // the handlers below change dirs_
            const std::string path = ev->len > 0 && ev->name[0] ? (d.path == "/" ? "" : d.path) + "/" + ev->name : d.path;
            if (ev->mask & IN_IGNORED) {
                dirs_.erase(ev->wd);
                continue;
            }
            if (!d.recursive || (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))) {
                if (d.recursive) {
                    // A watched directory went away: what was below it is gone from there.
                    changed(path);
                    drop_below(path);
                }
                // Roots at or below: watched again (a new directory), or through an ancestor.
                for (const auto& root : std::vector<std::string>(roots_)) {
                    if (!at_or_below(root, path)) continue;
                    if (!d.recursive && root == path) changed(path);
                    attach(root, &changed);
                }
                continue;
            }
            const bool dir = ev->mask & IN_ISDIR;
            if (dir && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                add_tree(path, &changed);
                continue;
            }
            if (dir && (ev->mask & IN_MOVED_FROM)) drop_below(path);
            changed(path);
        }
    }
}

}  // namespace pc::compose
