// The text `config` prints, piece by piece: go-yaml's scalar quoting and key order, Go's
// float and duration formats, compose's duration and byte-size parsers, the service config
// hash. Every printed string must also read back as itself.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "common/units.hpp"
#include "compose/decode.hpp"
#include "compose/go_format.hpp"
#include "compose/hash.hpp"
#include "compose/out_tree.hpp"
#include "compose/yaml_reader.hpp"

namespace {

using namespace pc::compose;

std::string yaml_value(const std::string& s) {
    Out m = Out::map(false);
    m.add("k", Out::string(s));
    std::string text = write_yaml(m);
    return text.substr(3, text.size() - 4);  // after "k: ", without the final newline
}

struct Quoting {
    const char* value;
    const char* printed;
};

class ComposeYamlQuoting : public testing::TestWithParam<Quoting> {};

TEST_P(ComposeYamlQuoting, AsGoYamlPrintsIt) {
    const Quoting& q = GetParam();
    EXPECT_EQ(yaml_value(q.value), q.printed);
    // ... and it reads back as the same string.
    Out m = Out::map(false);
    m.add("k", Out::string(q.value));
    auto docs = parse_yaml(write_yaml(m), std::make_shared<const std::string>("t"));
    ASSERT_EQ(docs.size(), 1u);
    ASSERT_TRUE(docs[0].root.find("k")->is_string()) << write_yaml(m);
    EXPECT_EQ(docs[0].root.find("k")->as_string(), q.value);
}

const Quoting kQuoting[] = {
    {"abc", "abc"},
    {"", "\"\""},
    {"123", "\"123\""},
    {"1.5", "\"1.5\""},
    {"0440", "\"0440\""},
    {"1_000", "\"1_000\""},
    {"true", "\"true\""},
    {"yes", "\"yes\""},
    {"no", "\"no\""},
    {"off", "\"off\""},
    {"null", "\"null\""},
    {"~", "\"~\""},
    {"2024-01-15", "\"2024-01-15\""},
    {"2024-13-45", "2024-13-45"},
    {"12:30", "\"12:30\""},
    {"02:42:ac:11:65:43", "02:42:ac:11:65:43"},
    {"- a", "'- a'"},
    {"a: b", "'a: b'"},
    {"a:b", "a:b"},
    {"#x", "'#x'"},
    {"a #b", "'a #b'"},
    {"a#b", "a#b"},
    {"*x", "'*x'"},
    {"@x", "'@x'"},
    {"%x", "'%x'"},
    {"{a}", "'{a}'"},
    {"[a]", "'[a]'"},
    {"a,b", "a,b"},
    {"?", "'?'"},
    {"-", "'-'"},
    {" lead", "' lead'"},
    {"trail ", "'trail '"},
    {"it's", "it's"},
    {"'q'", "'''q'''"},
    {"a\tb", "\"a\\tb\""},
    {"http://x:80/y?z=1", "http://x:80/y?z=1"},
    {"line1\nline2", "|-\n  line1\n  line2"},
    {"line1\n", "|\n  line1"},
    {"a\n\n", "|+\n  a\n"},
    {" indented\nx\n", "|2\n   indented\n  x"},
    {"caf\xC3\xA9", "caf\xC3\xA9"},
    {"\xF0\x9F\x9A\x80", "\"\\U0001F680\""},
    {"\x01", "\"\\x01\""},
    {"echo \"hello world\"", "echo \"hello world\""},
};

INSTANTIATE_TEST_SUITE_P(GoYaml, ComposeYamlQuoting, testing::ValuesIn(kQuoting));

TEST(ComposeYamlWriter, KeysInGoYamlsNaturalOrder) {
    EXPECT_TRUE(yaml_key_less("a_b", "ab"));
    EXPECT_TRUE(yaml_key_less("A_B", "AB"));  // letters after other characters, unlike byte order
    EXPECT_TRUE(yaml_key_less("web2", "web10"));
    EXPECT_TRUE(yaml_key_less("ENV.WITH.DOT", "ENV_WITH_UNDERSCORE"));
    EXPECT_TRUE(yaml_key_less("a", "ab"));
    EXPECT_FALSE(yaml_key_less("b", "a"));
    Out m = Out::map(true);
    for (const char* k : {"web10", "web2", "db", "A_B", "AB"}) m.add(k, Out::integer(1));
    EXPECT_EQ(write_yaml(m), "A_B: 1\nAB: 1\ndb: 1\nweb2: 1\nweb10: 1\n");
}

TEST(ComposeYamlWriter, CollectionsAsGoYamlLaysThemOut) {
    Out root = Out::map(false);
    Out seq = Out::seq();
    Out item = Out::map(false);
    item.add("a", Out::integer(1));
    item.add("b", Out::seq());
    seq.items.push_back(item);
    Out inner = Out::seq();
    inner.items.push_back(Out::string("x"));
    seq.items.push_back(inner);
    seq.items.push_back(Out::map(false));
    seq.items.push_back(Out::null());
    root.add("list", seq);
    root.add("empty", Out::map(false));
    EXPECT_EQ(write_yaml(root), "list:\n  - a: 1\n    b: []\n  - - x\n  - {}\n  - null\nempty: {}\n");
    EXPECT_EQ(write_yaml(Out::map(false)), "{}\n");
}

TEST(ComposeJsonWriter, EncodingJsonsEscapesAndLayout) {
    Out root = Out::map(true);
    root.add("z", Out::string("<a&b>\n\xE2\x80\xA8\x01"));
    root.add("a", Out::seq());
    root.add("m", Out::map(false));
    root.add("f", Out::floating(1e21, 64));
    EXPECT_EQ(write_json(root, true),
              "{\n  \"a\": [],\n  \"f\": 1e+21,\n  \"m\": {},\n  \"z\": \"\\u003ca\\u0026b\\u003e\\n\\u2028\\u0001\"\n}");
    EXPECT_EQ(write_json(root, false), "{\"a\":[],\"f\":1e+21,\"m\":{},\"z\":\"\\u003ca\\u0026b\\u003e\\n\\u2028\\u0001\"}");
}

TEST(ComposeGoFormat, Floats) {
    EXPECT_EQ(go_format_float(0.001, 'g', 32), "0.001");
    EXPECT_EQ(go_format_float(0.3, 'g', 32), "0.3");
    EXPECT_EQ(go_format_float(1e6, 'g', 64), "1e+06");
    EXPECT_EQ(go_format_float(123456, 'g', 64), "123456");
    EXPECT_EQ(go_format_float(0.0001, 'g', 64), "0.0001");
    EXPECT_EQ(go_format_float(0.00001, 'g', 64), "1e-05");
    EXPECT_EQ(go_format_float(100, 'g', 64), "100");
    EXPECT_EQ(go_format_float(-2.5, 'g', 64), "-2.5");
    EXPECT_EQ(go_json_float(1e-7, 64), "1e-7");
    EXPECT_EQ(go_json_float(0.5, 32), "0.5");
    EXPECT_EQ(go_json_float(1e20, 64), "100000000000000000000");
}

TEST(ComposeGoFormat, Durations) {
    const int64_t s = 1000000000;
    EXPECT_EQ(go_duration_string(0), "0s");
    EXPECT_EQ(go_duration_string(90 * s), "1m30s");
    EXPECT_EQ(go_duration_string(3 * s / 2), "1.5s");
    EXPECT_EQ(go_duration_string(500000000), "500ms");
    EXPECT_EQ(go_duration_string(1500000), "1.5ms");
    EXPECT_EQ(go_duration_string(1500), "1.5\xC2\xB5s");
    EXPECT_EQ(go_duration_string(100), "100ns");
    EXPECT_EQ(go_duration_string(3600 * s), "1h0m0s");
    EXPECT_EQ(go_duration_string(86400 * s), "24h0m0s");
    EXPECT_EQ(go_duration_string(-2 * s), "-2s");
}

TEST(ComposeDecode, DurationsWithDaysAndWeeks) {
    // Compose durations are Go's plus d and w (compose-go's str2duration); elsewhere "1d" is an error.
    const int64_t s = 1000000000;
    const auto dw = pc::DurationUnits::DaysAndWeeks;
    EXPECT_EQ(pc::parse_duration_ns("1d", dw), 86400 * s);
    EXPECT_EQ(pc::parse_duration_ns("1w2d", dw), 9 * 86400 * s);
    EXPECT_EQ(pc::parse_duration_ns("1h30m", dw), 5400 * s);
    EXPECT_EQ(pc::parse_duration_ns("-1.5s", dw), -3 * s / 2);
    EXPECT_THROW(pc::parse_duration_ns("1d"), pc::Error);
    EXPECT_THROW(pc::parse_duration_ns("10", dw), pc::Error);
    EXPECT_THROW(pc::parse_duration_ns("99999999999999999999w", dw), pc::Error);
}

TEST(ComposeHash, DockerComposesServiceHash) {
    // The hash is sha256 of the service's compact JSON without build, pull_policy, scale,
    // deploy.replicas, depends_on and profiles.
    Service s;
    s.name = "web";
    s.image = "busybox";
    std::string h = service_config_hash(s);
    EXPECT_EQ(h.size(), 64u);
    // sha256 of {"command":null,"entrypoint":null,"image":"busybox"} in compose-go's order.
    EXPECT_EQ(h, "c6bf2897a7a19c4672d838a848c3c227565ae7a607a2d1b370eb248f091bff0a");
    Service scaled = s;
    scaled.scale = 4;
    scaled.profiles = {"x"};
    scaled.depends_on["db"] = ServiceDependency{};
    scaled.pull_policy = "always";
    EXPECT_EQ(service_config_hash(scaled), h);
    Service changed = s;
    changed.image = "busybox:musl";
    EXPECT_NE(service_config_hash(changed), h);
}

}  // namespace
