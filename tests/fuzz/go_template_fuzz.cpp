// Go templates (cli/go_template): --format and inspect -f strings are typed by users and
// copied from scripts. Any text either fails to parse or renders (or fails to render) with
// pc::Error; no other exception, crash or runaway output. Input: the template text.
// libFuzzer dictionary: go_template.dict
#include <nlohmann/json.hpp>
#include <string>

#include "cli/go_template.hpp"
#include "common/error.hpp"
#include "fuzz_check.hpp"

using nlohmann::json;
using pc::cli::GoTemplate;

namespace {

const json& data() {
    static const json d = json::parse(R"({
      "Id": "3f2a", "Names": ["web", "db"], "Name": "web", "Labels": {"a": "b", "x.y": "z"},
      "State": {"Status": "running", "Pid": 42, "ExitCode": 0, "Running": true, "Health": null},
      "Config": {"Cmd": ["sh", "-c", "echo hi"], "Env": ["A=1", "B=2"], "Image": "busybox"},
      "Mounts": [{"Source": "/a", "Destination": "/x"}, {"Source": "/b", "Destination": "/y"}],
      "Size": 1234.5, "Neg": -3, "Big": 18446744073709551615, "Empty": [], "Obj": {}, "Str": "<a&b>"
    })");
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data_in, size_t size) {
    const std::string text(pcfuzz::as_text(data_in, size));
    for (bool raw : {false, true}) {
        try {
            GoTemplate t = raw ? GoTemplate::parse_raw(text, "fuzz") : GoTemplate::parse(text, "fuzz");
            (void)t.table_fields();
            std::string out = t.render(data());
            // Output is bounded by the template and the data (no width or repeat explosions).
            FUZZ_CHECK(out.size() <= 64 * 1024 * 1024);
        } catch (const pc::Error&) {
        }
    }
    (void)pc::cli::normalize_format(text);
    return 0;
}
