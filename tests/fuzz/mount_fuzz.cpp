// --mount values (container/mount_options): "type=bind,source=/a,target=/b,readonly"... Accepted
// values have an absolute destination and a source of their kind.
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "container/mount_options.hpp"
#include "storage/volumes.hpp"

using namespace pc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        container::MountConfig m = container::parse_mount_flag(std::string(pcfuzz::as_text(data, size)));
        FUZZ_CHECK(!m.destination.empty() && m.destination[0] == '/');
        if (m.type == "bind") FUZZ_CHECK(!m.source.empty() && m.source[0] == '/');
        else if (m.type == "volume") FUZZ_CHECK(m.source.empty() || storage::valid_volume_name(m.source));
        else FUZZ_CHECK(m.type == "tmpfs");
    } catch (const Error&) {
    }
    return 0;
}
