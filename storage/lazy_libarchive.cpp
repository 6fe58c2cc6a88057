// libarchive, opened on first use (see common/lazy_library.hpp for why): the functions pc
// calls for layers, image archives and `cp`, forwarded to the real library. Parameters
// are numbered; their meaning is in <archive.h> / <archive_entry.h>.
#include <archive.h>
#include <archive_entry.h>

#include <cstdarg>
#include <cstdio>

#include "common/lazy_library.hpp"
#include "storage/lazy_libraries.hpp"

namespace {

pc::common::LazyLibrary& archive_library() {
    static pc::common::LazyLibrary library(PC_SONAME_ARCHIVE, "reading and writing tar archives");
    return library;
}

}  // namespace

namespace pc::storage {
void load_archive_libraries() {
    archive_library().load();
    load_crypto_library();
}
}  // namespace pc::storage

// clang-format off
PC_LAZY_FORWARD(archive_library(), time_t, archive_entry_atime, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_entry_atime_is_set, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), long, archive_entry_atime_nsec, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), __LA_MODE_T, archive_entry_filetype, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_free, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), la_int64_t, archive_entry_gid, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), const char*, archive_entry_hardlink, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), time_t, archive_entry_mtime, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), long, archive_entry_mtime_nsec, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), struct archive_entry*, archive_entry_new, (void), ())
PC_LAZY_FORWARD(archive_library(), const char*, archive_entry_pathname, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), __LA_MODE_T, archive_entry_perm, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), dev_t, archive_entry_rdevmajor, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), dev_t, archive_entry_rdevminor, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_filetype, (struct archive_entry* a0, unsigned int a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_gid, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_hardlink, (struct archive_entry* a0, const char* a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_mode, (struct archive_entry* a0, __LA_MODE_T a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_mtime, (struct archive_entry* a0, time_t a1, long a2), (a0, a1, a2))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_pathname, (struct archive_entry* a0, const char* a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_perm, (struct archive_entry* a0, __LA_MODE_T a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_rdev, (struct archive_entry* a0, dev_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_rdevmajor, (struct archive_entry* a0, dev_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_rdevminor, (struct archive_entry* a0, dev_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_size, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_symlink, (struct archive_entry* a0, const char* a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_set_uid, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), la_int64_t, archive_entry_size, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_entry_size_is_set, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), const char*, archive_entry_symlink, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), la_int64_t, archive_entry_uid, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), void, archive_entry_xattr_add_entry, (struct archive_entry* a0, const char* a1, const void* a2, size_t a3), (a0, a1, a2, a3))
PC_LAZY_FORWARD(archive_library(), int, archive_entry_xattr_next, (struct archive_entry* a0, const char** a1, const void** a2, size_t* a3), (a0, a1, a2, a3))
PC_LAZY_FORWARD(archive_library(), int, archive_entry_xattr_reset, (struct archive_entry* a0), (a0))
PC_LAZY_FORWARD(archive_library(), const char*, archive_error_string, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), la_ssize_t, archive_read_data, (struct archive* a0, void* a1, size_t a2), (a0, a1, a2))
PC_LAZY_FORWARD(archive_library(), int, archive_read_data_block, (struct archive* a0, const void** a1, size_t* a2, la_int64_t* a3), (a0, a1, a2, a3))
PC_LAZY_FORWARD(archive_library(), int, archive_read_free, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), struct archive*, archive_read_new, (void), ())
PC_LAZY_FORWARD(archive_library(), int, archive_read_next_header, (struct archive* a0, struct archive_entry** a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), int, archive_read_open, (struct archive* a0, void* a1, archive_open_callback* a2, archive_read_callback* a3, archive_close_callback* a4), (a0, a1, a2, a3, a4))
PC_LAZY_FORWARD(archive_library(), int, archive_read_open_fd, (struct archive* a0, int a1, size_t a2), (a0, a1, a2))
PC_LAZY_FORWARD(archive_library(), int, archive_read_open_filename, (struct archive* a0, const char* a1, size_t a2), (a0, a1, a2))
PC_LAZY_FORWARD(archive_library(), int, archive_read_support_filter_all, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_read_support_format_gnutar, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_read_support_format_raw, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_read_support_format_tar, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_write_close, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), la_ssize_t, archive_write_data, (struct archive* a0, const void* a1, size_t a2), (a0, a1, a2))
PC_LAZY_FORWARD(archive_library(), int, archive_write_free, (struct archive* a0), (a0))
PC_LAZY_FORWARD(archive_library(), int, archive_write_header, (struct archive* a0, struct archive_entry* a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), struct archive*, archive_write_new, (void), ())
PC_LAZY_FORWARD(archive_library(), int, archive_write_open, (struct archive* a0, void* a1, archive_open_callback* a2, archive_write_callback* a3, archive_close_callback* a4), (a0, a1, a2, a3, a4))
PC_LAZY_FORWARD(archive_library(), int, archive_write_open_fd, (struct archive* a0, int a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), int, archive_write_open_memory, (struct archive* a0, void* a1, size_t a2, size_t* a3), (a0, a1, a2, a3))
PC_LAZY_FORWARD(archive_library(), int, archive_write_set_bytes_in_last_block, (struct archive* a0, int a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), int, archive_write_set_bytes_per_block, (struct archive* a0, int a1), (a0, a1))
PC_LAZY_FORWARD(archive_library(), int, archive_write_set_format_pax_restricted, (struct archive* a0), (a0))
// clang-format on

// Variadic: formatted here, passed on as one string.
extern "C" void archive_set_error(struct archive* archive, int err, const char* format, ...) {
    char message[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);  // NOLINT(clang-analyzer-valist.Uninitialized): started above
    va_end(args);
    static const auto real = archive_library().function<decltype(&::archive_set_error)>(
        "archive_set_error");
    real(archive, err, "%s", message);
}
