// libcurl, opened on first use (see common/lazy_library.hpp for why): the functions pc
// calls, forwarded to the real library.
#include <curl/curl.h>

#include <cstdarg>

#include "common/lazy_library.hpp"

namespace {

pc::common::LazyLibrary& curl_library() {
    static pc::common::LazyLibrary library(PC_SONAME_CURL, "registry access");
    return library;
}

}  // namespace

PC_LAZY_FORWARD(curl_library(), CURLcode, curl_global_init, (long flags), (flags))
PC_LAZY_FORWARD(curl_library(), CURL*, curl_easy_init, (void), ())
PC_LAZY_FORWARD(curl_library(), CURLcode, curl_easy_perform, (CURL * curl), (curl))
PC_LAZY_FORWARD(curl_library(), void, curl_easy_cleanup, (CURL * curl), (curl))
PC_LAZY_FORWARD(curl_library(), const char*, curl_easy_strerror, (CURLcode code), (code))
PC_LAZY_FORWARD(curl_library(), struct curl_slist*, curl_slist_append,
                (struct curl_slist * list, const char* string), (list, string))
PC_LAZY_FORWARD(curl_library(), void, curl_slist_free_all, (struct curl_slist * list), (list))
PC_LAZY_FORWARD(curl_library(), CURLM*, curl_multi_init, (void), ())
PC_LAZY_FORWARD(curl_library(), CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))
PC_LAZY_FORWARD(curl_library(), CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL* easy),
                (multi, easy))
PC_LAZY_FORWARD(curl_library(), CURLMcode, curl_multi_remove_handle,
                (CURLM * multi, CURL* easy), (multi, easy))
PC_LAZY_FORWARD(curl_library(), CURLMcode, curl_multi_perform, (CURLM * multi, int* running),
                (multi, running))
PC_LAZY_FORWARD(curl_library(), CURLMcode, curl_multi_poll,
                (CURLM * multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds,
                 int timeout_ms, int* ret),
                (multi, extra_fds, extra_nfds, timeout_ms, ret))
PC_LAZY_FORWARD(curl_library(), CURLMsg*, curl_multi_info_read, (CURLM * multi, int* queued),
                (multi, queued))

// The two variadic calls take exactly one argument after the option, whose type the
// option's number encodes (curl.h: CURLOPTTYPE_* ranges, CURLINFO_* type bits); it is read
// with that type and passed on. va_start after an enum parameter is what curl's own
// definitions of these functions do (their signature is fixed by curl.h); clang warns about
// that (-Wvarargs: an enum is promoted), and the promotion is exactly what the callers do.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wvarargs"
#endif
extern "C" CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
    static const auto real = curl_library().function<decltype(&::curl_easy_setopt)>(
        "curl_easy_setopt");
    va_list args;
    va_start(args, option);  // NOLINT(clang-diagnostic-varargs): curl.h's signature
    CURLcode rc = CURLE_OK;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        rc = real(curl, option, va_arg(args, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        rc = real(curl, option, va_arg(args, void*));
    } else if (option < CURLOPTTYPE_OFF_T) {
        using AnyFunction = void (*)();
        rc = real(curl, option, va_arg(args, AnyFunction));
    } else if (option < CURLOPTTYPE_BLOB) {
        rc = real(curl, option, va_arg(args, curl_off_t));
    } else {
        rc = real(curl, option, va_arg(args, void*));
    }
    va_end(args);
    return rc;
}

extern "C" CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
    static const auto real = curl_library().function<decltype(&::curl_easy_getinfo)>(
        "curl_easy_getinfo");
    // Every CURLINFO_* type is returned through a pointer.
    va_list args;
    va_start(args, info);  // NOLINT(clang-diagnostic-varargs): curl.h's signature
    void* out = va_arg(args, void*);
    va_end(args);
    return real(curl, info, out);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
