// compose-go's 40 loader cases (tests/fixtures/compose/compose-go/cases/index.yaml): each
// run loads the case's files with the options and environment the upstream test used and
// compares the result with expected.yaml in the case's match mode (partial: the listed keys;
// exact: the listed subtrees as a whole; error: loading fails with the expected message).
// Each loaded project must also print the same after loading its own output again.
#include <gtest/gtest.h>

#include <sstream>

#include "common/error.hpp"
#include "compose/emit.hpp"
#include "compose/loader.hpp"
#include "compose/yaml_reader.hpp"
#include "compose_test_util.hpp"

namespace {

using namespace pc::compose;

struct CaseRun {
    std::string name;
    std::string dir;
    std::vector<std::string> files;
    std::string project_name;
    std::vector<std::string> profiles;
    std::string env_file;
    std::string expected;
    std::string expected_error;
    std::string match;
    std::vector<std::string> must_be_absent;
    int index = 0;
};

Node parse_file(const std::string& path) {
    auto docs = parse_yaml(pctest::read_file_text(path), std::make_shared<const std::string>(path));
    return docs.empty() ? Node::mapping() : docs[0].root;
}

std::vector<std::string> strings_of(const Node* n) {
    std::vector<std::string> out;
    if (n && n->is_seq())
        for (const auto& i : n->items()) out.push_back(i.scalar_text());
    return out;
}

std::vector<CaseRun> all_runs() {
    std::string base = pctest::compose_fixture("compose-go/cases");
    Node index = parse_file(base + "/index.yaml");
    std::vector<CaseRun> runs;
    for (const auto& c : index.find("cases")->items()) {
        int i = 0;
        for (const auto& r : c.find("runs")->items()) {
            CaseRun run;
            run.name = *c.find_string("name");
            run.dir = base + "/" + run.name;
            run.files = strings_of(r.find("compose_files"));
            if (const auto* p = r.find_string("project_name")) run.project_name = *p;
            run.profiles = strings_of(r.find("profiles"));
            if (const auto* e = r.find_string("env_file")) run.env_file = *e;
            if (const auto* e = r.find_string("expected")) run.expected = *e;
            if (const auto* e = r.find_string("expect_error_file")) run.expected_error = *e;
            run.match = *r.find_string("match");
            run.must_be_absent = strings_of(r.find("must_be_absent"));
            run.index = i++;
            runs.push_back(run);
        }
    }
    return runs;
}

// The options the upstream test used, from the case's README.
LoadOptions options_for(const CaseRun& run) {
    EnvMap env;
    if (!run.env_file.empty()) {
        Lookup none = [](const std::string&) { return std::optional<std::string>(); };
        parse_env_text(pctest::read_file_text(run.dir + "/" + run.env_file), env, none);
    }
    LoadOptions o = pctest::options_in(run.dir, run.files, env);
    o.project_name = run.project_name;
    o.profiles = run.profiles;
    o.all_resources = true;
    o.discard_env_files = false;
    std::string readme = pctest::read_file_text(run.dir + "/README");
    if (readme.find("SkipNormalization=true") != std::string::npos) o.normalize = false;
    if (readme.find("SkipConsistencyCheck=true") != std::string::npos) o.consistency = false;
    if (readme.find("ResolvePaths=false") != std::string::npos) o.resolve_paths = false;
    return o;
}

// What pc omits as a default value, put back so that expectations written with it match.
void add_defaults(Node& n, const Path& p) {
    if (n.is_map()) {
        if (p.matches("services.*.volumes.[].bind") && !n.has("create_host_path"))
            n.set("create_host_path", Node::boolean(true));
        if (p.matches("services.*.env_file.[]") && !n.has("required")) n.set("required", Node::boolean(true));
        for (auto& e : n.entries()) add_defaults(e.value, p.next(e.key));
    } else if (n.is_seq()) {
        for (size_t i = 0; i < n.items().size(); ++i) add_defaults(n.items()[i], p.item(i));
    }
}

bool empty_value(const Node& n) { return (n.is_map() || n.is_seq()) && n.size() == 0; }

// extra_hosts as the mapping HOST: [IPs] that compose-go's model holds.
Node hosts_as_mapping(const Node& list) {
    Node m = Node::mapping();
    for (const auto& item : list.items()) {
        std::string s = item.scalar_text();
        size_t eq = s.find('=');
        Node* ips = m.find(s.substr(0, eq));
        if (!ips) ips = &m.set(s.substr(0, eq), Node::sequence());
        ips->push_back(Node::string(s.substr(eq + 1)));
    }
    return m;
}

std::string g_case_dir;

void compare(const Node& want, const Node& got_in, bool exact, const Path& p, std::vector<std::string>& errors) {
    Node converted;
    const Node* got_ptr = &got_in;
    if (want.is_map() && got_in.is_seq() && !p.empty() && p.last() == "extra_hosts") {
        converted = hosts_as_mapping(got_in);
        got_ptr = &converted;
    }
    const Node& got = *got_ptr;
    if (want.is_map()) {
        if (!exact && want.size() == 0) return;  // `{}`: present, content not asserted
        if (!got.is_map()) {
            if (empty_value(want) && (got.is_null() || empty_value(got))) return;
            errors.push_back(p.str() + ": expected a mapping, got " + got.scalar_text());
            return;
        }
        for (const auto& e : want.entries()) {
            const Node* g = got.find(e.key);
            if (!g) {
                if (empty_value(e.value)) continue;
                errors.push_back(p.next(e.key).str() + ": missing");
                continue;
            }
            compare(e.value, *g, exact, p.next(e.key), errors);
        }
        // Exact: the subtrees below a service or a resource as a whole (the upstream tests
        // deep-compared those; a service's other attributes were not always compared).
        if (exact && p.size() >= 3)
            for (const auto& e : got.entries())
                if (!want.has(e.key) && !empty_value(e.value)) errors.push_back(p.next(e.key).str() + ": not expected");
        return;
    }
    if (want.is_seq()) {
        if (!got.is_seq()) {
            if (want.size() == 0 && (got.is_null() || empty_value(got))) return;
            errors.push_back(p.str() + ": expected a list");
            return;
        }
        if (want.size() != got.size()) {
            errors.push_back(p.str() + ": " + std::to_string(got.size()) + " items, expected " + std::to_string(want.size()));
            return;
        }
        for (size_t i = 0; i < want.size(); ++i) compare(want.items()[i], got.items()[i], exact, p.item(i), errors);
        return;
    }
    if (want.is_null()) {
        if (!got.is_null()) errors.push_back(p.str() + ": expected null, got " + got.scalar_text());
        return;
    }
    // A path the upstream test saw relative to its (empty) working directory.
    if (want.is_string() && !want.as_string().empty() && want.as_string()[0] != '/' &&
        got.scalar_text() == g_case_dir + "/" + want.as_string())
        return;
    if (want.scalar_text() != got.scalar_text())
        errors.push_back(p.str() + ": expected " + want.scalar_text() + ", got " + got.scalar_text());
}

void PrintTo(const CaseRun& run, std::ostream* os) { *os << run.name << " #" << run.index; }

class ComposeCase : public testing::TestWithParam<CaseRun> {};

TEST_P(ComposeCase, MatchesComposeGo) {
    const CaseRun& run = GetParam();
    LoadOptions o = options_for(run);
    if (run.match == "error") {
        std::string want = pctest::read_file_text(run.dir + "/" + run.expected_error);
        while (!want.empty() && want.back() == '\n') want.pop_back();
        try {
            load_project(o);
            FAIL() << run.name << ": loaded, expected the error: " << want;
        } catch (const pc::Error& e) {
            EXPECT_EQ(e.exit_code(), 1);
            EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
            // The message names the place in the file.
            EXPECT_NE(std::string(e.what()).find(run.dir + "/compose.yaml:"), std::string::npos) << e.what();
        }
        return;
    }
    Project p = load_project(o);
    std::string yaml = render_project(p, OutputFormat::Yaml);
    Node got = parse_yaml(yaml, std::make_shared<const std::string>("output"))[0].root;
    add_defaults(got, Path{});
    std::string text = pctest::replace_all(pctest::read_file_text(run.dir + "/" + run.expected), "{{CASE_DIR}}", run.dir);
    Node want = parse_yaml(text, std::make_shared<const std::string>(run.expected))[0].root;
    std::vector<std::string> errors;
    g_case_dir = run.dir;
    compare(want, got, run.match == "exact", Path{}, errors);
    for (const auto& absent : run.must_be_absent) {
        const Node* at = &got;
        std::stringstream ss(absent);
        std::string part;
        while (at && std::getline(ss, part, '.')) at = at->find(part);
        if (at) errors.push_back(absent + ": present, expected absent");
    }
    EXPECT_TRUE(errors.empty()) << run.name << ":\n  " << [&] {
        std::string all;
        for (const auto& e : errors) all += e + "\n  ";
        return all;
    }() << "output:\n" << yaml;

    // Round trip: the output loads again to the same output.
    pctest::TempDir tmp;
    LoadOptions again = o;
    again.files = {tmp.write("compose.yaml", yaml)};
    again.current_directory = run.dir;
    again.project_directory = run.dir;
    again.project_name = p.name;
    EXPECT_EQ(pctest::config_yaml(again), yaml) << run.name;
}

std::string run_name(const testing::TestParamInfo<CaseRun>& info) {
    std::string n = info.param.name + "_" + std::to_string(info.param.index);
    for (auto& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(ComposeGo, ComposeCase, testing::ValuesIn(all_runs()), run_name);

TEST(ComposeCases, IndexHasEveryCase) { EXPECT_GE(all_runs().size(), 40u); }

}  // namespace
