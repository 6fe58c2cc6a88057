// containers.conf as Podman users have it (docs/configuration.md): its defaults apply to new
// containers, the command line's flags win over them, a broken file is an error that names
// the file and line and leaves nothing behind, and `pc info` lists the files read. Also
// --tz and --umask, which it can set.
#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class ContainersConf : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    dir_ = make_temp_dir("pc-conf");
  }
  void TearDown() override {
    remove_tree(dir_);
    PcTest::TearDown();
  }
  // Options for a pc that reads only `text` as its containers.conf.
  RunOpts with_conf(const std::string& text, const std::string& name = "containers.conf") {
    write_file(dir_ + "/" + name, text);
    RunOpts o;
    o.env["CONTAINERS_CONF"] = dir_ + "/" + name;
    return o;
  }
  std::string dir_;
};

std::string field(const std::string& status, const std::string& key) {
  for (const auto& l : lines(status))
    if (l.rfind(key + ":", 0) == 0) return trim(l.substr(key.size() + 1));
  return "";
}

}  // namespace

TEST_F(ContainersConf, DefaultsApplyToNewContainers) {
  RunOpts conf = with_conf(R"([containers]
env = ["FROM_CONF=yes", "SHARED=conf"]
dns_servers = ["192.0.2.53"]
dns_searches = ["conf.example"]
dns_options = ["ndots:3"]
default_ulimits = ["nofile=1111:2222"]
default_capabilities = ["CHOWN", "NET_RAW"]
init = true
tz = "Asia/Tokyo"
umask = "0027"
log_size_max = 65536

[engine]
network_cmd_options = ["mtu=1500"]
stop_timeout = 4
)");
  Result r = run_in({}, {"sh", "-c",
                         "echo env=$FROM_CONF; cat /etc/resolv.conf; ulimit -n; ulimit -Hn; grep CapEff /proc/self/status; "
                         "cat /proc/1/comm; date +%Z; umask; cat /sys/class/net/tap0/mtu"},
                    conf);
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "env=yes\n")) << r;
  EXPECT_TRUE(contains(r.out, "nameserver 192.0.2.53")) << r;
  EXPECT_TRUE(contains(r.out, "search conf.example")) << r;
  EXPECT_TRUE(contains(r.out, "options ndots:3")) << r;
  EXPECT_TRUE(contains(r.out, "\n1111\n2222\n")) << r;
  EXPECT_EQ(field(r.out, "CapEff"), "0000000000002001") << "CHOWN and NET_RAW only" << r;
  EXPECT_FALSE(contains(r.out, "\nsh\n")) << "with init = true, PID 1 is pc's init, not sh" << r;
  EXPECT_TRUE(contains(r.out, "JST\n")) << r;
  EXPECT_TRUE(contains(r.out, "0027\n")) << r;
  EXPECT_TRUE(contains(r.out, "\n1500")) << r;

  // What a container records (inspect) comes from the file too.
  std::string name = unique_name("conf-inspect");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}, conf));
  Result in = pc({"inspect", name});
  ASSERT_PC_OK(in);
  json j = json::parse(in.out)[0];
  EXPECT_EQ(j["Config"]["Umask"], "0027") << in;
  EXPECT_EQ(j["Config"]["Timezone"], "Asia/Tokyo") << in;
  EXPECT_EQ(j["Config"]["StopTimeout"], 4) << in;
  EXPECT_EQ(j["HostConfig"]["LogConfig"]["Size"], "65536B") << in;
  EXPECT_TRUE(contains(j["HostConfig"]["NetworkMode"].get<std::string>(), "mtu=1500")) << in;
  // Created with the file's values: a later change of the file does not change them.
  ASSERT_PC_OK(pc({"start", "-a", name}));
  EXPECT_EQ(trim(pc({"inspect", "-f", "{{.Config.Umask}}", name}).out), "0027");
}

TEST_F(ContainersConf, FlagsWinOverTheFile) {
  RunOpts conf = with_conf(R"([containers]
env = ["SHARED=conf"]
dns_servers = ["192.0.2.53"]
default_ulimits = ["nofile=1111:2222"]
init = true
tz = "Asia/Tokyo"
umask = "0027"
netns = "none"
)");
  Result r = run_in({"-e", "SHARED=flag", "--dns", "192.0.2.1", "--ulimit", "nofile=333:444", "--init=false", "--tz", "UTC",
                     "--umask", "0002", "--network", "slirp4netns"},
                    {"sh", "-c", "echo shared=$SHARED; cat /etc/resolv.conf; ulimit -n; cat /proc/1/comm; date +%Z; umask; "
                                 "ls /sys/class/net"},
                    conf);
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "shared=flag\n")) << r;
  EXPECT_TRUE(contains(r.out, "nameserver 192.0.2.1\n")) << r;
  EXPECT_FALSE(contains(r.out, "192.0.2.53")) << r;
  EXPECT_TRUE(contains(r.out, "\n333\n")) << r;
  EXPECT_TRUE(contains(r.out, "\nsh\n")) << "--init=false: sh is PID 1" << r;
  EXPECT_TRUE(contains(r.out, "UTC\n")) << r;
  EXPECT_TRUE(contains(r.out, "0002\n")) << r;
  EXPECT_TRUE(contains(r.out, "tap0")) << r;
  // Without --network, the file's netns = "none": only lo.
  Result none = run_in({}, {"ls", "/sys/class/net"}, conf);
  ASSERT_PC_OK(none);
  EXPECT_EQ(trim(none.out), "lo") << none;
}

