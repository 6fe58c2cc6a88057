// System-level: info, version, --help of every command, storage drivers, the single-id
// mapping fallback without subuid ranges, running without XDG_RUNTIME_DIR.
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {
class Info : public PcTest {};
class Help : public PcTest {};
class StorageDriver : public PcTest {};
class Fallbacks : public PcTest {};
class SystemDf : public PcTest {};
class Unshare : public PcTest {};
}  // namespace

TEST_F(Info, ReportsDriverMappingAndPaths) {
  Result r = pc({"info"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "graphDriverName")) << r;
  EXPECT_TRUE(contains(r.out, "overlay") || contains(r.out, "vfs")) << r;
  EXPECT_TRUE(contains(r.out, store().root())) << "graphRoot should be the --root dir" << r;
  EXPECT_TRUE(contains(r.out, "idMappings") || icontains(r.out, "uidmap")) << r;
}

TEST_F(Info, FormatJson) {
  Result r = pc({"info", "--format", "json"});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  ASSERT_TRUE(j.contains("store")) << r;
  std::string driver = j["store"].value("graphDriverName", "");
  EXPECT_TRUE(driver == "overlay" || driver == "fuse-overlayfs" || driver == "vfs") << r;
  EXPECT_EQ(j["store"].value("graphRoot", ""), store().root()) << r;
  EXPECT_EQ(j["store"].value("runRoot", ""), store().runroot()) << r;
  ASSERT_TRUE(j.contains("host")) << r;
  ASSERT_TRUE(j["host"].contains("idMappings")) << r;
  EXPECT_TRUE(j["host"]["idMappings"].contains("uidmap")) << r;
  EXPECT_TRUE(j["host"]["idMappings"].contains("gidmap")) << r;
  Result d = pc({"info", "--format", "{{.Store.GraphDriverName}}"});
  EXPECT_PC_OK(d);
  EXPECT_EQ(trim(d.out), driver) << d;
  // The host facts Podman reports, from this host.
  EXPECT_EQ(j["host"].value("cpus", 0L), sysconf(_SC_NPROCESSORS_ONLN)) << r;
  EXPECT_GT(j["host"].value("memTotal", 0L), 0) << r;
  EXPECT_TRUE(contains(j["host"].value("uptime", ""), "days)")) << r;
  EXPECT_GT(j["store"].value("graphRootAllocated", 0L), j["store"].value("graphRootUsed", 0L)) << r;
  EXPECT_GT(j["store"].value("graphRootUsed", 0L), 0) << r;
  EXPECT_FALSE(j["store"]["graphStatus"].value("Backing Filesystem", "").empty()) << r;
  Result cpus = pc({"info", "--format", "{{.Host.Cpus}}"});
  EXPECT_EQ(trim(cpus.out), std::to_string(sysconf(_SC_NPROCESSORS_ONLN))) << cpus;
}

TEST_F(Info, DefaultDriverIsKernelOverlay) {
  Result r = pc({"info", "--format", "json"});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  EXPECT_EQ(j["store"].value("graphDriverName", ""), "overlay")
      << "kernel overlayfs works in a user namespace on this kernel" << r;
}

TEST_F(Info, Version) {
  Result r = pc({"version"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "Version:")) << r;
  Result v = pc({"--version"});
  ASSERT_PC_OK(v);
  EXPECT_EQ(v.out.rfind("pc version ", 0), 0u) << v;
}

