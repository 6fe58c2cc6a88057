// Differential: the fast record decoder (container/record_json, from_json_text) claims to
// decode config.json and state.json exactly as the generic nlohmann path does, or to refuse
// (the caller then falls back). Whenever it accepts a text, nlohmann must accept it too and
// decode the same values.
#include <nlohmann/json.hpp>
#include <string>

#include "container/config.hpp"
#include "container/state.hpp"
#include "fuzz_check.hpp"

using nlohmann::json;
using namespace pc::container;

namespace {

template <typename Record>
void differential(std::string_view text) {
    Record fast;
    if (!from_json_text(text, fast)) return;  // refused: the fallback decides
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        std::fprintf(stderr, "fast decoder accepted what nlohmann rejects: %s\n", e.what());
        FUZZ_CHECK(!"fast decoder accepted invalid JSON");
    }
    Record slow;
    try {
        from_json(doc, slow);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fast decoder accepted what from_json refuses: %s\n", e.what());
        FUZZ_CHECK(!"fast decoder accepted a record from_json refuses");
    }
    if (json(fast) != json(slow))
        std::fprintf(stderr, "fast: %s\nslow: %s\n", json(fast).dump().c_str(), json(slow).dump().c_str());
    FUZZ_CHECK(json(fast) == json(slow));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text = pcfuzz::as_text(data, size);
    differential<ContainerConfig>(text);
    differential<ContainerState>(text);
    return 0;
}