TEST_F(ContainersConf, ProxyVariablesPassAsInPodman) {
  RunOpts opts = with_conf("[containers]\n");
  opts.env["https_proxy"] = "http://proxy.example:3128";
  Result r = run_in({}, {"sh", "-c", "echo proxy=$https_proxy"}, opts);
  EXPECT_TRUE(contains(r.out, "proxy=http://proxy.example:3128")) << "http_proxy = true is Podman's default" << r;
  RunOpts off = with_conf("[containers]\nhttp_proxy = false\n", "off.conf");
  off.env["https_proxy"] = "http://proxy.example:3128";
  Result r2 = run_in({}, {"sh", "-c", "echo proxy=$https_proxy"}, off);
  EXPECT_TRUE(contains(r2.out, "proxy=\n")) << r2;
}

TEST_F(ContainersConf, ABrokenFileNamesFileLineAndKeyAndCreatesNothing) {
  RunOpts conf = with_conf("[containers]\n\ninit = \"yes\"\n");
  std::string name = unique_name("conf-broken");
  Result r = pc({"run", "--rm", "--name", name, image(), "true"}, conf);
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, dir_ + "/containers.conf:3: containers.init: expected true or false")) << r;
  EXPECT_FALSE(contains(pc({"ps", "-a"}).out, name));
  RunOpts bad_tz = with_conf("[containers]\ntz = \"Mars/Olympus\"\n", "tz.conf");
  Result t = pc({"run", "--rm", image(), "true"}, bad_tz);
  EXPECT_EXIT_CODE(t, 125);
  EXPECT_TRUE(contains(t.err, dir_ + "/tz.conf:2") && contains(t.err, "unknown time zone Mars/Olympus")) << t;
  RunOpts bad_net = with_conf("[containers]\nnetns = \"pasta\"\n", "net.conf");
  Result n = pc({"run", "--rm", image(), "true"}, bad_net);
  EXPECT_EXIT_CODE(n, 125);
  EXPECT_TRUE(contains(n.err, dir_ + "/net.conf:2: netns = \"pasta\"")) << n;
}

TEST_F(ContainersConf, InfoListsTheFilesRead) {
  RunOpts conf = with_conf("[containers]\ninit = false\n");
  Result r = pc({"info", "--format", "json"}, conf);
  ASSERT_PC_OK(r);
  json j = json::parse(r.out);
  EXPECT_EQ(j["host"]["configFiles"]["containersConf"], json::array({dir_ + "/containers.conf"})) << r;
  EXPECT_TRUE(j["host"]["configFiles"]["registriesConf"].is_array()) << r;
}

TEST_F(ContainersConf, TzAndUmaskFlags) {
  Result r = run_in({"--tz", "Asia/Tokyo", "--umask", "077"}, {"sh", "-c", "date +%Z; umask; touch /tmp/f; stat -c %a /tmp/f"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "JST\n0077\n600\n") << r;
  Result local = run_in({"--tz", "local"}, {"date", "+%Z"});
  ASSERT_PC_OK(local);
  Result host = run({"date", "+%Z"});
  EXPECT_EQ(local.out, host.out) << local;
  // Podman's default umask, whatever pc's own is.
  std::vector<std::string> argv = store().argv({"run", "--rm", image(), "sh", "-c", "umask"});
  std::string cmd = "umask 0077; exec";
  for (const auto& a : argv) cmd += " '" + a + "'";
  Result def = sh(cmd);
  ASSERT_PC_OK(def);
  EXPECT_EQ(def.out, "0022\n") << def;
  EXPECT_EXIT_CODE(run_in({"--tz", "Nowhere/Special"}, {"true"}), 125);
  EXPECT_EXIT_CODE(run_in({"--umask", "0999"}, {"true"}), 125);
  EXPECT_EXIT_CODE(run_in({"--tz", "../../../etc/passwd"}, {"true"}), 125);
}

// [pc] userns_holder = false: no shared, held user namespace; each container gets its own.
TEST_F(ContainersConf, PcTableUsernsHolder) {
  auto userns = [&](const RunOpts& o) {
    Result r = run_in({}, {"readlink", "/proc/self/ns/user"}, o);
    EXPECT_PC_OK(r);
    return trim(r.out);
  };
  RunOpts shared = with_conf("[containers]\n");
  EXPECT_EQ(userns(shared), userns(shared)) << "by default containers join the user's held namespace";
  RunOpts own = with_conf("[pc]\nuserns_holder = false\n", "own.conf");
  // Namespace inodes are reused once freed: compare with namespaces still alive (a running
  // container's, and the held one).
  const std::string name = unique_name("own-userns");
  ASSERT_PC_OK(pc({"run", "-d", "--name", name, image(), "sleep", "60"}, own));
  Result first = pc({"exec", name, "readlink", "/proc/self/ns/user"});
  ASSERT_PC_OK(first);
  const std::string b = userns(own);
  EXPECT_NE(trim(first.out), b);
  EXPECT_NE(b, userns(shared));
  EXPECT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
  RunOpts bad = with_conf("[pc]\nuserns_holdr = false\n", "typo.conf");
  Result r = run_in({}, {"true"}, bad);
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "typo.conf:2: pc.userns_holdr: unknown pc setting")) << r;
}
