// storage.conf (storage/storage_conf, through common/toml_config): any text is read or
// refused with an error naming the file; every additional image store read is an absolute
// path without a trailing slash (pc joins paths under it).
// libFuzzer dictionary: toml.dict
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "storage/storage_conf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(pcfuzz::as_text(data, size));
    try {
        for (const auto& store : pc::storage::parse_additional_image_stores(text, "fuzz-storage.conf")) {
            FUZZ_CHECK(!store.empty() && store.front() == '/');
            FUZZ_CHECK(store == "/" || store.back() != '/');
        }
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).starts_with("fuzz-storage.conf"));
    }
    return 0;
}
