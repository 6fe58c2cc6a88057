// --env-host, --http-proxy (Podman's default: the host's proxy variables are passed), and
// an XDG_RUNTIME_DIR that is set but unusable (a fallback with one warning, not an error).
#include "harness.hpp"

using namespace pcit;

namespace {

class HostEnv : public PcTest {
 protected:
  static Result env_with(const std::vector<std::string>& flags, std::map<std::string, std::string> host) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {image(), "env"});
    return pc(args, RunOpts{.env = std::move(host)});
  }
  static bool has_line(const Result& r, const std::string& line) {
    for (const auto& l : lines(r.out))
      if (l == line) return true;
    return false;
  }
};

const std::map<std::string, std::string> kHost = {{"http_proxy", "http://proxy.example:3128"},
                                                  {"HTTPS_PROXY", "http://proxy.example:3129"},
                                                  {"no_proxy", "localhost,.cluster"},
                                                  {"PC_IT_HOST_ONLY", "host-value"}};

}  // namespace

TEST_F(HostEnv, ProxyVariablesPassedByDefaultAndNothingElse) {
  Result r = env_with({}, kHost);
  ASSERT_PC_OK(r);
  EXPECT_TRUE(has_line(r, "http_proxy=http://proxy.example:3128")) << r;
  EXPECT_TRUE(has_line(r, "HTTPS_PROXY=http://proxy.example:3129")) << r;
  EXPECT_TRUE(has_line(r, "no_proxy=localhost,.cluster")) << r;
  EXPECT_FALSE(contains(r.out, "PC_IT_HOST_ONLY")) << r;
}

TEST_F(HostEnv, HttpProxyFalsePassesNone) {
  Result r = env_with({"--http-proxy=false"}, kHost);
  ASSERT_PC_OK(r);
  EXPECT_FALSE(contains(r.out, "proxy.example")) << r;
}

TEST_F(HostEnv, EnvHostCopiesTheHostEnvironmentBelowImageAndFlags) {
  Result r = env_with({"--env-host", "-e", "no_proxy=from-flag"}, kHost);
  ASSERT_PC_OK(r);
  EXPECT_TRUE(has_line(r, "PC_IT_HOST_ONLY=host-value")) << r;
  EXPECT_TRUE(has_line(r, "no_proxy=from-flag")) << r;  // -e wins
  EXPECT_TRUE(has_line(r, "container=podman")) << r;
}

TEST_F(HostEnv, UnusableXdgRuntimeDirFallsBackWithOneWarning) {
  for (const std::string xdg : {"/nonexistent/pc-it-xdg", "/"}) {
    // No --runroot: with one, XDG_RUNTIME_DIR is not consulted at all (and not warned about).
    Result r = run({pc_binary(), "--root", store().root(), "run", "--rm", image(), "echo", "ran"},
                   RunOpts{.env = {{"XDG_RUNTIME_DIR", xdg}}});
    ASSERT_PC_OK(r);
    EXPECT_EQ(trim(r.out), "ran");
    const std::string warning = "XDG_RUNTIME_DIR=" + xdg + " is not usable";
    const size_t first = r.err.find(warning);
    EXPECT_NE(first, std::string::npos) << r;
    EXPECT_EQ(r.err.find(warning, first + 1), std::string::npos) << "warned more than once: " << r;
  }
  // The run started a user-namespace holder in the fallback dir, not in the store's runroot
  // that the harness removes: stop it, so that the test leaves nothing running.
  EXPECT_PC_OK(run({pc_binary(), "--root", store().root(), "system", "migrate"},
                   RunOpts{.env = {{"XDG_RUNTIME_DIR", "/nonexistent/pc-it-xdg"}}}));
}
