// registries.conf (image/registries_conf, toml++): any text is read or refused with an error
// that names the file; what is read resolves short names and pull sources without failing
// in any other way.
// libFuzzer dictionary: toml.dict
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"

using namespace pc::image;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    RegistriesConf conf;
    try {
        parse_registries_conf(std::string(pcfuzz::as_text(data, size)), "fuzz.conf", conf, size % 2 == 1);
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).rfind("fuzz.conf", 0) == 0);
        return 0;
    }
    for (const auto& e : conf.registries) FUZZ_CHECK(!e.prefix.empty());
    for (const char* name : {"busybox", "busybox:1.36", "ns/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"}) {
        try {
            for (const auto& c : resolve_short_name(name, conf)) {
                try {
                    for (const auto& src : pull_sources(parse_qualified(c), conf)) FUZZ_CHECK(!src.ref.registry.empty());
                } catch (const pc::Error&) {
                }
            }
        } catch (const pc::Error&) {
        }
    }
    for (const auto& e : conf.registries) {
        try {
            for (const auto& src : pull_sources(parse_qualified(e.prefix + "/x:1"), conf)) FUZZ_CHECK(!src.ref.repository.empty());
        } catch (const pc::Error&) {
        }
        (void)conf.insecure(e.prefix);
    }
    return 0;
}
