#include "imagebuild/copy.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/cp_archive.hpp"
#include "imagebuild/shell_lex.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/user_lookup.hpp"
#include "storage/digest.hpp"

namespace pc::build {

namespace {

bool has_wildcard(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '*' || s[i] == '?' || s[i] == '[') return true;
    }
    return false;
}

std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i];
    }
    return out;
}

std::string join(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return a + "/" + b;
}

std::string real_path_of(int fd) {
    char buf[4096];
    ssize_t n = ::readlink(rootless::fd_path(fd).c_str(), buf, sizeof(buf) - 1);
    if (n < 0) throw Error::sys("resolving a source path");
    return std::string(buf, static_cast<size_t>(n));
}

// The sha256 of what `fd` reads to its end; with `keep`, that content too (the caller
// passes it only for a small file, and drops it if the file grew past kKeptFileMax).
// A short read that reaches the size the walk saw is the end (one read per small file).
std::string hash_fd(int fd, const std::string& what, uint64_t size, std::optional<std::string>* keep = nullptr) {
    storage::Sha256 h;
    std::string buf(keep ? kKeptFileMax + 1 : 128 * 1024, '\0');
    std::string kept;
    uint64_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("reading " + what);
        if (n == 0) break;
        h.update(buf.data(), static_cast<size_t>(n));
        if (keep) kept.append(buf.data(), static_cast<size_t>(n));
        total += static_cast<uint64_t>(n);
        if (static_cast<size_t>(n) < buf.size() && total == size) break;
    }
    if (keep && kept.size() <= kKeptFileMax) *keep = std::move(kept);
    return h.hex();
}

CopyEntry entry_of(const struct stat& st, const std::string& src, const std::string& rel) {
    CopyEntry e;
    e.src = src;
    e.rel = rel;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtim.tv_sec;
    e.mtime_nsec = st.st_mtim.tv_nsec;
    if (S_ISDIR(st.st_mode)) e.kind = CopyEntry::Kind::Directory;
    else if (S_ISLNK(st.st_mode)) e.kind = CopyEntry::Kind::Symlink;
    else if (S_ISFIFO(st.st_mode)) e.kind = CopyEntry::Kind::Fifo;
    else e.kind = CopyEntry::Kind::File;
    if (S_ISREG(st.st_mode)) e.size = static_cast<uint64_t>(st.st_size);
    return e;
}

// A tar archive ADD unpacks: a compressed stream or a tar header, and libarchive agrees.
bool is_tar_archive(int fd) {
    unsigned char head[512] = {};
    ssize_t n = ::pread(fd, head, sizeof(head), 0);
    if (n <= 0) return false;
    auto starts = [&](std::initializer_list<unsigned char> m) {
        return static_cast<size_t>(n) >= m.size() && std::equal(m.begin(), m.end(), head);
    };
    bool compressed = starts({0x1f, 0x8b}) || starts({'B', 'Z', 'h'}) || starts({0xfd, '7', 'z', 'X', 'Z', 0x00}) ||
                      starts({0x28, 0xb5, 0x2f, 0xfd});
    bool tar = n >= 262 && std::string_view(reinterpret_cast<char*>(head) + 257, 5) == "ustar";
    if (!compressed && !tar) return false;
    std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    UniqueFd dup(::dup(fd));
    if (!dup || ::lseek(dup.get(), 0, SEEK_SET) < 0) return false;
    if (archive_read_open_fd(a.get(), dup.get(), 16384) != ARCHIVE_OK) return false;
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    return r == ARCHIVE_OK || r == ARCHIVE_WARN || r == ARCHIVE_EOF;
}

class SourceWalker {
public:
    SourceWalker(int root_fd, const SourceOptions& o) : root_(root_fd), o_(o), root_real_(real_path_of(root_fd)) {}

