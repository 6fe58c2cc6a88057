#include "container/cp_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/cp_plan.hpp"
#include "rootless/path_in_root.hpp"

namespace pc::container {

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

// Writes to a socket with MSG_NOSIGNAL (a reader that went away is an error, not SIGPIPE);
// to anything else with write(2).
la_ssize_t write_cb(struct archive* a, void* data, const void* buf, size_t len) {
    const int fd = *static_cast<int*>(data);
    for (;;) {
        ssize_t n = ::send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = ::write(fd, buf, len);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        archive_set_error(a, errno, "writing the archive: %s", std::strerror(errno));
        return -1;
    }
}

[[noreturn]] void archive_failed(struct archive* a, const std::string& what) {
    const char* msg = archive_error_string(a);
    throw Error(what + ": " + (msg ? msg : "unknown libarchive error"));
}

class Writer {
public:
    explicit Writer(int out_fd) : fd_(out_fd), a_(archive_write_new(), archive_write_free) {
        if (!a_) throw Error("creating an archive writer");
        archive_write_set_format_pax_restricted(a_.get());
        archive_write_set_bytes_in_last_block(a_.get(), 1);
        if (archive_write_open(a_.get(), &fd_, nullptr, write_cb, nullptr) != ARCHIVE_OK)
            archive_failed(a_.get(), "opening the archive");
    }

    // `fd` is an open (not O_PATH) fd for regular files and directories, -1 otherwise.
    void node(int fd, const struct stat& st, const std::string& name, const std::string& link_target) {
        EntryPtr e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_mode(e.get(), st.st_mode);
        archive_entry_set_uid(e.get(), st.st_uid);
        archive_entry_set_gid(e.get(), st.st_gid);
        archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        if (S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), st.st_size);
        else archive_entry_set_size(e.get(), 0);
        if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e.get(), link_target.c_str());
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) archive_entry_set_rdev(e.get(), st.st_rdev);
        if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) archive_failed(a_.get(), "writing " + name);
        if (!S_ISREG(st.st_mode)) return;
        // Exactly st_size bytes: a file that grows or shrinks meanwhile must not break the
        // stream (short files are padded with zeros).
        off_t left = st.st_size;
        char buf[65536];
        while (left > 0) {
            ssize_t n = ::read(fd, buf, static_cast<size_t>(std::min<off_t>(left, sizeof(buf))));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys("reading " + name, errno);
            if (n == 0) {
                std::memset(buf, 0, sizeof(buf));
                n = static_cast<ssize_t>(std::min<off_t>(left, sizeof(buf)));
            }
            if (archive_write_data(a_.get(), buf, static_cast<size_t>(n)) < 0) archive_failed(a_.get(), "writing " + name);
            left -= n;
        }
    }

    void finish() {
        if (archive_write_close(a_.get()) != ARCHIVE_OK) archive_failed(a_.get(), "finishing the archive");
    }

private:
    int fd_;
    ArchivePtr a_;
};

// The kernel's views mounted in a running container (/proc, /sys, /dev/pts...) are not
// files to copy: their directories are written, their contents are not (Podman, copying
// from the unmounted rootfs, sees them empty too).
bool pseudo_fs(int dir_fd) {
    struct statfs fs {};
    if (::fstatfs(dir_fd, &fs) < 0) return false;
    switch (static_cast<unsigned long>(fs.f_type)) {
        case PROC_SUPER_MAGIC:
        case SYSFS_MAGIC:
        case DEVPTS_SUPER_MAGIC:
        case CGROUP_SUPER_MAGIC:
        case CGROUP2_SUPER_MAGIC:
        case 0x19800202:  // mqueue (no name in linux/magic.h)
            return true;
        default: return false;
    }
}

std::string child_name(const std::string& parent, const std::string& name) { return parent + "/" + name; }

