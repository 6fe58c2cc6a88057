// Registry pull/push against a real docker-registry (registry_fixture.hpp): plain HTTP, TLS
// with a self-signed CA, htpasswd basic auth with login/logout, the bearer token flow,
// manifest lists with platform selection, a registry serving wrong bytes, kill -9.
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "image_fixtures.hpp"
#include "registry_fixture.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class ImagesTransferRegistry : public PcTest {
 protected:
  std::string id_of(const std::string& ref) {
    Result r = pc({"image", "inspect", "--format", "{{.Id}}", ref});
    return r.ok() ? trim(r.out) : "";
  }
  // Loads the multi-layer test image as `name`.
  void load_test_image(const std::string& name) {
    std::string tar = make_test_archive(store().dir() + "/mk-" + random_suffix(), name, "gzip");
    ASSERT_PC_OK(pc({"load", "-i", tar}, {.timeout_s = 120}));
  }
};

// skopeo with an empty auth file of its own: without XDG_RUNTIME_DIR it would try
// /run/containers/UID/auth.json, which the test user cannot read.
Result skopeo(std::vector<std::string> args, RunOpts opts = {}) {
  static std::string authfile = [] {
    std::string d = make_temp_dir("pc-skopeo");
    write_file(d + "/auth.json", "{}");
    return d + "/auth.json";
  }();
  args.insert(args.begin() + 1, {"--authfile", authfile});
  args.insert(args.begin(), "skopeo");
  return run(args, opts);
}

#define REQUIRE_REGISTRY(reg) \
  if (!(reg).ok()) GTEST_SKIP() << "registry fixture: " << (reg).error()

}  // namespace

TEST_F(ImagesTransferRegistry, PushRmiPullRunPlainHttp) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  load_test_image("localhost/rt:1");
  const std::string id = id_of("localhost/rt:1");
  const std::string dest = reg.host() + "/ns/app:1";
  std::string digestfile = store().dir() + "/digest";
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "--digestfile", digestfile, "localhost/rt:1", dest}, {.timeout_s = 120}));
  // skopeo sees it
  Result sk = skopeo({"inspect", "--tls-verify=false", "docker://" + dest});
  ASSERT_PC_OK(sk);
  EXPECT_EQ(trim(read_file(digestfile)), json::parse(sk.out)["Digest"].get<std::string>());
  // second push: blobs already there
  EXPECT_PC_OK(pc({"push", "--tls-verify=false", "localhost/rt:1", dest}));
  ASSERT_PC_OK(pc({"rmi", "localhost/rt:1"}));
  Result pull = pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 120});
  ASSERT_PC_OK(pull);
  EXPECT_EQ(trim(pull.out), id) << pull;
  EXPECT_EQ(id_of(dest), id);
  Result d = pc({"image", "inspect", "--format", "{{.Digest}}", dest});
  EXPECT_EQ(trim(d.out), trim(read_file(digestfile)));
  Result rr = pc({"run", "--rm", dest, "sh", "-c", kCheckScript});
  EXPECT_EQ(trim(rr.out), kCheckExpected) << rr;
  // pull again: nothing to download, same image; pull by digest works too
  EXPECT_PC_OK(pc({"pull", "-q", "--tls-verify=false", dest}));
  EXPECT_PC_OK(pc({"pull", "--tls-verify=false", reg.host() + "/ns/app@" + trim(read_file(digestfile))}));
  // push to another repository of the same registry (blobs mounted or found)
  EXPECT_PC_OK(pc({"push", "--tls-verify=false", dest, reg.host() + "/other/copy:2"}));
  EXPECT_PC_OK(skopeo({"inspect", "--tls-verify=false", "docker://" + reg.host() + "/other/copy:2"}));
}