    std::vector<CopyItem> collect(const std::vector<std::string>& patterns) {
        std::vector<CopyItem> items;
        for (const auto& pattern : patterns) {
            // --parents: "a/./b/c" keeps only "b/c" (the part after the pivot).
            std::string pivot_base;
            std::string p = pattern;
            if (o_.parents) {
                auto piv = p.find("/./");
                if (piv != std::string::npos) {
                    pivot_base = clean_path(p.substr(0, piv));
                    if (pivot_base == "." || pivot_base == "/") pivot_base.clear();
                    if (!pivot_base.empty() && pivot_base[0] == '/') pivot_base.erase(0, 1);
                }
            }
            std::string rel = clean_path(p);
            if (!rel.empty() && rel[0] == '/') rel = clean_path(rel.substr(1));
            if (rel == ".." || str::starts_with(rel, "../"))
                throw Error(o_.what + ": forbidden path outside the build context: " + pattern);
            if (rel == ".") rel.clear();
            std::vector<std::string> matches;
            if (has_wildcard(rel)) {
                matches = glob(rel);
                if (matches.empty())
                    throw Error(o_.what + ": no source files were specified: \"" + pattern + "\" matches nothing in " +
                                o_.root_name);
            } else {
                matches.push_back(unescape(rel));
            }
            for (const auto& m : matches) items.push_back(item(m, pattern, pivot_base));
        }
        return items;
    }

private:
    bool ignored(const std::string& ctx_path) const { return o_.ignore && !ctx_path.empty() && o_.ignore->excluded(ctx_path); }
    bool reincludes() const { return (o_.ignore && o_.ignore->has_exclusions()) || o_.excludes.has_exclusions(); }

    std::vector<std::string> glob(const std::string& rel) {
        std::vector<std::string> cur = {""};
        for (const auto& comp : str::split(rel, '/')) {
            std::vector<std::string> next;
            for (const auto& prefix : cur) {
                if (!has_wildcard(comp)) {
                    next.push_back(join(prefix, unescape(comp)));
                    continue;
                }
                UniqueFd d = rootless::open_in_root(root_, prefix.empty() ? "." : prefix, O_RDONLY | O_DIRECTORY);
                if (!d) continue;
                for (const auto& name : sorted_dir_entries(d.get(), prefix.empty() ? "/" : prefix)) {
                    std::string cand = join(prefix, name);
                    if (glob_match(comp, name) && !ignored(cand)) next.push_back(cand);
                }
            }
            cur = std::move(next);
        }
        // Only what exists (a literal tail after a wildcard may not).
        std::vector<std::string> out;
        for (const auto& c : cur)
            if (rootless::open_in_root(root_, c, O_PATH)) out.push_back(c);
        return out;
    }

    [[noreturn]] void not_found(const std::string& pattern) const {
        throw Error(o_.what + ": checking on sources under " + o_.root_name + ": \"" + pattern +
                    "\": no such file or directory" +
                    (o_.ignore ? " (not in the build context, or excluded by its ignore file)" : ""));
    }

