// Helpers for the storage unit tests: a throwaway store root and in-memory tar archives.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace storage_test {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/pc-storage-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { (void)!::system(("chmod -R u+rwx " + path + " 2>/dev/null; rm -rf " + path).c_str()); }
};

struct TarEntry {
    std::string name;
    char type = 'f';  // f file, d dir, l symlink, h hard link, c char dev, p fifo
    std::string data;  // file content or link target
    unsigned mode = 0644;
    long uid = -1, gid = -1;  // -1: the test's own ids
    unsigned rdev_major = 0, rdev_minor = 0;
};

inline std::string make_tar(const std::vector<TarEntry>& entries) {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    std::vector<char> buf(1 << 20);
    size_t used = 0;
    archive_write_open_memory(a, buf.data(), buf.size(), &used);
    for (const auto& e : entries) {
        struct archive_entry* ae = archive_entry_new();
        archive_entry_set_pathname(ae, e.name.c_str());
        archive_entry_set_uid(ae, e.uid < 0 ? ::getuid() : e.uid);
        archive_entry_set_gid(ae, e.gid < 0 ? ::getgid() : e.gid);
        archive_entry_set_mtime(ae, 1700000000, 0);
        archive_entry_set_perm(ae, e.mode);
        switch (e.type) {
            case 'f': archive_entry_set_filetype(ae, AE_IFREG); archive_entry_set_size(ae, e.data.size()); break;
            case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
            case 'l': archive_entry_set_filetype(ae, AE_IFLNK); archive_entry_set_symlink(ae, e.data.c_str()); break;
            case 'h': archive_entry_set_filetype(ae, AE_IFREG); archive_entry_set_hardlink(ae, e.data.c_str()); break;
            case 'c':
                archive_entry_set_filetype(ae, AE_IFCHR);
                archive_entry_set_rdevmajor(ae, e.rdev_major);
                archive_entry_set_rdevminor(ae, e.rdev_minor);
                break;
            case 'p': archive_entry_set_filetype(ae, AE_IFIFO); break;
        }
        archive_write_header(a, ae);
        if (e.type == 'f' && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return std::string(buf.data(), used);
}

}  // namespace storage_test
