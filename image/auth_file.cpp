#include "image/auth_file.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/user_paths.hpp"

namespace pc::image {

namespace {
using nlohmann::json;

std::string env(const char* name) {
    const char* v = ::getenv(name);
    return v ? v : "";
}

std::string user_config_auth() { return containers_config_dir() + "/auth.json"; }

std::vector<std::string> read_order(const std::string& authfile) {
    if (!authfile.empty()) return {authfile};
    if (!env("REGISTRY_AUTH_FILE").empty()) return {env("REGISTRY_AUTH_FILE")};
    std::vector<std::string> out{auth_file_path("")};
    if (out.front() != user_config_auth()) out.push_back(user_config_auth());
    out.push_back(caller().home + "/.docker/config.json");
    return out;
}

// "https://host:5000/v1/" -> "host:5000"
std::string key_host(std::string k) {
    if (auto p = k.find("://"); p != std::string::npos) k = k.substr(p + 3);
    if (auto p = k.find('/'); p != std::string::npos) k = k.substr(0, p);
    return k;
}

json read_doc(const std::string& path) {
    auto text = try_read_file(path);
    if (!text || text->empty()) return json::object();
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(path + ": not a valid auth file (JSON object expected)");
    return j;
}
}  // namespace

std::string base64_encode(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(const std::string& in) {
    if (in.size() % 4 != 0) return std::nullopt;
    std::string out(in.size() / 4 * 3 + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    size_t len = static_cast<size_t>(n);
    for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) --len;  // EVP counts padding bytes
    out.resize(len);
    return out;
}

std::string auth_file_path(const std::string& authfile) {
    if (!authfile.empty()) return authfile;
    if (!env("REGISTRY_AUTH_FILE").empty()) return env("REGISTRY_AUTH_FILE");
    if (!env("XDG_RUNTIME_DIR").empty()) return env("XDG_RUNTIME_DIR") + "/containers/auth.json";
    return user_config_auth();
}

std::optional<Credentials> find_credentials(const std::string& registry, const std::string& authfile) {
    for (const auto& path : read_order(authfile)) {
        json doc = read_doc(path);
        if (!doc.contains("auths") || !doc["auths"].is_object()) continue;
        for (auto& [k, v] : doc["auths"].items()) {
            if (key_host(k) != registry && !(registry == "docker.io" && key_host(k) == "index.docker.io")) continue;
            if (!v.is_object()) continue;
            Credentials c;
            if (v.contains("identitytoken") && v["identitytoken"].is_string()) c.identity_token = v["identitytoken"];
            if (v.contains("auth") && v["auth"].is_string()) {
                auto dec = base64_decode(v["auth"].get<std::string>());
                if (!dec) throw Error(path + ": the credentials for " + k + " are not valid base64");
                auto colon = dec->find(':');
                if (colon == std::string::npos) throw Error(path + ": the credentials for " + k + " are not user:password");
                c.username = dec->substr(0, colon);
                c.password = dec->substr(colon + 1);
            }
            if (!c.username.empty() || !c.identity_token.empty()) return c;
        }
    }
    return std::nullopt;
}

void store_credentials(const std::string& registry, const Credentials& c, const std::string& authfile) {
    const std::string path = auth_file_path(authfile);
    json doc = read_doc(path);
    if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
    doc["auths"][registry] = {{"auth", base64_encode(c.username + ":" + c.password)}};
    ensure_dir(path.substr(0, path.rfind('/')), 0700);
    write_file_atomic(path, doc.dump(1, '\t') + "\n", 0600);
}

bool remove_credentials(const std::string& registry, const std::string& authfile) {
    const std::string path = auth_file_path(authfile);
    json doc = read_doc(path);
    if (!doc.contains("auths") || !doc["auths"].is_object()) return false;
    bool removed = false;
    for (auto it = doc["auths"].begin(); it != doc["auths"].end();) {
        if (key_host(it.key()) == registry) {
            it = doc["auths"].erase(it);
            removed = true;
        } else ++it;
    }
    if (removed) write_file_atomic(path, doc.dump(1, '\t') + "\n", 0600);
    return removed;
}

void remove_all_credentials(const std::string& authfile) {
    const std::string path = auth_file_path(authfile);
    json doc = read_doc(path);
    doc["auths"] = json::object();
    if (::access(path.c_str(), F_OK) == 0) write_file_atomic(path, doc.dump(1, '\t') + "\n", 0600);
}

}  // namespace pc::image
