// Container logs in Podman's k8s-file format (ROOT/containers/<id>/ctr.log): one record per
// line, "<RFC3339Nano time> <stdout|stderr> <F|P> <text>", where P marks a partial line
// (the payload wrote no newline yet) and F a full one. Timestamps and streams survive, so
// `pc logs -t`, `--since`, `--until` work and stdout/stderr go back where they came from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pc::storage {
class Store;
}

namespace pc::container {

enum class LogStream { Stdout, Stderr };

// ROOT/containers/<id>/ctr.log
std::string log_path(const storage::Store& store, const std::string& id);

// Appends records; used by the monitor. Size-based rotation (--log-opt max-size): when the
// file would exceed max_size, it is rotated (the old content moved to ctr.log.1, replacing
// an older one) so the log never grows without bound. A failed write (disk full) is
// reported once through pc::log::warn and through last_error(); writing continues to be
// attempted, the container keeps running.
//
// Like conmon, a chunk that ends without a newline is written at once as a P record
// instead of being held back: a monitor killed with -9 then loses nothing, and an
// interactive prompt reaches the log when it is printed. Each write() call becomes one
// write(2) on an O_APPEND fd, so a reader never sees half of a record except on a failed
// (short) write, which the next successful write terminates with a newline.
class LogWriter {
public:
    LogWriter(std::string path, uint64_t max_size = 0);
    // `data` may hold several lines and a trailing partial line.
    void write(LogStream stream, const char* data, size_t len);
    // Nothing is buffered (see above); kept so the monitor can call it at container exit
    // without knowing that.
    void flush();
    const std::string& last_error() const { return last_error_; }

private:
    bool ensure_open();
    void rotate();
    bool append(const std::string& batch);  // one write(2); false on failure
    void fail(const std::string& what, int err);

    std::string path_;
    uint64_t max_size_;
    UniqueFd fd_;
    uint64_t size_ = 0;
    std::string last_error_;
    bool warned_ = false;
    bool torn_ = false;  // the last write stopped inside a record
};

struct LogRecord {
    int64_t time_ns = 0;
    LogStream stream = LogStream::Stdout;
    bool partial = false;
    std::string text;  // without the newline
};

// One record line (without the newline): "<time> <stream> <F|P> <text>".
std::string format_log_record(int64_t time_ns, LogStream stream, bool partial, const std::string& text);

// Parses one record line; nullopt for a malformed line.
std::optional<LogRecord> parse_log_line(const std::string& line);

struct LogReadOptions {
    std::optional<int64_t> since_ns, until_ns;
    std::optional<size_t> tail;  // last N full lines
    bool follow = false;
    int poll_ms = 50;  // follow: how often the file is checked for growth and rotation
};

// Reads the log (ctr.log.1 then ctr.log), calling `emit` per record, in order. With
// follow, keeps reading as the file grows (and across rotation and restarts) until
// `keep_following()` returns false (the container is gone for good); an empty function
// follows until `until_ns` passes (or forever).
//
// P records are joined with the following records of the same stream into one line (as
// Podman does), emitted with partial=false and the time of the record that completed it;
// a line still unfinished when reading ends is emitted with partial=true.
void read_log(const std::string& path, const LogReadOptions& options,
              const std::function<void(const LogRecord&)>& emit,
              const std::function<bool()>& keep_following = {});

}  // namespace pc::container
