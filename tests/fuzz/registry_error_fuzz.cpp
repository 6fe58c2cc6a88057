// A registry's error answers (image/registry_client describe_http_error): the body of a 4xx
// or 5xx is whatever the server sent; turning it into a message must not fail.
// Input: the first byte picks a status, the rest is the body.
#include <string>

#include "fuzz_check.hpp"
#include "image/http.hpp"
#include "image/registry_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const long statuses[] = {400, 401, 403, 404, 405, 429, 500, 502, 503, 418};
    pc::image::HttpResponse resp;
    resp.status = size ? statuses[data[0] % 10] : 404;
    resp.body = std::string(pcfuzz::as_text(data, size).substr(size ? 1 : 0));
    std::string message = pc::image::describe_http_error(resp);
    FUZZ_CHECK(message.rfind("HTTP " + std::to_string(resp.status), 0) == 0);
    return 0;
}
