// compose-go's interpolation table (114 cases) and volume short-syntax table (47 cases),
// tests/fixtures/compose/compose-go/tables, as parameterized tests of pc's substitution and
// volume parser.
#include <gtest/gtest.h>

#include "compose/interpolation.hpp"
#include "compose/short_syntax.hpp"
#include "compose/yaml_reader.hpp"
#include "compose_test_util.hpp"
#include "common/error.hpp"

namespace {

using namespace pc::compose;

Node table(const std::string& name) {
    std::string path = pctest::compose_fixture("compose-go/tables/" + name);
    return parse_yaml(pctest::read_file_text(path), std::make_shared<const std::string>(path))[0].root;
}

EnvMap env_of(const Node* env) {
    EnvMap out;
    if (env && env->is_map())
        for (const auto& e : env->entries()) out[e.key] = e.value.scalar_text();
    return out;
}

struct InterpolationCase {
    std::string group;  // the Go test function (group)
    std::string test;
    Node input;
    std::optional<Node> output;
    std::string error_contains;
    std::string error_reason;
    std::string error_exact;
    std::string op;  // TestSubstitutionFunctionChoice
    int warnings = -1;
    EnvMap env;
    int index = 0;
};

void PrintTo(const InterpolationCase& c, std::ostream* os) { *os << c.group << " #" << c.index << " " << c.input.scalar_text(); }

std::vector<InterpolationCase> interpolation_cases() {
    std::vector<InterpolationCase> out;
    Node t = table("interpolation.yaml");
    int index = 0;
    for (const auto& g : t.find("groups")->items()) {
        std::string function = g.find_string("function") ? *g.find_string("function") : "";
        EnvMap env = env_of(g.find("env"));
        for (const auto& c : g.find("cases")->items()) {
            InterpolationCase ic;
            ic.group = function;
            if (const auto* s = c.find_string("test")) ic.test = *s;
            ic.input = *c.find("input");
            if (const Node* o = c.find("output")) ic.output = *o;
            if (const auto* s = c.find_string("error_contains")) ic.error_contains = *s;
            if (const auto* s = c.find_string("error_reason")) ic.error_reason = *s;
            if (const auto* s = c.find_string("error_exact")) ic.error_exact = *s;
            if (const auto* s = c.find_string("operator")) ic.op = *s;
            if (const Node* w = c.find("warnings")) ic.warnings = static_cast<int>(w->as_int());
            ic.env = env;
            ic.index = index++;
            out.push_back(std::move(ic));
        }
    }
    return out;
}

class ComposeInterpolation : public testing::TestWithParam<InterpolationCase> {};

Lookup lookup_in(const EnvMap& env) {
    return [&env](const std::string& k) -> std::optional<std::string> {
        auto it = env.find(k);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

// Which operator `${INPUT}` applies, told apart by its behaviour with VARNAME unset, empty
// and set.
std::string observed_operator(const std::string& inner, const std::string& op) {
    std::string rest = inner.substr(inner.find(op) + op.size());
    auto eval = [&](std::optional<std::string> value) -> std::string {
        EnvMap env;
        if (value) env["VARNAME"] = *value;
        try {
            return substitute("${" + inner + "}", lookup_in(env));
        } catch (const MissingRequired& e) {
            return "ERR:" + e.reason;
        }
    };
    std::string unset = eval(std::nullopt), empty = eval(""), set = eval("x");
    if (unset == "ERR:" + rest && empty == "ERR:" + rest && set == "x") return ":?";
    if (unset == "ERR:" + rest && empty.empty() && set == "x") return "?";
    if (unset == rest && empty == rest && set == "x") return ":-";
    if (unset == rest && empty.empty() && set == "x") return "-";
    if (unset.empty() && empty.empty() && set == rest) return ":+";
    if (unset.empty() && empty == rest && set == rest) return "+";
    return "unknown (unset=" + unset + ", empty=" + empty + ", set=" + set + ")";
}

TEST_P(ComposeInterpolation, AsComposeGo) {
    const InterpolationCase& c = GetParam();
    if (!c.op.empty()) {
        EXPECT_EQ(observed_operator(c.input.as_string(), c.op), c.op);
        return;
    }
    Lookup lookup = lookup_in(c.env);
    if (c.input.is_map()) {  // TestInterpolate: nested maps and lists
        Node tree = c.input;
        interpolate_tree(tree, lookup);
        EXPECT_EQ(tree, *c.output);
        return;
    }
    const std::string& input = c.input.as_string();
    if (!c.error_exact.empty()) {  // TestInvalidInterpolation, at servicea.image
        Node tree = Node::mapping();
        tree.set("servicea", Node::mapping()).set("image", Node::string(input));
        try {
            interpolate_tree(tree, lookup);
            FAIL() << "no error";
        } catch (const pc::Error& e) {
            EXPECT_EQ(std::string(e.what()), c.error_exact);
        }
        return;
    }
    if (!c.error_reason.empty()) {  // interpolation_test.go: the value of an environment entry
        Node tree = Node::mapping();
        tree.set("services", Node::mapping()).set("myservice", Node::mapping()).set("environment", Node::mapping())
            .set("TESTVAR", Node::string(input));
        try {
            interpolate_tree(tree, lookup);
            FAIL() << "no error";
        } catch (const pc::Error& e) {
            EXPECT_EQ(std::string(e.what()), "error while interpolating services.myservice.environment.TESTVAR: "
                                             "required variable FOO is missing a value: " + c.error_reason);
        }
        return;
    }
    int warnings = 0;
    SubstituteOptions opts;
    opts.on_unset = [&](const std::string&) { ++warnings; };
    if (!c.error_contains.empty()) {
        try {
            std::string got = substitute(input, lookup, opts);
            FAIL() << "no error, got " << got;
        } catch (const std::exception& e) {
            EXPECT_NE(std::string(e.what()).find(c.error_contains), std::string::npos) << e.what();
        }
        return;
    }
    EXPECT_EQ(substitute(input, lookup, opts), c.output->as_string());
    if (c.warnings >= 0) {
        EXPECT_EQ(warnings, c.warnings);
    }
}

INSTANTIATE_TEST_SUITE_P(ComposeGo, ComposeInterpolation, testing::ValuesIn(interpolation_cases()),
                         [](const testing::TestParamInfo<InterpolationCase>& info) { return "case" + std::to_string(info.param.index); });

TEST(ComposeInterpolationTable, Has114Cases) { EXPECT_EQ(interpolation_cases().size(), 114u); }

TEST(ComposeInterpolation, LazyRequiredMessageDoesNotWarn) {
    EnvMap env{{"A", "value"}};
    int warnings = 0;
    SubstituteOptions opts;
    opts.on_unset = [&](const std::string&) { ++warnings; };
    EXPECT_EQ(substitute("${A?${B}}", lookup_in(env), opts), "value");
    EXPECT_EQ(warnings, 0);
}

TEST(ComposeInterpolation, NestingIsBounded) {
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += "${A:-";
    deep += "x";
    for (int i = 0; i < 10000; ++i) deep += "}";
    EnvMap env;
    EXPECT_THROW(substitute(deep, lookup_in(env)), std::runtime_error);
    // Many templates one after the other on one line are not nesting.
    std::string flat;
    for (int i = 0; i < 2000; ++i) flat += "${A:-x}";
    EXPECT_EQ(substitute(flat, lookup_in(env)), std::string(2000, 'x'));
}

// ---- volumes -----------------------------------------------------------------------

struct VolumeCase {
    std::string input;
    std::optional<Node> expected;
    std::string error;
    int index = 0;
};

void PrintTo(const VolumeCase& c, std::ostream* os) { *os << "#" << c.index << " " << c.input; }

std::vector<VolumeCase> volume_cases() {
    std::vector<VolumeCase> out;
    int index = 0;
    Node t = table("volume-short-syntax.yaml");
    for (const auto& c : t.find("cases")->items()) {
        VolumeCase vc;
        vc.input = c.find("input")->scalar_text();
        if (const Node* e = c.find("expected")) vc.expected = *e;
        if (const auto* s = c.find_string("error")) vc.error = *s;
        vc.index = index++;
        out.push_back(vc);
    }
    return out;
}

class ComposeVolumeSpec : public testing::TestWithParam<VolumeCase> {};

TEST_P(ComposeVolumeSpec, ParsesAsComposeGo) {
    const VolumeCase& c = GetParam();
    if (!c.error.empty()) {
        try {
            parse_volume_spec(c.input, Mark{});
            FAIL() << "no error";
        } catch (const std::exception& e) {
            EXPECT_NE(std::string(e.what()).find(c.error), std::string::npos) << e.what();
        }
        return;
    }
    Node got = parse_volume_spec(c.input, Mark{});
    if (c.expected) {
        EXPECT_EQ(got, *c.expected);
    }
}

INSTANTIATE_TEST_SUITE_P(ComposeGo, ComposeVolumeSpec, testing::ValuesIn(volume_cases()),
                         [](const testing::TestParamInfo<VolumeCase>& info) { return "case" + std::to_string(info.param.index); });

TEST(ComposeVolumeTable, Has47Cases) { EXPECT_EQ(volume_cases().size(), 47u); }

}  // namespace
