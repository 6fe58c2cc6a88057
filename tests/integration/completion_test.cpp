// Shell completion as users get it: the scripts `pc completion bash|zsh|fish` print, loaded
// into the real shells run non-interactively, completing commands, flags, flag values and
// the names in a store (containers, images, volumes). The scripts call `pc`, found on PATH
// as the shells would find it.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "harness.hpp"

using namespace pcit;

namespace {

class Completion : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    bin_ = make_temp_dir("pc-comp-bin");
    ASSERT_EQ(::symlink(pc_binary().c_str(), (bin_ + "/pc").c_str()), 0);
    for (const char* shell : {"bash", "zsh", "fish"}) {
      Result r = run({pc_binary(), "completion", shell});
      ASSERT_PC_OK(r);
      write_file(bin_ + "/pc." + shell, r.out);
    }
  }
  void TearDown() override {
    remove_tree(bin_);
    PcTest::TearDown();
  }
  // The global flags that select this test's store, as a user would type them.
  std::string globals() const { return "--root " + store().root() + " --runroot " + store().runroot(); }
  RunOpts opts() const {
    RunOpts o;
    o.env["PATH"] = bin_ + ":/usr/bin:/bin";
    o.timeout_s = 60;
    return o;
  }
  // COMPREPLY of the bash function registered for pc, for the words of `line` (the last
  // word is the one being completed; a trailing space starts a new one).
  std::vector<std::string> bash(const std::string& line) {
    // As readline splits: at blanks, and '=' and ':' (COMP_WORDBREAKS) become words of
    // their own.
    std::string script = "source " + bin_ + "/pc.bash\n"
                         "line=$(sed 's/\\([=:]\\)/ \\1 /g' <<<'" + line + "')\n"
                         "read -r -a COMP_WORDS <<<\"$line\"\n"
                         "[[ '" + line + "' == *[\\ =:] ]] && COMP_WORDS+=('')\n"
                         "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                         "fn=$(complete -p pc | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n"
                         "$fn pc \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                         "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Result r = run({"bash", "--norc", "--noprofile", "-c", script}, opts());
    EXPECT_PC_OK(r);
    return lines(r.out);
  }
  // What the zsh function hands compadd (the candidates), in a batch zsh with compadd and
  // compdef captured (they need the line editor otherwise).
  std::vector<std::string> zsh(const std::string& line) {
    std::string script = "compdef() { :; }\n"
                         "compadd() { local a; while (( $# )); do if [[ $1 == -a ]]; then shift; print -l -- \"${(@P)1}\"; fi; "
                         "[[ $1 == -S && $2 == '' ]] && print NOSPACE; shift; done; }\n"
                         "_files() { print FILES; }\n"
                         "source " + bin_ + "/pc.zsh\n"
                         "words=(${=1}); [[ $1 == *' ' ]] && words+=('')\n"
                         "CURRENT=${#words}\n"
                         "_pc\n";
    Result r = run({"zsh", "-f", "-c", script, "zsh", line}, opts());
    EXPECT_PC_OK(r);
    return lines(r.out);
  }
  // fish's own completion of a command line (complete -C), values without descriptions.
  std::vector<std::string> fish(const std::string& line) {
    Result r = run({"fish", "--no-config", "-c", "source " + bin_ + "/pc.fish; complete -C '" + line + "'"}, opts());
    EXPECT_PC_OK(r);
    std::vector<std::string> out;
    for (const auto& l : lines(r.out)) out.push_back(l.substr(0, l.find('\t')));
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  static std::string show(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "[" + x + "] ";
    return s;
  }
  std::string bin_;
};

}  // namespace

TEST_F(Completion, BashCommandsFlagsValuesAndNames) {
  ASSERT_PC_OK(pc({"create", "--name", "web-one", image(), "true"}));
  ASSERT_PC_OK(pc({"volume", "create", "data-vol"}));
  Result reg = run({"bash", "--norc", "-c", "source " + bin_ + "/pc.bash; complete -p pc"}, opts());
  EXPECT_TRUE(contains(reg.out, "-F _pc")) << reg;

  auto v = bash("pc ru");
  EXPECT_TRUE(has(v, "run")) << show(v);
  v = bash("pc container l");
  EXPECT_TRUE(has(v, "ls")) << show(v);
  v = bash("pc run --pu");
  EXPECT_TRUE(has(v, "--publish") && has(v, "--pull")) << show(v);
  v = bash("pc " + globals() + " start ");
  EXPECT_EQ(v, std::vector<std::string>{"web-one"}) << show(v);
  v = bash("pc " + globals() + " run ");
  EXPECT_TRUE(has(v, "localhost/busybox:latest") && has(v, "busybox:latest")) << show(v);
  v = bash("pc " + globals() + " volume rm ");
  EXPECT_EQ(v, std::vector<std::string>{"data-vol"}) << show(v);
  v = bash("pc run --network ");
  EXPECT_TRUE(has(v, "slirp4netns") && has(v, "host") && has(v, "none")) << show(v);
  // readline replaces only what follows '=' and ':' (bash splits words there).
  v = bash("pc " + globals() + " run --network=container:w");
  EXPECT_EQ(v, std::vector<std::string>{"web-one"}) << show(v);
  v = bash("pc ps --format {{.Na");
  EXPECT_TRUE(has(v, "{{.Names}}")) << show(v);
  v = bash("pc run --restart ");
  EXPECT_EQ(v, (std::vector<std::string>{"no", "on-failure", "always", "unless-stopped"})) << show(v);
}