    CopyItem item(const std::string& m, const std::string& pattern, const std::string& pivot_base) {
        UniqueFd node = rootless::open_in_root(root_, m.empty() ? "." : m, O_PATH);
        if (!node) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) not_found(pattern);
            throw Error::sys(o_.what + ": resolving \"" + pattern + "\" in " + o_.root_name);
        }
        std::string real = real_path_of(node.get());
        std::string src;
        if (real != root_real_) {
            if (!str::starts_with(real, root_real_ + "/")) not_found(pattern);  // cannot happen with RESOLVE_IN_ROOT
            src = real.substr(root_real_ == "/" ? 1 : root_real_.size() + 1);
        }
        struct stat st {};
        if (::fstat(node.get(), &st) < 0) throw Error::sys(o_.what + ": stat \"" + pattern + "\"");
        if (ignored(src) && !(S_ISDIR(st.st_mode) && reincludes())) not_found(pattern);

        CopyItem it;
        const std::string lexical = m;  // as matched, before symlinks were resolved
        it.name = lexical.empty() ? "" : lexical.substr(lexical.rfind('/') + 1);
        if (o_.parents) {
            std::string below = lexical;
            if (!pivot_base.empty() && str::starts_with(below, pivot_base + "/")) below = below.substr(pivot_base.size() + 1);
            it.parents = S_ISDIR(st.st_mode) ? below : (below.find('/') == std::string::npos ? "" : below.substr(0, below.rfind('/')));
        }
        if (S_ISDIR(st.st_mode)) {
            it.directory = true;
            UniqueFd d = rootless::open_beneath(root_, src, O_RDONLY | O_DIRECTORY);
            if (!d) throw Error::sys(o_.what + ": opening \"" + pattern + "\"");
            walk(d.get(), src, "", it.entries);
            return it;
        }
        CopyEntry e = entry_of(st, src, "");
        if (e.kind == CopyEntry::Kind::File) {
            UniqueFd f = rootless::open_beneath(root_, src, O_RDONLY | O_NONBLOCK);
            if (!f) throw Error::sys(o_.what + ": opening \"" + pattern + "\"");
            if (o_.hash) e.hash = hash_fd(f.get(), "\"" + pattern + "\"", e.size, keep_slot(e));
            if (o_.detect_archives && is_tar_archive(f.get())) it.archive = true;
        } else if (e.kind == CopyEntry::Kind::Fifo) {
            // a named pipe is copied as one
        } else {
            throw Error(o_.what + ": \"" + pattern + "\" is a device node or socket, which cannot be copied");
        }
        it.entries.push_back(std::move(e));
        return it;
    }

    void walk(int dirfd, const std::string& src, const std::string& rel, std::vector<CopyEntry>& out) {
        for (const auto& name : sorted_dir_entries(dirfd, src.empty() ? "/" : src)) {
            const std::string csrc = join(src, name), crel = join(rel, name);
            struct stat st {};
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw Error::sys(o_.what + ": stat " + csrc);
            const bool excluded = ignored(csrc) || o_.excludes.excluded(crel) || o_.excludes.excluded(csrc);
            if (S_ISDIR(st.st_mode)) {
                if (excluded && !reincludes()) continue;
                const size_t mark = out.size();
                out.push_back(entry_of(st, csrc, crel));
                UniqueFd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!sub) throw Error::sys(o_.what + ": opening " + csrc);
                walk(sub.get(), csrc, crel, out);
                // An excluded directory stays only as the parent of something re-included.
                if (excluded && out.size() == mark + 1) out.pop_back();
                continue;
            }
            if (excluded) continue;
            CopyEntry e = entry_of(st, csrc, crel);
            if (e.kind == CopyEntry::Kind::File && S_ISREG(st.st_mode)) {
                if (o_.hash) {
                    UniqueFd f(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
                    if (!f) throw Error::sys(o_.what + ": opening " + csrc);
                    e.hash = hash_fd(f.get(), csrc, e.size, keep_slot(e));
                }
            } else if (e.kind == CopyEntry::Kind::Symlink) {
                std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
                ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
                if (n < 0) throw Error::sys(o_.what + ": readlink " + csrc);
                target.resize(static_cast<size_t>(n));
                e.link = target;
            } else if (e.kind != CopyEntry::Kind::Fifo || !S_ISFIFO(st.st_mode)) {
                log::warn(o_.what + ": skipping " + csrc + ": device nodes and sockets are not copied");
                continue;
            }
            out.push_back(std::move(e));
        }
    }

    // Where a file's content is kept while hashing it, if it is small and the budget allows.
    std::optional<std::string>* keep_slot(CopyEntry& e) {
        if (e.size > kKeptFileMax || e.size > keep_left_) return nullptr;
        keep_left_ -= e.size;
        return &e.data;
    }

    int root_;
    const SourceOptions& o_;
    std::string root_real_;
    size_t keep_left_ = o_.keep_content;
};

