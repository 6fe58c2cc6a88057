#include "storage/tar_extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "storage/digest.hpp"
#include "storage/remove_tree.hpp"
#include "storage/tar_paths.hpp"
#include "storage/whiteouts.hpp"

namespace pc::storage {

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

std::string archive_message(struct archive* a) {
    const char* m = archive_error_string(a);
    return m ? m : "unknown libarchive error";
}

// libarchive reports truncation in a few wordings ("Truncated tar archive", "Truncated
// input file ..."); callers get one recognisable prefix either way.
[[noreturn]] void throw_stream_error(const std::string& msg, const std::string& entry = "") {
    std::string where = entry.empty() ? "" : " (at tar entry \"" + entry + "\")";
    if (msg.find("runcated") != std::string::npos || msg.find("Premature end") != std::string::npos)
        throw Error("truncated tar archive" + where + ": " + msg);
    throw Error("not a valid tar archive" + where + ": " + msg);
}

// Stage 1: the compressed input, decompressed by libarchive's "raw" format with every
// filter enabled. Every decompressed byte passes through read(), which hashes it: the diff
// id is the digest of the uncompressed tar, including the padding the tar reader skips.
class DecompressedStream {
public:
    explicit DecompressedStream(int fd) : raw_(archive_read_new(), archive_read_free) {
        if (!raw_) throw Error("libarchive: out of memory");
        archive_read_support_filter_all(raw_.get());
        archive_read_support_format_raw(raw_.get());
        if (archive_read_open_fd(raw_.get(), fd, size_t{64} * 1024) != ARCHIVE_OK)
            throw_stream_error(archive_message(raw_.get()));
        struct archive_entry* e = nullptr;
        int r = archive_read_next_header(raw_.get(), &e);
        if (r == ARCHIVE_EOF) eof_ = true;  // an empty stream
        else if (r < ARCHIVE_WARN) throw_stream_error(archive_message(raw_.get()));
    }

    // Returns bytes read, 0 at the end, -1 on error (message in error()).
    la_ssize_t read(void* buf, size_t len) {
        if (eof_) return 0;
        la_ssize_t n = archive_read_data(raw_.get(), buf, len);
        if (n < 0) {
            error_ = archive_message(raw_.get());
            return -1;
        }
        if (n == 0) eof_ = true;
        hash_.update(buf, static_cast<size_t>(n));
        size_ += static_cast<uint64_t>(n);
        return n;
    }

    // Consumes the rest (tar end blocks and padding are part of the digested stream).
    void drain() {
        char buf[64 * 1024];
        la_ssize_t n;
        while ((n = read(buf, sizeof(buf))) > 0) {
        }
        if (n < 0) throw_stream_error(error_);
    }

