// pc run: output, exit codes, environment, user, workdir, entrypoint, mounts, tmpfs,
// read-only, hostname, labels, names, stdin/tty, signals, --init.
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {
class Run : public PcTest {};
class RunMounts : public PcTest {};
class RunSignals : public PcTest {};
}  // namespace

// ---------------------------------------------------------------- basics and exit codes

TEST_F(Run, EchoHello) {
  Result r = run_in({}, {"echo", "hello", "from", "pc"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "hello from pc\n");
}

TEST_F(Run, StderrIsSeparate) {
  Result r = run_in({}, {"sh", "-c", "echo out; echo err >&2"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_TRUE(contains(r.err, "err\n")) << r;
}

TEST_F(Run, ExitCodeZero) { EXPECT_EXIT_CODE(run_in({}, {"true"}), 0); }

// The store's containers/ is a "top of directory hierarchies" (chattr +T) where the file
// system has the flag (ext4): each container's files then go to a block group of their
// own instead of all starts' and removals' churn landing in one (storage/spread_dirs.cpp).
TEST_F(Run, ContainersDirIsTopDir) {
  auto flags_of = [](const std::string& dir) -> std::optional<int> {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    int flags = 0;
    const bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    ::close(fd);
    if (!ok) return std::nullopt;
    return flags;
  };
  ASSERT_PC_OK(pc({"run", "--rm", image(), "true"}));
  const std::string containers = store().root() + "/containers";
  // Whether this file system takes the flag at all: a scratch directory beside it.
  const std::string probe = store().root() + "/topdir-probe";
  ASSERT_EQ(::mkdir(probe.c_str(), 0700), 0);
  bool supported = false;
  if (int fd = ::open(probe.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    int flags = 0;
    if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
      flags |= FS_TOPDIR_FL;
      supported = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    ::close(fd);
  }
  ::rmdir(probe.c_str());
  if (!supported) GTEST_SKIP() << "the store's file system has no FS_TOPDIR_FL";
  auto flags = flags_of(containers);
  ASSERT_TRUE(flags.has_value());
  EXPECT_TRUE(*flags & FS_TOPDIR_FL) << containers << " flags " << std::hex << *flags;
}

TEST_F(Run, ExitCodeOfPayload) {
  EXPECT_EXIT_CODE(run_in({}, {"sh", "-c", "exit 3"}), 3);
  EXPECT_EXIT_CODE(run_in({}, {"false"}), 1);
  EXPECT_EXIT_CODE(run_in({}, {"sh", "-c", "exit 124"}), 124);
}

TEST_F(Run, CommandNotFoundIs127) {
  Result r = run_in({}, {"/no/such/command"});
  EXPECT_EXIT_CODE(r, 127);
  EXPECT_TRUE(contains(r.err, "/no/such/command")) << r;
  Result r2 = run_in({}, {"nosuchcommand"});
  EXPECT_EXIT_CODE(r2, 127);
  EXPECT_TRUE(contains(r2.err, "nosuchcommand")) << r2;
}

TEST_F(Run, NotExecutableIs126) {
  Result r = run_in({}, {"/etc/passwd"});
  EXPECT_EXIT_CODE(r, 126);
  EXPECT_TRUE(contains(r.err, "/etc/passwd")) << r;
  Result r2 = run_in({}, {"/tmp"});  // a directory
  EXPECT_EXIT_CODE(r2, 126);
}

TEST_F(Run, KilledBySignalIs128PlusN) {
  // pid 1 of a pid namespace cannot SIGKILL itself; with --init the payload is not pid 1
  Result r = run_in({"--init"}, {"sh", "-c", "kill -KILL $$"});
  EXPECT_EXIT_CODE(r, 137);
  Result r2 = run_in({"--init"}, {"sh", "-c", "kill -SEGV $$"});
  EXPECT_EXIT_CODE(r2, 139);
}

TEST_F(Run, PayloadKilledFromHostIs137) {
  std::string name = unique_name("killed");
  auto child = store().pc_async({"run", "--rm", "--name", name, image(), "sleep", "300"});
  std::string pid;
  bool running = poll_until(
      [&] {
        Result r = pc({"inspect", "--format", "{{.State.Pid}}", name}, {.timeout_s = 10});
        pid = trim(r.out);
        return r.ok() && !pid.empty() && pid != "0";
      },
      20, 50);
  ASSERT_TRUE(running) << "container never showed a pid" << child->wait(1);
  ASSERT_EQ(kill(std::stoi(pid), SIGKILL), 0) << "kill " << pid << ": " << strerror(errno);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 137);
}

TEST_F(Run, UnknownFlagIs125) {
  Result r = pc({"run", "--rm", "--no-such-flag", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no-such-flag")) << r;
}

TEST_F(Run, BadFlagValueIs125) {
  Result r = pc({"run", "--rm", "--memory", "abc", image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "abc")) << r;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(Run, ResourceLimitsAreRefusedNotIgnored) {
  // pc creates no cgroups: a valid limit must fail with the reason, never run unlimited.
  for (const std::vector<std::string>& flag :
       {std::vector<std::string>{"--memory", "10m"}, {"--pids-limit", "50"}, {"--cpus", "1.5"}, {"--cpu-shares", "512"}}) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flag.begin(), flag.end());
    args.insert(args.end(), {image(), "true"});
    Result r = pc(args);
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, "cannot be enforced")) << r;
    EXPECT_TRUE(contains(r.err, flag[0])) << r;
  }
  Result bad = pc({"run", "--rm", "--cpus", "0", image(), "true"});
  EXPECT_EXIT_CODE(bad, 125);
  EXPECT_TRUE(contains(bad.err, "not a positive number")) << bad;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(Run, MissingImageArgumentIs125) {
  Result r = pc({"run", "--rm"});
  EXPECT_EXIT_CODE(r, 125);
}

// ---------------------------------------------------------------- environment

TEST_F(Run, EnvFlag) {
  Result r = run_in({"-e", "A=1", "--env", "B=two words", "-e", "EMPTY="},
                    {"sh", "-c", "echo \"$A|$B|${EMPTY-unset}|\""});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "1|two words||\n");
}

TEST_F(Run, EnvFromCallerEnvironment) {
  Result r = run_in({"-e", "FROM_CALLER", "-e", "NOT_SET_IN_CALLER"},
                    {"sh", "-c", "echo \"$FROM_CALLER|${NOT_SET_IN_CALLER-unset}\""},
                    {.env = {{"FROM_CALLER", "caller value"}}, .unset_env = {"NOT_SET_IN_CALLER"}});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "caller value|unset\n");
}

TEST_F(Run, EnvFile) {
  std::string dir = make_temp_dir("pc-it-env-");
  write_file(dir + "/env", "# a comment\nA=from file\n\nB=2\nPASSED\n");
  Result r = run_in({"--env-file", dir + "/env"}, {"sh", "-c", "echo \"$A|$B|$PASSED\""},
                    {.env = {{"PASSED", "through"}}});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "from file|2|through\n");
  Result missing = run_in({"--env-file", dir + "/nope"}, {"true"});
  EXPECT_EXIT_CODE(missing, 125);
  remove_tree(dir);
}

