#include "compose_test_util.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "compose/emit.hpp"

namespace pctest {

std::string compose_fixture(const std::string& rel) { return std::string(PC_SOURCE_DIR) + "/tests/fixtures/compose/" + rel; }

pc::compose::LoadOptions options_in(const std::string& dir, const std::vector<std::string>& files, pc::compose::EnvMap env) {
    pc::compose::LoadOptions o;
    o.current_directory = dir;
    o.files = files;
    if (!env.count("HOME")) env["HOME"] = "/home/pc-test";
    o.os_environment = std::move(env);
    return o;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pc-compose-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
}

std::string read_file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

std::string config_yaml(const pc::compose::LoadOptions& options) {
    try {
        return pc::compose::render_project(pc::compose::load_project(options), pc::compose::OutputFormat::Yaml);
    } catch (const pc::Error& e) {
        return std::string("ERROR: ") + e.what();
    }
}

}  // namespace pctest
