// containers.conf (common/containers_conf, toml++): any text is read or refused with an
// error naming the file; values read are of the documented forms.
// libFuzzer dictionary: toml.dict
#include <map>
#include <string>

#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    pc::ContainersConf conf;
    std::map<std::string, bool> append;
    const std::string text(pcfuzz::as_text(data, size));
    try {
        pc::parse_containers_conf(text, "fuzz.conf", conf, append);
        // A second file on top (drop-ins, {append=true} carried over).
        pc::parse_containers_conf(text, "fuzz2.conf", conf, append);
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz") == 0);
        return 0;
    }
    FUZZ_CHECK(pc::parse_umask(conf.umask).has_value());
    FUZZ_CHECK(conf.log_size_max < 0 || conf.log_size_max >= 8192);
    FUZZ_CHECK(conf.pids_limit >= 0);
    for (const auto& [key, where] : conf.origin) FUZZ_CHECK(where.find("fuzz") == 0);
    return 0;
}
