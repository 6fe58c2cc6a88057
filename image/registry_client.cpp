#include "image/registry_client.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "image/auth_challenge.hpp"
#include "common/strings.hpp"
#include "storage/digest.hpp"

namespace pc::image {

namespace {
using nlohmann::json;

const char* kAcceptManifests =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

std::string reason(long status) {
    switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        default: return "";
    }
}

std::string url_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else {
            char b[4];
            snprintf(b, sizeof(b), "%%%02X", c);
            out += b;
        }
    }
    return out;
}
}  // namespace

std::string describe_http_error(const HttpResponse& resp) {
    std::string out = "HTTP " + std::to_string(resp.status);
    if (!reason(resp.status).empty()) out += " " + reason(resp.status);
    json j = json::parse(resp.body, nullptr, false);
    std::vector<std::string> msgs;
    if (j.is_object() && j.contains("errors") && j["errors"].is_array())
        for (const auto& e : j["errors"]) {
            if (!e.is_object()) continue;
            std::string m = e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
            if (e.contains("message") && e["message"].is_string()) m += (m.empty() ? "" : ": ") + e["message"].get<std::string>();
            if (e.contains("detail") && e["detail"].is_string()) m += " (" + e["detail"].get<std::string>() + ")";
            if (!m.empty()) msgs.push_back(m);
        }
    else if (j.is_object() && j.contains("details") && j["details"].is_string())
        msgs.push_back(j["details"].get<std::string>());
    else if (!resp.body.empty() && resp.body.size() < 300 && resp.body.find('<') == std::string::npos)
        msgs.push_back(str::trim(resp.body));
    if (!msgs.empty()) out += ": " + str::join(msgs, "; ");
    return out;
}

RegistryClient::RegistryClient(std::string registry, std::string repository, RegistryOptions options, std::string actions)
    : registry_(std::move(registry)), repository_(std::move(repository)), actions_(std::move(actions)),
      options_(std::move(options)), http_(std::make_unique<HttpClient>(options_.tls)) {
    if (!options_.creds) options_.creds = find_credentials(registry_, options_.authfile);
    ping();
}

RegistryClient::~RegistryClient() = default;

void RegistryClient::fail(const std::string& what, const HttpRequest& req, const HttpResponse& resp) const {
    std::string msg = what + ": " + req.method + " " + req.url + ": " + describe_http_error(resp);
    if (resp.status == 401 || resp.status == 403)
        msg += options_.creds ? " (the credentials for " + registry_ + " were refused)"
                              : " (authentication required: pc login " + registry_ + ")";
    throw Error(msg);
}

void RegistryClient::ping() {
    const std::string host = registry_ == "docker.io" ? "registry-1.docker.io" : registry_;
    HttpRequest req;
    req.url = "https://" + host + "/v2/";
    HttpResponse resp;
    try {
        resp = http_->send(req, 65536);
    } catch (const Error& e) {
        // Plain HTTP only when the user turned TLS verification off (Podman's rule).
        if (options_.tls.verify) {
            std::string hint = is_tls_error(e.what()) ? " (use --tls-verify=false for a registry with a self-signed "
                                                         "certificate or without TLS, or --cert-dir for its CA)"
                                                       : "";
            throw Error(std::string("pinging registry ") + registry_ + ": " + e.what() + hint);
        }
        req.url = "http://" + host + "/v2/";
        try {
            resp = http_->send(req, 65536);
        } catch (const Error& e2) {
            throw Error(std::string("pinging registry ") + registry_ + ": " + e2.what());
        }
    }
    base_ = req.url;
    if (resp.status == 401) authorize(resp.header("www-authenticate"));
    else if (resp.status >= 300 && resp.status != 404)
        throw Error("pinging registry " + registry_ + ": GET " + req.url + ": " + describe_http_error(resp));
}

