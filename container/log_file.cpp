// The k8s-file log: record format, parsing, and the writer the monitor uses.
#include "container/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "common/time_format.hpp"
#include "container/state.hpp"
#include "storage/store.hpp"

namespace pc::container {

std::string log_path(const storage::Store& store, const std::string& id) {
    return store.container_dir(id) + "/ctr.log";
}

namespace {

const char* stream_name(LogStream s) { return s == LogStream::Stderr ? "stderr" : "stdout"; }

void append_record(std::string& out, const std::string& stamp, LogStream stream, bool partial, const char* text,
                   size_t len) {
    out += stamp;
    out += ' ';
    out += stream_name(stream);
    out += partial ? " P " : " F ";
    out.append(text, len);
    out += '\n';
}

}  // namespace

std::string format_log_record(int64_t time_ns, LogStream stream, bool partial, const std::string& text) {
    std::string out;
    // Local time with its offset, as conmon writes it; readers parse any offset.
    append_record(out, rfc3339_nano(time_ns, false), stream, partial, text.data(), text.size());
    out.pop_back();
    return out;
}

std::optional<LogRecord> parse_log_line(const std::string& line) {
    size_t sp1 = line.find(' ');
    if (sp1 == std::string::npos) return std::nullopt;
    auto time = parse_rfc3339(line.substr(0, sp1));
    if (!time) return std::nullopt;
    LogRecord r;
    r.time_ns = *time;
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos) return std::nullopt;
    std::string_view stream(line.data() + sp1 + 1, sp2 - sp1 - 1);
    if (stream == "stdout") r.stream = LogStream::Stdout;
    else if (stream == "stderr") r.stream = LogStream::Stderr;
    else return std::nullopt;
    // The tag is a colon-separated list in the CRI spec ("F", "P", future "F:x"); only the
    // first letter matters here. An empty line may come without the space after the tag.
    size_t tag = sp2 + 1;
    if (tag >= line.size()) return std::nullopt;
    size_t sp3 = line.find(' ', tag);
    std::string_view tags(line.data() + tag, (sp3 == std::string::npos ? line.size() : sp3) - tag);
    if (tags.empty() || (tags[0] != 'F' && tags[0] != 'P')) return std::nullopt;
    r.partial = tags[0] == 'P';
    if (sp3 != std::string::npos) r.text = line.substr(sp3 + 1);
    return r;
}

LogWriter::LogWriter(std::string path, uint64_t max_size) : path_(std::move(path)), max_size_(max_size) {
    // Opened eagerly so a problem shows up at start; a failure here is not fatal (the
    // container runs without a log rather than not at all), write() retries.
    ensure_open();
}

bool LogWriter::ensure_open() {
    if (fd_) return true;
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail("opening container log " + path_, errno);
        return false;
    }
    fd_.reset(fd);
    struct stat st {};
    size_ = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return true;
}

void LogWriter::fail(const std::string& what, int err) {
    last_error_ = what + ": " + std::strerror(err);
    if (!warned_) {
        warned_ = true;
        log::warn(last_error_ + " (the container keeps running; output is lost until this is fixed)");
    }
}

void LogWriter::rotate() {
    const std::string old = path_ + ".1";
    if (::rename(path_.c_str(), old.c_str()) != 0) {
        // Keep appending to the big file rather than losing output; say why once.
        fail("rotating container log " + path_, errno);
        return;
    }
    fd_.reset();
    torn_ = false;  // a torn record, if any, went with the old file
    ensure_open();
}

void LogWriter::write(LogStream stream, const char* data, size_t len) {
    if (len == 0) return;
    std::string batch;
    batch.reserve(std::min<size_t>(len + 64, 1 << 20));
    if (torn_) batch += '\n';  // end the garbage of a short write so the next record parses
    const std::string stamp = rfc3339_nano(now_ns(), false);
    std::string record;
    const char* p = data;
    const char* end = data + len;
    while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* stop = nl ? nl : end;
        record.clear();
        append_record(record, stamp, stream, nl == nullptr, p, static_cast<size_t>(stop - p));
        p = nl ? nl + 1 : end;
        // One chunk from the monitor can be bigger than max-size (a fast writer fills the
        // pipe): rotate between records so that no file exceeds the limit by more than a
        // single record.
        if (max_size_ > 0 && size_ + batch.size() > 0 && size_ + batch.size() + record.size() > max_size_) {
            if (!append(batch)) return;
            batch.clear();
            if (size_ > 0) rotate();
        }
        batch += record;
    }
    append(batch);
}

bool LogWriter::append(const std::string& batch) {
    if (batch.empty()) return true;
    if (!ensure_open()) return false;
    size_t done = 0;
    while (done < batch.size()) {
        ssize_t n = ::write(fd_.get(), batch.data() + done, batch.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            if (done > 0) torn_ = true;  // else: unchanged (a pending '\n' was not written either)
            fail("writing container log " + path_, err);
            return false;
        }
        done += static_cast<size_t>(n);
        size_ += static_cast<uint64_t>(n);
    }
    torn_ = false;
    return true;
}

void LogWriter::flush() {}

}  // namespace pc::container
