#include "imagebuild/copy.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
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

std::string hash_fd(int fd, const std::string& what) {
    storage::Sha256 h;
    std::string buf(128 * 1024, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("reading " + what);
        if (n == 0) break;
        h.update(buf.data(), static_cast<size_t>(n));
    }
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
            if (o_.hash) e.hash = hash_fd(f.get(), "\"" + pattern + "\"");
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
                    e.hash = hash_fd(f.get(), csrc);
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

    int root_;
    const SourceOptions& o_;
    std::string root_real_;
};

// The tar stream of a group's entries (names relative to the destination directory,
// owners and modes already as they must land), written by a forked producer.
struct TarEntry {
    const CopyEntry* entry;
    std::string name;
};

void write_entries(int out_fd, int src_root, const std::vector<TarEntry>& entries, const CopyTarget& t, uid_t uid,
                   gid_t gid, bool chown) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_write_new(), archive_write_free);
    archive_write_set_format_pax_restricted(a.get());
    if (archive_write_open_fd(a.get(), out_fd) != ARCHIVE_OK) throw Error("writing the copy stream: " + std::string(archive_error_string(a.get())));
    std::string buf(128 * 1024, '\0');
    for (const auto& te : entries) {
        const CopyEntry& e = *te.entry;
        std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> ae(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(ae.get(), te.name.c_str());
        archive_entry_set_mtime(ae.get(), e.mtime, e.mtime_nsec);
        archive_entry_set_uid(ae.get(), chown ? uid : (t.preserve_ids ? e.uid : 0));
        archive_entry_set_gid(ae.get(), chown ? gid : (t.preserve_ids ? e.gid : 0));
        mode_t mode = e.mode;
        if (t.strip_setid) mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
        if (t.chmod && e.kind != CopyEntry::Kind::Symlink) mode = *t.chmod;
        archive_entry_set_perm(ae.get(), mode);
        UniqueFd src;
        switch (e.kind) {
            case CopyEntry::Kind::Directory: archive_entry_set_filetype(ae.get(), AE_IFDIR); break;
            case CopyEntry::Kind::Symlink:
                archive_entry_set_filetype(ae.get(), AE_IFLNK);
                archive_entry_set_symlink(ae.get(), e.link.c_str());
                break;
            case CopyEntry::Kind::Fifo: archive_entry_set_filetype(ae.get(), AE_IFIFO); break;
            case CopyEntry::Kind::Inline:
                archive_entry_set_filetype(ae.get(), AE_IFREG);
                archive_entry_set_size(ae.get(), static_cast<la_int64_t>(e.content.size()));
                break;
            case CopyEntry::Kind::File:
            case CopyEntry::Kind::HostFile: {
                src = e.kind == CopyEntry::Kind::File ? rootless::open_beneath(src_root, e.src, O_RDONLY | O_NONBLOCK)
                                                      : UniqueFd(::open(e.src.c_str(), O_RDONLY | O_CLOEXEC));
                if (!src) throw Error::sys(t.what + ": opening " + e.src);
                struct stat st {};
                if (::fstat(src.get(), &st) < 0) throw Error::sys(t.what + ": stat " + e.src);
                archive_entry_set_filetype(ae.get(), AE_IFREG);
                archive_entry_set_size(ae.get(), st.st_size);
                break;
            }
        }
        if (archive_write_header(a.get(), ae.get()) < ARCHIVE_WARN)
            throw Error(t.what + ": writing " + te.name + ": " + archive_error_string(a.get()));
        if (e.kind == CopyEntry::Kind::Inline) {
            if (!e.content.empty() && archive_write_data(a.get(), e.content.data(), e.content.size()) < 0)
                throw Error(t.what + ": writing " + te.name + ": " + archive_error_string(a.get()));
        } else if (src) {
            for (;;) {
                ssize_t n = ::read(src.get(), buf.data(), buf.size());
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) throw Error::sys(t.what + ": reading " + e.src);
                if (n == 0) break;
                if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) < 0)
                    throw Error(t.what + ": writing " + te.name + ": " + archive_error_string(a.get()));
            }
        }
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) throw Error("finishing the copy stream: " + std::string(archive_error_string(a.get())));
}

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

void copy_items(int dest_root, int src_root, const std::vector<CopyItem>& items, const CopyTarget& t) {
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
    std::vector<std::pair<std::string, std::vector<TarEntry>>> groups;
    auto group = [&](const std::string& dir) -> std::vector<TarEntry>& {
        for (auto& g : groups)
            if (g.first == dir) return g.second;
        groups.emplace_back(dir, std::vector<TarEntry>{});
        return groups.back().second;
    };
    std::vector<std::pair<std::string, const CopyItem*>> archives;
    for (const auto& it : items) {
        const std::string below = it.parents.empty() ? dest_path : clean_path(dest_path + "/" + it.parents);
        if (it.archive) {
            archives.emplace_back(below, &it);
        } else if (it.directory) {
            auto& g = group(below);
            for (const auto& e : it.entries) g.push_back({&e, e.rel});
        } else if (dest_is_dir) {
            group(below).push_back({&it.entries.front(), it.name});
        } else {
            const auto slash = dest_path.rfind('/');
            group(slash == 0 ? "/" : dest_path.substr(0, slash)).push_back({&it.entries.front(), dest_path.substr(slash + 1)});
        }
    }

    for (const auto& [dir, entries] : groups) {
        make_dirs(dest_root, dir, uid, gid, t.what);
        Pipe stream = Pipe::make();
        Pipe errors = Pipe::make();
        pid_t pid = ::fork();
        if (pid < 0) throw Error::sys(t.what + ": fork");
        if (pid == 0) {
            stream.read.reset();
            errors.read.reset();
            try {
                write_entries(stream.write.get(), src_root, entries, t, uid, gid, t.chown.has_value());
                ::_exit(0);
            } catch (const std::exception& e) {
                std::string m = e.what();
                (void)write_all(errors.write.get(), m.data(), m.size());
                ::_exit(1);
            }
        }
        ChildProcess producer(pid);
        stream.write.reset();
        errors.write.reset();
        container::ExtractSpec spec = into_image(dest_root, dir);
        std::string consumer_error;
        try {
            container::extract_copy_archive(stream.read.get(), spec);
        } catch (const Error& e) {
            consumer_error = e.what();
        }
        stream.read.reset();  // a producer still writing gets EPIPE
        ExitStatus st = producer.wait();
        std::string producer_error;
        (void)read_to_eof(errors.read.get(), producer_error);
        if (!producer_error.empty()) throw Error(producer_error);
        if (!consumer_error.empty()) throw Error(t.what + ": " + consumer_error);
        if (st.signaled || st.code != 0) throw Error(t.what + ": the copy stream ended abnormally");
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
