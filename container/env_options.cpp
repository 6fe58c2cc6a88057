#include "container/env_options.hpp"

#include <fnmatch.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "container/exec_spec.hpp"

namespace pc::container {

namespace {

void add(std::vector<std::string>& out, const std::string& value, const std::string& origin,
         const std::vector<std::string>& environment) {
    auto [key, val] = str::split_once(value, '=');
    if (key.empty()) throw Error("invalid environment variable \"" + value + "\"" + origin + ": name is empty");
    if (val) {
        out = merge_env(std::move(out), {key + "=" + *val});
        return;
    }
    const bool pattern = key.find('*') != std::string::npos;
    for (const std::string& e : environment) {
        auto [k, v] = str::split_once(e, '=');
        if (!v) continue;
        if (pattern ? ::fnmatch(key.c_str(), k.c_str(), 0) == 0 : k == key) out = merge_env(std::move(out), {e});
    }
}

}  // namespace

std::vector<std::string> env_from_flags(const std::vector<std::string>& env_files, const std::vector<std::string>& env_flags,
                                  const std::vector<std::string>& environment) {
    std::vector<std::string> out;
    for (const std::string& path : env_files) {
        auto content = try_read_file(path);
        if (!content) throw Error("open " + path + ": no such file or directory");
        int lineno = 0;
        for (const auto& raw : str::split(*content, '\n')) {
            ++lineno;
            std::string line = str::trim(raw);
            if (line.empty() || line[0] == '#') continue;
            add(out, line, " (" + path + ":" + std::to_string(lineno) + ")", environment);
        }
    }
    for (const std::string& e : env_flags) add(out, e, "", environment);
    return out;
}

std::vector<std::string> host_env_defaults(bool env_host, bool http_proxy,
                                           const std::vector<std::string>& process_environment) {
    if (env_host) return process_environment;
    std::vector<std::string> out;
    if (!http_proxy) return out;
    static const char* const kProxyVars[] = {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
                                             "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY"};
    for (const std::string& e : process_environment) {
        const std::string key = str::split_once(e, '=').first;
        for (const char* v : kProxyVars)
            if (key == v) out.push_back(e);
    }
    return out;
}

}  // namespace pc::container
