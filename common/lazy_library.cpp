#include "common/lazy_library.hpp"

#include <dlfcn.h>

#include "common/error.hpp"

namespace pc::common {

namespace {
// Per process; set in children after fork, never reset.
bool opening_forbidden = false;
}  // namespace

void LazyLibrary::forbid_opening() { opening_forbidden = true; }

void LazyLibrary::load() {
    std::call_once(opened_, [this] {
        if (opening_forbidden) {
            open_error_ = "libraries cannot be opened after entering a container's root";
            return;
        }
        // RTLD_LOCAL: the library's symbols must not satisfy anyone else's lookups.
        handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
        if (handle_ == nullptr) {
            const char* why = ::dlerror();
            open_error_ = why != nullptr ? why : "unknown error";
        }
    });
    if (handle_ == nullptr) {
        throw Error(std::string("cannot load ") + soname_ + ", which " + purpose_ +
                    " needs: " + open_error_);
    }
}

void* LazyLibrary::symbol(const char* name) {
    load();
    ::dlerror();
    void* address = ::dlsym(handle_, name);
    if (address == nullptr) {
        const char* why = ::dlerror();
        throw Error(std::string(soname_) + " has no " + name + ": " +
                    (why != nullptr ? why : "symbol is null"));
    }
    return address;
}

}  // namespace pc::common
