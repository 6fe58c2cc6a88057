#include "image/http.hpp"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"

namespace pc::image {

namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

using EasyPtr = std::unique_ptr<CURL, void (*)(CURL*)>;
using SlistPtr = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

// CA bundle: the system CAs plus the *.crt files of the cert dir (Podman's certs.d layout).
std::string ca_bundle(const std::string& cert_dir) {
    std::string out;
    for (const char* sys : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"})
        if (auto s = try_read_file(sys)) {
            out = *s;
            break;
        }
    if (DIR* d = ::opendir(cert_dir.c_str())) {
        while (struct dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (str::ends_with(n, ".crt"))
                if (auto s = try_read_file(cert_dir + "/" + n)) out += "\n" + *s;
        }
        ::closedir(d);
    }
    return out;
}

std::pair<std::string, std::string> client_pair(const std::string& cert_dir) {
    if (DIR* d = ::opendir(cert_dir.c_str())) {
        std::string cert;
        while (struct dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (str::ends_with(n, ".cert")) cert = cert_dir + "/" + n;
        }
        ::closedir(d);
        if (!cert.empty()) {
            std::string key = cert.substr(0, cert.size() - 5) + ".key";
            if (::access(key.c_str(), R_OK) == 0) return {cert, key};
        }
    }
    return {};
}

struct Transfer {
    HttpResponse* resp = nullptr;
    size_t max_body = 0;
    Download* dl = nullptr;
    uint64_t received = 0;
    bool failed_sink = false;
    std::string sink_error;
    UniqueFd upload;
    CURL* easy = nullptr;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (line.rfind("HTTP/", 0) == 0) {
        if (t->resp) t->resp->headers.clear();
    } else if (colon != std::string::npos && t->resp) {
        t->resp->headers[str::to_lower(str::trim(line.substr(0, colon)))] = str::trim(line.substr(colon + 1));
    }
    return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t len = size * n;
    if (t->dl) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300) {
            // Not a success (yet): keep a bounded copy for the error message.
            if (t->dl->error_body.size() < 65536) t->dl->error_body.append(data, std::min<size_t>(len, 65536));
            return len;
        }
        try {
            t->dl->sink(data, len);
        } catch (const std::exception& e) {
            t->failed_sink = true;
            t->sink_error = e.what();
            return 0;  // aborts the transfer
        }
        t->received += len;
        if (t->dl->on_progress) t->dl->on_progress(t->received);
        return len;
    }
    if (t->resp->body.size() + len > t->max_body) return 0;
    t->resp->body.append(data, len);
    return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    ssize_t r = ::read(t->upload.get(), buf, size * n);
    if (r < 0) return CURL_READFUNC_ABORT;
    return static_cast<size_t>(r);
}

}  // namespace

bool is_tls_error(const std::string& m) {
    return m.find("SSL") != std::string::npos || m.find("TLS") != std::string::npos ||
           m.find("certificate") != std::string::npos || m.find("wrong version number") != std::string::npos;
}

struct HttpClient::Impl {
    TlsOptions tls;
    std::string bundle;
    std::pair<std::string, std::string> client;

