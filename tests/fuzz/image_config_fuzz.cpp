// Image configs (image/image_config, image/layer_ingest) and --change instructions: what pc
// reads from an image's config blob must never throw anything but pc::Error, and written
// back it reads the same. Input: "CHANGE\nCONFIG-JSON".
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "image/image_config.hpp"
#include "image/layer_ingest.hpp"

using namespace pc::image;

namespace {

bool same(const RuntimeConfig& a, const RuntimeConfig& b) {
    return a.env == b.env && a.cmd == b.cmd && a.entrypoint == b.entrypoint && a.working_dir == b.working_dir &&
           a.user == b.user && a.labels == b.labels && a.stop_signal == b.stop_signal && a.volumes == b.volumes &&
           a.exposed_ports == b.exposed_ports && a.healthcheck == b.healthcheck;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [change, config_text] = pcfuzz::split_first(pcfuzz::as_text(data, size), '\n');
    const std::string text(config_text);
    try {
        (void)config_diff_ids(text, "fuzz config");
    } catch (const pc::Error&) {
    }
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) doc = nlohmann::json::object();
    RuntimeConfig rc = runtime_config_of(doc);
    ImageConfigFacts facts = image_config_facts(doc);  // what `pc image inspect` shows
    FUZZ_CHECK(facts.config.is_object() && facts.history.is_array());
    if (rc.healthcheck) {
        ImageHealthcheck h = healthcheck_of(*rc.healthcheck);
        FUZZ_CHECK(h.interval_ns >= 0 && h.timeout_ns >= 0 && h.start_period_ns >= 0);
    }
    if (doc.is_object()) {
        nlohmann::json written = doc;
        set_runtime_config(written, rc);
        FUZZ_CHECK(same(runtime_config_of(written), rc));
    }
    try {
        RuntimeConfig changed = rc;
        apply_change(changed, std::string(change));
        // VOLUME only adds words of its argument (or the strings of its JSON array form).
        std::string arg(change.substr(std::min(change.size(), change.find_first_of(" \t=") + 1)));
        nlohmann::json as_json = nlohmann::json::parse(arg, nullptr, false);
        for (const auto& v : changed.volumes) {
            if (std::find(rc.volumes.begin(), rc.volumes.end(), v) != rc.volumes.end()) continue;
            bool in_json = as_json.is_array() && std::find(as_json.begin(), as_json.end(), nlohmann::json(v)) != as_json.end();
            FUZZ_CHECK(in_json || change.find(v) != std::string_view::npos);
        }
    } catch (const pc::Error&) {
    }
    return 0;
}
