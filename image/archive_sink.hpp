// Where `pc save` writes: a tar stream (docker-archive, oci-archive; libarchive
// archive_write) or a directory (oci-dir). Members are written streaming, never buffered.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pc::image {

class ArchiveSink {
public:
    virtual ~ArchiveSink() = default;
    virtual void add_bytes(const std::string& name, const std::string& data) = 0;
    // Copies a file of `size` bytes.
    virtual void add_file(const std::string& name, const std::string& path, uint64_t size);
    // `read(buf, len)` returns bytes produced (0 at the end); exactly `size` bytes are expected.
    virtual void add_stream(const std::string& name, uint64_t size, const std::function<size_t(char*, size_t)>& read) = 0;
    virtual void add_dir(const std::string& name) = 0;
    virtual void finish() = 0;
};

// Writes a tar to `fd` (not closed).
std::unique_ptr<ArchiveSink> tar_sink(int fd, const std::string& what);
// Writes into directory `dir`, created if missing (it must be empty otherwise).
std::unique_ptr<ArchiveSink> dir_sink(const std::string& dir);

}  // namespace pc::image