// A group's entries (names relative to the destination directory) written straight into
// the image root: each created below `base` through the directory fd of its parent (opened
// RESOLVE_BENEATH, no symlink followed, once per run of entries in one directory), owned
// and timed as they must land. A file's content comes from CopyEntry::data when the
// hashing walk kept it, else from the source by sendfile. Directory modes and times are
// set last, so that a read-only directory still receives its files.
struct Placement {
    const CopyEntry* entry;
    std::string name;    // below the group's directory
    size_t item, index;  // where `entry` is in copy_items' items
};

class GroupWriter {
public:
    GroupWriter(int base, int src_root, const CopyTarget& t, uid_t uid, gid_t gid, bool chown)
        : base_(base), src_root_(src_root), t_(t), uid_(uid), gid_(gid), chown_(chown) {}

    // True when a regular file's content came from memory.
    bool write(const Placement& te) {
        const CopyEntry& e = *te.entry;
        const auto slash = te.name.rfind('/');
        const std::string parent_rel = slash == std::string::npos ? "" : te.name.substr(0, slash);
        const std::string leaf = slash == std::string::npos ? te.name : te.name.substr(slash + 1);
        if (leaf.empty() || leaf == "." || leaf == "..") return false;  // the destination itself
        const int parent = parent_fd(parent_rel, te.name);
        const uid_t uid = chown_ ? uid_ : (t_.preserve_ids ? e.uid : 0);
        const gid_t gid = chown_ ? gid_ : (t_.preserve_ids ? e.gid : 0);
        mode_t mode = e.mode;
        if (t_.strip_setid) mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
        if (t_.chmod && e.kind != CopyEntry::Kind::Symlink) mode = *t_.chmod;
        const struct timespec times[2] = {{0, UTIME_OMIT}, {e.mtime, e.mtime_nsec}};

        if (e.kind == CopyEntry::Kind::Directory) {
            if (::mkdirat(parent, leaf.c_str(), 0700) < 0) {
                struct stat st {};
                if (errno != EEXIST || ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
                    throw Error::sys(t_.what + ": creating directory " + te.name);
                if (!S_ISDIR(st.st_mode)) throw Error(t_.what + ": cannot overwrite non-directory \"" + te.name + "\" with a directory");
            }
            chown_at(parent, leaf, uid, gid, te.name);
            dirs_.push_back({te.name, mode, times[1]});
            return false;
        }
        switch (e.kind) {
            case CopyEntry::Kind::Symlink:
                make_at(parent, leaf, te.name, [&] { return ::symlinkat(e.link.c_str(), parent, leaf.c_str()); });
                chown_at(parent, leaf, uid, gid, te.name);
                ::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW);
                return false;
            case CopyEntry::Kind::Fifo:
                make_at(parent, leaf, te.name, [&] { return ::mkfifoat(parent, leaf.c_str(), mode); });
                chown_at(parent, leaf, uid, gid, te.name);
                return false;
            default: break;
        }
        // A regular file: created with its mode (the caller set umask 0), then owned (a new
        // file is ours already, unless its directory is setgid); chown clears setuid and
        // setgid, so only such modes need a chmod after it.
        UniqueFd f;
        make_at(parent, leaf, te.name, [&] {
            f.reset(::openat(parent, leaf.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode & 0777));
            return f ? 0 : -1;
        });
        const std::string* content = e.kind == CopyEntry::Kind::Inline ? &e.content : e.data ? &*e.data : nullptr;
        if (!content) copy_content(e, f.get(), te.name);
        else if (!write_all(f.get(), content->data(), content->size())) throw Error::sys(t_.what + ": writing " + te.name);
        if (!(uid == own_uid_ && gid == own_gid_ && !parent_setgid_) && ::fchown(f.get(), uid, gid) < 0)
            throw Error::sys(t_.what + ": chown " + std::to_string(uid) + ":" + std::to_string(gid) + " of " + te.name);
        if ((mode & ~static_cast<mode_t>(0777)) && ::fchmod(f.get(), mode) < 0) throw Error::sys(t_.what + ": chmod " + te.name);
        if (::futimens(f.get(), times) < 0) throw Error::sys(t_.what + ": setting the times of " + te.name);
        return content != nullptr;
    }

