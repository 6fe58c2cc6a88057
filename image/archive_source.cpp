#include "image/archive_source.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::image {

std::string normalize_member(const std::string& name, const std::string& what) {
    std::vector<std::string> out;
    for (const auto& part : str::split(name, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            // Legacy docker-archive links say "../<id>/layer.tar": fine while inside.
            if (out.empty()) throw Error(what + ": member \"" + name + "\" points outside the archive");
            out.pop_back();
            continue;
        }
        out.push_back(part);
    }
    if (!name.empty() && name.front() == '/') throw Error(what + ": member \"" + name + "\" is an absolute path");
    return str::join(out, "/");
}

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

class SpooledArchive : public FileSource {
public:
    SpooledArchive(StagingDir& staging, int fd, std::string what, Progress& progress) : what_(std::move(what)) {
        ArchivePtr a(archive_read_new(), archive_read_free);
        archive_read_support_filter_all(a.get());
        archive_read_support_format_tar(a.get());
        archive_read_support_format_gnutar(a.get());
        if (archive_read_open_fd(a.get(), fd, 256 * 1024) != ARCHIVE_OK) fail(a.get());
        progress.start(what_, 0);
        uint64_t total = 0;
        std::string buf(256 * 1024, '\0');
        struct archive_entry* e = nullptr;
        bool any = false;
        for (;;) {
            int r = archive_read_next_header(a.get(), &e);
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN) fail(a.get());
            any = true;
            const char* pn = archive_entry_pathname(e);
            std::string name = normalize_member(pn ? pn : "", what_);
            if (name.empty()) continue;
            auto type = archive_entry_filetype(e);
            if (const char* hl = archive_entry_hardlink(e)) {
                links_[name] = normalize_member(hl, what_);
                continue;
            }
            if (type == AE_IFLNK) {
                // docker save's legacy layer dirs link to each other ("../x/layer.tar").
                std::string target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
                std::string base = name.find('/') == std::string::npos ? "" : name.substr(0, name.rfind('/') + 1);
                links_[name] = normalize_member((!target.empty() && target.front() == '/') ? target : base + target, what_);
                continue;
            }
            if (type != AE_IFREG) continue;
            BlobWriter w(staging.new_file());
            for (;;) {
                la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
                if (n < 0) fail(a.get());
                if (n == 0) break;
                w.write(buf.data(), static_cast<size_t>(n));
                total += static_cast<uint64_t>(n);
                progress.advance(what_, total);
            }
            files_[name] = w.finish();
        }
        if (!any) throw Error(what_ + ": empty input, not an image archive");
        progress.finish(what_, "read");
    }

    std::optional<StagedBlob> get(const std::string& path) override {
        std::string p = resolve(path);
        auto it = files_.find(p);
        if (it == files_.end()) return std::nullopt;
        return it->second;
    }
    bool has(const std::string& path) override { return files_.count(resolve(path)) > 0; }
    std::string describe() const override { return what_; }

private:
    std::string resolve(std::string p) const {
        for (int i = 0; i < 16; ++i) {
            auto it = links_.find(p);
            if (it == links_.end()) break;
            p = it->second;
        }
        return p;
    }
    [[noreturn]] void fail(struct archive* a) {
        const char* m = archive_error_string(a);
        std::string msg = m ? m : "unknown error";
        if (msg.find("runcated") != std::string::npos || msg.find("Premature") != std::string::npos)
            throw Error(what_ + ": truncated archive: " + msg);
        throw Error(what_ + ": not a valid image archive: " + msg);
    }

    std::string what_;
    std::map<std::string, StagedBlob> files_;
    std::map<std::string, std::string> links_;
};

class LayoutDir : public FileSource {
public:
    LayoutDir(StagingDir& staging, const std::string& dir) : staging_(staging), dir_(dir) {
        dirfd_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dirfd_) throw Error::sys("opening " + dir);
    }
    std::optional<StagedBlob> get(const std::string& path) override {
        UniqueFd fd = open_member(path);
        if (!fd) return std::nullopt;
        return stage_from_fd(staging_, fd.get(), dir_ + "/" + path);
    }
    bool has(const std::string& path) override { return bool(open_member(path)); }
    std::string describe() const override { return "OCI layout " + dir_; }

private:
    // Component by component without following symlinks: a layout dir is untrusted input.
    UniqueFd open_member(const std::string& path) {
        std::string p = normalize_member(path, describe());
        auto parts = str::split(p, '/');
        UniqueFd cur(::dup(dirfd_.get()));
        for (size_t i = 0; i < parts.size(); ++i) {
            bool last = i + 1 == parts.size();
            int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY);
            UniqueFd next(::openat(cur.get(), parts[i].c_str(), flags));
            if (!next) return UniqueFd();
            cur = std::move(next);
        }
        struct stat st {};
        if (::fstat(cur.get(), &st) < 0 || !S_ISREG(st.st_mode)) return UniqueFd();
        return cur;
    }
    StagingDir& staging_;
    std::string dir_;
    UniqueFd dirfd_;
};

}  // namespace

std::unique_ptr<FileSource> spool_archive(StagingDir& staging, int fd, const std::string& what, Progress& progress) {
    return std::make_unique<SpooledArchive>(staging, fd, what, progress);
}

std::unique_ptr<FileSource> layout_dir(StagingDir& staging, const std::string& dir) {
    return std::make_unique<LayoutDir>(staging, dir);
}

}  // namespace pc::image