TEST_F(ImagesTransferRegistry, SkopeoSeededPullAndErrors) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  std::string tar = make_test_archive(store().dir() + "/sk", "example.com/seed:1", "none");
  std::vector<std::string> cp{"copy", "--quiet"};
  for (auto& f : reg.skopeo_dest_flags()) cp.push_back(f);
  cp.push_back("docker-archive:" + tar);
  cp.push_back("docker://" + reg.host() + "/seed/app:1");
  ASSERT_PC_OK(skopeo(cp, {.timeout_s = 120}));
  Result pull = pc({"pull", "--tls-verify=false", reg.host() + "/seed/app:1"}, {.timeout_s = 120});
  ASSERT_PC_OK(pull);
  Result run1 = pc({"run", "--rm", reg.host() + "/seed/app:1", "sh", "-c", kCheckScript});
  EXPECT_EQ(trim(run1.out), kCheckExpected) << run1;

  Result missing = pc({"pull", "--tls-verify=false", reg.host() + "/seed/app:nope"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(icontains(missing.err, "manifest unknown") && contains(missing.err, "404")) << missing;
  Result norepo = pc({"pull", "--tls-verify=false", reg.host() + "/does/not-exist:1"});
  EXPECT_EXIT_CODE(norepo, 125);
  Result tls = pc({"pull", reg.host() + "/seed/app:1"});
  EXPECT_EXIT_CODE(tls, 125);
  Result shortname = pc({"pull", "nosuchshortname"}, {.env = {{"REGISTRIES_CONFIG_PATH", "/dev/null"}}});
  EXPECT_EXIT_CODE(shortname, 125);
  EXPECT_TRUE(contains(shortname.err, "short-name")) << shortname;
}

TEST_F(ImagesTransferRegistry, ManifestListPlatformSelection) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  load_test_image("localhost/multi:1");
  const std::string amd = reg.host() + "/ml/app:amd64", arm = reg.host() + "/ml/app:arm64";
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", image(), amd}, {.timeout_s = 120}));
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "localhost/multi:1", arm}, {.timeout_s = 120}));
  auto raw = [&](const std::string& ref) { return skopeo({"inspect", "--raw", "--tls-verify=false", "docker://" + ref}).out; };
  std::string ma = raw(amd), mb = raw(arm);
  json list = {{"schemaVersion", 2},
               {"mediaType", "application/vnd.oci.image.index.v1+json"},
               {"manifests",
                {{{"mediaType", json::parse(ma).value("mediaType", "application/vnd.oci.image.manifest.v1+json")},
                  {"digest", "sha256:" + sha256_of(ma)}, {"size", ma.size()},
                  {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                 {{"mediaType", json::parse(mb).value("mediaType", "application/vnd.oci.image.manifest.v1+json")},
                  {"digest", "sha256:" + sha256_of(mb)}, {"size", mb.size()},
                  {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}}}}};
  write_file(store().dir() + "/list.json", list.dump());
  Result put = run({"curl", "-sf", "-X", "PUT", "-H", "Content-Type: application/vnd.oci.image.index.v1+json",
                    "--data-binary", "@" + store().dir() + "/list.json",
                    "http://" + reg.host() + "/v2/ml/app/manifests/multi"});
  ASSERT_PC_OK(put);
  const std::string busybox_id = id_of(image()), multi_id = id_of("localhost/multi:1");
  Result a = pc({"pull", "-q", "--tls-verify=false", reg.host() + "/ml/app:multi"});
  ASSERT_PC_OK(a);
  EXPECT_EQ(trim(a.out), busybox_id);
  Result b = pc({"pull", "-q", "--tls-verify=false", "--platform", "linux/arm64", reg.host() + "/ml/app:multi"});
  ASSERT_PC_OK(b);
  EXPECT_EQ(trim(b.out), multi_id);
  Result c = pc({"pull", "--tls-verify=false", "--platform", "linux/s390x", reg.host() + "/ml/app:multi"});
  EXPECT_EXIT_CODE(c, 125);
  EXPECT_TRUE(contains(c.err, "linux/s390x") && contains(c.err, "linux/arm64")) << c;
}

TEST_F(ImagesTransferRegistry, TlsSelfSignedNeedsCertDirOrNoVerify) {
  Registry reg(Registry::Mode::Tls);
  ASSERT_TRUE(reg.ok()) << reg.error();
  const std::string dest = reg.host() + "/tls/app:1";
  Result refused = pc({"push", image(), dest});
  EXPECT_EXIT_CODE(refused, 125);
  EXPECT_TRUE(icontains(refused.err, "certificate") || icontains(refused.err, "SSL")) << refused;
  EXPECT_TRUE(contains(refused.err, "--tls-verify=false")) << refused;
  ASSERT_PC_OK(pc({"push", "--cert-dir", reg.ca_dir(), image(), dest}, {.timeout_s = 120}));
  ASSERT_PC_OK(pc({"rmi", image()}));
  ASSERT_PC_OK(pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 120}));
  EXPECT_PC_OK(pc({"pull", "--cert-dir", reg.ca_dir(), dest}));
  EXPECT_PC_OK(pc({"run", "--rm", dest, "true"}));
}