    void finish() {
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
            UniqueFd d = rootless::open_beneath(base_, it->rel, O_RDONLY | O_DIRECTORY);
            if (!d) continue;
            ::fchmod(d.get(), it->mode);
            const struct timespec times[2] = {{0, UTIME_OMIT}, it->mtime};
            ::futimens(d.get(), times);
        }
    }

private:
    struct DeferredDir {
        std::string rel;
        mode_t mode;
        struct timespec mtime;
    };

    // The entries of a directory come one after another: its fd is opened once for them.
    // A missing parent (a single file's destination below a new directory) is made 0755.
    int parent_fd(const std::string& rel, const std::string& shown) {
        if (parent_ && parent_rel_ == rel) return parent_.get();
        parent_ = rootless::open_beneath(base_, rel, O_PATH | O_DIRECTORY);
        if (!parent_ && errno == ENOENT) {
            UniqueFd dir = rootless::open_beneath(base_, "", O_PATH | O_DIRECTORY);
            for (const auto& c : str::split(rel, '/')) {
                if (!dir) break;
                if (::mkdirat(dir.get(), c.c_str(), 0755) < 0 && errno != EEXIST) break;
                dir = rootless::open_beneath(dir.get(), c, O_PATH | O_DIRECTORY);
            }
            parent_ = std::move(dir);
        }
        if (!parent_)
            throw Error::sys(t_.what + ": the parent directory of " + shown + (errno == ELOOP ? " is a symlink (not followed)" : ""));
        struct stat st {};
        parent_setgid_ = ::fstat(parent_.get(), &st) < 0 || (st.st_mode & S_ISGID);
        parent_rel_ = rel;
        return parent_.get();
    }

    // Creates with `make`; what is in the way (not a directory) is replaced.
    template <typename Make>
    void make_at(int parent, const std::string& leaf, const std::string& shown, Make make) {
        if (make() == 0) return;
        struct stat st {};
        if (errno != EEXIST || ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys(t_.what + ": creating " + shown);
        if (S_ISDIR(st.st_mode)) throw Error(t_.what + ": cannot overwrite directory \"" + shown + "\" with a non-directory");
        if (::unlinkat(parent, leaf.c_str(), 0) < 0 && errno != ENOENT) throw Error::sys(t_.what + ": replacing " + shown);
        if (make() < 0) throw Error::sys(t_.what + ": creating " + shown);
    }

    void chown_at(int parent, const std::string& leaf, uid_t uid, gid_t gid, const std::string& shown) {
        if (::fchownat(parent, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys(t_.what + ": chown " + std::to_string(uid) + ":" + std::to_string(gid) + " of " + shown +
                             " (is the id mapped in the container?)");
    }

    // The source's content: sendfile into the new file (read and write where it cannot).
    void copy_content(const CopyEntry& e, int out, const std::string& shown) {
        UniqueFd src = e.kind == CopyEntry::Kind::File ? source_fd(e.src) : UniqueFd(::open(e.src.c_str(), O_RDONLY | O_CLOEXEC));
        if (!src) throw Error::sys(t_.what + ": opening " + e.src);
        for (;;) {
            ssize_t n = ::sendfile(out, src.get(), nullptr, 1 << 30);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EINVAL || errno == ENOSYS)) break;
            if (n < 0) throw Error::sys(t_.what + ": copying " + e.src + " to " + shown);
            if (n == 0) return;
        }
        std::string buf(128 * 1024, '\0');
        for (;;) {
            ssize_t n = ::read(src.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys(t_.what + ": reading " + e.src);
            if (n == 0) return;
            if (!write_all(out, buf.data(), static_cast<size_t>(n))) throw Error::sys(t_.what + ": writing " + shown);
        }
    }

    // A source file, opened through its directory's fd (kept for the files after it).
    UniqueFd source_fd(const std::string& src) {
        const auto slash = src.rfind('/');
        const std::string dir = slash == std::string::npos ? "" : src.substr(0, slash);
        if (!src_dir_ || src_dir_rel_ != dir) {
            src_dir_ = rootless::open_beneath(src_root_, dir, O_PATH | O_DIRECTORY);
            if (!src_dir_) return UniqueFd();
            src_dir_rel_ = dir;
        }
        return UniqueFd(::openat(src_dir_.get(), src.c_str() + (slash == std::string::npos ? 0 : slash + 1),
                                 O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    }

    int base_, src_root_;
    const CopyTarget& t_;
    uid_t uid_;
    gid_t gid_;
    bool chown_;
    const uid_t own_uid_ = ::geteuid();
    const gid_t own_gid_ = ::getegid();
    bool parent_setgid_ = true;
    UniqueFd parent_, src_dir_;
    std::string parent_rel_, src_dir_rel_;
    std::vector<DeferredDir> dirs_;
};

// Sets the process's umask for its lifetime (files are created with their final modes).
class UmaskScope {
public:
    explicit UmaskScope(mode_t m) : old_(::umask(m)) {}
    ~UmaskScope() { ::umask(old_); }
    UmaskScope(const UmaskScope&) = delete;
    UmaskScope& operator=(const UmaskScope&) = delete;

private:
    mode_t old_;
};

// mkdir -p inside the image root: missing directories are made 0755 and given `uid:gid`
// (root, or --chown's ids, as Buildah does); existing ones, symlinks included, are kept.
void make_dirs(int root_fd, const std::string& path, uid_t uid, gid_t gid, const std::string& what) {
    std::vector<std::string> comps = rootless::clean_path_components(path);
    for (size_t i = 0; i < comps.size(); ++i) {
        const std::string prefix = rootless::join_components(comps, i + 1);
        if (UniqueFd d = rootless::open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY)) continue;
        if (errno == ENOTDIR) throw Error(what + ": cannot create directory " + prefix + ": a file is in the way");
        if (errno != ENOENT) throw Error::sys(what + ": resolving " + prefix);
        UniqueFd parent = rootless::open_in_root(root_fd, rootless::join_components(comps, i), O_PATH | O_DIRECTORY);
        if (!parent) throw Error::sys(what + ": resolving " + rootless::join_components(comps, i));
        if (::mkdirat(parent.get(), comps[i].c_str(), 0755) < 0 && errno != EEXIST) throw Error::sys(what + ": creating " + prefix);
        if (::fchownat(parent.get(), comps[i].c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
            throw Error::sys(what + ": chown " + prefix);
    }
}

// pc cp's extraction of a stream as is into `dir` of the image root, owners kept.
container::ExtractSpec into_image(int root_fd, const std::string& dir) {
    container::ExtractSpec spec;
    spec.root_fd = root_fd;
    spec.dest = dir;
    spec.where = "the image";
    spec.raw = true;
    spec.keep_ids = true;
    return spec;
}

std::string read_in_root(int root_fd, const char* path) {
    UniqueFd f = rootless::open_in_root(root_fd, path, O_RDONLY);
    std::string out;
    if (f) (void)read_to_eof(f.get(), out);
    return out;
}

}  // namespace

std::vector<CopyItem> collect_sources(int root_fd, const std::vector<std::string>& patterns, const SourceOptions& options) {
    SourceWalker w(root_fd, options);
    return w.collect(patterns);
}

ContentDigest digest_items(const std::vector<CopyItem>& items) {
    storage::Sha256 h;
    auto add = [&](const std::string& s) { h.update(s.data(), s.size() + 1); };  // with the NUL
    for (const auto& it : items) {
        add("item " + it.name + (it.directory ? "/" : "") + (it.archive ? " archive" : "") + " " + it.parents);
        for (const auto& e : it.entries) {
            std::string kind;
            switch (e.kind) {
                case CopyEntry::Kind::Directory: kind = "dir"; break;
                case CopyEntry::Kind::Symlink: kind = "link " + e.link; break;
                case CopyEntry::Kind::Fifo: kind = "fifo"; break;
                case CopyEntry::Kind::Inline: kind = "file " + storage::sha256_hex(e.content); break;
                case CopyEntry::Kind::File:
                case CopyEntry::Kind::HostFile: kind = "file " + e.hash; break;
            }
            char mode[16];
            std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(e.mode));
            add(e.rel + " " + mode + " " + kind);
        }
    }
    ContentDigest d;
    d.hex = h.hex();
    if (items.size() == 1) d.summary = (items[0].directory ? "dir:" : "file:") + d.hex;
    else d.summary = "multi:" + d.hex;
    return d;
}

mode_t parse_chmod(const std::string& value) {
    auto bad = [&] { return Error("invalid --chmod \"" + value + "\": expected an octal mode such as 755 or 0640"); };
    if (value.empty() || value.size() > 5) throw bad();
    mode_t m = 0;
    for (char c : value) {
        if (c < '0' || c > '7') throw bad();
        m = m * 8 + static_cast<mode_t>(c - '0');
    }
    if (m > 07777) throw bad();
    return m;
}

storage::KnownContent known_content(const std::vector<CopyItem>& items, const std::vector<WrittenFile>& written) {
    storage::KnownContent known;
    for (const auto& w : written) {
        if (w.item >= items.size() || w.entry >= items[w.item].entries.size()) continue;
        const CopyEntry& e = items[w.item].entries[w.entry];
        const std::string* content = e.kind == CopyEntry::Kind::Inline ? &e.content : e.data ? &*e.data : nullptr;
        known.insert_or_assign(w.path, storage::KnownFile{content, {e.mtime, e.mtime_nsec}});
    }
    return known;
}

void save_written(int fd, const std::vector<WrittenFile>& written) {
    std::string out;
    for (const auto& w : written) {
        out += std::to_string(w.item) + ' ' + std::to_string(w.entry) + ' ' + w.path;
        out += '\0';
    }
    if (!write_all(fd, out.data(), out.size())) throw Error::sys("saving the list of copied files");
}

std::vector<WrittenFile> load_written(int fd) {
    std::string in;
    if (::lseek(fd, 0, SEEK_SET) < 0 || !read_to_eof(fd, in)) throw Error::sys("reading the list of copied files");
    std::vector<WrittenFile> out;
    size_t pos = 0;
    while (pos < in.size()) {
        size_t end = in.find('\0', pos);
        if (end == std::string::npos) break;
        const std::string rec = in.substr(pos, end - pos);
        pos = end + 1;
        const size_t a = rec.find(' '), b = a == std::string::npos ? a : rec.find(' ', a + 1);
        if (b == std::string::npos) continue;
        WrittenFile w;
        w.item = std::stoul(rec.substr(0, a));
        w.entry = std::stoul(rec.substr(a + 1, b - a - 1));
        w.path = rec.substr(b + 1);
        out.push_back(std::move(w));
    }
    return out;
}

void copy_items(int dest_root, int src_root, const std::vector<CopyItem>& items, const CopyTarget& t,
                std::vector<WrittenFile>* written) {
    uid_t uid = 0;
    gid_t gid = 0;
    if (t.chown) {
        // Docker: a user without a group gets the user's group from the image's files; a
        // numeric one that has no entry, its uid as gid.
        rootless::ResolvedUser u =
            rootless::resolve_user(*t.chown, read_in_root(dest_root, "/etc/passwd"), read_in_root(dest_root, "/etc/group"), {}, false);
        uid = u.uid;
        gid = u.gid;
        if (t.chown->find(':') == std::string::npos && u.name.empty()) gid = u.uid;
    }
    const std::string dest = t.dest;
    const std::string dest_path = rootless::join_components(rootless::clean_path_components(dest), SIZE_MAX);
    const bool trailing = str::ends_with(dest, "/") || str::ends_with(dest, "/.") || dest == ".";
    const bool dest_exists_dir = static_cast<bool>(rootless::open_in_root(dest_root, dest_path, O_PATH | O_DIRECTORY));
    bool dest_is_dir = trailing || items.size() > 1 || dest_exists_dir;
    for (const auto& it : items) dest_is_dir = dest_is_dir || it.directory || it.archive;

    // Entries grouped by the directory they land in (one extraction each).
    std::vector<std::pair<std::string, std::vector<Placement>>> groups;
    auto group = [&](const std::string& dir) -> std::vector<Placement>& {
        for (auto& g : groups)
            if (g.first == dir) return g.second;
        groups.emplace_back(dir, std::vector<Placement>{});
        return groups.back().second;
    };
    std::vector<std::pair<std::string, const CopyItem*>> archives;
    for (size_t i = 0; i < items.size(); ++i) {
        const CopyItem& it = items[i];
        const std::string below = it.parents.empty() ? dest_path : clean_path(dest_path + "/" + it.parents);
        if (it.archive) {
            archives.emplace_back(below, &it);
        } else if (it.directory) {
            auto& g = group(below);
            for (size_t j = 0; j < it.entries.size(); ++j) g.push_back({&it.entries[j], it.entries[j].rel, i, j});
        } else if (dest_is_dir) {
            group(below).push_back({&it.entries.front(), it.name, i, 0});
        } else {
            const auto slash = dest_path.rfind('/');
            group(slash == 0 ? "/" : dest_path.substr(0, slash)).push_back({&it.entries.front(), dest_path.substr(slash + 1), i, 0});
        }
    }

    const UmaskScope umask0(0);
    for (const auto& [dir, entries] : groups) {
        make_dirs(dest_root, dir, uid, gid, t.what);
        UniqueFd base = rootless::open_in_root(dest_root, dir, O_PATH | O_DIRECTORY);
        if (!base) throw Error::sys(t.what + ": resolving " + dir + " in the image");
        GroupWriter w(base.get(), src_root, t, uid, gid, t.chown.has_value());
        // Where the group landed, as the layer's tar will name it (the image's symlinks resolved).
        std::string landed;
        if (written) {
            const std::string root_real = real_path_of(dest_root), base_real = real_path_of(base.get());
            if (base_real != root_real) landed = base_real.substr(root_real == "/" ? 1 : root_real.size() + 1) + "/";
        }
        for (const auto& te : entries)
            if (w.write(te) && written) written->push_back({landed + te.name, te.item, te.index});
        w.finish();
    }
    for (const auto& [dir, it] : archives) {
        make_dirs(dest_root, dir, uid, gid, t.what);
        const CopyEntry& e = it->entries.front();
        UniqueFd f = e.kind == CopyEntry::Kind::HostFile ? UniqueFd(::open(e.src.c_str(), O_RDONLY | O_CLOEXEC))
                                                          : rootless::open_beneath(src_root, e.src, O_RDONLY);
        if (!f) throw Error::sys(t.what + ": opening " + e.src);
        try {
            container::extract_copy_archive(f.get(), into_image(dest_root, dir));
        } catch (const Error& err) {
            throw Error(t.what + ": unpacking " + it->name + ": " + err.what());
        }
    }
}

}  // namespace pc::build