    void setup(CURL* c, const HttpRequest& req, Transfer& t, curl_slist* headers) {
        t.easy = c;
        curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "pc/" "0.1 (containers)");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        // URLs come from registries too (a bearer challenge's realm, redirects): never let
        // one make curl read a local file or speak another protocol.
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        // A stalled registry fails the transfer instead of hanging forever.
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
        if (!tls.verify) {
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (!bundle.empty()) {
            struct curl_blob blob {};
            blob.data = bundle.data();
            blob.len = bundle.size();
            blob.flags = CURL_BLOB_COPY;
            curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (!client.first.empty()) {
            curl_easy_setopt(c, CURLOPT_SSLCERT, client.first.c_str());
            curl_easy_setopt(c, CURLOPT_SSLKEY, client.second.c_str());
        }
        if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        else if (!req.upload_path.empty()) {
            t.upload.reset(::open(req.upload_path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!t.upload) throw Error::sys("opening " + req.upload_path);
            off_t size = ::lseek(t.upload.get(), 0, SEEK_END);
            ::lseek(t.upload.get(), 0, SEEK_SET);
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(c, CURLOPT_READDATA, &t);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
        } else if (req.method != "GET") {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        }
    }
};

HttpClient::HttpClient(TlsOptions tls) : impl_(std::make_unique<Impl>()) {
    static CurlGlobal global;
    impl_->tls = std::move(tls);
    if (!impl_->tls.cert_dir.empty()) {
        impl_->bundle = ca_bundle(impl_->tls.cert_dir);
        impl_->client = client_pair(impl_->tls.cert_dir);
    }
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& req, size_t max_body) {
    EasyPtr c(curl_easy_init(), curl_easy_cleanup);
    if (!c) throw Error("libcurl: cannot create a handle");
    HttpResponse resp;
    Transfer t;
    t.resp = &resp;
    t.max_body = max_body;
    curl_slist* raw = nullptr;
    for (const auto& h : req.headers) raw = curl_slist_append(raw, h.c_str());
    if (!req.upload_path.empty() || req.method == "PUT" || req.method == "POST") raw = curl_slist_append(raw, "Expect:");
    SlistPtr headers(raw, curl_slist_free_all);
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
    impl_->setup(c.get(), req, t, headers.get());
    CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) {
        std::string msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        if (rc == CURLE_WRITE_ERROR) msg = "response too large (more than " + std::to_string(max_body) + " bytes)";
        throw Error(req.method + " " + req.url + ": " + msg);
    }
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &resp.status);
    char* eff = nullptr;
    curl_easy_getinfo(c.get(), CURLINFO_EFFECTIVE_URL, &eff);
    if (eff) resp.effective_url = eff;
    return resp;
}

void HttpClient::download_all(std::vector<Download>& downloads, int parallel) {
    std::unique_ptr<CURLM, CURLMcode (*)(CURLM*)> multi(curl_multi_init(), curl_multi_cleanup);
    struct Active {
        EasyPtr easy{nullptr, curl_easy_cleanup};
        SlistPtr headers{nullptr, curl_slist_free_all};
        Transfer t;
        HttpResponse resp;
        char errbuf[CURL_ERROR_SIZE] = {};
        size_t index = 0;
    };
    std::vector<std::unique_ptr<Active>> active;
    size_t next = 0;
    auto start_one = [&] {
        auto a = std::make_unique<Active>();
        a->index = next;
        Download& d = downloads[next++];
        a->easy.reset(curl_easy_init());
        curl_slist* raw = nullptr;
        for (const auto& h : d.request.headers) raw = curl_slist_append(raw, h.c_str());
        a->headers.reset(raw);
        a->t.dl = &d;
        a->t.resp = &a->resp;
        curl_easy_setopt(a->easy.get(), CURLOPT_ERRORBUFFER, a->errbuf);
        impl_->setup(a->easy.get(), d.request, a->t, a->headers.get());
        // The status is known once headers are in; the body callback checks it per chunk.
        curl_easy_setopt(a->easy.get(), CURLOPT_PRIVATE, a.get());
        curl_multi_add_handle(multi.get(), a->easy.get());
        active.push_back(std::move(a));
    };
    while (next < downloads.size() && static_cast<int>(active.size()) < parallel) start_one();
    int running = 0;
    while (!active.empty()) {
        curl_multi_perform(multi.get(), &running);
        int msgs = 0;
        while (CURLMsg* m = curl_multi_info_read(multi.get(), &msgs)) {
            if (m->msg != CURLMSG_DONE) continue;
            Active* a = nullptr;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&a));
            Download& d = downloads[a->index];
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &d.status);
            if (m->data.result != CURLE_OK)
                d.curl_error = a->t.failed_sink ? a->t.sink_error : (a->errbuf[0] ? a->errbuf : curl_easy_strerror(m->data.result));
            curl_multi_remove_handle(multi.get(), m->easy_handle);
            active.erase(std::remove_if(active.begin(), active.end(), [&](auto& x) { return x.get() == a; }), active.end());
            if (next < downloads.size()) start_one();
        }
        if (!active.empty()) curl_multi_poll(multi.get(), nullptr, 0, 200, nullptr);
    }
}

}  // namespace pc::image
