// pc build's flags beyond the Containerfile, each checked against what `podman build`
// (Buildah 1.28) does with it: --env/--unsetenv in every committed config, --omit-history,
// --identity-label, --os-version/--os-feature, --skip-unused-stages, the RUN step flags
// (--no-hosts, --http-proxy, --shm-size, --device, --pid/--ipc/--uts, --stdin, --ssh), --logfile,
// --cache-ttl, and the resource limits that cannot be enforced rootless here (refused,
// nothing made).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class BuildFlags : public BuildTest {};

}  // namespace

TEST_F(BuildFlags, EnvAndUnsetenvGoIntoEveryCommittedConfig) {
  containerfile(
      "FROM localhost/busybox\n"
      "RUN echo \"first FOO=$FOO\"\n"
      "ENV X=1 KEEP=2\n"
      "RUN echo \"later FOO=$FOO X=$X\"\n");
  Result r = build({"--env", "FOO=bar", "--env", "EMPTY=", "--unsetenv", "X", "--env", "PATH=/x:/bin:/usr/bin", "-t", "env1"},
                   {.env = {{"HOSTONLY", "h"}}});
  ASSERT_PC_OK(r);
  // As Buildah: the first step runs on the base image's config, the next ones on the
  // committed config of the step before, which has the overrides.
  EXPECT_TRUE(contains(r.out, "first FOO=\n")) << r;
  EXPECT_TRUE(contains(r.out, "later FOO=bar X=\n")) << r;
  EXPECT_EQ(config("env1")["Env"], json({"KEEP=2", "FOO=bar", "EMPTY=", "PATH=/x:/bin:/usr/bin"}));

  // NAME alone takes the caller's value, and is skipped when the caller has none.
  Result host = build({"--env", "HOSTONLY", "--env", "NOTSET_ANYWHERE", "-t", "env2"}, {.env = {{"HOSTONLY", "h"}}});
  ASSERT_PC_OK(host);
  json env = config("env2")["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), json("HOSTONLY=h")), env.end()) << env;
  for (const auto& e : env) EXPECT_FALSE(contains(e.get<std::string>(), "NOTSET_ANYWHERE")) << env;

  // The overrides are part of each step's cache key: another value is no cache hit.
  Result again = build({"--env", "FOO=other", "--unsetenv", "X", "-t", "env3"});
  ASSERT_PC_OK(again);
  EXPECT_TRUE(contains(again.out, "later FOO=other X=\n")) << again;
  EXPECT_EQ(config("env3")["Env"], json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "KEEP=2", "FOO=other"}));
}

TEST_F(BuildFlags, OmitHistoryIdentityLabelAndOsFields) {
  containerfile("FROM localhost/busybox\nRUN true\nLABEL mine=1\n");
  ASSERT_PC_OK(build({"-t", "plain"}));
  EXPECT_EQ(inspect("plain")["Labels"].value("io.buildah.version", ""), "1.28.2");

  Result r = build({"--omit-history", "--identity-label=false", "--os-version", "10.0", "--os-feature", "win32k", "-t", "bare"});
  ASSERT_PC_OK(r);
  json img = inspect("bare");
  EXPECT_TRUE(img["History"].is_null()) << img["History"];
  EXPECT_EQ(img["Labels"], json({{"mine", "1"}}));
  // The image's own config carries os.version and os.features (the OCI fields).
  Result save = pc({"image", "save", "--format", "oci-dir", "-o", store().dir() + "/bare-oci", "bare"});
  ASSERT_PC_OK(save);
  Result cfgs = pc({"unshare", "sh", "-c", "cat " + store().dir() + "/bare-oci/blobs/sha256/*"});
  EXPECT_TRUE(contains(cfgs.out, "\"os.version\":\"10.0\"")) << cfgs.out.substr(0, 2000);
  EXPECT_TRUE(contains(cfgs.out, "\"os.features\":[\"win32k\"]")) << cfgs.out.substr(0, 2000);
  EXPECT_NE(img.value("Id", ""), inspect("plain").value("Id", "")) << "the cache must not hand back the plain image";
}

