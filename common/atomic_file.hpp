// Crash-safe file writes: write a temp file in the same directory, fsync it, rename it over
// the target, fsync the directory. A reader (or a kill -9 at any point) sees the old content
// or the new one, never a torn file.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pc {

// `durable`: fsync the file before the rename, so a power loss never leaves a renamed but
// empty file. Without it the write is still atomic for readers and against kill -9 (rename);
// used for short-lived records (--rm containers) where an fsync (~4 ms here) per file
// would dominate start-up.
void write_file_atomic(const std::string& path, std::string_view content, unsigned mode = 0644, bool durable = true);
void write_json_atomic(const std::string& path, const nlohmann::json& value, bool durable = true);

// Whole-file reads. read_file throws pc::Error naming the path; the try_ forms return
// nullopt when the file does not exist (and throw on any other error).
std::string read_file(const std::string& path);
// `short_read_is_eof`: stop at the first read(2) that returns less than asked. Right for
// small regular files (container records: it saves a read per file in `pc ps`), wrong
// for /proc files, which may return less before their end.
std::optional<std::string> try_read_file(const std::string& path, bool short_read_is_eof = false);
nlohmann::json read_json(const std::string& path);
std::optional<nlohmann::json> try_read_json(const std::string& path);

// fsync a directory (after creating/renaming entries in it).
void fsync_dir(const std::string& dir);

}  // namespace pc
