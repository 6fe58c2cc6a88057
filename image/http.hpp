// A small libcurl layer for the registry client: one request at a time with the response
// body kept in memory (manifests, tokens, errors: capped), uploads streamed from a file,
// and parallel blob downloads streamed to files (curl multi, driven from this thread: pc
// stays single-threaded because it clones user namespaces).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pc::image {

struct TlsOptions {
    bool verify = true;
    std::string cert_dir;  // *.crt CA files (added to the system CAs), *.cert/*.key client pair
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;                  // sent when upload_path is empty and method has a body
    std::string upload_path;           // a file streamed as the body (blob uploads)
    bool follow_redirects = true;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names; last value wins
    std::string effective_url;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

// A body that turns into a file: called for each chunk; throwing aborts the transfer.
using ChunkSink = std::function<void(const char*, size_t)>;

struct Download {
    HttpRequest request;
    ChunkSink sink;
    std::function<void(uint64_t)> on_progress;  // bytes so far
    // Filled in:
    long status = 0;
    std::string error_body;  // body of a non-2xx answer (capped)
    std::string curl_error;
};

class HttpClient {
public:
    explicit HttpClient(TlsOptions tls);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Throws pc::Error for transport failures (connection refused, TLS verification...),
    // naming the URL; HTTP errors are returned for the caller to interpret.
    HttpResponse send(const HttpRequest& req, size_t max_body = 8 * 1024 * 1024);
    // Runs the downloads with at most `parallel` at a time; transport errors are recorded in
    // each Download (curl_error), not thrown.
    void download_all(std::vector<Download>& downloads, int parallel);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True when a transport error (not an HTTP status) looks like "this is not TLS" or a TLS
// failure: the caller may retry over plain HTTP when TLS verification is off.
bool is_tls_error(const std::string& message);

}  // namespace pc::image
