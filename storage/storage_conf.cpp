#include "storage/storage_conf.hpp"

#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/toml_config.hpp"

namespace pc::storage {

// The one file that applies, "" when there is none.
std::string storage_conf_path() {
    if (const char* env = std::getenv("CONTAINERS_STORAGE_CONF"); env && *env) return env;
    for (const std::string& p : {containers_config_dir() + "/storage.conf", std::string("/etc/containers/storage.conf"),
                                 std::string("/usr/share/containers/storage.conf")})
        if (::access(p.c_str(), F_OK) == 0) return p;
    return "";
}

namespace {

std::vector<std::string> load() {
    const std::string path = storage_conf_path();
    if (path.empty()) return {};
    auto text = try_read_file(path);
    if (!text) throw Error("reading " + path + ": no such file or not readable");
    return parse_additional_image_stores(*text, path);
}

}  // namespace

std::vector<std::string> parse_additional_image_stores(const std::string& text, const std::string& origin) {
    const toml::table doc = toml_config::parse(text, origin);
    const toml_config::Reader r(origin);
    const toml::table* storage = r.table(doc, "storage", "storage");
    const toml::table* options = storage ? r.table(*storage, "options", "storage.options") : nullptr;
    if (!options) return {};
    const std::string key = "storage.options.additionalimagestores";
    auto stores = r.strings(*options, "additionalimagestores", key);
    if (!stores) return {};
    const toml::array& a = *options->get("additionalimagestores")->as_array();
    for (size_t i = 0; i < stores->size(); ++i) {
        std::string& s = (*stores)[i];
        while (s.size() > 1 && s.back() == '/') s.pop_back();
        if (s.empty() || s.front() != '/') r.fail(*a.get(i), key, "\"" + s + "\" is not an absolute path");
    }
    return *stores;
}

const std::vector<std::string>& additional_image_stores() {
    static const std::vector<std::string> stores = load();
    return stores;
}

std::vector<std::string> additional_image_stores_besides(const std::string& root) {
    std::vector<std::string> out;
    for (const auto& s : additional_image_stores())
        if (s != root) out.push_back(s);
    return out;
}

}  // namespace pc::storage