TEST_F(ImagesTransferRegistry, BasicAuthLoginLogout) {
  Registry reg(Registry::Mode::Basic);
  ASSERT_TRUE(reg.ok()) << reg.error();
  const std::string authfile = store().dir() + "/auth.json";
  const std::string dest = reg.host() + "/priv/app:1";
  Result anon = pc({"push", "--tls-verify=false", "--authfile", authfile, image(), dest});
  EXPECT_EXIT_CODE(anon, 125);
  EXPECT_TRUE(contains(anon.err, "401")) << anon;
  Result bad = pc({"login", "--tls-verify=false", "--authfile", authfile, "-u", Registry::kUser, "-p", "wrong", reg.host()});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(icontains(bad.err, "invalid username/password")) << bad;
  Result login = pc({"login", "--tls-verify=false", "--authfile", authfile, "-u", Registry::kUser, "--password-stdin", reg.host()},
                    {.input = std::string(Registry::kPassword) + "\n"});
  ASSERT_PC_OK(login);
  EXPECT_TRUE(contains(login.out, "Login Succeeded")) << login;
  json auth = json::parse(read_file(authfile));
  EXPECT_TRUE(auth["auths"].contains(reg.host())) << auth.dump();
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "--authfile", authfile, image(), dest}, {.timeout_s = 120}));
  // REGISTRY_AUTH_FILE is honoured as well
  Store other({}, {{"REGISTRY_AUTH_FILE", authfile}});
  ASSERT_PC_OK(other.pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 120}));
  ASSERT_PC_OK(pc({"logout", "--authfile", authfile, reg.host()}));
  Result after = other.pc({"pull", "--tls-verify=false", dest});
  EXPECT_EXIT_CODE(after, 125);
  // ~/.docker/config.json is read as a fallback
  Store docker_home({}, {{"HOME", store().dir()}});
  run({"mkdir", "-p", store().dir() + "/.docker"});
  write_file(store().dir() + "/.docker/config.json",
             "{\"auths\":{\"" + reg.host() + "\":{\"auth\":\"" + trim(run({"base64", "-w0"}, {.input = std::string(Registry::kUser) + ":" + Registry::kPassword}).out) + "\"}}}");
  EXPECT_PC_OK(docker_home.pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 120}));
}

TEST_F(ImagesTransferRegistry, BearerTokenFlow) {
  Registry reg(Registry::Mode::Token);
  ASSERT_TRUE(reg.ok()) << reg.error();
  const std::string dest = reg.host() + "/tok/app:1";
  const std::string creds = std::string(Registry::kUser) + ":" + Registry::kPassword;
  Result bad = pc({"push", "--tls-verify=false", "--creds", std::string(Registry::kUser) + ":nope", image(), dest});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(icontains(bad.err, "incorrect username or password")) << bad;
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "--creds", creds, image(), dest}, {.timeout_s = 120}));
  ASSERT_PC_OK(pc({"rmi", image()}));
  // anonymous pull tokens are granted by this token server
  ASSERT_PC_OK(pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 120}));
  EXPECT_PC_OK(pc({"run", "--rm", dest, "true"}));
}