    const std::string& error() const { return error_; }
    uint64_t size() const { return size_; }
    std::string digest() { return "sha256:" + hash_.hex(); }

private:
    ArchivePtr raw_;
    Sha256 hash_;
    uint64_t size_ = 0;
    bool eof_ = false;
    std::string error_;
};

// Stage 2 input: the tar reader pulls decompressed bytes from stage 1 through this
// callback, all in one thread, with one buffer.
//
// Go's archive/tar (and so umoci, and many Go-based image tools) may end an archive right
// after the last member's data: without the padding to a 512-byte block, without the two
// zero blocks. Go's reader, Docker and Podman accept that; libarchive accepts a missing
// end-of-archive marker but not missing padding. So while the extractor consumes what
// follows a member whose data it has received in full (`member_complete`), an end of the
// stream is answered with the missing padding, never hashed (the diff id is the digest
// of the bytes as they are). Anywhere else the end of the stream stays an end: a member or
// header that is cut short is still a truncated archive.
struct TarSource {
    DecompressedStream* stream;
    std::vector<char> buf = std::vector<char>(size_t{128} * 1024);
    bool member_complete = false;
    bool padded = false;  // the padding was supplied (the stream ended without it)
};

la_ssize_t tar_read_cb(struct archive* a, void* client, const void** out) {
    auto* src = static_cast<TarSource*>(client);
    la_ssize_t n = src->stream->read(src->buf.data(), src->buf.size());
    if (n < 0) archive_set_error(a, EIO, "%s", src->stream->error().c_str());
    *out = src->buf.data();
    if (n == 0 && src->member_complete && !src->padded) {
        src->padded = true;
        const size_t missing = (512 - src->stream->size() % 512) % 512;
        std::fill_n(src->buf.data(), missing, '\0');
        return static_cast<la_ssize_t>(missing);
    }
    return n;
}

ArchivePtr open_tar(TarSource& src) {
    ArchivePtr tar(archive_read_new(), archive_read_free);
    if (!tar) throw Error("libarchive: out of memory");
    // ustar, pax and GNU tar; no filters: the stream is already decompressed.
    archive_read_support_format_tar(tar.get());
    archive_read_support_format_gnutar(tar.get());
    if (archive_read_open(tar.get(), &src, nullptr, tar_read_cb, nullptr) != ARCHIVE_OK)
        throw_stream_error(archive_message(tar.get()));
    return tar;
}

bool xattr_allowed(const char* name) {
    // user.overlay.* would be interpreted by overlayfs (userxattr format): opaque markers
    // come only from .wh..wh..opq, never from a tar's own xattrs. trusted.* and
    // security.selinux cannot be set in a user namespace.
    if (std::strncmp(name, "user.overlay.", 13) == 0) return false;
    return std::strncmp(name, "user.", 5) == 0 || std::strcmp(name, "security.capability") == 0;
}

class Extractor {
public:
    Extractor(struct archive* tar, TarSource& src, int root_fd, const ExtractOptions& o, ExtractResult& r)
        : tar_(tar), src_(src), root_(root_fd), opts_(o), result_(r) {}

    void entry(struct archive_entry* e) {
        received_ = 0;
        const char* raw = archive_entry_pathname(e);
        name_ = raw ? raw : "";
        PathCheck pc = normalize_entry_path(name_);
        if (!pc.path) fail(pc.error);
        const EntryPath& p = *pc.path;
        const mode_t type = archive_entry_filetype(e);

        if (p.components.empty()) {  // "./": the layer root itself
            if (type != AE_IFDIR) fail("the layer root must be a directory");
            apply_metadata(e, root_, "", true);
            dir_times_.emplace_back(p, times_of(e));
            return;
        }
        const std::string& base = p.components.back();
        std::vector<std::string> parents(p.components.begin(), p.components.end() - 1);

        WhiteoutName wh = classify_whiteout(base);
        switch (wh.kind) {
            case WhiteoutKind::Ignored: return;
            case WhiteoutKind::Invalid: fail("invalid whiteout name");
            case WhiteoutKind::Opaque: {
                UniqueFd dir = open_dir(parents, true);
                set_opaque(dir.get(), entry_context());
                return;
            }
            case WhiteoutKind::Whiteout: {
                int parent = parent_fd(parents);
                remove_existing(parent, wh.target);
                make_whiteout(parent, wh.target, entry_context());
                return;
            }
            case WhiteoutKind::None: break;
        }

        int parent = parent_fd(parents);
        if (const char* link = archive_entry_hardlink(e)) {
            hard_link(link, parent, base, p);
            return;
        }
        switch (type) {
            case AE_IFDIR: make_dir(e, parent, base, p); break;
            case AE_IFREG: make_file(e, parent, base); break;
            case AE_IFLNK: make_symlink(e, parent, base, p); break;
            case AE_IFIFO: make_fifo(e, parent, base); break;
            case AE_IFCHR:
            case AE_IFBLK:
                fail(std::string("device nodes are not allowed (") + (type == AE_IFCHR ? "char" : "block") +
                     " device " + std::to_string(archive_entry_rdevmajor(e)) + ":" +
                     std::to_string(archive_entry_rdevminor(e)) + ")");
            case AE_IFSOCK: break;  // sockets are runtime objects; tar cannot restore them
            default: fail("unsupported entry type " + std::to_string(type));
        }
    }

