#include "image/archive_sink.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"

namespace pc::image {

void ArchiveSink::add_file(const std::string& name, const std::string& path, uint64_t size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("opening " + path);
    add_stream(name, size, [&](char* buf, size_t len) -> size_t {
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, len);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys("reading " + path);
            return static_cast<size_t>(n);
        }
    });
}

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

class TarSink : public ArchiveSink {
public:
    TarSink(int fd, std::string what) : what_(std::move(what)), a_(archive_write_new(), archive_write_free) {
        archive_write_set_format_pax_restricted(a_.get());
        archive_write_set_bytes_per_block(a_.get(), 10240);
        if (archive_write_open_fd(a_.get(), fd) != ARCHIVE_OK) fail("opening");
    }
    void add_bytes(const std::string& name, const std::string& data) override {
        size_t off = 0;
        add_stream(name, data.size(), [&](char* buf, size_t len) {
            size_t n = std::min(len, data.size() - off);
            std::copy(data.data() + off, data.data() + off + n, buf);
            off += n;
            return n;
        });
    }
    void add_stream(const std::string& name, uint64_t size, const std::function<size_t(char*, size_t)>& read) override {
        EntryPtr e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
        if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(name);
        std::string buf(256 * 1024, '\0');
        uint64_t done = 0;
        while (done < size) {
            size_t n = read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done)));
            if (n == 0) throw Error("writing " + what_ + ": " + name + " ended after " + std::to_string(done) + " of " + std::to_string(size) + " bytes");
            if (archive_write_data(a_.get(), buf.data(), n) < 0) fail(name);
            done += n;
        }
    }
    void add_dir(const std::string& name) override {
        EntryPtr e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), (name + "/").c_str());
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        archive_entry_set_perm(e.get(), 0755);
        if (archive_write_header(a_.get(), e.get()) < ARCHIVE_WARN) fail(name);
    }
    void finish() override {
        if (archive_write_close(a_.get()) != ARCHIVE_OK) fail("closing");
    }

private:
    [[noreturn]] void fail(const std::string& entry) {
        const char* m = archive_error_string(a_.get());
        throw Error("writing " + what_ + " (" + entry + "): " + (m ? m : "unknown error"));
    }
    std::string what_;
    ArchivePtr a_;
};

class DirSink : public ArchiveSink {
public:
    explicit DirSink(std::string dir) : dir_(std::move(dir)) {
        if (::mkdir(dir_.c_str(), 0755) < 0) {
            if (errno != EEXIST) throw Error::sys("creating " + dir_);
            DIR* d = ::opendir(dir_.c_str());
            if (!d) throw Error::sys("opening " + dir_);
            int n = 0;
            while (struct dirent* e = ::readdir(d)) n += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
            ::closedir(d);
            if (n) throw Error(dir_ + " exists and is not empty: choose a new directory for --format oci-dir");
        }
    }
    void add_bytes(const std::string& name, const std::string& data) override {
        UniqueFd fd = create(name);
        if (!write_all(fd.get(), data.data(), data.size())) throw Error::sys("writing " + dir_ + "/" + name);
    }
    void add_stream(const std::string& name, uint64_t size, const std::function<size_t(char*, size_t)>& read) override {
        UniqueFd fd = create(name);
        std::string buf(256 * 1024, '\0');
        uint64_t done = 0;
        while (done < size) {
            size_t n = read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done)));
            if (n == 0) throw Error("writing " + dir_ + "/" + name + ": the source ended early");
            if (!write_all(fd.get(), buf.data(), n)) throw Error::sys("writing " + dir_ + "/" + name);
            done += n;
        }
    }
    void add_dir(const std::string& name) override {
        if (::mkdir((dir_ + "/" + name).c_str(), 0755) < 0 && errno != EEXIST) throw Error::sys("creating " + dir_ + "/" + name);
    }
    void finish() override {}

private:
    UniqueFd create(const std::string& name) {
        std::string p = dir_ + "/" + name;
        UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) throw Error::sys("creating " + p);
        return fd;
    }
    std::string dir_;
};

}  // namespace

std::unique_ptr<ArchiveSink> tar_sink(int fd, const std::string& what) { return std::make_unique<TarSink>(fd, what); }
std::unique_ptr<ArchiveSink> dir_sink(const std::string& dir) { return std::make_unique<DirSink>(dir); }

}  // namespace pc::image