TEST_F(BuildFlags, SkipUnusedStagesFalseBuildsEveryStageBeforeTheTarget) {
  containerfile(
      "FROM localhost/busybox AS unused\n"
      "RUN echo building-unused\n"
      "FROM localhost/busybox AS final\n"
      "RUN echo building-final\n"
      "FROM localhost/busybox AS after\n"
      "RUN echo building-after\n");
  Result skip = build({"--target", "final"});
  ASSERT_PC_OK(skip);
  EXPECT_FALSE(contains(skip.out, "building-unused\n")) << skip;
  Result all = build({"--no-cache", "--target", "final", "--skip-unused-stages=false"});
  ASSERT_PC_OK(all);
  EXPECT_TRUE(contains(all.out, "[1/2] STEP 2/2: RUN echo building-unused\nbuilding-unused\n")) << all;
  EXPECT_TRUE(contains(all.out, "building-final\n")) << all;
  EXPECT_FALSE(contains(all.out, "building-after\n")) << "stages after the target are never built: " << all;
}

TEST_F(BuildFlags, RunStepFlags) {
  containerfile(
      "FROM localhost/busybox\n"
      "RUN test -e /etc/hosts && echo hosts-made || echo no-hosts; echo \"proxy=$http_proxy\"; "
      "df -k /dev/shm | tail -1; test -c /dev/fuse && echo fuse-here; "
      "test -c /dev/myzero && echo myzero-here; read line; echo \"stdin=$line\"\n");
  Result r = build({"--no-hosts", "--shm-size", "32m", "--device", "/dev/fuse", "--device", "/dev/zero:/dev/myzero",
                    "--stdin", "-t", "runflags"},
                   {.input = "from-stdin\n", .env = {{"http_proxy", "http://proxy.example:3128"}}});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "no-hosts\n")) << r;
  EXPECT_TRUE(contains(r.out, "proxy=http://proxy.example:3128\n")) << r;
  EXPECT_TRUE(contains(r.out, " 32768 ")) << "a 32 MiB /dev/shm: " << r;
  EXPECT_TRUE(contains(r.out, "fuse-here\n")) << r;
  EXPECT_TRUE(contains(r.out, "myzero-here\n")) << r;
  EXPECT_TRUE(contains(r.out, "stdin=from-stdin\n")) << r;

  Result off = build({"--no-cache", "--http-proxy=false"}, {.input = "", .env = {{"http_proxy", "http://proxy.example:3128"}}});
  ASSERT_PC_OK(off);
  EXPECT_TRUE(contains(off.out, "hosts-made\n")) << off;
  EXPECT_TRUE(contains(off.out, "proxy=\n")) << off;
  EXPECT_TRUE(contains(off.out, "stdin=\n")) << "no --stdin: RUN reads nothing " << off;
}

TEST_F(BuildFlags, HostPidAndUtsNamespaces) {
  containerfile("FROM localhost/busybox\nRUN echo pid1=$(cat /proc/1/comm); hostname\n");
  const std::string host_init = trim(read_file("/proc/1/comm"));
  Result own = build({"--no-cache"});
  ASSERT_PC_OK(own);
  EXPECT_FALSE(contains(own.out, "pid1=" + host_init + "\n")) << own;
  Result host = build({"--no-cache", "--pid", "host", "--uts", "host"});
  ASSERT_PC_OK(host);
  EXPECT_TRUE(contains(host.out, "pid1=" + host_init + "\n")) << host;
  EXPECT_TRUE(contains(host.out, "\n" + trim(read_file("/proc/sys/kernel/hostname")) + "\n")) << host;
  Result bad = build({"--ipc", "container:x"});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "--ipc \"container:x\"")) << bad;
}

TEST_F(BuildFlags, LogfileTakesAllOutput) {
  containerfile("FROM localhost/busybox\nRUN echo from-run\n");
  const std::string log = store().dir() + "/build.log";
  Result r = build({"--logfile", log, "-t", "logged"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err, "") << r;
  const std::string text = read_file(log);
  EXPECT_TRUE(contains(text, "STEP 2/2: RUN echo from-run\nfrom-run\n")) << text;
  EXPECT_TRUE(contains(text, inspect("logged").value("Id", "") + "\n")) << "the image id too: " << text;
}

TEST_F(BuildFlags, ResourceLimitsAndForeignPlatformsAreRefusedLeavingNothing) {
  containerfile("FROM localhost/busybox\nRUN true\n");
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"-m", "100m"}, {"--memory-swap", "1g"}, {"--cpu-shares", "2"}, {"--cpuset-cpus", "0"}, {"--cpu-quota", "50000"}}) {
    std::vector<std::string> args = flags;
    args.insert(args.end(), {"-t", "limited"});
    Result r = build(args);
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, flags[0] == "-m" ? "--memory" : flags[0])) << r;
    EXPECT_TRUE(contains(r.err, "cannot be enforced")) << r;
  }
  Result arch = build({"--arch", "s390x", "-t", "limited"});
  EXPECT_EXIT_CODE(arch, 125);
  EXPECT_TRUE(contains(arch.err, "linux/s390x")) << arch;
  EXPECT_FALSE(pc({"image", "exists", "limited"}).ok());
  expect_no_leftovers();
  // Docker's no-op flags are accepted, as Podman accepts them.
  EXPECT_PC_OK(build({"--compress", "--disable-content-trust", "--disable-compression=false", "-q"}));
}

