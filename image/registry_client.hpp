// Registry HTTP API v2 / OCI distribution client for one repository: the /v2/ ping that
// decides the scheme and the authentication challenge (anonymous, Basic, or Bearer tokens
// fetched from the realm the registry names and cached per scope), manifests, blob
// downloads streamed to staged files in parallel and verified, blob existence checks,
// cross-repository mounts, monolithic uploads streamed from a file, manifest uploads.
// Every HTTP error carries the URL, the status and the registry's own error message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/auth_file.hpp"
#include "image/http.hpp"
#include "image/progress.hpp"
#include "image/staging.hpp"

namespace pc::image {

struct RegistryOptions {
    TlsOptions tls;                      // tls.verify=false also allows plain HTTP
    std::string authfile;                // --authfile
    std::optional<Credentials> creds;    // --creds; else from the auth file
};

struct FetchedManifest {
    std::string text, media_type, digest;
};

struct BlobJob {
    std::string digest;
    uint64_t size = 0;
    StagedBlob result;  // filled in
};

class RegistryClient {
public:
    // `actions`: "pull" or "pull,push" (the token scope). Pings the registry.
    RegistryClient(std::string registry, std::string repository, RegistryOptions options, std::string actions);
    ~RegistryClient();

    const std::string& base_url() const { return base_; }
    // GET /v2/ with the credentials: throws "invalid username/password" when refused.
    void check_login();
    FetchedManifest get_manifest(const std::string& ref);
    std::string get_blob_small(const std::string& digest, const std::string& what);
    // Downloads in parallel into `staging`; every blob's digest is verified.
    void download_blobs(std::vector<BlobJob>& jobs, StagingDir& staging, Progress& progress, int parallel = 4);
    bool blob_exists(const std::string& digest);
    bool mount_blob(const std::string& digest, const std::string& from_repository);
    void upload_blob(const std::string& digest, const std::string& path);
    void put_manifest(const std::string& ref, const std::string& text, const std::string& media_type);

private:
    HttpResponse request(HttpRequest req, bool retry_auth = true);
    void ping();
    void authorize(const std::string& challenge);
    std::vector<std::string> auth_headers() const;
    std::string url(const std::string& path) const { return base_ + path; }
    [[noreturn]] void fail(const std::string& what, const HttpRequest& req, const HttpResponse& resp) const;

    std::string registry_, repository_, actions_;
    RegistryOptions options_;
    std::unique_ptr<HttpClient> http_;
    std::string base_;           // "https://host:port/v2/"
    std::string authorization_;  // "Authorization: ..." header or ""
    bool tried_auth_ = false;
};

// "HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown" from a response.
std::string describe_http_error(const HttpResponse& resp);

}  // namespace pc::image
