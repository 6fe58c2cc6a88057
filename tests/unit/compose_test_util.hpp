// Helpers of the compose loader's unit tests: fixture paths, loading with a controlled
// environment, temporary project directories.
#pragma once

#include <string>
#include <vector>

#include "compose/loader.hpp"

namespace pctest {

// PC_SOURCE_DIR/tests/fixtures/compose/REL
std::string compose_fixture(const std::string& rel);

// LoadOptions for files in `dir` (the current directory) with exactly `env` as the process
// environment (HOME defaults to /home/pc-test).
pc::compose::LoadOptions options_in(const std::string& dir, const std::vector<std::string>& files,
                                    pc::compose::EnvMap env = {});

// A fresh temporary directory, removed with its content by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    // Writes DIR/REL (making parent directories); returns the full path.
    std::string write(const std::string& rel, const std::string& content) const;

private:
    std::string path_;
};

std::string read_file_text(const std::string& path);
std::string replace_all(std::string s, const std::string& from, const std::string& to);

// The YAML `config` prints for a project loaded with `options` ("ERROR: <message>" when
// loading fails).
std::string config_yaml(const pc::compose::LoadOptions& options);

}  // namespace pctest
