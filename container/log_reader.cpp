// Reading a k8s-file log: filters, tail, and following a file that grows, rotates and is
// appended to again after a restart. Following polls (a stat and a read every poll_ms):
// inotify instances are a scarce per-user resource (128 here) and `pc logs -f` on many
// containers must not exhaust them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <thread>

#include "common/error.hpp"
#include "container/log_file.hpp"
#include "container/state.hpp"

namespace pc::container {

namespace {

// An open log file and the bytes read from it that do not yet form a whole line.
struct Source {
    UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t offset = 0;
    std::string pending;

    static Source open(const std::string& path) {
        Source s;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) return s;
            throw Error::sys("opening container log " + path);
        }
        s.fd.reset(fd);
        struct stat st {};
        if (::fstat(fd, &st) == 0) {
            s.dev = st.st_dev;
            s.ino = st.st_ino;
        }
        return s;
    }
    bool is(const struct stat& st) const { return fd && st.st_dev == dev && st.st_ino == ino; }
};

// Joins P records to their line, applies since/until and tail, and hands lines on.
class Assembler {
public:
    Assembler(const LogReadOptions& o, const std::function<void(const LogRecord&)>& emit) : o_(o), emit_(emit) {
        if (o_.tail) tail_mode_ = true;
    }

    void record(LogRecord r) {
        auto& part = partial_[r.stream == LogStream::Stderr ? 1 : 0];
        if (r.partial) {
            part.time_ns = r.time_ns;
            part.stream = r.stream;
            part.partial = true;
            part.text += r.text;
            has_partial_[r.stream == LogStream::Stderr ? 1 : 0] = true;
            return;
        }
        bool& has = has_partial_[r.stream == LogStream::Stderr ? 1 : 0];
        if (has) {
            r.text = part.text + r.text;
            part.text.clear();
            has = false;
        }
        deliver(r);
    }

    // The initial content has been read: print the tail, from now on print as it comes.
    void end_of_backlog() {
        if (!tail_mode_) return;
        tail_mode_ = false;
        for (auto& r : tail_) emit_(r);
        tail_.clear();
    }

    // Reading ends: unfinished lines are shown as they are.
    void finish() {
        end_of_backlog();
        for (int i = 0; i < 2; ++i) {
            if (!has_partial_[i]) continue;
            has_partial_[i] = false;
            deliver(partial_[i]);
        }
    }

private:
    void deliver(const LogRecord& r) {
        if (o_.since_ns && r.time_ns < *o_.since_ns) return;
        if (o_.until_ns && r.time_ns > *o_.until_ns) return;
        if (tail_mode_) {
            if (*o_.tail == 0) return;
            tail_.push_back(r);
            if (tail_.size() > *o_.tail) tail_.pop_front();
            return;
        }
        emit_(r);
    }

    const LogReadOptions& o_;
    const std::function<void(const LogRecord&)>& emit_;
    LogRecord partial_[2];
    bool has_partial_[2] = {false, false};
    bool tail_mode_ = false;
    std::deque<LogRecord> tail_;
};

// Reads what the file has now; whole lines go to the assembler.
void drain(Source& s, Assembler& a, const std::string& path) {
    if (!s.fd) return;
    char buf[65536];
    for (;;) {
        ssize_t n = ::pread(s.fd.get(), buf, sizeof(buf), s.offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error::sys("reading container log " + path);
        }
        if (n == 0) return;
        s.offset += n;
        s.pending.append(buf, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t nl; (nl = s.pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            // Malformed lines (the tail of a short write after a full disk) are skipped.
            if (auto r = parse_log_line(s.pending.substr(start, nl - start))) a.record(std::move(*r));
        }
        s.pending.erase(0, start);
    }
}

// A log truncated in place (by hand, or a writer that truncates instead of rotating) is
// read again from its start.
void check_truncated(Source& s) {
    struct stat st {};
    if (s.fd && ::fstat(s.fd.get(), &st) == 0 && st.st_size < s.offset) {
        s.offset = 0;
        s.pending.clear();
    }
}

}  // namespace

void read_log(const std::string& path, const LogReadOptions& options,
              const std::function<void(const LogRecord&)>& emit, const std::function<bool()>& keep_following) {
    Assembler a(options, emit);
    // The current file is opened before the rotated one: if a rotation happens in between,
    // the file we hold is the one that became ctr.log.1 and nothing is skipped.
    Source current = Source::open(path);
    {
        Source rotated = Source::open(path + ".1");
        bool same = rotated.fd && current.fd && rotated.dev == current.dev && rotated.ino == current.ino;
        if (!same) drain(rotated, a, path + ".1");
    }
    drain(current, a, path);
    a.end_of_backlog();

    if (options.follow) {
        for (;;) {
            bool more = keep_following ? keep_following() : true;
            if (options.until_ns && now_ns() > *options.until_ns) more = false;
            // Read once more after the container was found gone: what it wrote last is
            // already in the file.
            check_truncated(current);
            drain(current, a, path);
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0 && !current.is(st)) {
                // Rotated or re-created: finish the old file (the writer may have appended
                // between our last read and the rename), then switch.
                drain(current, a, path);
                current = Source::open(path);
                drain(current, a, path);
            }
            if (!more) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms > 0 ? options.poll_ms : 50));
        }
    }
    a.finish();
}

}  // namespace pc::container
