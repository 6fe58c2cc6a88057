#include "storage/tree_tar.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "storage/whiteouts.hpp"

namespace pc::storage {

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

// xattrs that belong in a layer: user.* (not overlay's own markers) and file capabilities.
bool exported_xattr(const std::string& name) {
    if (name.rfind("user.overlay.", 0) == 0) return false;
    return name.rfind("user.", 0) == 0 || name == "security.capability";
}

class TreeWriter {
public:
    TreeWriter(int out_fd, TreeTarView view, std::optional<int64_t> mtime, const KnownContent* known)
        : view_(view), mtime_(mtime), known_(known), a_(archive_write_new(), archive_write_free) {
        if (!a_) throw Error("libarchive: out of memory");
        archive_write_set_format_pax_restricted(a_.get());
        archive_write_set_bytes_per_block(a_.get(), 10240);
        // No padding of the last block (tar's 1024 zero bytes still end the archive): a small
        // layer is a few KB, not 10.
        archive_write_set_bytes_in_last_block(a_.get(), 1);
        if (archive_write_open_fd(a_.get(), out_fd) != ARCHIVE_OK) fail("opening the output");
    }

    // `layers`: open dir fds of the same relative directory in each source, top-most first.
    void walk(const std::vector<int>& layers, const std::string& rel) {
        // name -> the layer that wins and its stat (taken once: a layer of many small files
        // costs a few system calls each)
        std::map<std::string, std::pair<size_t, struct stat>> first_layer;
        std::set<std::string> hidden;
        for (size_t i = 0; i < layers.size(); ++i) {
            for (const auto& n : sorted_dir_entries(layers[i], rel.empty() ? "/" : rel)) {
                if (first_layer.count(n) || hidden.count(n)) continue;
                struct stat st {};
                if (::fstatat(layers[i], n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw Error::sys("stat " + rel + n);
                if (view_ == TreeTarView::Flatten && is_whiteout(st)) {
                    hidden.insert(n);
                    continue;
                }
                first_layer.emplace(n, std::make_pair(i, st));
            }
        }
        for (const auto& [name, found] : first_layer) {
            const std::string path = rel + name;
            const auto& [idx, st] = found;
            if (view_ == TreeTarView::Diff && is_whiteout(st)) {
                write_plain(rel + std::string(kWhiteoutPrefix) + name, st);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                UniqueFd dfd(::openat(layers[idx], name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!dfd) throw Error::sys("opening directory " + path);
                write_entry(path + "/", st, layers[idx], name, dfd.get());
                std::vector<UniqueFd> below;
                std::vector<int> next{dfd.get()};
                bool opaque = is_opaque(dfd.get());
                if (view_ == TreeTarView::Diff && opaque) {
                    struct stat wst = st;
                    write_plain(path + "/" + std::string(kOpaqueMarker), wst);
                }
                // Lower layers' content of this dir shows through unless it is opaque.
                for (size_t j = idx + 1; j < layers.size() && !opaque && view_ == TreeTarView::Flatten; ++j) {
                    struct stat lst {};
                    if (::fstatat(layers[j], name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT) continue;
                        throw Error::sys("stat " + path);
                    }
                    if (is_whiteout(lst) || !S_ISDIR(lst.st_mode)) break;
                    UniqueFd lfd(::openat(layers[j], name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                    if (!lfd) throw Error::sys("opening directory " + path);
                    opaque = is_opaque(lfd.get());
                    next.push_back(lfd.get());
                    below.push_back(std::move(lfd));
                }
                walk(next, path + "/");
            } else {
                write_entry(path, st, layers[idx], name, -1);
            }
        }
    }

    void finish() {
        if (archive_write_close(a_.get()) != ARCHIVE_OK) fail("finishing the archive");
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        const char* m = archive_error_string(a_.get());
        throw Error("writing tar stream (" + what + "): " + (m ? m : "unknown error"));
    }

    void header(EntryPtr& e, const std::string& name, const struct stat& st) {
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_uid(e.get(), st.st_uid);
        archive_entry_set_gid(e.get(), st.st_gid);
        archive_entry_set_mtime(e.get(), mtime_ ? *mtime_ : st.st_mtim.tv_sec, 0);
        archive_entry_set_perm(e.get(), st.st_mode & 07777);
    }

    void write_plain(const std::string& name, const struct stat& like) {
        EntryPtr e(archive_entry_new(), archive_entry_free);
        header(e, name, like);
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), 0);
        if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(name);
    }

    void add_xattrs(EntryPtr& e, int fd, int dirfd, const std::string& name, bool is_link) {
        char list[8192];
        ssize_t n;
        std::string proc;
        if (fd >= 0) n = ::flistxattr(fd, list, sizeof(list));
        else if (is_link) return;  // symlinks carry no user.* xattrs
        else {
            proc = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
            n = ::llistxattr(proc.c_str(), list, sizeof(list));
        }
        if (n <= 0) return;
        for (ssize_t off = 0; off < n; off += static_cast<ssize_t>(std::strlen(list + off)) + 1) {
            std::string x = list + off;
            if (!exported_xattr(x)) continue;
            char val[65536];
            ssize_t vn = fd >= 0 ? ::fgetxattr(fd, x.c_str(), val, sizeof(val)) : ::lgetxattr(proc.c_str(), x.c_str(), val, sizeof(val));
            if (vn >= 0) archive_entry_xattr_add_entry(e.get(), x.c_str(), val, static_cast<size_t>(vn));
        }
    }

    // The caller's copy of a regular file's content, if it still matches the file.
    const std::string* known(const std::string& path, const struct stat& st) const {
        if (!known_ || !S_ISREG(st.st_mode) || st.st_nlink != 1) return nullptr;
        auto it = known_->find(path);
        if (it == known_->end() || !it->second.content) return nullptr;
        const KnownFile& k = it->second;
        if (k.content->size() != static_cast<size_t>(st.st_size) || k.mtime.tv_sec != st.st_mtim.tv_sec ||
            k.mtime.tv_nsec != st.st_mtim.tv_nsec)
            return nullptr;
        return k.content;
    }

    void write_entry(const std::string& path, const struct stat& st, int dirfd, const std::string& name, int dir_fd) {
        EntryPtr e(archive_entry_new(), archive_entry_free);
        header(e, path, st);
        UniqueFd file;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
            auto key = std::make_pair(st.st_dev, st.st_ino);
            auto it = links_.find(key);
            if (it != links_.end()) {
                archive_entry_set_filetype(e.get(), AE_IFREG);
                archive_entry_set_hardlink(e.get(), it->second.c_str());
                archive_entry_set_size(e.get(), 0);
                if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(path);
                return;
            }
            links_[key] = path;
        }
        if (S_ISDIR(st.st_mode)) {
            archive_entry_set_filetype(e.get(), AE_IFDIR);
            add_xattrs(e, dir_fd, dirfd, name, false);
        } else if (const std::string* content = known(path, st)) {
            archive_entry_set_filetype(e.get(), AE_IFREG);
            archive_entry_set_size(e.get(), st.st_size);
            if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(path);
            if (!content->empty() && archive_write_data(a_.get(), content->data(), content->size()) < 0) fail(path);
            return;
        } else if (S_ISREG(st.st_mode)) {
            archive_entry_set_filetype(e.get(), AE_IFREG);
            archive_entry_set_size(e.get(), st.st_size);
            file.reset(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (!file) throw Error::sys("opening " + path);
            add_xattrs(e, file.get(), dirfd, name, false);
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
            if (n < 0) throw Error::sys("readlink " + path);
            target.resize(static_cast<size_t>(n));
            archive_entry_set_filetype(e.get(), AE_IFLNK);
            archive_entry_set_symlink(e.get(), target.c_str());
        } else if (S_ISFIFO(st.st_mode)) {
            archive_entry_set_filetype(e.get(), AE_IFIFO);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            archive_entry_set_filetype(e.get(), S_ISCHR(st.st_mode) ? AE_IFCHR : AE_IFBLK);
            archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
            archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
        } else {
            return;  // sockets: runtime objects, not part of an image
        }
        if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(path);
        if (!file) return;
        char buf[128 * 1024];
        off_t left = st.st_size;
        while (left > 0) {
            ssize_t n = ::read(file.get(), buf, sizeof(buf));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys("reading " + path);
            if (n == 0) throw Error("reading " + path + ": the file shrank while it was archived");
            if (archive_write_data(a_.get(), buf, static_cast<size_t>(n)) < 0) fail(path);
            left -= n;
        }
    }

    TreeTarView view_;
    std::optional<int64_t> mtime_;
    const KnownContent* known_;
    ArchivePtr a_;
    std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

void write_tree_tar(const std::vector<std::string>& dirs_top_first, int out_fd, TreeTarView view,
                    std::optional<int64_t> mtime, const KnownContent* known) {
    if (dirs_top_first.empty()) throw Error("write_tree_tar: no directory given");
    if (view == TreeTarView::Diff && dirs_top_first.size() != 1)
        throw Error("write_tree_tar: a layer diff is made of exactly one directory");
    std::vector<UniqueFd> fds;
    std::vector<int> raw;
    for (const auto& d : dirs_top_first) {
        UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd) throw Error::sys("opening " + d);
        raw.push_back(fd.get());
        fds.push_back(std::move(fd));
    }
    TreeWriter w(out_fd, view, mtime, known);
    w.walk(raw, "");
    w.finish();
}

}  // namespace pc::storage