// Writes the directory open as `dir_fd` and everything below it, never following symlinks.
void write_dir(Writer& w, int dir_fd, const std::string& name) {
    if (pseudo_fs(dir_fd)) return;
    UniqueFd list_fd(::dup(dir_fd));
    if (!list_fd) throw Error::sys("reading directory " + name, errno);
    DIR* d = ::fdopendir(list_fd.get());
    if (!d) throw Error::sys("reading directory " + name, errno);
    list_fd.release();
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
        const std::string shown = child_name(name, n);
        struct stat st {};
        if (::fstatat(dir_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT) continue;  // removed meanwhile
            throw Error::sys("stat " + shown, errno);
        }
        if (S_ISDIR(st.st_mode)) {
            UniqueFd sub(::openat(dir_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub) throw Error::sys("opening " + shown, errno);
            w.node(sub.get(), st, shown, "");
            write_dir(w, sub.get(), shown);
        } else if (S_ISREG(st.st_mode)) {
            UniqueFd f(::openat(dir_fd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
            if (!f) throw Error::sys("opening " + shown, errno);
            w.node(f.get(), st, shown, "");
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = ::readlinkat(dir_fd, n.c_str(), target, sizeof(target) - 1);
            if (len < 0) throw Error::sys("reading symlink " + shown, errno);
            w.node(-1, st, shown, std::string(target, static_cast<size_t>(len)));
        } else if (!S_ISSOCK(st.st_mode)) {
            w.node(-1, st, shown, "");
        }
    }
}

// ---------------------------------------------------------------- extraction

// "a/b/./c" -> {"a","b","c"}; ".." or an empty result for a non-top entry is refused.
std::vector<std::string> entry_components(const std::string& name) {
    std::vector<std::string> out;
    for (const std::string& c : str::split(name, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") throw Error("tar entry \"" + name + "\": \"..\" is not allowed in names");
        out.push_back(c);
    }
    return out;
}

struct DeferredDir {
    std::string rel;  // below base
    mode_t mode;
    struct timespec mtime;
};

class Extractor {
public:
    Extractor(const ExtractSpec& spec, int base_fd) : spec_(spec), base_(base_fd) {}

    void entry(struct archive* a, struct archive_entry* e, const std::vector<std::string>& comps) {
        const std::string shown = archive_entry_pathname(e) ? archive_entry_pathname(e) : "?";
        if (comps.empty()) return;  // the destination directory itself: already there
        const std::string leaf = comps.back();
        std::string parent_rel;
        for (size_t i = 0; i + 1 < comps.size(); ++i) parent_rel += (parent_rel.empty() ? "" : "/") + comps[i];
        const std::string rel = parent_rel.empty() ? leaf : parent_rel + "/" + leaf;
        UniqueFd parent = rootless::open_beneath(base_, parent_rel, O_PATH | O_DIRECTORY);
        if (!parent && errno == ENOENT && spec_.raw) parent = make_parents(comps);
        if (!parent)
            throw Error::sys("tar entry \"" + shown + "\": parent directory on " + spec_.where +
                                 (errno == ELOOP ? " is a symlink (not followed)" : ""),
                             errno);
        const mode_t type = archive_entry_filetype(e);
        mode_t mode = archive_entry_perm(e) & 07777;
        if (spec_.host_side) mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
        struct timespec times[2] = {{0, UTIME_OMIT}, {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};

        struct stat existing {};
        const bool exists = ::fstatat(parent.get(), leaf.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
        if (type == AE_IFDIR) {
            if (exists && !S_ISDIR(existing.st_mode))
                throw Error("cannot overwrite non-directory \"" + shown + "\" with a directory on " + spec_.where);
            if (!exists && ::mkdirat(parent.get(), leaf.c_str(), 0700) < 0)
                throw Error::sys("creating directory \"" + shown + "\" on " + spec_.where, errno);
            chown_entry(parent.get(), leaf, e, shown);
            dirs_.push_back({rel, mode, times[1]});
            return;
        }
        if (exists && S_ISDIR(existing.st_mode))
            throw Error("cannot overwrite directory \"" + shown + "\" with a non-directory on " + spec_.where);
        if (exists && ::unlinkat(parent.get(), leaf.c_str(), 0) < 0 && errno != ENOENT)
            throw Error::sys("replacing \"" + shown + "\" on " + spec_.where, errno);

        if (archive_entry_hardlink(e)) {
            hardlink(parent.get(), leaf, archive_entry_hardlink(e), shown);
            return;
        }
        switch (type) {
            case AE_IFREG: {
                UniqueFd f(::openat(parent.get(), leaf.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!f) throw Error::sys("creating \"" + shown + "\" on " + spec_.where, errno);
                const void* buf;
                size_t size;
                la_int64_t off;
                int r;
                while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                    if (::pwrite(f.get(), buf, size, off) != static_cast<ssize_t>(size))
                        throw Error::sys("writing \"" + shown + "\" on " + spec_.where, errno ? errno : EIO);
                }
                if (r != ARCHIVE_EOF) archive_failed(a, "reading \"" + shown + "\" from the archive");
                if (::ftruncate(f.get(), archive_entry_size(e)) < 0) throw Error::sys("writing \"" + shown + "\"", errno);
                chown_entry(parent.get(), leaf, e, shown);
                if (::fchmod(f.get(), mode) < 0) throw Error::sys("chmod \"" + shown + "\"", errno);
                ::futimens(f.get(), times);
                return;
            }
            case AE_IFLNK: {
                const char* target = archive_entry_symlink(e);
                if (::symlinkat(target ? target : "", parent.get(), leaf.c_str()) < 0)
                    throw Error::sys("creating symlink \"" + shown + "\" on " + spec_.where, errno);
                chown_entry(parent.get(), leaf, e, shown);
                ::utimensat(parent.get(), leaf.c_str(), times, AT_SYMLINK_NOFOLLOW);
                return;
            }
            case AE_IFIFO:
                if (::mkfifoat(parent.get(), leaf.c_str(), mode) < 0)
                    throw Error::sys("creating fifo \"" + shown + "\" on " + spec_.where, errno);
                chown_entry(parent.get(), leaf, e, shown);
                return;
            default:
                // Device nodes cannot be made without privileges (and must not be on the host).
                log::warn("skipping \"" + shown + "\": device nodes and sockets are not copied");
                return;
        }
    }

    // Directory modes and times last: a read-only directory must still receive its files.
    void finish() {
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
            UniqueFd d = rootless::open_beneath(base_, it->rel, O_RDONLY | O_DIRECTORY);
            if (!d) continue;
            ::fchmod(d.get(), it->mode);
            struct timespec times[2] = {{0, UTIME_OMIT}, it->mtime};
            ::futimens(d.get(), times);
        }
    }

    // Hard link targets are archive names: mapped the same way as entries by the caller.
    std::function<std::vector<std::string>(const std::string&)> map_name;

private:
    // A tar stream's entries may come without their parent directories (Docker's and
    // Podman's extraction make them, 0755, as compose watch's sync relies on): the missing
    // ones are made below the base, never through a symlink. Returns the parent, or an
    // invalid fd with errno set.
    UniqueFd make_parents(const std::vector<std::string>& comps) {
        UniqueFd dir = rootless::open_beneath(base_, "", O_PATH | O_DIRECTORY);
        for (size_t i = 0; dir && i + 1 < comps.size(); ++i) {
            if (::mkdirat(dir.get(), comps[i].c_str(), 0755) < 0 && errno != EEXIST) return UniqueFd();
            dir = rootless::open_beneath(dir.get(), comps[i], O_PATH | O_DIRECTORY);
        }
        return dir;
    }

    void chown_entry(int parent, const std::string& leaf, struct archive_entry* e, const std::string& shown) {
        if (!spec_.keep_ids) return;
        const uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
        const gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
        if (::fchownat(parent, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys("chown " + std::to_string(uid) + ":" + std::to_string(gid) + " of \"" + shown + "\" on " +
                                 spec_.where + " (is the id mapped in the container?)",
                             errno);
    }

    void hardlink(int parent, const std::string& leaf, const std::string& target_name, const std::string& shown) {
        std::vector<std::string> t = map_name(target_name);
        if (t.empty()) throw Error("tar entry \"" + shown + "\": hard link to the destination itself");
        std::string tparent_rel;
        for (size_t i = 0; i + 1 < t.size(); ++i) tparent_rel += (tparent_rel.empty() ? "" : "/") + t[i];
        UniqueFd tparent = rootless::open_beneath(base_, tparent_rel, O_PATH | O_DIRECTORY);
        if (!tparent || ::linkat(tparent.get(), t.back().c_str(), parent, leaf.c_str(), 0) < 0)
            throw Error::sys("creating hard link \"" + shown + "\" on " + spec_.where, errno);
    }

    const ExtractSpec& spec_;
    int base_;
    std::vector<DeferredDir> dirs_;
};

NodeType node_type(int root_fd, const std::string& path) {
    UniqueFd fd = rootless::open_in_root(root_fd, path, O_PATH);
    if (!fd) {
        if (errno == ENOENT) return NodeType::Missing;
        throw Error::sys("resolving \"" + path + "\"", errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) throw Error::sys("stat \"" + path + "\"", errno);
    return S_ISDIR(st.st_mode) ? NodeType::Directory : NodeType::Other;
}

// The node at `path` (in `root_fd`) as `top`, with everything below it when it is a
// directory and `with_contents`. False when it does not exist and `missing_ok`.
bool write_top(Writer& w, int root_fd, const std::string& path, bool follow, const std::string& top,
               const std::string& where, bool with_contents, bool missing_ok) {
    UniqueFd node = rootless::open_in_root(root_fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
    if (!node) {
        if (errno == ENOENT || errno == ENOTDIR) {
            if (missing_ok) return false;
            throw Error("\"" + path + "\" could not be found on " + where + ": no such file or directory");
        }
        throw Error::sys("resolving \"" + path + "\" on " + where, errno);
    }
    struct stat st {};
    if (::fstat(node.get(), &st) < 0) throw Error::sys("stat \"" + path + "\"", errno);
    const int nofollow = follow ? 0 : O_NOFOLLOW;
    if (S_ISDIR(st.st_mode)) {
        UniqueFd d = rootless::open_in_root(root_fd, path, O_RDONLY | O_DIRECTORY | nofollow);
        if (!d) throw Error::sys("opening \"" + path + "\" on " + where, errno);
        w.node(d.get(), st, top, "");
        if (with_contents) write_dir(w, d.get(), top);
    } else if (S_ISREG(st.st_mode)) {
        UniqueFd f = rootless::open_in_root(root_fd, path, O_RDONLY | O_NONBLOCK | nofollow);
        if (!f) throw Error::sys("opening \"" + path + "\" on " + where, errno);
        w.node(f.get(), st, top, "");
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t len = ::readlinkat(node.get(), "", target, sizeof(target) - 1);
        if (len < 0) throw Error::sys("reading symlink \"" + path + "\"", errno);
        w.node(-1, st, top, std::string(target, static_cast<size_t>(len)));
    } else {
        w.node(-1, st, top, "");
    }
    return true;
}

}  // namespace

void write_copy_archive(int root_fd, const std::string& path, bool follow, const std::string& top, int out_fd,
                        const std::string& where) {
    Writer w(out_fd);
    write_top(w, root_fd, path, follow, top, where, true, false);
    w.finish();
}

void write_nodes_archive(const std::vector<ArchiveNode>& nodes, int out_fd) {
    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw Error::sys("opening /", errno);
    Writer w(out_fd);
    for (const auto& n : nodes) write_top(w, root.get(), n.host_path, false, n.name, "the host", false, true);
    w.finish();
}

void extract_copy_archive(int in_fd, const ExtractSpec& spec) {
    ArchivePtr a(archive_read_new(), archive_read_free);
    if (!a) throw Error("creating an archive reader");
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_fd(a.get(), in_fd, 64 * 1024) != ARCHIVE_OK) archive_failed(a.get(), "reading the archive");

    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) return;  // nothing to copy
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) archive_failed(a.get(), "reading the archive");

    const NodeType dest_type = node_type(spec.root_fd, spec.dest);
    std::string target;  // where the archive's top lands (in root)
    std::string top;     // the archive's top name ("" in raw mode)
    if (spec.raw) {
        if (dest_type != NodeType::Directory)
            throw Error("\"" + spec.dest + "\" on " + spec.where + (dest_type == NodeType::Missing ? " could not be found" : " is not a directory") +
                        ": the destination of a tar stream must be an existing directory");
        target = spec.dest;
    } else {
        std::vector<std::string> first = entry_components(archive_entry_pathname(e));
        top = first.empty() ? "." : first.front();
        const bool src_is_dir = archive_entry_filetype(e) == AE_IFDIR;
        target = copy_target(spec.dest, dest_type, src_is_dir, top == ".", top);
    }
    // The base: the target's parent, resolved inside the root (following the root's own
    // symlinks, as a path inside a container should); everything else is created below it.
    // Named copies, not a structured binding: the lambda below captures them, which clang 14
    // (the sanitizer lane's compiler) does not allow for bindings.
    const auto parent_and_leaf = split_parent(rootless::join_components(rootless::clean_path_components(target), SIZE_MAX));
    std::string base_path = parent_and_leaf.first, leaf = parent_and_leaf.second;
    if (spec.raw || leaf == ".") {
        base_path = target;
        leaf = "";
    }
    UniqueFd base = rootless::open_in_root(spec.root_fd, base_path, O_PATH | O_DIRECTORY);
    if (!base) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw Error("\"" + base_path + "\" could not be found on " + spec.where + ": no such file or directory");
        throw Error::sys("resolving \"" + base_path + "\" on " + spec.where, errno);
    }

    // Archive name -> components below base.
    auto map_name = [&](const std::string& name) {
        std::vector<std::string> comps = entry_components(name);
        if (!spec.raw) {
            if (top != "." && (comps.empty() || comps.front() != top))
                throw Error("tar entry \"" + name + "\" is outside the copied tree");
            if (top != ".") comps.erase(comps.begin());
            if (!leaf.empty()) comps.insert(comps.begin(), leaf);
        }
        return comps;
    };
    Extractor x(spec, base.get());
    x.map_name = map_name;
    for (;;) {
        x.entry(a.get(), e, map_name(archive_entry_pathname(e)));
        r = archive_read_next_header(a.get(), &e);
        if (r == ARCHIVE_EOF) break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) archive_failed(a.get(), "reading the archive");
    }
    x.finish();
}

}  // namespace pc::container
