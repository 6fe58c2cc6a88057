// libFuzzer target over the compose loader (pc compose config's whole pipeline: YAML with
// merge keys, anchors and tags, interpolation, include / extends, merging, schema checks,
// canonical forms, normalization, decoding, printing), over the parsers it uses on their
// own (${...} substitution, .env and raw env files, port / volume / command short syntax).
// Expected failures are pc::Error (an invalid
// compose file) and the parsers' std::runtime_error; anything else (a crash, a sanitizer
// report, a std::logic_error, a timeout, excessive memory) is a bug. One more oracle: what
// loads prints the same after loading its own output again.
//
// Built by tests/fuzz/CMakeLists.txt (libFuzzer under clang, corpus replay under GCC);
// by hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild/generated ...
// see docs/architecture.md ("Fuzzing the compose loader").
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "common/log.hpp"
#include "compose/dotenv.hpp"
#include "compose/emit.hpp"
#include "compose/hash.hpp"
#include "compose/interpolation.hpp"
#include "compose/loader.hpp"
#include "compose/out_tree.hpp"
#include "compose/short_syntax.hpp"
#include "compose/yaml_reader.hpp"

namespace {

// A project directory with a few files that relative includes, extends, env_file and
// label_file in the input can name.
const std::string& fuzz_dir() {
    static const std::string dir = [] {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pc-compose-fuzz-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
        auto write = [&](const char* name, const char* text) { std::ofstream(tmpl + "/" + name) << text; };
        write("base.yml", "services:\n  base:\n    image: busybox\n    environment: [A=1]\n    volumes: [./d:/d]\n");
        write("other.yml", "services:\n  other:\n    image: busybox:${A:-1}\n");
        write(".env", "A=from-dotenv\nB=\"quoted ${A}\"\n");
        write("a.env", "X=1\nexport Y='two'\n");
        write("labels", "L=1\n");
        static std::string removed_at_exit = tmpl;
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(removed_at_exit, ec);
        });
        return tmpl;
    }();
    return dir;
}

pc::compose::Lookup fixed_lookup() {
    return [](const std::string& k) -> std::optional<std::string> {
        if (k == "A") return std::string("value");
        if (k == "EMPTY") return std::string();
        if (k == "NESTED") return std::string("${A}");
        return std::nullopt;
    };
}

// Projects that Docker Compose does not print in a form it loads back the same either:
// a `$` in a mapping key (keys are not interpolated, yet `config` doubles every `$` of its
// output) and an empty key (`environment: [""]` prints `"": null`, which the schema
// refuses).
bool unstable_key(const pc::compose::Out& o) {
    for (const auto& i : o.items)
        if (unstable_key(i)) return true;
    for (const auto& [k, v] : o.fields)
        if (k.empty() || k.find('$') != std::string::npos || unstable_key(v)) return true;
    return false;
}

void load_and_print(const std::string& text) {
    using namespace pc::compose;
    LoadOptions o;
    o.files = {"-"};
    o.read_stdin = [&text] { return text; };
    o.current_directory = fuzz_dir();
    o.os_environment = {{"HOME", fuzz_dir()}, {"A", "1"}, {"EMPTY", ""}, {"PATH", "/usr/bin"}};
    o.project_name = "fuzz";
    std::string first;
    try {
        Project p = load_project(o);
        first = escape_dollars(render_project(p, OutputFormat::Yaml));
        if (unstable_key(project_out(p, OutputFormat::Yaml))) first.clear();
        render_project(p, OutputFormat::Json);
        for (const auto& [name, s] : p.services) service_config_hash(s);
    } catch (const pc::Error&) {
        return;
    } catch (const std::runtime_error&) {
        return;
    }
    if (first.empty()) return;
    // Round trip: the printed project loads again and prints the same.
    o.read_stdin = [&first] { return first; };
    std::string again;
    try {
        again = escape_dollars(render_project(load_project(o), OutputFormat::Yaml));
    } catch (const pc::Error& e) {
        // Distinct items whose printed forms are the same (extra_hosts "a:1" and "a=1"):
        // the printed list breaks uniqueItems, in Docker Compose too.
        if (std::string(e.what()).find(" are equal") != std::string::npos) return;
        again = std::string("ERROR: ") + e.what();
    }
    if (again != first) {
        std::fprintf(stderr, "round trip changed the output:\n--- first\n%s\n--- again\n%s\n", first.c_str(), again.c_str());
        std::abort();
    }
}

void parsers(const std::string& text) {
    using namespace pc::compose;
    auto lookup = fixed_lookup();
    try {
        substitute(text, lookup);
    } catch (const std::runtime_error&) {
    }
    for (const char* format : {"", "raw"}) {
        try {
            EnvMap vars;
            parse_env_text(text, vars, lookup, format);
        } catch (const std::runtime_error&) {
        }
    }
    if (text.size() > 4096) return;  // the short syntaxes are one line of a compose file
    try {
        parse_port_spec(text, Mark{});
    } catch (const std::runtime_error&) {
    }
    try {
        parse_volume_spec(text, Mark{});
    } catch (const std::runtime_error&) {
    }
    try {
        split_command(text);
    } catch (const std::runtime_error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool quiet = [] {
        pc::log::set_level(pc::log::Level::Error);
        pc::log::set_sink([](pc::log::Level, const std::string&) {});
        return true;
    }();
    (void)quiet;
    std::string text(reinterpret_cast<const char*>(data), size);
    load_and_print(text);
    parsers(text);
    return 0;
}