    // Reads what is left of the current entry's data (all of it for entries that were not
    // written, e.g. sockets) up to the entry's end, so that a stream ending right after
    // complete data is told apart from one cut short (TarSource).
    void finish_entry(struct archive_entry* e) {
        const void* buf = nullptr;
        size_t len = 0;
        la_int64_t off = 0;
        for (;;) {
            src_.member_complete = !archive_entry_size_is_set(e) || received_ >= archive_entry_size(e);
            int r = archive_read_data_block(tar_, &buf, &len, &off);
            src_.member_complete = false;
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN) throw_stream_error(archive_message(tar_), name_);
            received_ = std::max<int64_t>(received_, off + static_cast<int64_t>(len));
        }
    }

    // Directory mtimes last: creating entries inside a directory changes its mtime.
    void finish() {
        for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
            try {
                UniqueFd d = it->first.components.empty() ? UniqueFd(::dup(root_)) : open_dir(it->first.components, false);
                ::futimens(d.get(), it->second.data());
            } catch (const Error&) {
                // Replaced by a later entry: its own times were applied then.
            }
        }
    }

    const std::string& current_name() const { return name_; }

private:
    [[noreturn]] void fail(const std::string& reason) { throw Error(entry_context() + ": " + reason); }
    std::string entry_context() const { return "tar entry \"" + name_ + "\""; }

    // Opens a directory below the root without following any symlink; creates missing
    // components (mode 0755, as docker does) when `create`.
    UniqueFd open_dir(const std::vector<std::string>& comps, bool create) {
        UniqueFd cur(::dup(root_));
        if (!cur) fail(std::string("dup: ") + std::strerror(errno));
        std::string walked;
        for (const auto& c : comps) {
            walked += (walked.empty() ? "" : "/") + c;
            int fd = ::openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT && create) {
                if (::mkdirat(cur.get(), c.c_str(), 0755) < 0 && errno != EEXIST)
                    fail("creating parent directory \"" + walked + "\": " + std::strerror(errno));
                fd = ::openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            }
            if (fd < 0) {
                int err = errno;
                if (err == ELOOP || err == ENOTDIR)
                    fail("\"" + walked + "\" is a symlink or not a directory; refusing to write through it");
                if (err == ENOENT) throw Error(entry_context() + ": \"" + walked + "\" does not exist in this layer");
                fail("opening \"" + walked + "\": " + std::strerror(err));
            }
            cur.reset(fd);
        }
        return cur;
    }

    // The parent of the current entry; the last one is cached (entries come grouped by
    // directory). A cached fd stays correct: removals only ever delete children of the
    // current parent, and a directory replaced later is reached through a fresh walk.
    int parent_fd(const std::vector<std::string>& parents) {
        std::string key = EntryPath{parents}.joined();
        if (!cached_fd_ || key != cached_key_) {
            cached_fd_ = open_dir(parents, true);
            cached_key_ = key;
        }
        return cached_fd_.get();
    }

    // An entry replacing an existing path removes it first (a directory replaced by a
    // directory is kept and merged).
    void remove_existing(int parent, const std::string& base, bool keep_dir = false) {
        struct stat st {};
        if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT) return;
            fail(std::string("checking existing path: ") + std::strerror(errno));
        }
        if (S_ISDIR(st.st_mode)) {
            if (keep_dir) return;
            // `parent` (the cached fd) is never inside the removed subtree: no invalidation.
            remove_tree_at(parent, base, name_);
        } else if (::unlinkat(parent, base.c_str(), 0) < 0) {
            fail(std::string("replacing existing file: ") + std::strerror(errno));
        }
    }

    void chown_entry(struct archive_entry* e, int dirfd, const char* path, int flags) {
        uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
        gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
        if (::fchownat(dirfd, path, uid, gid, flags) == 0) return;
        if (errno == EINVAL) {
            if (opts_.squash_unmapped) {
                ++result_.squashed;
                return;
            }
            fail("owner " + std::to_string(uid) + ":" + std::to_string(gid) +
                 " is not mapped in the user namespace (the subordinate id range in /etc/subuid and "
                 "/etc/subgid is too small for this image)");
        }
        fail(std::string("chown: ") + std::strerror(errno));
    }

    void set_xattrs(struct archive_entry* e, int fd) {
        const char* xname = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
            if (!xattr_allowed(xname)) {
                ++result_.xattrs_skipped;
                continue;
            }
            if (::fsetxattr(fd, xname, value, size, 0) < 0) {
                if (errno == ENOTSUP || errno == EOPNOTSUPP) {
                    ++result_.xattrs_skipped;
                    continue;
                }
                fail(std::string("setting xattr ") + xname + ": " + std::strerror(errno));
            }
        }
    }

    static std::array<struct timespec, 2> times_of(struct archive_entry* e) {
        std::array<struct timespec, 2> t{};
        t[1].tv_sec = archive_entry_mtime(e);
        t[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (archive_entry_atime_is_set(e)) {
            t[0].tv_sec = archive_entry_atime(e);
            t[0].tv_nsec = archive_entry_atime_nsec(e);
        } else {
            t[0] = t[1];
        }
        return t;
    }

    // Owner first (chown clears setuid bits and file capabilities), then mode, xattrs
    // (security.capability) and times.
    void apply_metadata(struct archive_entry* e, int fd, const std::string& /*base*/, bool is_dir) {
        chown_entry(e, fd, "", AT_EMPTY_PATH);
        if (::fchmod(fd, archive_entry_perm(e) & 07777) < 0) fail(std::string("chmod: ") + std::strerror(errno));
        set_xattrs(e, fd);
        if (!is_dir) {
            auto t = times_of(e);
            if (::futimens(fd, t.data()) < 0) fail(std::string("setting times: ") + std::strerror(errno));
        }
    }

    void make_dir(struct archive_entry* e, int parent, const std::string& base, const EntryPath& p) {
        remove_existing(parent, base, /*keep_dir=*/true);
        if (::mkdirat(parent, base.c_str(), 0700) < 0 && errno != EEXIST)
            fail(std::string("mkdir: ") + std::strerror(errno));
        UniqueFd fd(::openat(parent, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) fail(std::string("opening directory: ") + std::strerror(errno));
        apply_metadata(e, fd.get(), base, true);
        dir_times_.emplace_back(p, times_of(e));
    }

    void make_file(struct archive_entry* e, int parent, const std::string& base) {
        remove_existing(parent, base);
        UniqueFd fd(::openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) fail(std::string("creating file: ") + std::strerror(errno));
        const void* buf = nullptr;
        size_t len = 0;
        la_int64_t off = 0;
        for (;;) {
            src_.member_complete = archive_entry_size_is_set(e) && received_ >= archive_entry_size(e);
            int r = archive_read_data_block(tar_, &buf, &len, &off);
            src_.member_complete = false;
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN) throw_stream_error(archive_message(tar_), name_);
            received_ = std::max<int64_t>(received_, off + static_cast<int64_t>(len));
            const char* p = static_cast<const char*>(buf);
            while (len > 0) {
                ssize_t w = ::pwrite(fd.get(), p, len, off);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    fail(std::string("writing: ") + std::strerror(errno));
                }
                p += w;
                len -= static_cast<size_t>(w);
                off += w;
            }
        }
        // Sparse files end in a hole that no data block covers.
        if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) < 0)
            fail(std::string("truncate: ") + std::strerror(errno));
        apply_metadata(e, fd.get(), base, false);
    }

    void make_symlink(struct archive_entry* e, int parent, const std::string& base, const EntryPath& p) {
        const char* target = archive_entry_symlink(e);
        std::string why = check_symlink_target(p, target ? target : "");
        if (!why.empty()) fail(why);
        remove_existing(parent, base);
        if (::symlinkat(target, parent, base.c_str()) < 0) fail(std::string("symlink: ") + std::strerror(errno));
        chown_entry(e, parent, base.c_str(), AT_SYMLINK_NOFOLLOW);
        auto t = times_of(e);
        ::utimensat(parent, base.c_str(), t.data(), AT_SYMLINK_NOFOLLOW);
    }

    void make_fifo(struct archive_entry* e, int parent, const std::string& base) {
        remove_existing(parent, base);
        if (::mknodat(parent, base.c_str(), S_IFIFO | 0600, 0) < 0) fail(std::string("mkfifo: ") + std::strerror(errno));
        chown_entry(e, parent, base.c_str(), AT_SYMLINK_NOFOLLOW);
        // Just created by us as a fifo, so following the name cannot reach anything else.
        if (::fchmodat(parent, base.c_str(), archive_entry_perm(e) & 07777, 0) < 0)
            fail(std::string("chmod: ") + std::strerror(errno));
        auto t = times_of(e);
        ::utimensat(parent, base.c_str(), t.data(), AT_SYMLINK_NOFOLLOW);
    }

    void hard_link(const char* link, int parent, const std::string& base, const EntryPath& p) {
        PathCheck t = check_hardlink_target(link);
        if (!t.path) fail(t.error);
        if (t.path->components == p.components) return;  // a link to itself: nothing to do
        std::vector<std::string> tparents(t.path->components.begin(), t.path->components.end() - 1);
        const std::string& tbase = t.path->components.back();
        UniqueFd tdir;
        try {
            tdir = open_dir(tparents, false);
        } catch (const Error&) {
            fail("hard link target \"" + std::string(link) + "\" does not exist in this layer");
        }
        struct stat st {};
        if (::fstatat(tdir.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            fail("hard link target \"" + std::string(link) + "\" does not exist in this layer");
        if (S_ISDIR(st.st_mode)) fail("hard link target \"" + std::string(link) + "\" is a directory");
        remove_existing(parent, base);
        if (::linkat(tdir.get(), tbase.c_str(), parent, base.c_str(), 0) < 0)
            fail("hard link to \"" + std::string(link) + "\": " + std::strerror(errno));
    }

    struct archive* tar_;
    TarSource& src_;
    int64_t received_ = 0;  // bytes of the current entry's data read so far (end offset)
    int root_;
    ExtractOptions opts_;
    ExtractResult& result_;
    std::string name_;
    UniqueFd cached_fd_;
    std::string cached_key_;
    std::vector<std::pair<EntryPath, std::array<struct timespec, 2>>> dir_times_;
};

}  // namespace

