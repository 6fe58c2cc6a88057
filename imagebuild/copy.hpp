// COPY and ADD: finding the sources in a root (the build context, another stage's or
// image's file system), their content digest (the step's cache key, and the "file:<hex>"
// summary in its history entry), and writing them into the image's root file system.
//
// Sources are resolved inside their root (openat2 RESOLVE_IN_ROOT: a symlink never leads
// out of the context), walked without following symlinks (copied as links), filtered by the
// ignore file and --exclude; the small files' content is kept from the hashing walk. Writing
// creates every entry below its destination directory through directory fds, without
// following any symlink (ADD's archives go through pc cp's tar extraction,
// container/cp_archive.hpp); the destination directory itself is resolved inside the
// image's root (following the image's own symlinks, as Docker does).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imagebuild/ignore.hpp"
#include "storage/tree_tar.hpp"

namespace pc::build {

struct CopyEntry {
    enum class Kind { Directory, File, Symlink, Fifo, Inline, HostFile };
    Kind kind = Kind::File;
    std::string src;      // resolved path relative to the source root; a host path (HostFile)
    std::string rel;      // below its item ("" for a file item itself)
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
    int64_t mtime = 0;
    long mtime_nsec = 0;
    uint64_t size = 0;
    std::string link;     // a symlink's target
    std::string content;  // Inline (here-documents)
    std::string hash;     // content sha256 (hashing walks only)
    // A small file's content as hashed (SourceOptions::keep_content): the copy writes it from
    // here instead of reading the file a second time, and copies exactly what was hashed.
    std::optional<std::string> data;
};

struct CopyItem {
    std::string name;          // the name it gets inside a destination directory
    bool directory = false;    // its contents are copied, not itself
    bool archive = false;      // ADD: a local tar archive, extracted into the destination
    std::string parents;       // --parents: the directories above it, recreated below dest
    std::vector<CopyEntry> entries;  // a file: itself (rel ""); a directory: its tree
};

inline constexpr size_t kKeptFileMax = 64 * 1024;

struct SourceOptions {
    const IgnoreMatcher* ignore = nullptr;  // the context's ignore file
    IgnoreMatcher excludes;                 // --exclude
    bool hash = false;                      // compute content hashes (context sources)
    // With `hash`: keep the content of files up to kKeptFileMax bytes, up to this many bytes
    // in all (CopyEntry::data), for the copy that follows.
    size_t keep_content = 0;
    bool parents = false;                   // --parents
    bool detect_archives = false;           // ADD: local tar archives are extracted
    std::string what = "COPY";              // for messages
    std::string root_name = "the build context";
};

// Resolves COPY/ADD source patterns (Go filepath.Match globs per path component) in
// `root_fd`. Throws pc::Error: `forbidden path outside the build context: ../x`, `no source
// files were specified` (a glob matching nothing), and for a missing path
// `checking on sources under ROOT: "x": no such file or directory (not in the build context,
// or excluded by .containerignore)`.
std::vector<CopyItem> collect_sources(int root_fd, const std::vector<std::string>& patterns, const SourceOptions& options);

struct ContentDigest {
    std::string hex;      // over names, types, modes, sizes, link targets and content
    std::string summary;  // "file:<hex>", "dir:<hex>" or "multi:<hex>", as Buildah's history says
};
// Needs items collected with `hash` (or made of Inline / HostFile entries with hashes).
ContentDigest digest_items(const std::vector<CopyItem>& items);

struct CopyTarget {
    std::string dest;                   // absolute container path; a trailing '/' means a directory
    std::optional<std::string> chown;   // --chown user[:group], resolved in the image's files
    std::optional<mode_t> chmod;        // --chmod
    bool preserve_ids = false;          // --from: owners kept (else root, or --chown)
    bool strip_setid = true;            // context files lose setuid/setgid (as Buildah)
    std::string what = "COPY";
};

// A regular file copy_items wrote from memory (CopyEntry::data or an Inline's content):
// where it landed, relative to the image root with its symlinks resolved.
struct WrittenFile {
    std::string path;
    size_t item = 0, entry = 0;  // indexes in the items given to copy_items
};

// Writes the items into the image root `dest_root_fd`, reading them from `src_root_fd`.
// Runs where the image's root is mounted (the build's copy child, in the user namespace).
// `written`, when given, receives the files written from memory (in the order written).
void copy_items(int dest_root_fd, int src_root_fd, const std::vector<CopyItem>& items, const CopyTarget& target,
                std::vector<WrittenFile>* written = nullptr);

// The layer commit's view of `written` (see storage::write_tree_tar): the content stays in
// `items`, which must outlive the result.
storage::KnownContent known_content(const std::vector<CopyItem>& items, const std::vector<WrittenFile>& written);

// `written` through a file (the copy runs in a child): NUL-separated records.
void save_written(int fd, const std::vector<WrittenFile>& written);
std::vector<WrittenFile> load_written(int fd);

// --chmod's value: octal ("755", "0640"). Throws pc::Error naming it otherwise.
mode_t parse_chmod(const std::string& value);

}  // namespace pc::build
