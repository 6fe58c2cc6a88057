// Manifests and indexes from a registry or an archive (image/manifest): malformed documents
// are refused with pc::Error naming the document; nothing else escapes. Accepted ones have
// checked digests.
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "storage/digest.hpp"

using namespace pc::image;

namespace {

void check_digest(const std::string& d) {
    FUZZ_CHECK(d.size() == 71 && d.compare(0, 7, "sha256:") == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(pcfuzz::as_text(data, size));
    (void)document_media_type(text);
    try {
        ImageManifest m = parse_manifest(text, "fuzz manifest");
        check_digest(m.config.digest);
        for (const auto& l : m.layers) {
            check_digest(l.digest);
            FUZZ_CHECK(media::is_layer(l.media_type));
        }
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz manifest") != std::string::npos);
    }
    try {
        std::vector<Descriptor> index = parse_index(text, "fuzz index");
        for (const auto& d : index) check_digest(d.digest);
        try {
            const Descriptor& chosen = select_platform(index, host_platform(), "fuzz index");
            FUZZ_CHECK(chosen.platform.has_value());
        } catch (const pc::Error&) {
        }
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz index") != std::string::npos);
    }
    // A platform string is user input (--platform): the first line of the document.
    try {
        Platform p = parse_platform(text.substr(0, text.find('\n')));
        FUZZ_CHECK(!p.os.empty() && !p.architecture.empty());
    } catch (const pc::Error&) {
    }
    return 0;
}