std::string ExtractResult::serialize() const {
    return diff_id + " " + std::to_string(size) + " " + std::to_string(squashed) + " " + std::to_string(xattrs_skipped) + "\n";
}

ExtractResult ExtractResult::parse(const std::string& text) {
    ExtractResult r;
    std::istringstream in(text);
    if (!(in >> r.diff_id >> r.size >> r.squashed >> r.xattrs_skipped) || r.diff_id.rfind("sha256:", 0) != 0)
        throw Error("layer extraction ended without a result");
    return r;
}

ExtractResult extract_layer(int in_fd, int root_fd, const ExtractOptions& options) {
    ExtractResult result;
    DecompressedStream stream(in_fd);
    TarSource src{&stream};
    ArchivePtr tar = open_tar(src);
    Extractor x(tar.get(), src, root_fd, options, result);
    for (;;) {
        struct archive_entry* e = nullptr;
        int r = archive_read_next_header(tar.get(), &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) throw_stream_error(archive_message(tar.get()), x.current_name());
        x.entry(e);
        x.finish_entry(e);
    }
    x.finish();
    stream.drain();
    result.diff_id = stream.digest();
    result.size = stream.size();
    return result;
}

ExtractResult digest_layer_stream(int in_fd) {
    ExtractResult result;
    DecompressedStream stream(in_fd);
    stream.drain();
    result.diff_id = stream.digest();
    result.size = stream.size();
    return result;
}

}  // namespace pc::storage
