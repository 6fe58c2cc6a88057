#include "image/staging.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "storage/remove_tree.hpp"

namespace pc::image {

namespace {

// Staging dirs hold only files we wrote ourselves (no subuid-owned files): a plain
// removal from the host is enough.
void remove_plain_tree(const std::string& path) {
    UniqueFd parent(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    try {
        storage::remove_tree_at(parent.get(), path.substr(1), path);
    } catch (const Error& e) {
        log::warn("removing " + path + ": " + e.what());
    }
}

void collect_dead(const std::string& root) {
    DIR* d = ::opendir(root.c_str());
    if (!d) return;
    std::vector<std::string> dead;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (!str::starts_with(n, "xfer-")) continue;
        auto pid = str::parse_u64(n.substr(5, n.find('-', 5) - 5));
        if (pid && *pid > 0 && *pid < 0x7fffffff && ::kill(static_cast<pid_t>(*pid), 0) < 0 && errno == ESRCH)
            dead.push_back(root + "/" + n);
    }
    ::closedir(d);
    for (const auto& p : dead) remove_plain_tree(p);
}

}  // namespace

StagingDir::StagingDir(storage::Store& store) {
    const std::string root = store.staging_root();
    collect_dead(root);
    std::mt19937_64 rng{std::random_device{}()};
    for (int i = 0; i < 10; ++i) {
        std::string p = root + "/xfer-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000);
        if (::mkdir(p.c_str(), 0700) == 0) {
            path_ = p;
            return;
        }
        if (errno != EEXIST) throw Error::sys("creating " + p);
    }
    throw Error("creating a staging directory in " + root + ": too many collisions");
}

StagingDir::~StagingDir() {
    if (!path_.empty()) remove_plain_tree(path_);
}

std::string StagingDir::new_file(const std::string& hint) { return path_ + "/" + std::to_string(counter_++) + "-" + hint; }

BlobWriter::BlobWriter(std::string path) : path_(std::move(path)) {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd_) throw Error::sys("creating " + path_);
}

void BlobWriter::write(const void* data, size_t len) {
    hash_.update(data, len);
    if (!write_all(fd_.get(), data, len)) throw Error::sys("writing " + path_);
    size_ += len;
}

StagedBlob BlobWriter::finish() {
    // No fsync: a blob only becomes visible through records written (and fsync'ed) later,
    // and a crash before that discards the whole staging directory.
    fd_.reset();
    return StagedBlob{path_, "sha256:" + hash_.hex(), size_};
}

StagedBlob stage_from_fd(StagingDir& dir, int fd, const std::string& what) {
    BlobWriter w(dir.new_file());
    std::string buf(256 * 1024, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::sys("reading " + what);
        if (n == 0) break;
        w.write(buf.data(), static_cast<size_t>(n));
    }
    return w.finish();
}

void verify_digest(const StagedBlob& b, const std::string& expected, const std::string& what) {
    if (b.digest != expected)
        throw Error(what + ": digest mismatch: expected " + expected + ", content has " + b.digest +
                    " (the data is corrupted or was tampered with)");
}

std::string read_small_file(const std::string& path, const std::string& what) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::sys("opening " + what);
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) throw Error::sys("stat " + what);
    if (st.st_size > 16 * 1024 * 1024) throw Error(what + " is too large (" + std::to_string(st.st_size) + " bytes) for a manifest or config");
    std::string s(static_cast<size_t>(st.st_size), '\0');
    if (read_full(fd.get(), s.data(), s.size()) != static_cast<long>(s.size())) throw Error::sys("reading " + what);
    return s;
}

}  // namespace pc::image