TEST_F(Run, DefaultEnvironmentHasPathAndHostname) {
  // A variable pc surely has (PC_TEST_USER is only there when run-as-test-user set it).
  Result r = run_in({}, {"env"}, {.env = {{"PC_LEAK_CANARY", "from-the-caller"}}});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "PATH=")) << r;
  EXPECT_TRUE(contains(r.out, "HOSTNAME=")) << r;
  EXPECT_TRUE(contains(r.out, "HOME=/root")) << r;
  EXPECT_TRUE(contains(r.out, "TERM=xterm\n")) << "Podman's default, without -t too: " << r;
  EXPECT_TRUE(contains(r.out, "container=podman\n")) << r;
  EXPECT_TRUE(contains(run_in({"-e", "TERM=dumb"}, {"env"}).out, "TERM=dumb\n"));
  // the caller's environment does not leak in
  EXPECT_FALSE(contains(r.out, "PC_LEAK_CANARY")) << r;
}

// ---------------------------------------------------------------- workdir, user, entrypoint

TEST_F(Run, Workdir) {
  Result r = run_in({"-w", "/tmp"}, {"pwd"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "/tmp\n");
  Result r2 = run_in({"--workdir", "/home/user"}, {"pwd"});
  ASSERT_PC_OK(r2);
  EXPECT_EQ(r2.out, "/home/user\n");
}

TEST_F(Run, UserNumeric) {
  Result r = run_in({"-u", "1000:1000"}, {"sh", "-c", "id -u; id -g"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "1000\n1000\n");
  Result r2 = run_in({"--user", "1234"}, {"id", "-u"});
  ASSERT_PC_OK(r2);
  EXPECT_EQ(r2.out, "1234\n");
}

// Supplementary groups as Podman sets them: none for the default root, the primary gid
// when a user is named, --group-add always; exec sessions get neither the primary gid nor,
// as another user, the container's --group-add.
TEST_F(Run, SupplementaryGroupsAsPodman) {
  const std::string groups = "grep Groups /proc/self/status | tr -s '\\t ' ' '";
  Result root = run_in({}, {"sh", "-c", groups});
  ASSERT_PC_OK(root);
  EXPECT_EQ(root.out, "Groups: \n");
  Result named = run_in({"-u", "1000"}, {"sh", "-c", groups});
  EXPECT_EQ(named.out, "Groups: 1000 \n");
  Result added = run_in({"--group-add", "5"}, {"sh", "-c", groups});
  EXPECT_EQ(added.out, "Groups: 5 \n");

  std::string name = unique_name("groups");
  ASSERT_PC_OK(pc({"run", "-d", "--name", name, "--group-add", "5", "-u", "1000", image(), "sleep", "1000"}));
  EXPECT_EQ(pc({"exec", name, "sh", "-c", groups}).out, "Groups: 5 \n");
  EXPECT_EQ(pc({"exec", "-u", "0", name, "sh", "-c", groups}).out, "Groups: \n");
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
}

TEST_F(Run, UserByName) {
  Result r = run_in({"-u", "user"}, {"sh", "-c", "id -u; id -g; echo $HOME"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "1000\n1000\n/home/user\n");
  Result r2 = run_in({"-u", "nobody:users"}, {"sh", "-c", "id -u; id -g"});
  ASSERT_PC_OK(r2);
  EXPECT_EQ(r2.out, "65534\n100\n");
}

TEST_F(Run, UnknownUserIs125) {
  // The issue asks for 125 for this bad input (podman 4.3 says 126 here).
  ASSERT_TRUE(store().import_busybox("localhost/minimal", /*minimal=*/true));
  Result r = pc({"run", "--rm", "-u", "nobody", "localhost/minimal", "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "nobody")) << r;
  Result g = pc({"run", "--rm", "-u", "0:nogroup", "localhost/minimal", "true"});
  EXPECT_EXIT_CODE(g, 125);
  EXPECT_TRUE(contains(g.err, "nogroup")) << g;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

TEST_F(Run, Entrypoint) {
  Result r = run_in({"--entrypoint", "/bin/echo"}, {"via", "entrypoint"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "via entrypoint\n");
  Result r2 = run_in({"--entrypoint", "/no/such/entrypoint"}, {});
  EXPECT_EXIT_CODE(r2, 127);
  Result r3 = run_in({"--entrypoint", "/etc/group"}, {});
  EXPECT_EXIT_CODE(r3, 126);
}

TEST_F(Run, RootInContainerByDefault) {
  Result r = run_in({}, {"sh", "-c", "id -u; id -g"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "0\n0\n");
}

// ---------------------------------------------------------------- mounts

TEST_F(RunMounts, BindRwFileCreatedAsRootIsOwnedByCaller) {
  std::string dir = make_temp_dir("pc-it-bind-");
  write_file(dir + "/from-host", "host data\n");
  Result r = run_in({"-v", dir + ":/data"},
                    {"sh", "-c", "cat /data/from-host && echo made-inside > /data/inside"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "host data\n");
  struct stat st {};
  ASSERT_EQ(stat((dir + "/inside").c_str(), &st), 0) << "file not visible on the host";
  EXPECT_EQ(st.st_uid, getuid());
  EXPECT_EQ(st.st_gid, getgid());
  EXPECT_EQ(read_file(dir + "/inside"), "made-inside\n");
  remove_tree(dir);
}

TEST_F(RunMounts, BindReadOnly) {
  std::string dir = make_temp_dir("pc-it-bind-");
  write_file(dir + "/f", "x\n");
  Result r = run_in({"-v", dir + ":/data:ro"}, {"sh", "-c", "cat /data/f; touch /data/g"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "x\n");
  EXPECT_TRUE(icontains(r.err, "read-only")) << r;
  EXPECT_FALSE(path_exists(dir + "/g"));
  Result rw = run_in({"-v", dir + ":/data:rw"}, {"touch", "/data/g"});
  EXPECT_PC_OK(rw);
  EXPECT_TRUE(path_exists(dir + "/g"));
  remove_tree(dir);
}

TEST_F(RunMounts, BindSingleFile) {
  std::string dir = make_temp_dir("pc-it-bind-");
  write_file(dir + "/conf", "key=value\n");
  Result r = run_in({"-v", dir + "/conf:/etc/my.conf:ro"}, {"cat", "/etc/my.conf"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "key=value\n");
  remove_tree(dir);
}

TEST_F(RunMounts, IssueExampleLsReadOnlyWorkdirEnvUser) {
  std::string dir = make_temp_dir("pc-it-bind-");
  chmod(dir.c_str(), 0755);
  write_file(dir + "/visible-file", "x\n", 0644);
  Result r = run_in({"-v", dir + ":/work:ro", "-w", "/work", "-e", "A=1", "--user", "1000:1000"},
                    {"sh", "-c", "ls; echo A=$A; id -u"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "visible-file")) << r;
  EXPECT_TRUE(contains(r.out, "A=1\n1000\n")) << r;
  remove_tree(dir);
}

TEST_F(RunMounts, RelativeBindSourceRefused) {
  std::string dir = make_temp_dir("pc-it-rel-");
  run({"mkdir", "-p", dir + "/rel/dir"});
  Result r = run_in({"-v", "rel/dir:/x"}, {"true"}, {.cwd = dir});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "rel/dir")) << r;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
  remove_tree(dir);
}

TEST_F(RunMounts, MissingBindSourceIs125) {
  Result r = run_in({"-v", "/nonexistent/bind/source:/x"}, {"true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "/nonexistent/bind/source")) << r;
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty()) << "nothing half-made";
}

TEST_F(RunMounts, MountTypeBind) {
  std::string dir = make_temp_dir("pc-it-mnt-");
  write_file(dir + "/f", "via --mount\n");
  Result r = run_in({"--mount", "type=bind,source=" + dir + ",target=/m"}, {"cat", "/m/f"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "via --mount\n");
  Result ro = run_in({"--mount", "type=bind,src=" + dir + ",dst=/m,readonly"},
                     {"touch", "/m/new"});
  EXPECT_NE(ro.exit_code, 0) << ro;
  EXPECT_FALSE(path_exists(dir + "/new"));
  Result missing = run_in({"--mount", "type=bind,source=/nonexistent/m,target=/m"}, {"true"});
  EXPECT_EXIT_CODE(missing, 125);
  remove_tree(dir);
}

TEST_F(RunMounts, MountTypeTmpfs) {
  Result r = run_in({"--mount", "type=tmpfs,destination=/scratch"},
                    {"sh", "-c", "grep ' /scratch ' /proc/mounts && touch /scratch/x"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "tmpfs /scratch tmpfs")) << r;
}

TEST_F(RunMounts, TmpfsFlag) {
  Result r = run_in({"--tmpfs", "/scratch"},
                    {"sh", "-c", "grep ' /scratch ' /proc/mounts && echo ok > /scratch/x && cat /scratch/x"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "tmpfs /scratch tmpfs")) << r;
  EXPECT_TRUE(contains(r.out, "ok\n")) << r;
}

TEST_F(RunMounts, ReadOnlyRootfs) {
  Result r = run_in({"--read-only"}, {"sh", "-c", "touch /newfile"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(icontains(r.err, "read-only")) << r;
  // like podman (--read-only-tmpfs defaults to true): /tmp stays writable
  Result tmp = run_in({"--read-only"}, {"sh", "-c", "touch /tmp/x && echo ok"});
  EXPECT_PC_OK(tmp);
  Result rw = run_in({}, {"sh", "-c", "touch /newfile && echo ok"});
  EXPECT_PC_OK(rw);
}

TEST_F(RunMounts, ContainerChangesDoNotLeakIntoImage) {
  ASSERT_PC_OK(run_in({}, {"sh", "-c", "echo changed > /etc/leak; rm /bin/ls"}));
  Result r = run_in({}, {"sh", "-c", "test ! -e /etc/leak && test -e /bin/ls && echo clean"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "clean\n");
}

TEST_F(RunMounts, DevHasStandardNodes) {
  Result r = run_in({}, {"sh", "-c",
                         "for n in null zero full random urandom tty ptmx; do test -e /dev/$n || echo "
                         "missing $n; done; echo x > /dev/null && head -c 4 /dev/zero | wc -c; "
                         "test -d /dev/pts && test -d /dev/shm && echo dirs"});
  ASSERT_PC_OK(r);
  EXPECT_FALSE(contains(r.out, "missing")) << r;
  EXPECT_TRUE(contains(r.out, "4\n")) << r;
  EXPECT_TRUE(contains(r.out, "dirs")) << r;
  // Exactly Podman's /dev listing (no /dev/core: its target is masked anyway).
  Result ls = run_in({}, {"sh", "-c", "ls /dev | tr '\\n' ' '"});
  EXPECT_EQ(ls.out, "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ") << ls;
}

// ---------------------------------------------------------------- hostname, labels, names

TEST_F(Run, HostnameFlag) {
  Result r = run_in({"--hostname", "myhost"}, {"hostname"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "myhost\n");
}

TEST_F(Run, DefaultHostnameDiffersFromHost) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  Result r = run_in({}, {"hostname"});
  ASSERT_PC_OK(r);
  EXPECT_NE(trim(r.out), std::string(host));
  EXPECT_FALSE(trim(r.out).empty());
}

TEST_F(Run, LabelIsInspectable) {
  std::string name = unique_name("labelled");
  ASSERT_PC_OK(pc({"run", "--name", name, "--label", "k=v", "--label", "other=x y", image(), "true"}));
  Result r = pc({"inspect", "--format", "{{index .Config.Labels \"k\"}}", name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "v");
  Result r2 = pc({"inspect", "--format", "{{index .Config.Labels \"other\"}}", name});
  EXPECT_EQ(trim(r2.out), "x y");
}

// --ulimit: set in the payload (soft and hard), listed by inspect, and applied to exec
// sessions too.
TEST_F(Run, UlimitIsAppliedAndInspectable) {
  Result r = run_in({"--ulimit", "nofile=100:200", "--ulimit", "core=0"},
                    {"sh", "-c", "grep -E 'open files|core file' /proc/self/limits | tr -s ' '"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "Max core file size 0 0 bytes")) << r.out;
  EXPECT_TRUE(contains(r.out, "Max open files 100 200 files")) << r.out;

  std::string name = unique_name("ulimit");
  ASSERT_PC_OK(pc({"run", "-d", "--name", name, "--ulimit", "nofile=123:456", image(), "sleep", "1000"}));
  Result e = pc({"exec", name, "sh", "-c", "ulimit -n; ulimit -Hn"});
  ASSERT_PC_OK(e);
  EXPECT_EQ(e.out, "123\n456\n");
  Result in = pc({"inspect", "--format", "{{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}} {{end}}", name});
  ASSERT_PC_OK(in);
  EXPECT_TRUE(contains(in.out, "RLIMIT_NOFILE=123:456")) << in.out;
  EXPECT_TRUE(contains(in.out, "RLIMIT_NPROC=")) << "pc's own process limit is listed too: " << in.out;
  ASSERT_PC_OK(pc({"rm", "-f", "-t", "0", name}));
}

TEST_F(Run, BadUlimitIs125AndAboveTheHardLimitIs126) {
  for (const char* bad : {"foo=1", "nofile", "nofile=abc", "nofile=2:1", "nofile=1:2:3"}) {
    Result r = pc({"run", "--rm", "--ulimit", bad, image(), "true"});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, std::string("ulimit option \"") + bad + "\"")) << r;
  }
  // Raising a hard limit needs the host's root: refused as Podman's runtime does.
  struct rlimit rl {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max != RLIM_INFINITY) {
    const std::string above = std::to_string(rl.rlim_max + 1);
    Result r = pc({"run", "--rm", "--ulimit", "nofile=" + above + ":" + above, image(), "true"});
    EXPECT_EXIT_CODE(r, 126);
    EXPECT_TRUE(contains(r.err, "RLIMIT_NOFILE")) << r;
  }
  EXPECT_TRUE(trim(pc({"ps", "-a", "-q"}).out).empty());
}

// Podman's inspect keys for what pc leaves unset: present, with Podman's zero values.
TEST_F(Run, InspectHasPodmansKeysForUnsetFeatures) {
  std::string name = unique_name("keys");
  ASSERT_PC_OK(pc({"create", "--name", name, image(), "true"}));
  Result r = pc({"inspect", "--format",
                 "[{{.State.Health.Status}}] {{.HostConfig.CpuShares}} {{.HostConfig.Memory}} {{.HostConfig.CpusetCpus}}| "
                 "{{.Config.StopSignal}} {{index .Config.Annotations \"io.podman.annotations.autoremove\"}}",
                 name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "[] 0 0 | 15 FALSE");
}

TEST_F(Run, NameMustBeUnique) {
  std::string name = unique_name("dup");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result r = pc({"run", "--name", name, image(), "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, name)) << r;
  EXPECT_TRUE(icontains(r.err, "in use") || icontains(r.err, "already")) << r;
  Result ps = pc({"ps", "-a", "--format", "{{.Names}}"});
  auto ls = lines(ps.out);
  EXPECT_EQ(std::count(ls.begin(), ls.end(), name), 1) << ps;
  // after rm the name is free again
  ASSERT_PC_OK(pc({"rm", name}));
  EXPECT_PC_OK(pc({"run", "--rm", "--name", name, image(), "true"}));
}

TEST_F(Run, RmRemovesContainerAfterExit) {
  std::string name = unique_name("gone");
  ASSERT_PC_OK(pc({"run", "--rm", "--name", name, image(), "true"}));
  Result ps = pc({"ps", "-a"});
  EXPECT_FALSE(contains(ps.out, name)) << ps;
  Result failing = pc({"run", "--rm", "--name", name + "x", image(), "sh", "-c", "exit 5"});
  EXPECT_EXIT_CODE(failing, 5);
  EXPECT_FALSE(contains(pc({"ps", "-a"}).out, name + "x"));
}

// ---------------------------------------------------------------- stdin and tty

TEST_F(Run, InteractiveStdin) {
  Result r = run_in({"-i"}, {"sh", "-c", "cat; echo done"}, {.input = "line one\nline two\n"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "line one\nline two\ndone\n");
  Result wc = run_in({"-i"}, {"wc", "-c"}, {.input = std::string(300000, 'z')});
  ASSERT_PC_OK(wc);
  EXPECT_EQ(trim(wc.out), "300000");
}

TEST_F(Run, WithoutInteractiveStdinIsNotConnected) {
  Result r = run_in({}, {"cat"}, {.input = "should not arrive\n", .timeout_s = 30});
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "");
}

TEST_F(Run, TtyAllocatesPty) {
  // script(1) gives pc a controlling terminal
  std::string cmd;
  for (auto& a : store().argv({"run", "--rm", "-t", image(), "sh", "-c", "tty; stty size"}))
    cmd += "'" + a + "' ";
  Result r = run({"script", "-qec", "stty cols 91 rows 27 2>/dev/null; " + cmd, "/dev/null"},
                 {.timeout_s = 60});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "/dev/pts/")) << r;
  EXPECT_TRUE(contains(r.out, "27 91")) << "window size not propagated" << r;
  EXPECT_TRUE(contains(r.out, "\r\n")) << "tty output should have CRLF" << r;
}

TEST_F(Run, InteractiveTtyShell) {
  std::string cmd;
  for (auto& a : store().argv({"run", "--rm", "-it", image(), "sh"})) cmd += "'" + a + "' ";
  Result r = run({"script", "-qec", cmd, "/dev/null"},
                 {.input = "echo in-the-$((40+2))-shell\nexit 7\n", .timeout_s = 60});
  EXPECT_EXIT_CODE(r, 7);
  EXPECT_TRUE(contains(r.out, "in-the-42-shell")) << r;
}

// ---------------------------------------------------------------- signals and --init

TEST_F(RunSignals, SigtermIsForwarded) {
  auto child = store().pc_async(
      {"run", "--rm", image(), "sh", "-c",
       "trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.1; done"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  child->signal(SIGTERM);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 42);
  EXPECT_TRUE(contains(r.out, "got-term")) << r;
}

TEST_F(RunSignals, SigintIsForwarded) {
  auto child = store().pc_async(
      {"run", "--rm", image(), "sh", "-c",
       "trap 'echo got-int; exit 43' INT; echo ready; while true; do sleep 0.1; done"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  child->signal(SIGINT);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 43);
  EXPECT_TRUE(contains(r.out, "got-int")) << r;
}

TEST_F(RunSignals, SigtermWithInitKillsDefaultHandlerPayload) {
  // `sleep` as pid 1 ignores SIGTERM; with --init the payload is not pid 1 and dies: 143
  auto child = store().pc_async({"run", "--rm", "--init", image(), "sh", "-c",
                                 "echo ready; exec sleep 300"});
  ASSERT_TRUE(child->wait_for_output("ready", 30)) << child->wait(1);
  child->signal(SIGTERM);
  Result r = child->wait(30);
  EXPECT_EXIT_CODE(r, 143);
}

TEST_F(RunSignals, InitIsPid1) {
  Result r = run_in({"--init"}, {"sh", "-c", "echo $$; cat /proc/1/comm"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 2u) << r;
  EXPECT_NE(trim(ls[0]), "1") << "payload must not be pid 1 with --init" << r;
  EXPECT_NE(trim(ls[1]), "sh") << "pid 1 should be the init" << r;
  Result no_init = run_in({}, {"sh", "-c", "echo $$"});
  EXPECT_EQ(no_init.out, "1\n");
}

TEST_F(RunSignals, InitReapsZombies) {
  // orphans are re-parented to pid 1: the init must reap them
  Result r = run_in({"--init"},
                    {"sh", "-c",
                     "for i in 1 2 3 4 5; do (sleep 0.01 &) ; done; sleep 0.5; "
                     "cat /proc/[0-9]*/status | grep -c '^State:.*Z' || true"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(lines(r.out).back()), "0") << r;
}