void RegistryClient::authorize(const std::string& challenge) {
    tried_auth_ = true;
    // Bearer when the registry offers it, else the first scheme offered.
    std::vector<AuthChallenge> offered = parse_auth_challenges(challenge);
    AuthChallenge chosen;
    for (const auto& c : offered)
        if (c.scheme == "bearer") chosen = c;
    if (chosen.scheme.empty() && !offered.empty()) chosen = offered.front();
    const std::string& scheme = chosen.scheme;
    if (scheme == "basic") {
        if (!options_.creds) return;  // anonymous; requests will say 401 with the registry's message
        authorization_ = "Authorization: Basic " + base64_encode(options_.creds->username + ":" + options_.creds->password);
        return;
    }
    if (scheme != "bearer") throw Error("registry " + registry_ + ": unsupported authentication scheme \"" + scheme + "\"");
    auto& p = chosen.params;
    if (p["realm"].empty()) throw Error("registry " + registry_ + ": bearer challenge without a realm");
    HttpRequest req;
    std::string scope = "repository:" + repository_ + ":" + actions_;
    req.url = p["realm"] + (p["realm"].find('?') == std::string::npos ? "?" : "&") + "service=" + url_escape(p["service"]);
    if (!repository_.empty()) req.url += "&scope=" + url_escape(scope);
    if (options_.creds && !options_.creds->username.empty())
        req.headers.push_back("Authorization: Basic " + base64_encode(options_.creds->username + ":" + options_.creds->password));
    HttpResponse resp = http_->send(req, 1024 * 1024);
    if (resp.status != 200) {
        std::string msg = "getting a token for " + scope + ": GET " + p["realm"] + ": " + describe_http_error(resp);
        if (resp.status == 401) msg += options_.creds ? " (invalid username/password)" : " (authentication required: pc login " + registry_ + ")";
        throw Error(msg);
    }
    json j = json::parse(resp.body, nullptr, false);
    std::string token;
    if (j.is_object()) {
        if (j.contains("token") && j["token"].is_string()) token = j["token"];
        else if (j.contains("access_token") && j["access_token"].is_string()) token = j["access_token"];
    }
    if (token.empty()) throw Error("token server " + p["realm"] + " answered without a token");
    authorization_ = "Authorization: Bearer " + token;
}

std::vector<std::string> RegistryClient::auth_headers() const {
    if (authorization_.empty()) return {};
    return {authorization_};
}

HttpResponse RegistryClient::request(HttpRequest req, bool retry_auth) {
    auto base_headers = req.headers;
    for (const auto& h : auth_headers()) req.headers.push_back(h);
    HttpResponse resp = http_->send(req);
    if (resp.status == 401 && retry_auth && !resp.header("www-authenticate").empty()) {
        // A new challenge (another scope, an expired token): answer it once.
        authorize(resp.header("www-authenticate"));
        req.headers = base_headers;
        for (const auto& h : auth_headers()) req.headers.push_back(h);
        resp = http_->send(req);
    }
    return resp;
}

