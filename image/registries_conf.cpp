#include "image/registries_conf.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"

namespace pc::image {

namespace {

std::string unquote(const std::string& v, const std::string& what) {
    std::string t = str::trim(v);
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) return t.substr(1, t.size() - 2);
    throw Error(what + ": expected a quoted string, got " + t);
}

std::vector<std::string> string_array(const std::string& v, const std::string& what) {
    std::string t = str::trim(v);
    if (t.empty() || t.front() != '[' || t.back() != ']') throw Error(what + ": expected an array of strings, got " + t);
    std::vector<std::string> out;
    for (const auto& part : str::split(t.substr(1, t.size() - 2), ','))
        if (!str::trim(part).empty()) out.push_back(unquote(part, what));
    return out;
}

// Strips a # comment outside quotes.
std::string strip_comment(const std::string& line) {
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') quote = c;
        else if (c == '#') return line.substr(0, i);
    }
    return line;
}

void read_conf_d(const std::string& dir, RegistriesConf& conf) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (str::ends_with(n, ".conf")) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names)
        if (auto text = try_read_file(dir + "/" + n)) parse_registries_conf(*text, dir + "/" + n, conf);
}

}  // namespace

void parse_registries_conf(const std::string& text, const std::string& what, RegistriesConf& conf) {
    std::string section;
    std::string pending_location;
    bool pending_insecure = false;
    auto flush_registry = [&] {
        if (!pending_location.empty() && pending_insecure) conf.insecure.insert(pending_location);
        pending_location.clear();
        pending_insecure = false;
    };
    // Arrays may span lines: join until brackets balance.
    std::vector<std::string> logical;
    std::string acc;
    for (const auto& raw : str::split(text, '\n')) {
        std::string line = str::trim(strip_comment(raw));
        if (line.empty()) continue;
        acc += (acc.empty() ? "" : " ") + line;
        if (std::count(acc.begin(), acc.end(), '[') > std::count(acc.begin(), acc.end(), ']') && acc.find('=') != std::string::npos)
            continue;
        logical.push_back(acc);
        acc.clear();
    }
    for (const auto& line : logical) {
        if (line.front() == '[') {
            flush_registry();
            section = line;
            continue;
        }
        auto [key, value] = str::split_once(line, '=');
        if (!value) continue;
        std::string k = str::trim(key);
        if (k.size() >= 2 && k.front() == '"') k = k.substr(1, k.size() - 2);
        const std::string where = what + ": " + k;
        if (section.empty() && k == "unqualified-search-registries") conf.search = string_array(*value, where);
        else if (section == "[aliases]") conf.aliases[k] = unquote(*value, where);
        else if (section == "[[registry]]" && k == "location") pending_location = unquote(*value, where);
        else if (section == "[[registry]]" && k == "insecure") pending_insecure = str::trim(*value) == "true";
    }
    flush_registry();
}

RegistriesConf load_registries_conf() {
    RegistriesConf conf;
    std::string main;
    if (const char* p = ::getenv("REGISTRIES_CONFIG_PATH"); p && *p) main = p;
    else {
        const char* xdg = ::getenv("XDG_CONFIG_HOME");
        std::string user = (xdg && *xdg ? std::string(xdg) : caller().home + "/.config") + "/containers/registries.conf";
        main = ::access(user.c_str(), R_OK) == 0 ? user : "/etc/containers/registries.conf";
    }
    if (auto text = try_read_file(main)) parse_registries_conf(*text, main, conf);
    read_conf_d("/etc/containers/registries.conf.d", conf);
    const char* xdg = ::getenv("XDG_CONFIG_HOME");
    read_conf_d((xdg && *xdg ? std::string(xdg) : caller().home + "/.config") + "/containers/registries.conf.d", conf);
    return conf;
}

std::vector<std::string> resolve_short_name(const std::string& name, const RegistriesConf& conf) {
    std::string repo = name, suffix;
    if (auto at = repo.find('@'); at != std::string::npos) suffix = repo.substr(at), repo = repo.substr(0, at);
    else if (auto colon = repo.rfind(':'); colon != std::string::npos) suffix = repo.substr(colon), repo = repo.substr(0, colon);
    if (auto it = conf.aliases.find(repo); it != conf.aliases.end()) return {it->second + suffix};
    if (conf.search.empty())
        throw Error("short-name \"" + name +
                    "\" did not resolve to an alias and no unqualified-search registries are defined in "
                    "\"/etc/containers/registries.conf\"; use a fully qualified name (e.g. docker.io/library/" + repo + ")");
    std::vector<std::string> out;
    for (const auto& r : conf.search) {
        std::string path = repo;
        if (r == "docker.io" && path.find('/') == std::string::npos) path = "library/" + path;
        out.push_back(r + "/" + path + suffix);
    }
    return out;
}

}  // namespace pc::image
