// -v/--volume and --tmpfs values (container/mount_options), also what compose `volumes:` entries
// become: accepted values have an absolute destination and a source of their kind.
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "container/mount_options.hpp"
#include "storage/volumes.hpp"

using namespace pc;

namespace {

void check(const container::MountConfig& m) {
    FUZZ_CHECK(!m.destination.empty() && m.destination[0] == '/');
    if (m.type == "bind") FUZZ_CHECK(!m.source.empty() && m.source[0] == '/');
    else if (m.type == "volume") FUZZ_CHECK(m.anonymous ? m.source.empty() : storage::valid_volume_name(m.source));
    else FUZZ_CHECK(m.type == "tmpfs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string value(pcfuzz::as_text(data, size));
    try {
        check(container::parse_volume_flag(value));
    } catch (const Error&) {
    }
    try {
        container::MountConfig m = container::parse_tmpfs_flag(value);
        check(m);
        FUZZ_CHECK(m.type == "tmpfs");
    } catch (const Error&) {
    }
    return 0;
}
