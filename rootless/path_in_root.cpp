#include "rootless/path_in_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"

namespace pc::rootless {

std::vector<std::string> clean_path_components(std::string_view path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view c = path.substr(i, j - i);
        if (c == "..") {
            if (!out.empty()) out.pop_back();
        } else if (!c.empty() && c != ".") {
            out.emplace_back(c);
        }
        i = j + 1;
    }
    return out;
}

std::string join_components(const std::vector<std::string>& comps, size_t count) {
    if (count == 0 || comps.empty()) return "/";
    std::string s;
    for (size_t i = 0; i < count && i < comps.size(); ++i) s += "/" + comps[i];
    return s;
}

UniqueFd open_in_root(int root_fd, std::string_view path, int flags) {
    // RESOLVE_IN_ROOT wants a relative path; "." stands for the root itself.
    std::string rel = join_components(clean_path_components(path), SIZE_MAX).substr(1);
    if (rel.empty()) rel = ".";
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof(how));
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return UniqueFd(static_cast<int>(fd));
}

UniqueFd open_beneath(int dir_fd, std::string_view rel_in, int flags) {
    const std::string rel = rel_in.empty() ? std::string(".") : std::string(rel_in);
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof(how));
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return UniqueFd(static_cast<int>(fd));
}

UniqueFd create_in_root(int root_fd, std::string_view path, NodeKind kind) {
    std::vector<std::string> comps = clean_path_components(path);
    const std::string shown = join_components(comps, comps.size());
    if (UniqueFd fd = open_in_root(root_fd, shown, O_PATH)) return fd;
    if (errno != ENOENT) throw Error::sys("resolving " + shown + " in the container", errno);

    // Walk down from the root: each existing prefix is re-resolved in the root (so a symlink
    // among the parents stays inside it); a missing component is created relative to its
    // resolved parent, by a single name, which never follows anything. A dangling symlink
    // (e.g. /var/run -> /run with no /run yet) is expanded lexically and the walk restarts,
    // so its target gets created, inside the root like everything else.
    int links = 0;
    size_t i = 0;
    UniqueFd parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
    if (!parent) throw Error::sys("opening the container root", errno);
    while (i < comps.size()) {
        const std::string prefix = join_components(comps, i + 1);
        const bool last = i + 1 == comps.size();
        UniqueFd cur = open_in_root(root_fd, prefix, O_PATH);
        if (!cur) {
            if (errno != ENOENT) throw Error::sys("resolving " + prefix + " in the container", errno);
            const char* name = comps[i].c_str();
            if (last && kind == NodeKind::File) {
                int f = ::openat(parent.get(), name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                 0644);
                if (f < 0 && errno != EEXIST)
                    throw Error::sys("creating " + prefix + " in the container", errno);
                UniqueFd closer(f);
            } else if (::mkdirat(parent.get(), name, 0755) < 0 && errno != EEXIST) {
                throw Error::sys("creating directory " + prefix + " in the container", errno);
            }
            cur = open_in_root(root_fd, prefix, O_PATH);
        }
        if (!cur) {
            // The name exists but does not resolve: a dangling symlink.
            char target[4096];
            ssize_t n = ::readlinkat(parent.get(), comps[i].c_str(), target, sizeof(target) - 1);
            if (n < 0 || ++links > 40)
                throw Error::sys("resolving " + prefix + " in the container", n < 0 ? errno : ELOOP);
            target[n] = '\0';
            std::string rest = target[0] == '/' ? std::string(target)
                                                : join_components(comps, i) + "/" + target;
            for (size_t j = i + 1; j < comps.size(); ++j) rest += "/" + comps[j];
            comps = clean_path_components(rest);
            i = 0;
            parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
            if (!parent) throw Error::sys("opening the container root", errno);
            continue;
        }
        parent = std::move(cur);
        ++i;
    }
    return parent;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace pc::rootless