TEST_F(Completion, ZshCommandsFlagsAndNames) {
  ASSERT_PC_OK(pc({"create", "--name", "zsh-ctr", image(), "true"}));
  auto v = zsh("pc ru");
  EXPECT_TRUE(has(v, "run")) << show(v);
  v = zsh("pc " + globals() + " rm ");
  EXPECT_TRUE(has(v, "zsh-ctr")) << show(v);
  v = zsh("pc run --cap-add NET_");
  EXPECT_TRUE(has(v, "NET_ADMIN") && has(v, "NET_RAW")) << show(v);
  v = zsh("pc run --network container");
  EXPECT_TRUE(has(v, "container:") && has(v, "NOSPACE")) << show(v);
  v = zsh("pc cp /tm");  // a host path: zsh's own file completion
  EXPECT_TRUE(has(v, "FILES")) << show(v);
}

TEST_F(Completion, FishCommandsFlagsAndNames) {
  ASSERT_PC_OK(pc({"volume", "create", "fish-vol"}));
  auto v = fish("pc ru");
  EXPECT_TRUE(has(v, "run")) << show(v);
  v = fish("pc volume ");
  EXPECT_TRUE(has(v, "create") && has(v, "rm") && has(v, "ls")) << show(v);
  v = fish("pc " + globals() + " volume inspect ");
  EXPECT_TRUE(has(v, "fish-vol")) << show(v);
  v = fish("pc --log-level=");
  EXPECT_TRUE(has(v, "--log-level=debug") || has(v, "debug")) << show(v);
  v = fish("pc images --");
  EXPECT_TRUE(has(v, "--format") && has(v, "--all")) << show(v);
}

TEST_F(Completion, CompletionFileFlagAndUnknownShell) {
  std::string dir = make_temp_dir("pc-comp-file");
  Result r = run({pc_binary(), "completion", "-f", dir + "/pc.bash", "bash"});
  EXPECT_PC_OK(r);
  EXPECT_TRUE(contains(read_file(dir + "/pc.bash"), "complete -F _pc pc"));
  Result bad = run({pc_binary(), "completion", "powershell"});
  EXPECT_EQ(bad.exit_code, 125) << bad;
  EXPECT_TRUE(contains(bad.err, "unsupported shell")) << bad;
  remove_tree(dir);
}

// `pc help CMD` is `pc CMD --help`, and the man page generated at build time says the same:
// every flag of the help, with its description, is in the page as man renders it.
TEST(HelpAndMan, HelpMatchesCommandHelpAndManPage) {
  for (const std::vector<std::string>& path : {std::vector<std::string>{"run"}, {"container", "ls"}, {"volume", "create"}}) {
    std::vector<std::string> help_argv{pc_binary(), "help"}, flag_argv{pc_binary()};
    help_argv.insert(help_argv.end(), path.begin(), path.end());
    flag_argv.insert(flag_argv.end(), path.begin(), path.end());
    flag_argv.push_back("--help");
    Result help = run(help_argv), flag = run(flag_argv);
    ASSERT_PC_OK(help);
    ASSERT_PC_OK(flag);
    EXPECT_EQ(help.out, flag.out);
    std::string page = pc_binary().substr(0, pc_binary().rfind('/')) + "/generated/man/pc";
    for (const auto& p : path) page += "-" + p;
    page += ".1.gz";
    ASSERT_TRUE(path_exists(page)) << page;
    Result man = run({"man", "-l", "-P", "cat", page}, {.env = {{"MANWIDTH", "400"}, {"LANG", "C"}}});
    ASSERT_PC_OK(man);
    size_t flags = 0;
    for (const auto& line : lines(help.out)) {
      std::string t = trim(line);
      if (t.rfind("--", 0) != 0 && (t.size() < 2 || t[0] != '-' || t[1] == '-')) continue;
      std::string names = t.substr(0, t.find(' '));
      std::string longest = names.substr(names.rfind("--") == std::string::npos ? 0 : names.rfind("--"));
      longest = longest.substr(0, longest.find('{'));  // "--tls-verify{true}": the page names the flag
      std::string desc = trim(t.substr(t.find("  ") == std::string::npos ? t.size() : t.find("  ")));
      EXPECT_TRUE(contains(man.out, longest)) << longest << " missing from " << page;
      if (!desc.empty()) {
        EXPECT_TRUE(contains(man.out, desc.substr(0, 30))) << desc << " missing from " << page;
      }
      ++flags;
    }
    EXPECT_GT(flags, 0u) << help.out;
  }
  Result unknown = run({pc_binary(), "help", "no-such-command"});
  EXPECT_EQ(unknown.exit_code, 125) << unknown;
}
