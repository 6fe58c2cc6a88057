#include "imagebuild/remote_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "image/http.hpp"
#include "storage/digest.hpp"

namespace pc::build {

namespace {

// "Wed, 21 Oct 2015 07:28:00 GMT" -> unix seconds (0 when absent or malformed).
int64_t http_date(const std::string& text) {
    struct tm tm {};
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
    if (!end) return 0;
    return static_cast<int64_t>(::timegm(&tm));
}

std::string url_file_name(const std::string& url) {
    std::string path = url.substr(url.find("://") + 3);
    auto slash = path.find('/');
    path = slash == std::string::npos ? "" : path.substr(slash);
    path = path.substr(0, path.find_first_of("?#"));
    std::string name = path.substr(path.rfind('/') + 1);
    return name.empty() ? "index.html" : name;
}

}  // namespace

CopyItem download_source(const std::string& url, const std::string& dir, const std::string& checksum,
                         const std::string& what) {
    const std::string path = dir + "/" + storage::sha256_hex(url).substr(0, 16) + "-download";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) throw Error::sys("creating " + path);
    image::HttpClient http(image::TlsOptions{});
    storage::Sha256 hash;
    uint64_t size = 0;
    std::vector<image::Download> downloads(1);
    downloads[0].request.url = url;
    downloads[0].sink = [&](const char* data, size_t len) {
        if (!write_all(fd.get(), data, len)) throw Error::sys("writing " + path);
        hash.update(data, len);
        size += len;
    };
    http.download_all(downloads, 1);
    const auto& d = downloads[0];
    if (!d.curl_error.empty()) throw Error(what + ": downloading " + url + ": " + d.curl_error);
    if (d.status < 200 || d.status >= 300)
        throw Error(what + ": downloading " + url + ": HTTP status " + std::to_string(d.status));
    fd.reset();
    const std::string hex = hash.hex();
    if (!checksum.empty() && checksum != "sha256:" + hex)
        throw Error(what + ": " + url + ": checksum mismatch: expected " + checksum + ", the download has sha256:" + hex);
    int64_t mtime = 0;
    try {
        image::HttpRequest head;
        head.method = "HEAD";
        head.url = url;
        mtime = http_date(http.send(head, 0).header("last-modified"));
    } catch (const Error&) {
        // no time then, as when the server sends none
    }
    CopyItem it;
    it.name = url_file_name(url);
    CopyEntry e;
    e.kind = CopyEntry::Kind::HostFile;
    e.src = path;
    e.mode = 0600;
    e.size = size;
    e.mtime = mtime;
    e.hash = hex;
    it.entries.push_back(e);
    return it;
}

}  // namespace pc::build