TEST_F(Help, EveryCommandHasHelp) {
  const std::vector<std::vector<std::string>> cmds = {
      {},
      {"run"},
      {"ps"},
      {"rm"},
      {"inspect"},
      {"images"},
      {"rmi"},
      {"tag"},
      {"import"},
      {"info"},
      {"version"},
      {"image"},
      {"image", "ls"},
      {"image", "inspect"},
      {"image", "rm"},
      {"image", "tag"},
      {"image", "prune"},
      {"container"},
      {"container", "ls"},
      {"container", "inspect"},
      {"container", "rm"},
      {"container", "prune"},
      {"volume"},
      {"volume", "create"},
      {"volume", "ls"},
      {"volume", "inspect"},
      {"volume", "rm"},
      {"volume", "prune"},
      {"volume", "exists"},
      {"untag"},
      {"image", "untag"},
      {"image", "exists"},
      {"container", "start"},
      {"container", "stop"},
      {"container", "exists"},
      {"container", "commit"},
      {"system"},
      {"system", "info"},
      {"system", "prune"},
      {"system", "df"},
      {"unshare"},
  };
  for (auto& c : cmds) {
    std::vector<std::string> args = c;
    args.push_back("--help");
    Result r = pc(args, {.timeout_s = 20});
    EXPECT_PC_OK(r);
    EXPECT_TRUE(icontains(r.out, "usage")) << r;
  }
}

TEST_F(Help, RunHelpListsFlags) {
  Result r = pc({"run", "--help"});
  ASSERT_PC_OK(r);
  for (const char* flag : {"--rm", "--name", "--env", "--env-file", "--workdir", "--user",
                           "--entrypoint", "--volume", "--mount", "--interactive", "--tty",
                           "--label", "--tmpfs", "--read-only", "--hostname", "--privileged",
                           "--cap-add", "--cap-drop", "--security-opt", "--network", "--userns",
                           "--init"})
    EXPECT_TRUE(contains(r.out, flag)) << flag << r;
}

TEST_F(Help, UnknownCommandIs125) {
  Result r = pc({"no-such-command"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "Error: unrecognized command `pc no-such-command`")) << r;
  Result sub = pc({"--root", "/nonexistent", "container", "bogus"});
  EXPECT_EXIT_CODE(sub, 125);
  EXPECT_TRUE(contains(sub.err, "Error: unrecognized command `pc container bogus`")) << sub;
}