FetchedManifest RegistryClient::get_manifest(const std::string& ref) {
    HttpRequest req;
    req.url = url(repository_ + "/manifests/" + ref);
    req.headers.push_back(kAcceptManifests);
    HttpResponse resp = request(req);
    if (resp.status != 200) fail("reading manifest " + ref + " in " + registry_ + "/" + repository_, req, resp);
    FetchedManifest m;
    m.text = resp.body;
    m.digest = "sha256:" + storage::sha256_hex(m.text);
    m.media_type = resp.header("content-type");
    if (auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type = str::trim(m.media_type.substr(0, semi));
    if (str::starts_with(ref, "sha256:") && m.digest != ref)
        throw Error("manifest " + ref + " from " + registry_ + "/" + repository_ + ": digest mismatch: the registry served content with digest " + m.digest);
    return m;
}

std::string RegistryClient::get_blob_small(const std::string& digest, const std::string& what) {
    HttpRequest req;
    req.url = url(repository_ + "/blobs/" + digest);
    HttpResponse resp = request(req);
    if (resp.status != 200) fail("reading " + what + " " + digest, req, resp);
    if ("sha256:" + storage::sha256_hex(resp.body) != digest)
        throw Error(what + " " + digest + " from " + req.url + ": digest mismatch: the registry served different content");
    return resp.body;
}

void RegistryClient::download_blobs(std::vector<BlobJob>& jobs, StagingDir& staging, Progress& progress, int parallel) {
    std::vector<std::unique_ptr<BlobWriter>> writers;
    std::vector<Download> dls;
    for (const auto& j : jobs) {
        writers.push_back(std::make_unique<BlobWriter>(staging.new_file("layer")));
        BlobWriter* w = writers.back().get();
        Download d;
        d.request.url = url(repository_ + "/blobs/" + j.digest);
        d.request.headers = auth_headers();
        d.sink = [w](const char* data, size_t len) { w->write(data, len); };
        std::string id = j.digest;
        d.on_progress = [&progress, id](uint64_t n) { progress.advance(id, n); };
        progress.start(j.digest, j.size);
        dls.push_back(std::move(d));
    }
    http_->download_all(dls, parallel);
    for (size_t i = 0; i < jobs.size(); ++i) {
        const Download& d = dls[i];
        if (!d.curl_error.empty()) throw Error("downloading blob " + jobs[i].digest + ": GET " + d.request.url + ": " + d.curl_error);
        if (d.status != 200) {
            HttpResponse r;
            r.status = d.status;
            r.body = d.error_body;
            fail("downloading blob " + jobs[i].digest, d.request, r);
        }
        jobs[i].result = writers[i]->finish();
        verify_digest(jobs[i].result, jobs[i].digest, "blob from " + d.request.url);
        progress.finish(jobs[i].digest, "done");
    }
}

void RegistryClient::check_login() {
    HttpRequest req;
    req.url = base_;
    HttpResponse resp = request(req);
    if (resp.status == 401 || resp.status == 403)
        throw Error("logging in to " + registry_ + ": invalid username/password: GET " + req.url + ": " + describe_http_error(resp));
    if (resp.status >= 300 && resp.status != 404) fail("logging in to " + registry_, req, resp);
}

bool RegistryClient::blob_exists(const std::string& digest) {
    HttpRequest req;
    req.method = "HEAD";
    req.url = url(repository_ + "/blobs/" + digest);
    HttpResponse resp = request(req);
    if (resp.status == 200) return true;
    if (resp.status == 404) return false;
    fail("checking blob " + digest, req, resp);
}

bool RegistryClient::mount_blob(const std::string& digest, const std::string& from) {
    HttpRequest req;
    req.method = "POST";
    req.url = url(repository_ + "/blobs/uploads/?mount=" + url_escape(digest) + "&from=" + url_escape(from));
    req.follow_redirects = false;
    HttpResponse resp = request(req);
    if (resp.status == 201) return true;
    // 202: the registry started an upload instead; abandon it (we upload in our own session).
    if (resp.status == 202) {
        if (std::string loc = resp.header("location"); !loc.empty()) {
            HttpRequest del;
            del.method = "DELETE";
            del.url = str::starts_with(loc, "http") ? loc : base_.substr(0, base_.find("/v2/")) + loc;
            try {
                request(del, false);
            } catch (const Error&) {
            }
        }
    }
    return false;
}

void RegistryClient::upload_blob(const std::string& digest, const std::string& path) {
    HttpRequest start;
    start.method = "POST";
    start.url = url(repository_ + "/blobs/uploads/");
    start.follow_redirects = false;
    HttpResponse resp = request(start);
    if (resp.status != 202) fail("starting the upload of blob " + digest, start, resp);
    std::string loc = resp.header("location");
    if (loc.empty()) throw Error("starting the upload of blob " + digest + ": the registry gave no upload location");
    if (!str::starts_with(loc, "http")) loc = base_.substr(0, base_.find("/v2/")) + loc;
    HttpRequest put;
    put.method = "PUT";
    put.url = loc + (loc.find('?') == std::string::npos ? "?" : "&") + "digest=" + url_escape(digest);
    put.upload_path = path;
    put.headers.push_back("Content-Type: application/octet-stream");
    HttpResponse done = request(put, false);
    if (done.status != 201) fail("uploading blob " + digest, put, done);
}

void RegistryClient::put_manifest(const std::string& ref, const std::string& text, const std::string& media_type) {
    HttpRequest req;
    req.method = "PUT";
    req.url = url(repository_ + "/manifests/" + ref);
    req.body = text;
    req.headers.push_back("Content-Type: " + media_type);
    HttpResponse resp = request(req);
    if (resp.status != 201 && resp.status != 200) fail("writing manifest " + ref, req, resp);
}

}  // namespace pc::image
