// LazyLibrary: a shared library opened on first use instead of at program start.
//
// Why: `pc` is started for every container, and the dynamic loader's work grows with
// every library in the link (symbol lookups walk all of them). libcurl alone, with the
// ~30 libraries it pulls in (TLS, Kerberos, LDAP, IDN...), costs ~2.7 ms of each start,
// yet only pull/push/login use it; libarchive and libcrypto are only for image and copy
// work. Those libraries are therefore not linked; each has a file of forwarding
// functions with the library's own names and signatures (checked against its header),
// which open the library on first call. See PC_LAZY_FORWARD.
#pragma once

#include <mutex>
#include <string>

namespace pc::common {

class LazyLibrary {
public:
    // soname: what dlopen() gets, e.g. "libcurl.so.4"; purpose: what it is needed for,
    // for the error message when it is missing (e.g. "registry access").
    LazyLibrary(const char* soname, const char* purpose) noexcept
        : soname_(soname), purpose_(purpose) {}
    LazyLibrary(const LazyLibrary&) = delete;
    LazyLibrary& operator=(const LazyLibrary&) = delete;
    // Never dlclose()d: the library's own atexit handlers and thread-locals may still run.
    ~LazyLibrary() = default;

    // The address of `name` in the library, opening it first if needed. Throws pc::Error
    // naming the library when it cannot be opened or lacks the symbol.
    void* symbol(const char* name);

    // Opens the library now. Code that is about to enter another root (chroot, pivot_root,
    // a container's mount namespace) calls this for what its child will use: from there,
    // dlopen() would search the container's files.
    void load();

    // From now on in this process, opening a library throws instead (a forked child calls
    // it right after changing its root), so a missing load() is an error, never a library
    // loaded from a container's filesystem.
    static void forbid_opening();

    // symbol() cast to the type of the declaration the caller forwards to.
    template <class Fn>
    Fn function(const char* name) {
        return reinterpret_cast<Fn>(symbol(name));
    }

private:
    const char* soname_;
    const char* purpose_;
    std::once_flag opened_;
    void* handle_ = nullptr;
    std::string open_error_;
};

}  // namespace pc::common

// Defines the C function NAME with the library's signature (the compiler checks it against
// the header's declaration); it resolves the real NAME in LIB on its first call and then
// calls straight through. The forwarding functions are not exported from the executable,
// so the library's own calls never reach them.
#define PC_LAZY_FORWARD(LIB, RET, NAME, PARAMS, ARGS)                                 \
    extern "C" RET NAME PARAMS {                                                      \
        static const auto real = (LIB).function<decltype(&::NAME)>(#NAME);            \
        return real ARGS;                                                             \
    }