TEST_F(BuildFlags, SshAgentSocketForRunMountSsh) {
  // An agent's socket (any listening socket: the step only has to see this very inode).
  const std::string sock = store().dir() + "/agent.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof(addr.sun_path));
  std::copy(sock.begin(), sock.end(), addr.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  containerfile(
      "FROM localhost/busybox\n"
      "RUN --mount=type=ssh echo \"agent=$SSH_AUTH_SOCK ino=$(stat -c %i $SSH_AUTH_SOCK) sock=$(test -S $SSH_AUTH_SOCK && echo yes)\"\n"
      "RUN --mount=type=ssh,id=other,target=/agent echo \"other=$(stat -c %i /agent)\"\n"
      "RUN test ! -e /run/buildkit/ssh_agent.0 && test ! -e /agent && echo no-socket-left\n");
  Result r = build({"--ssh", "default", "--ssh", "other=" + sock, "-t", "ssh"}, {.env = {{"SSH_AUTH_SOCK", sock}}});
  ::close(fd);
  ASSERT_PC_OK(r);
  const std::string ino = std::to_string(st.st_ino);
  EXPECT_TRUE(contains(r.out, "agent=/run/buildkit/ssh_agent.0 ino=" + ino + " sock=yes\n")) << r;
  EXPECT_TRUE(contains(r.out, "other=" + ino + "\n")) << r;
  EXPECT_TRUE(contains(r.out, "no-socket-left\n")) << r;

  // Without --ssh an optional ssh mount is left out; a file that is not a socket is refused.
  Result none = build({"--no-cache"});
  ASSERT_PC_OK(none);
  EXPECT_TRUE(contains(none.out, "agent= ino=")) << none;
  Result key = build({"--ssh", "default=" + ctx() + "/Containerfile"});
  EXPECT_EXIT_CODE(key, 125);
  EXPECT_TRUE(contains(key.err, "is not an agent socket")) << key;
  Result unset = build({"--ssh", "default"}, {.unset_env = {"SSH_AUTH_SOCK"}});
  EXPECT_EXIT_CODE(unset, 125);
  EXPECT_TRUE(contains(unset.err, "SSH_AUTH_SOCK is not set")) << unset;
}

TEST_F(BuildFlags, CacheTtlUsesOnlyRecentCacheEntries) {
  containerfile("FROM localhost/busybox\nRUN echo made-once\n");
  ASSERT_PC_OK(build());
  Result recent = build({"--cache-ttl", "1h"});
  ASSERT_PC_OK(recent);
  EXPECT_TRUE(contains(recent.out, "--> Using cache")) << recent;
  // Entries recorded two hours ago are too old for --cache-ttl=1h (but still used without it).
  const std::string dir = store().root() + "/build-cache";
  const struct timespec old[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
  for (const auto& e : entries(dir)) ASSERT_EQ(::utimensat(AT_FDCWD, (dir + "/" + e).c_str(), old, 0), 0) << e;
  Result stale = build({"--cache-ttl", "1h"});
  ASSERT_PC_OK(stale);
  EXPECT_FALSE(contains(stale.out, "--> Using cache")) << stale;
  EXPECT_TRUE(contains(stale.out, "made-once\n")) << stale;
  Result zero = build({"--cache-ttl", "0"});
  ASSERT_PC_OK(zero);
  EXPECT_FALSE(contains(zero.out, "--> Using cache")) << "0 is --no-cache " << zero;
  EXPECT_EXIT_CODE(build({"--cache-ttl", "soon"}), 125);
}