TEST_F(ImagesTransferRegistry, RegistryServingWrongBytesIsRefused) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  load_test_image("localhost/tam:1");
  const std::string dest = reg.host() + "/bad/app:1";
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "localhost/tam:1", dest}, {.timeout_s = 120}));
  // corrupt the last layer's blob in the registry's storage
  std::string m = skopeo({"inspect", "--raw", "--tls-verify=false", "docker://" + dest}).out;
  std::string layer = json::parse(m)["layers"].back()["digest"].get<std::string>().substr(7);
  // In this registry's storage only: other tests' registries come and go under /tmp.
  Result f = sh("f=$(find '" + reg.dir() + "' -path '*/blobs/sha256/" + layer.substr(0, 2) + "/" + layer +
                "/data' 2>/dev/null | head -1); "
                "[ -n \"$f\" ] && printf 'garbage' > \"$f\"");
  ASSERT_PC_OK(f);
  ASSERT_PC_OK(pc({"rmi", "localhost/tam:1"}));
  Result pull = pc({"pull", "--tls-verify=false", dest});
  EXPECT_EXIT_CODE(pull, 125);
  EXPECT_TRUE(icontains(pull.err, "digest")) << pull;
  EXPECT_EQ(id_of(dest), "");
}

// Killed at a known point: a proxy in front of the registry (tests/fixtures/hold_proxy.py)
// sends half of one layer and holds the rest, so pc is in the middle of downloading it
// (the other layers downloaded) when it is killed. The store must show no trace of the
// image, and the next pull must complete and clean what the killed one left.
TEST_F(ImagesTransferRegistry, KillDuringPullThenPullSucceeds) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  std::string tar = make_big_archive(store().dir() + "/big", "localhost/bigpull:1", 3, 16 << 20);
  ASSERT_PC_OK(pc({"load", "-i", tar}, {.timeout_s = 180}));
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "localhost/bigpull:1", reg.host() + "/big/app:1"}, {.timeout_s = 180}));
  ASSERT_PC_OK(pc({"rmi", "localhost/bigpull:1"}));
  const int port = free_port();
  Child proxy({"python3", source_dir() + "/tests/fixtures/hold_proxy.py", std::to_string(port), reg.host()});
  const std::string dest = "127.0.0.1:" + std::to_string(port) + "/big/app:1";
  ASSERT_TRUE(poll_until([&] { return run({"curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + std::to_string(port) + "/v2/"}).ok(); }, 20))
      << proxy.err();

  auto child = store().pc_async({"pull", "--tls-verify=false", dest});
  ASSERT_TRUE(proxy.wait_for_output("holding sha256:", 120)) << "the pull never reached a layer download: " << child->err();
  ASSERT_FALSE(child->exited()) << "pc must be waiting for the held layer" << child->out() << child->err();
  const pid_t killed = child->pid();
  child->signal_group(SIGKILL);
  Result k = child->wait(30);
  EXPECT_EQ(k.term_signal, SIGKILL) << k;

  // The store: no image, a valid index, no layer without its record.
  EXPECT_FALSE(contains(pc({"images", "-a"}).out, "big/app"));
  EXPECT_FALSE(nlohmann::json::parse(read_file(store().root() + "/images.json"), nullptr, false).is_discarded());
  const std::string dead = std::to_string(killed);
  auto leftovers = [&] {
    std::vector<std::string> out;
    for (const auto& e : list_tree(store().root() + "/tmp"))
      if (e.find('/') == std::string::npos) out.push_back("tmp/" + e);
    for (const auto& e : list_tree(store().root() + "/layers")) {
      if (e.find('/') != std::string::npos) continue;
      if (!path_exists(store().root() + "/layers/" + e + "/layer.json")) out.push_back("layers/" + e);
    }
    return out;
  };
  for (const auto& l : leftovers())
    EXPECT_TRUE(contains(l, "-" + dead + "-")) << l << ": only the killed pull's own temporary files may be left";

  // The next pull completes (the proxy passes everything through now) and cleans up.
  ASSERT_PC_OK(pc({"pull", "--tls-verify=false", dest}, {.timeout_s = 180}));
  EXPECT_PC_OK(pc({"run", "--rm", dest, "true"}));
  for (const auto& l : leftovers()) ADD_FAILURE() << "left after the next pull: " << l;
}

// registries.conf (docs/configuration.md): a short name found through the search list of a
// registry marked insecure (no --tls-verify flag needed), a registry reached through a
// mirror under its own name, a blocked one, and short-name-mode = "enforcing" without a
// terminal.
TEST_F(ImagesTransferRegistry, RegistriesConfSearchInsecureMirrorsAndBlocking) {
  Registry reg(Registry::Mode::Plain);
  ASSERT_TRUE(reg.ok()) << reg.error();
  load_test_image("localhost/regconf:1");
  ASSERT_PC_OK(pc({"push", "--tls-verify=false", "localhost/regconf:1", reg.host() + "/team/app:1"}, {.timeout_s = 120}));
  ASSERT_PC_OK(pc({"rmi", "localhost/regconf:1"}));
  const std::string dir = make_temp_dir("pc-regconf");
  write_file(dir + "/registries.conf",
             "unqualified-search-registries = [\"" + reg.host() + "\"]\n"
             "[[registry]]\nlocation = \"" + reg.host() + "\"\ninsecure = true\n"
             "[[registry]]\nprefix = \"registry.example.invalid/team\"\nlocation = \"registry.example.invalid/team\"\n"
             "[[registry.mirror]]\nlocation = \"" + reg.host() + "/team\"\ninsecure = true\n"
             "[[registry]]\nlocation = \"blocked.example.invalid\"\nblocked = true\n");
  RunOpts o;
  o.env["REGISTRIES_CONFIG_PATH"] = dir + "/registries.conf";
  o.env["XDG_CONFIG_HOME"] = dir;  // no drop-ins of the test user's
  o.timeout_s = 120;
  Result short_name = pc({"pull", "team/app:1"}, o);
  ASSERT_PC_OK(short_name);
  EXPECT_NE(id_of(reg.host() + "/team/app:1"), "");
  Result mirrored = pc({"pull", "registry.example.invalid/team/app:1"}, o);
  ASSERT_PC_OK(mirrored);
  EXPECT_NE(id_of("registry.example.invalid/team/app:1"), "") << "recorded under the name asked for";
  EXPECT_PC_OK(pc({"run", "--rm", "registry.example.invalid/team/app:1", "true"}));
  Result blocked = pc({"pull", "blocked.example.invalid/x:1"}, o);
  EXPECT_EXIT_CODE(blocked, 125);
  EXPECT_TRUE(contains(blocked.err, "blocked") && contains(blocked.err, dir + "/registries.conf")) << blocked;
  // Two candidates and no terminal: enforcing refuses to guess.
  write_file(dir + "/enforcing.conf", "unqualified-search-registries = [\"" + reg.host() +
                                          "\", \"other.example.invalid\"]\nshort-name-mode = \"enforcing\"\n");
  o.env["REGISTRIES_CONFIG_PATH"] = dir + "/enforcing.conf";
  Result enforced = pc({"pull", "team/app:1"}, o);
  EXPECT_EXIT_CODE(enforced, 125);
  EXPECT_TRUE(contains(enforced.err, "cannot prompt without a TTY")) << enforced;
  // A mistake in the file: its name and line.
  write_file(dir + "/broken.conf", "[[registry]]\nlocation = \"https://x.example\"\n");
  o.env["REGISTRIES_CONFIG_PATH"] = dir + "/broken.conf";
  Result broken = pc({"pull", "x.example/y:1"}, o);
  EXPECT_EXIT_CODE(broken, 125);
  EXPECT_TRUE(contains(broken.err, dir + "/broken.conf:2")) << broken;
  remove_tree(dir);
}
