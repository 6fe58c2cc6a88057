// The Containerfile parser, the word lexer (substitution), instruction arguments and the
// stage plan: what the Dockerfile reference specifies, and errors that name FILE:LINE.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "imagebuild/copy.hpp"
#include "imagebuild/dockerfile.hpp"
#include "imagebuild/instructions.hpp"
#include "imagebuild/shell_lex.hpp"
#include "imagebuild/stages.hpp"

namespace {

using namespace pc::build;

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "";
}

VarLookup vars(std::map<std::string, std::string> m) {
    return [m](const std::string& n) -> std::optional<std::string> {
        auto it = m.find(n);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

TEST(BuildLexer, Substitution) {
    ShellLex lex;
    auto v = vars({{"a", "x"}, {"e", ""}, {"sp", "1 2"}, {"f", "file.tar.gz"}});
    struct Case {
        std::string in, out;
    };
    const std::vector<Case> cases = {
        {"$a", "x"},         {"${a}", "x"},           {"pre${a}post", "prexpost"}, {"$unset", ""},
        {"${e:-d}", "d"},    {"${e-d}", ""},          {"${unset-d}", "d"},         {"${a:-d}", "x"},
        {"${a:+w}", "w"},    {"${e:+w}", ""},         {"${e+w}", "w"},             {"${unset+w}", ""},
        {"'$a'", "$a"},      {"\"$a\"", "x"},         {"\\$a", "$a"},              {"\"\\$a\"", "$a"},
        {"a\\ b", "a b"},    {"\"q\\\"q\"", "q\"q"},  {"$", "$"},                  {"${a:-${e:-n}}", "x"},
        {"${unset:-${a}}", "x"}, {"${f%.gz}", "file.tar"}, {"${f%%.*}", "file"}, {"${f#*.}", "tar.gz"},
        {"${f##*.}", "gz"},  {"\"a'b\"", "a'b"},
    };
    for (const auto& c : cases) EXPECT_EQ(lex.process_word(c.in, v), c.out) << c.in;
    EXPECT_EQ(lex.process_words("$sp \"$sp\" 'x y'", v), (std::vector<std::string>{"1", "2", "1 2", "x y"}));
    EXPECT_NE(error_of([&] { lex.process_word("${unset:?is needed}", v); }).find("unset: is needed"), std::string::npos);
    EXPECT_NE(error_of([&] { lex.process_word("${e:?}", v); }).find("is not allowed to be empty"), std::string::npos);
    EXPECT_FALSE(error_of([&] { lex.process_word("'open", v); }).empty());
    EXPECT_FALSE(error_of([&] { lex.process_word("${a", v); }).empty());
    EXPECT_FALSE(error_of([&] { lex.process_word("${}", v); }).empty());
    EXPECT_TRUE(lex.referenced().count("unset"));
    ShellLex backtick('`');
    EXPECT_EQ(backtick.process_word("C:\\dir`$a", v), "C:\\dir$a");
}

TEST(BuildLexer, RawWordsAndReferences) {
    EXPECT_EQ(split_raw_words("a=1 b=\"two words\"  c='x y' d=e\\ f", '\\'),
              (std::vector<std::string>{"a=1", "b=\"two words\"", "c='x y'", "d=e\\ f"}));
    EXPECT_EQ(referenced_variables("echo $A ${B:-x} '$C' \\$D $1 $"), (std::set<std::string>{"A", "B"}));
    EXPECT_TRUE(glob_match("*.txt", "a.txt"));
    EXPECT_FALSE(glob_match("*.txt", "a.txt.gz"));
    EXPECT_TRUE(glob_match("[!a]x", "bx"));
    EXPECT_TRUE(glob_match("a?c*", "abcdef"));
}

TEST(BuildParser, ContinuationsCommentsAndOriginal) {
    const std::string text =
        "# syntax=docker/dockerfile:1\n"
        "FROM busybox AS build\n"
        "\n"
        "ENV A=1 \\\n"
        "# a comment inside\n"
        "    B=2\n"
        "  run echo hi   \n"
        "RUN [\"echo\", \"exec\"]\n"
        "CMD [not json\n";
    Dockerfile df = parse_dockerfile(text, "Containerfile");
    EXPECT_EQ(df.syntax, "docker/dockerfile:1");
    ASSERT_EQ(df.instructions.size(), 5u);
    EXPECT_EQ(df.instructions[0].keyword, "FROM");
    EXPECT_EQ(df.instructions[1].original, "ENV A=1     B=2");
    EXPECT_EQ(df.instructions[1].line, 4);
    EXPECT_EQ(df.instructions[1].end_line, 6);
    EXPECT_EQ(df.instructions[2].keyword, "RUN");
    EXPECT_EQ(df.instructions[2].args, "echo hi");
    EXPECT_EQ(df.instructions[2].original, "run echo hi");
    EXPECT_TRUE(df.instructions[3].json);
    EXPECT_EQ(df.instructions[3].json_args, (std::vector<std::string>{"echo", "exec"}));
    EXPECT_FALSE(df.instructions[4].json);  // not valid JSON: the shell form
}

TEST(BuildParser, EscapeDirective) {
    Dockerfile df = parse_dockerfile("# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo done\n", "f");
    EXPECT_EQ(df.escape, '`');
    ASSERT_EQ(df.instructions.size(), 2u);
    EXPECT_EQ(df.instructions[1].args, "dir c:\\   && echo done");
    EXPECT_NE(error_of([] { parse_dockerfile("# escape=x\nFROM a\n", "f"); }).find("f:1: invalid escape token"), std::string::npos);
    // A directive after an instruction is a comment.
    EXPECT_EQ(parse_dockerfile("FROM a\n# escape=`\nRUN a \\\n b\n", "f").instructions[1].args, "a  b");
}

TEST(BuildParser, Flags) {
    Dockerfile df = parse_dockerfile(
        "FROM --platform=linux/amd64 a\n"
        "RUN --mount=type=cache,target=/c --network=none echo\n"
        "COPY --from=build --chown=1:2 --exclude=*.o --exclude=*.a src/ /dst/\n"
        "COPY --link a b\n",
        "f");
    EXPECT_EQ(df.instructions[0].flag("platform").value_or(""), "linux/amd64");
    EXPECT_EQ(df.instructions[1].flag_values("mount"), (std::vector<std::string>{"type=cache,target=/c"}));
    EXPECT_EQ(df.instructions[1].flag("network").value_or(""), "none");
    EXPECT_EQ(df.instructions[1].args, "echo");
    EXPECT_EQ(df.instructions[2].flag_values("exclude"), (std::vector<std::string>{"*.o", "*.a"}));
    EXPECT_EQ(df.instructions[2].args, "src/ /dst/");
    EXPECT_TRUE(df.instructions[3].has_flag("link"));
    EXPECT_NE(error_of([] { parse_dockerfile("FROM a\nCOPY --bogus=1 a b\n", "Dockerfile"); }).find("Dockerfile:2: COPY: unknown flag: --bogus"),
              std::string::npos);
}

TEST(BuildParser, Heredocs) {
    Dockerfile df = parse_dockerfile(
        "FROM a\n"
        "RUN <<EOF\n"
        "echo $HOME\n"
        "EOF\n"
        "COPY <<-'END' /x\n"
        "\t\tliteral $X\n"
        "\tEND\n"
        "RUN cat <<A <<\"B\" > f\n"
        "one\n"
        "A\n"
        "two\n"
        "B\n"
        "CMD done\n",
        "f");
    ASSERT_EQ(df.instructions.size(), 5u);
    const auto& run = df.instructions[1];
    ASSERT_EQ(run.heredocs.size(), 1u);
    EXPECT_EQ(run.heredocs[0].name, "EOF");
    EXPECT_EQ(run.heredocs[0].content, "echo $HOME\n");
    EXPECT_TRUE(run.heredocs[0].expand);
    const auto& copy = df.instructions[2];
    ASSERT_EQ(copy.heredocs.size(), 1u);
    EXPECT_EQ(copy.heredocs[0].content, "literal $X\n");
    EXPECT_FALSE(copy.heredocs[0].expand);
    EXPECT_TRUE(copy.heredocs[0].strip_tabs);
    const auto& two = df.instructions[3];
    ASSERT_EQ(two.heredocs.size(), 2u);
    EXPECT_EQ(two.heredocs[0].content, "one\n");
    EXPECT_EQ(two.heredocs[1].content, "two\n");
    EXPECT_FALSE(two.heredocs[1].expand);
    EXPECT_EQ(df.instructions[4].line, 13);
    EXPECT_NE(error_of([] { parse_dockerfile("FROM a\nRUN <<EOF\necho hi\n", "Containerfile"); })
                  .find("Containerfile:2: unterminated here-document"),
              std::string::npos);
}

TEST(BuildParser, Errors) {
    EXPECT_NE(error_of([] { parse_dockerfile("FROM a\nFROBNICATE x\n", "Containerfile"); })
                  .find("Containerfile:2: unknown instruction: FROBNICATE"),
              std::string::npos);
    EXPECT_NE(error_of([] { parse_dockerfile("FROM a\nONBUILD ONBUILD RUN x\n", "f"); }).find("f:2: chaining ONBUILD"),
              std::string::npos);
    EXPECT_NE(error_of([] { plan_stages(parse_dockerfile("", "Containerfile"), "", {}); }).find("Containerfile: no instructions"),
              std::string::npos);
    EXPECT_NE(error_of([] { plan_stages(parse_dockerfile("# only a comment\n\n", "C"), "", {}); }).find("no instructions"),
              std::string::npos);
    EXPECT_NE(error_of([] { plan_stages(parse_dockerfile("RUN x\n", "C"), "", {}); }).find("C:1: RUN before the first FROM"),
              std::string::npos);
}

TEST(BuildStages, PlanAndTarget) {
    Dockerfile df = parse_dockerfile(
        "ARG BASE=busybox\n"
        "FROM $BASE AS One\n"
        "RUN a\n"
        "FROM busybox AS unused\n"
        "FROM one AS two\n"
        "COPY --from=0 /x /y\n"
        "FROM busybox\n"
        "RUN --mount=type=bind,from=two,target=/t b\n",
        "f");
    StagePlan p = plan_stages(df, "", {});
    ASSERT_EQ(p.stages.size(), 4u);
    EXPECT_EQ(p.stages[0].base, "busybox");
    EXPECT_EQ(p.stages[0].name, "one");
    EXPECT_EQ(p.target, 3u);
    EXPECT_TRUE(p.stages[0].needed);
    EXPECT_FALSE(p.stages[1].needed);
    EXPECT_TRUE(p.stages[2].needed);
    EXPECT_EQ(p.stages[2].needs, (std::set<size_t>{0}));
    EXPECT_EQ(plan_stages(df, "", {{"BASE", "alpine"}}).stages[0].base, "alpine");
    StagePlan t = plan_stages(df, "one", {});
    EXPECT_EQ(t.target, 0u);
    EXPECT_FALSE(t.stages[2].needed);
    EXPECT_NE(error_of([&] { plan_stages(df, "nope", {}); }).find("building target \"nope\""), std::string::npos);
    EXPECT_NE(error_of([] { plan_stages(parse_dockerfile("FROM a AS x\nFROM b AS x\n", "f"), "", {}); }).find("f:2: duplicate name"),
              std::string::npos);
}

TEST(BuildInstructions, Arguments) {
    ShellLex lex;
    auto v = vars({{"P", "8080"}, {"N", "name"}});
    auto ins = [](const std::string& line) { return parse_instruction_line(line, "f", 7); };
    EXPECT_EQ(parse_key_values(ins("ENV A=1 B=\"two words\" C=$N"), lex, v),
              (KeyValues{{"A", "1"}, {"B", "two words"}, {"C", "name"}}));
    EXPECT_EQ(parse_key_values(ins("ENV KEY value with  spaces"), lex, v), (KeyValues{{"KEY", "value with  spaces"}}));
    EXPECT_EQ(parse_key_values(ins("LABEL \"com.x\"=\"y z\""), lex, v), (KeyValues{{"com.x", "y z"}}));
    EXPECT_NE(error_of([&] { parse_key_values(ins("ENV A=1 B"), lex, v); }).find("f:7: Syntax error"), std::string::npos);
    EXPECT_EQ(parse_expose(ins("EXPOSE $P 53/UDP 8000-8002"), lex, v),
              (std::vector<std::string>{"8080/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"}));
    EXPECT_NE(error_of([&] { parse_expose(ins("EXPOSE abc"), lex, v); }).find("invalid containerPort"), std::string::npos);
    EXPECT_EQ(parse_volume(ins("VOLUME [\"/a\", \"/$N\"]"), lex, v), (std::vector<std::string>{"/a", "/name"}));
    EXPECT_EQ(parse_volume(ins("VOLUME /a /b"), lex, v), (std::vector<std::string>{"/a", "/b"}));
    EXPECT_EQ(command_of(ins("CMD echo $HOME"), {"/bin/sh", "-c"}), (std::vector<std::string>{"/bin/sh", "-c", "echo $HOME"}));
    EXPECT_EQ(command_of(ins("CMD [\"a\", \"b\"]"), {"/bin/sh", "-c"}), (std::vector<std::string>{"a", "b"}));
    auto h = parse_healthcheck(ins("HEALTHCHECK --interval=5s --retries=2 CMD [\"true\"]"), {});
    EXPECT_EQ(h.dump(), R"({"Interval":5000000000,"Retries":2,"Test":["CMD","true"]})");
    EXPECT_EQ(parse_healthcheck(ins("HEALTHCHECK CMD curl -f x"), {})["Test"].dump(), R"(["CMD-SHELL","curl -f x"])");
    EXPECT_EQ(parse_healthcheck(ins("HEALTHCHECK NONE"), {}).dump(), R"({"Test":["NONE"]})");
    EXPECT_NE(error_of([&] { parse_healthcheck(ins("HEALTHCHECK --interval=1ns CMD x"), {}); }).find("less than 1ms"), std::string::npos);
    auto copy = parse_copy_args(ins("COPY a \"b c\" /$N/"), lex, v);
    EXPECT_EQ(copy.sources, (std::vector<std::string>{"a", "b c"}));
    EXPECT_EQ(copy.dest, "/name/");
    EXPECT_EQ(copy.dest_raw, "/$N/");
    EXPECT_NE(error_of([&] { parse_copy_args(ins("COPY only"), lex, v); }).find("requires at least two arguments"), std::string::npos);
}

TEST(BuildInstructions, RunMounts) {
    RunMount c = parse_run_mount("type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0700,uid=1000", "f:3");
    EXPECT_EQ(c.type, "cache");
    EXPECT_EQ(c.id, "pip");
    EXPECT_EQ(c.sharing, "locked");
    EXPECT_EQ(*c.mode, 0700u);
    EXPECT_EQ(*c.uid, 1000u);
    EXPECT_FALSE(c.readonly);
    RunMount b = parse_run_mount("type=bind,source=src,target=/s", "f:3");
    EXPECT_TRUE(b.readonly);
    EXPECT_FALSE(parse_run_mount("type=bind,src=x,dst=/s,rw", "f:3").readonly);
    RunMount s = parse_run_mount("type=secret,id=tok", "f:3");
    EXPECT_EQ(s.target, "/run/secrets/tok");
    EXPECT_NE(error_of([] { parse_run_mount("type=bogus,target=/x", "f:3"); }).find("f:3: RUN --mount=type=bogus"), std::string::npos);
    EXPECT_NE(error_of([] { parse_run_mount("type=cache", "f:3"); }).find("target= is required"), std::string::npos);
    EXPECT_NE(error_of([] { parse_run_mount("type=bind,target=/x,color=red", "f:3"); }).find("unknown option"), std::string::npos);
}

TEST(BuildCopy, DigestCoversContentAndModeNotTime) {
    auto item = [](const std::string& content, mode_t mode, int64_t mtime) {
        CopyItem it;
        it.name = "f";
        CopyEntry e;
        e.kind = CopyEntry::Kind::Inline;
        e.content = content;
        e.mode = mode;
        e.mtime = mtime;
        it.entries.push_back(e);
        return std::vector<CopyItem>{it};
    };
    const ContentDigest base = digest_items(item("x", 0644, 1));
    EXPECT_EQ(base.summary, "file:" + base.hex);
    EXPECT_EQ(digest_items(item("x", 0644, 99)).hex, base.hex);
    EXPECT_NE(digest_items(item("y", 0644, 1)).hex, base.hex);
    EXPECT_NE(digest_items(item("x", 0600, 1)).hex, base.hex);
    auto two = item("x", 0644, 1);
    two.push_back(two.front());
    EXPECT_EQ(digest_items(two).summary.substr(0, 6), "multi:");
    EXPECT_EQ(parse_chmod("755"), 0755u);
    EXPECT_EQ(parse_chmod("0640"), 0640u);
    EXPECT_THROW(parse_chmod("u+x"), pc::Error);
    EXPECT_THROW(parse_chmod("8"), pc::Error);
}

}  // namespace