// Parse errors are worded as Podman's, naming the command whose help to read.
TEST_F(Help, ParseErrorsNameTheCommand) {
  Result flag = pc({"ps", "--no-such-flag"});
  EXPECT_EXIT_CODE(flag, 125);
  EXPECT_TRUE(contains(flag.err, "Error: unknown flag: --no-such-flag\nSee 'pc ps --help'")) << flag;
  Result missing = pc({"volume"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(contains(missing.err, "Error: missing command 'pc volume COMMAND'")) << missing;
  EXPECT_TRUE(icontains(missing.out, "usage")) << missing;
  Result value = pc({"--log-level"});
  EXPECT_EXIT_CODE(value, 125);
  EXPECT_TRUE(contains(value.err, "Error: flag needs an argument: --log-level")) << value;
}

// Only the named command's part of the CLI is built; every command still has its own
// help and the global flags work before it.
TEST_F(Help, GlobalFlagsBeforeAnyCommand) {
  for (const char* cmd : {"stop", "pull", "logs", "healthcheck", "events"}) {
    Result r = pc({"--log-level", "error", "--root", "/nonexistent", cmd, "--help"});
    EXPECT_PC_OK(r);
    EXPECT_TRUE(icontains(r.out, "usage")) << cmd << r;
  }
}

// ---------------------------------------------------------------- storage drivers

namespace {
void run_with_driver(const std::string& driver) {
  Store s({"--storage-driver", driver});
  ASSERT_TRUE(s.import_busybox());
  Result r = s.pc({"run", "--rm", "localhost/busybox", "sh", "-c",
                   "echo hi > /etc/new && cat /etc/new && rm /bin/ls && test ! -e /bin/ls && "
                   "mkdir -p /mnt/x && echo ok"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "hi\nok\n");
  Result again = s.pc({"run", "--rm", "localhost/busybox", "sh", "-c", "test -e /bin/ls && echo intact"});
  EXPECT_EQ(again.out, "intact\n") << again;
  Result info = s.pc({"info", "--format", "json"});
  ASSERT_PC_OK(info);
  json j = json::parse(info.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << info;
  EXPECT_EQ(j["store"].value("graphDriverName", ""), driver) << info;
  // the user-facing rows still work
  std::string name = "drv-" + random_suffix();
  ASSERT_PC_OK(s.pc({"run", "--name", name, "-v", "dv:/data", "localhost/busybox", "touch", "/data/f"}));
  EXPECT_PC_OK(s.pc({"rm", name}));
  EXPECT_PC_OK(s.pc({"rmi", "localhost/busybox"}));
}
}  // namespace

TEST_F(StorageDriver, Overlay) { run_with_driver("overlay"); }
TEST_F(StorageDriver, Vfs) { run_with_driver("vfs"); }
TEST_F(StorageDriver, FuseOverlayfs) {
  if (access("/dev/fuse", R_OK | W_OK) != 0)
    GTEST_SKIP() << "/dev/fuse not accessible (run scripts/deps as root: chmod 0666 /dev/fuse)";
  run_with_driver("fuse-overlayfs");
}

TEST_F(StorageDriver, UnknownDriverIs125) {
  Store s({"--storage-driver", "no-such-driver"});
  Result r = s.pc({"images"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no-such-driver")) << r;
}

// --storage-driver overlay on a store whose filesystem kernel overlayfs cannot take as its
// upper layer (a FUSE mount here, as a store on sshfs or inside a fuse-overlayfs container
// is): exit 125 with the filesystem and the drivers that work named, and nothing made (no
// container record, no mount).
TEST_F(StorageDriver, ForcedOverlayOnAFilesystemThatCannotCarryItNamesIt) {
  if (access("/dev/fuse", R_OK | W_OK) != 0 || !run({"sh", "-c", "command -v fuse-overlayfs && command -v fusermount3"}).ok())
    GTEST_SKIP() << "needs fuse-overlayfs, fusermount3 and an accessible /dev/fuse (scripts/deps)";
  Store s({"--storage-driver", "overlay"});
  for (const std::string sub : {"/l", "/u", "/w", "/root"}) ASSERT_EQ(mkdir((s.dir() + sub).c_str(), 0700), 0) << sub;
  ASSERT_PC_OK(run({"fuse-overlayfs", "-o",
                    "lowerdir=" + s.dir() + "/l,upperdir=" + s.dir() + "/u,workdir=" + s.dir() + "/w", s.root()}));
  struct Unmount {
    std::string path;
    ~Unmount() { run({"fusermount3", "-u", path}); }
  } unmount{s.root()};
  ASSERT_PC_OK(s.pc({"import", busybox_tar(true), "localhost/busybox"}));
  Result r = s.pc({"run", "--name", "ovl-" + random_suffix(), "localhost/busybox", "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "the store " + s.root() + " is on fuseblk")) << r;
  EXPECT_TRUE(contains(r.err, "storage drivers that work there: fuse-overlayfs, vfs")) << r;
  EXPECT_FALSE(contains(r.err, "No data available")) << r;
  Result ps = s.pc({"ps", "-a", "-q"});
  EXPECT_PC_OK(ps);
  EXPECT_EQ(trim(ps.out), "") << ps;
  EXPECT_EQ(list_tree(s.root() + "/containers"), std::vector<std::string>{});
  EXPECT_TRUE(trim(run({"sh", "-c", "grep -F '" + s.root() + "/' /proc/self/mountinfo"}).out).empty());
  // The drivers it names work on the same store.
  Result fuse = run({pc_binary(), "--root", s.root(), "--runroot", s.runroot(), "--storage-driver", "fuse-overlayfs",
                     "run", "--rm", "localhost/busybox", "echo", "ok"});
  EXPECT_PC_OK(fuse);
}

// ---------------------------------------------------------------- fallbacks

TEST_F(Fallbacks, SingleIdMappingWithoutSubuidRanges) {
  Store s({}, {{"PC_SUBUID_FILE", "/dev/null"}, {"PC_SUBGID_FILE", "/dev/null"}});
  std::string tar = busybox_tar();
  Result imp = s.pc({"import", tar, "localhost/busybox"});
  ASSERT_PC_OK(imp);
  Result r = s.pc({"run", "--rm", "localhost/busybox", "sh", "-c", "id -u; cat /proc/self/uid_map"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 2u) << "single mapping line expected" << r;
  EXPECT_EQ(trim(ls[0]), "0");
  auto warn = lines(r.err);
  EXPECT_EQ(warn.size(), 1u) << "exactly one warning line" << r;
  if (!warn.empty()) {
    EXPECT_TRUE(icontains(warn[0], "warn")) << r;
    EXPECT_TRUE(icontains(warn[0], "subuid") || icontains(warn[0], "single")) << r;
  }
  // ownership is squashed: a file of uid 1000 in the image reads as owned by 0 (or
  // nobody); chown to another id fails but the run itself works
  Result u = s.pc({"run", "--rm", "localhost/busybox", "echo", "still works"});
  EXPECT_PC_OK(u);
  EXPECT_EQ(u.out, "still works\n");
}

TEST_F(Fallbacks, NoXdgRuntimeDirUsesPrivateTmpDir) {
  // no --runroot here: the default runtime dir must be /tmp/pc-UID (0700, ours)
  std::string dir = make_temp_dir("pc-it-noxdg-");
  std::string root = dir + "/root";
  RunOpts o{.unset_env = {"XDG_RUNTIME_DIR"}};
  Result imp = run({pc_binary(), "--root", root, "import", busybox_tar(), "localhost/busybox"}, o);
  ASSERT_PC_OK(imp);
  Result r = run({pc_binary(), "--root", root, "run", "--rm", "localhost/busybox", "echo", "ok"}, o);
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "ok\n");
  std::string rt = "/tmp/pc-" + std::to_string(getuid());
  struct stat st {};
  ASSERT_EQ(lstat(rt.c_str(), &st), 0) << rt << " not created";
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, getuid());
  run({pc_binary(), "--root", root, "rm", "-a", "-f"}, o);
  run({pc_binary(), "--root", root, "system", "migrate"}, o);  // the holder it started in /tmp/pc-UID
  remove_tree(dir);
}

TEST_F(Fallbacks, DefaultStoreUnderHomeWithoutXdgDataHome) {
  // no --root: the store goes to ~/.local/share/pc unless XDG_DATA_HOME says otherwise
  std::string dir = make_temp_dir("pc-it-xdgdata-");
  RunOpts o{.env = {{"XDG_DATA_HOME", dir}}, .unset_env = {"XDG_RUNTIME_DIR"}};
  Result r = run({pc_binary(), "info", "--format", "json"}, o);
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  EXPECT_EQ(j["store"].value("graphRoot", ""), dir + "/pc") << r;
  remove_tree(dir);
}

// ---------------------------------------------------------------- system df

TEST_F(SystemDf, SummaryAndVerboseAsPodman) {
  std::string name = unique_name("df");
  std::string vol = unique_name("dfvol");
  ASSERT_PC_OK(pc({"run", "--name", name, "-v", vol + ":/data", image(), "sh", "-c",
                   "head -c 5000 /dev/zero > /data/f; head -c 1234 /dev/zero > /big"}));
  Result r = pc({"system", "df"});
  ASSERT_PC_OK(r);
  std::vector<std::string> l = lines(r.out);
  ASSERT_EQ(l.size(), 4u) << r;
  EXPECT_TRUE(contains(l[0], "TYPE") && contains(l[0], "RECLAIMABLE")) << r;
  EXPECT_EQ(l[1].rfind("Images", 0), 0u) << r;
  EXPECT_EQ(l[2].rfind("Containers", 0), 0u) << r;
  EXPECT_EQ(l[3].rfind("Local Volumes", 0), 0u) << r;

  // The exited container's 1,234 bytes are reclaimable; the volume is in use (not).
  Result t = pc({"system", "df", "--format", "{{.Type}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}"});
  ASSERT_PC_OK(t);
  std::vector<std::string> rows = lines(t.out);
  ASSERT_EQ(rows.size(), 3u) << t;
  EXPECT_TRUE(contains(rows[0], "Images|1|")) << t;
  EXPECT_TRUE(contains(rows[1], "Containers|0|1.234kB|1.234kB (100%)")) << t;
  EXPECT_TRUE(contains(rows[2], "Local Volumes|1|5kB|0B (0%)")) << t;

  Result v = pc({"system", "df", "-v"});
  ASSERT_PC_OK(v);
  EXPECT_TRUE(contains(v.out, "Images space usage:")) << v;
  EXPECT_TRUE(contains(v.out, "SHARED SIZE")) << v;
  EXPECT_TRUE(contains(v.out, "Containers space usage:")) << v;
  EXPECT_TRUE(contains(v.out, name)) << v;
  EXPECT_TRUE(contains(v.out, "Local Volumes space usage:")) << v;
  bool volume_row = false;
  for (const auto& line : lines(v.out))
    if (line.rfind(vol, 0) == 0) volume_row = contains(line, " 1 ") && contains(line, "5kB");
  EXPECT_TRUE(volume_row) << "the volume with 1 link and 5kB: " << v;

  Result both = pc({"system", "df", "-v", "--format", "{{.Type}}"});
  EXPECT_EXIT_CODE(both, 125);
  ASSERT_PC_OK(pc({"rm", name}));
  ASSERT_PC_OK(pc({"volume", "rm", vol}));
}

// ---------------------------------------------------------------- unshare

TEST_F(Unshare, RunsAsRootOfTheStoreMapping) {
  Result map = pc({"unshare", "cat", "/proc/self/uid_map"});
  ASSERT_PC_OK(map);
  Result same = pc({"run", "--rm", image(), "cat", "/proc/self/uid_map"});
  ASSERT_PC_OK(same);
  EXPECT_EQ(map.out, same.out) << "the mapping containers and storage use";
  Result id = pc({"unshare", "id", "-u"});
  EXPECT_EQ(id.out, "0\n") << id;
  Result env = pc({"unshare", "sh", "-c", "echo $CONTAINERS_GRAPHROOT"});
  EXPECT_EQ(trim(env.out), store().root()) << env;
  // Options after the command are the command's.
  Result opts = pc({"unshare", "ls", "-d", "/"});
  EXPECT_EQ(opts.out, "/\n") << opts;
  EXPECT_EXIT_CODE(pc({"unshare", "sh", "-c", "exit 7"}), 7);
  Result missing = pc({"unshare", "no-such-command-xyz"});
  EXPECT_EXIT_CODE(missing, 127);
  EXPECT_TRUE(contains(missing.err, "no-such-command-xyz")) << missing;
}

TEST_F(Unshare, RemovesFilesOwnedBySubordinateIds) {
  // A file made by uid 1000 in a container is owned by a subuid on the host: the caller
  // cannot remove it, `pc unshare rm` can.
  const std::string dir = store().dir() + "/unshare-" + random_suffix();
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_PC_OK(pc({"run", "--rm", "-v", dir + ":/d", image(), "sh", "-c",
                   "mkdir /d/sub && touch /d/sub/f && chown -R 1000:1000 /d/sub && chmod 700 /d/sub"}));
  struct stat st {};
  ASSERT_EQ(stat((dir + "/sub").c_str(), &st), 0);
  EXPECT_NE(st.st_uid, getuid()) << "owned by a subordinate id";
  Result r = pc({"unshare", "rm", "-rf", dir + "/sub"});
  ASSERT_PC_OK(r);
  EXPECT_NE(stat((dir + "/sub").c_str(), &st), 0) << "removed";
  rmdir(dir.c_str());
}
