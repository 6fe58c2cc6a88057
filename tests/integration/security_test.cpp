// Isolation and confinement: namespaces, capabilities, seccomp, no-new-privileges, masked
// and read-only paths, --privileged, networking modes, --userns=keep-id.
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "harness.hpp"

using namespace pcit;

namespace {

// "CapEff:\t00000000800405fb" -> "00000000800405fb"
std::string status_field(const std::string& status, const std::string& key) {
  for (auto& l : lines(status)) {
    if (l.rfind(key + ":", 0) == 0) return trim(l.substr(key.size() + 1));
  }
  return "<" + key + " missing>";
}

constexpr const char* kDefaultCaps = "00000000800405fb";  // podman's default set (11 caps)

// The per-mount options ("ro,nosuid,...") of the topmost mount at `path` in a
// /proc/self/mountinfo text; "" when nothing is mounted there.
std::string mount_options(const std::string& mountinfo, const std::string& path) {
  std::string opts;
  for (const auto& l : lines(mountinfo)) {
    std::istringstream in(l);
    std::string id, parent, dev, root, point, options;
    if (!(in >> id >> parent >> dev >> root >> point >> options)) continue;
    if (point == path) opts = options;
  }
  return opts;
}

class Confined : public PcTest {
 protected:
  // /proc/self/status of a payload run with `flags`
  static std::string status(const std::vector<std::string>& flags) {
    Result r = run_in(flags, {"cat", "/proc/self/status"});
    EXPECT_PC_OK(r);
    return r.out;
  }
};

class Isolation : public Confined {};
class Capabilities : public Confined {};
class Seccomp : public Confined {};
class Network : public Confined {};
class Userns : public Confined {};

}  // namespace

// ---------------------------------------------------------------- namespaces

TEST_F(Isolation, HostProcessesInvisible) {
  Result r = run_in({}, {"sh", "-c", "ls -d /proc/[0-9]* | wc -l; ps -o pid,comm"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_FALSE(ls.empty()) << r;
  // sh, ls/wc (pipeline) and at most a few more: nothing from the host
  EXPECT_LE(std::stoi(trim(ls[0])), 4) << r;
  EXPECT_FALSE(contains(r.out, "pc_integration")) << r;
}

TEST_F(Isolation, PayloadIsPid1) {
  Result r = run_in({}, {"sh", "-c", "echo $$"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "1\n");
}

TEST_F(Isolation, HostnameIsSeparate) {
  // needs CAP_SYS_ADMIN (of the container's user namespace), as in podman
  Result r = run_in({"--cap-add", "SYS_ADMIN"}, {"sh", "-c", "hostname changed-inside && hostname"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, "changed-inside\n");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_NE(std::string(host), "changed-inside");
}

TEST_F(Isolation, MountIsNotPermitted) {
  Result r = run_in({}, {"sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(icontains(r.err, "permission denied") || icontains(r.err, "not permitted")) << r;
  Result bind = run_in({}, {"sh", "-c", "mkdir -p /mnt && mount -o bind /etc /mnt"});
  EXPECT_NE(bind.exit_code, 0) << bind;
}

TEST_F(Isolation, ProcSysIsReadOnly) {
  Result r = run_in({}, {"sh", "-c", "grep ' /proc/sys ' /proc/mounts; "
                                     "echo 1 > /proc/sys/kernel/ns_last_pid && echo WROTE"});
  EXPECT_FALSE(contains(r.out, "WROTE")) << r;
  EXPECT_TRUE(contains(r.out, " /proc/sys proc ro,") || contains(r.out, " ro,")) << r;
}

TEST_F(Isolation, SysIsReadOnly) {
  Result r = run_in({}, {"sh", "-c", "grep ' /sys ' /proc/mounts; touch /sys/x && echo WROTE"});
  EXPECT_FALSE(contains(r.out, "WROTE")) << r;
  EXPECT_TRUE(contains(r.out, " ro,") || contains(r.out, " ro ")) << r;
}

TEST_F(Isolation, MaskedPaths) {
  Result r = run_in({}, {"sh", "-c",
                         "wc -c < /proc/keys; "
                         "if [ -e /proc/kcore ]; then wc -c < /proc/kcore; else echo absent; fi; "
                         "ls /proc/acpi 2>/dev/null | wc -l; "
                         "cat /proc/timer_list 2>/dev/null | wc -c"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 4u) << r;
  EXPECT_EQ(trim(ls[0]), "0") << "/proc/keys must be masked" << r;
  EXPECT_TRUE(trim(ls[1]) == "absent" || trim(ls[1]) == "0") << "/proc/kcore" << r;
  EXPECT_EQ(trim(ls[2]), "0") << "/proc/acpi must be masked" << r;
  EXPECT_EQ(trim(ls[3]), "0") << "/proc/timer_list must be masked" << r;
  // Each masked path that exists here is covered by a mount in the container (on this host
  // /proc/acpi is empty and /proc/kcore absent, so reading them proves nothing), and not
  // with --privileged.
  const std::string script = "for p in /proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list "
                             "/proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware /sys/dev/block; do "
                             "[ -e $p ] && echo EXISTS $p; done; cat /proc/self/mountinfo";
  Result m = run_in({}, {"sh", "-c", script});
  Result priv = run_in({"--privileged"}, {"sh", "-c", script});
  size_t checked = 0;
  for (const auto& l : lines(m.out)) {
    if (l.rfind("EXISTS ", 0) != 0) continue;
    const std::string path = l.substr(7);
    EXPECT_NE(mount_options(m.out, path), "") << path << " is not masked:\n" << m.out;
    EXPECT_EQ(mount_options(priv.out, path), "") << path << " is masked with --privileged";
    ++checked;
  }
  EXPECT_GE(checked, 5u) << m;
}

// The read-only remounts themselves, as the container sees them in its mountinfo, and a
// write the kernel would allow to the container's root (its own network namespace's
// sysctl) refused by them. (Writing to /proc/sysrq-trigger or vm/drop_caches proves
// nothing: the kernel refuses those to a rootless container with or without the mounts.)
TEST_F(Isolation, ReadOnlyProcPaths) {
  const std::string script =
      "for p in /proc/sysrq-trigger /proc/asound /proc/bus /proc/fs /proc/irq /proc/sys; do "
      "[ -e $p ] && echo EXISTS $p; done; cat /proc/self/mountinfo; "
      "echo '0 0' > /proc/sys/net/ipv4/ping_group_range && echo WROTE";
  Result r = run_in({}, {"sh", "-c", script});
  size_t checked = 0;
  for (const auto& l : lines(r.out)) {
    if (l.rfind("EXISTS ", 0) != 0) continue;
    const std::string path = l.substr(7);
    EXPECT_EQ(mount_options(r.out, path).substr(0, 3), "ro,") << path << " is not mounted read-only:\n" << r.out;
    ++checked;
  }
  EXPECT_GE(checked, 4u) << r;
  EXPECT_FALSE(contains(r.out, "WROTE")) << r;
  EXPECT_TRUE(contains(r.err, "Read-only file system")) << r;
  // The same write works where the paths are not read-only (--privileged): the check above
  // can fail.
  Result priv = run_in({"--privileged"}, {"sh", "-c", script});
  EXPECT_TRUE(contains(priv.out, "WROTE")) << priv;
  EXPECT_EQ(mount_options(priv.out, "/proc/sys"), "") << "no read-only /proc/sys with --privileged";
}

TEST_F(Isolation, IpcNamespaceIsPrivate) {
  Result a = run_in({}, {"readlink", "/proc/self/ns/ipc"});
  ASSERT_PC_OK(a);
  char buf[128] = {};
  ssize_t n = readlink("/proc/self/ns/ipc", buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  EXPECT_NE(trim(a.out), std::string(buf, n));
  Result u = run_in({}, {"readlink", "/proc/self/ns/uts"});
  n = readlink("/proc/self/ns/uts", buf, sizeof buf - 1);
  EXPECT_NE(trim(u.out), std::string(buf, n));
}

// ---------------------------------------------------------------- capabilities

TEST_F(Capabilities, DefaultSetForRoot) {
  std::string st = status({});
  EXPECT_EQ(status_field(st, "CapEff"), kDefaultCaps) << st;
  EXPECT_EQ(status_field(st, "CapPrm"), kDefaultCaps) << st;
  EXPECT_EQ(status_field(st, "CapBnd"), kDefaultCaps) << st;
  EXPECT_EQ(status_field(st, "CapInh"), "0000000000000000") << st;
}

TEST_F(Capabilities, NonRootUserHasNoEffectiveCaps) {
  std::string st = status({"-u", "1000:1000"});
  EXPECT_EQ(status_field(st, "CapEff"), "0000000000000000") << st;
  EXPECT_EQ(status_field(st, "CapBnd"), kDefaultCaps) << st;
}

TEST_F(Capabilities, CapAdd) {
  std::string st = status({"--cap-add", "NET_ADMIN"});
  EXPECT_EQ(status_field(st, "CapEff"), "00000000800415fb") << st;  // + bit 12
  std::string st2 = status({"--cap-add", "CAP_SYS_ADMIN"});
  EXPECT_EQ(status_field(st2, "CapEff"), "00000000802405fb") << st2;  // + bit 21
}

TEST_F(Capabilities, CapDrop) {
  std::string st = status({"--cap-drop", "CHOWN"});
  EXPECT_EQ(status_field(st, "CapEff"), "00000000800405fa") << st;
  std::string all = status({"--cap-drop", "all"});
  EXPECT_EQ(status_field(all, "CapEff"), "0000000000000000") << all;
  EXPECT_EQ(status_field(all, "CapBnd"), "0000000000000000") << all;
  std::string some = status({"--cap-drop", "ALL", "--cap-add", "CHOWN"});
  EXPECT_EQ(status_field(some, "CapEff"), "0000000000000001") << some;
}

TEST_F(Capabilities, ChownWithoutCapFails) {
  Result ok = run_in({}, {"sh", "-c", "touch /tmp/f && chown 1000:1000 /tmp/f && echo chowned"});
  EXPECT_PC_OK(ok);
  Result r = run_in({"--cap-drop", "CHOWN"}, {"sh", "-c", "touch /tmp/f && chown 1000 /tmp/f"});
  EXPECT_NE(r.exit_code, 0) << r;
}

TEST_F(Capabilities, UnknownCapabilityIs125) {
  Result r = run_in({"--cap-add", "NOT_A_CAP"}, {"true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "NOT_A_CAP")) << r;
}

TEST_F(Capabilities, PrivilegedHasAllCapsAndNoSeccompOrMasks) {
  std::string st = status({"--privileged"});
  std::string eff = status_field(st, "CapEff");
  EXPECT_EQ(eff, status_field(st, "CapBnd")) << st;
  EXPECT_NE(eff, kDefaultCaps) << st;
  EXPECT_EQ(eff.substr(eff.size() - 8), "ffffffff") << "all low caps" << st;
  EXPECT_EQ(status_field(st, "Seccomp"), "0") << st;
  Result m = run_in({"--privileged"}, {"sh", "-c", "grep -c ' /proc/keys ' /proc/mounts || true"});
  EXPECT_EQ(trim(m.out), "0") << "no masked paths with --privileged" << m;
  // rootless meaning: mount works inside the container's user namespace
  Result mnt = run_in({"--privileged"},
                      {"sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted"});
  EXPECT_PC_OK(mnt);
  EXPECT_EQ(mnt.out, "mounted\n");
}

// ---------------------------------------------------------------- seccomp, no_new_privs

TEST_F(Seccomp, FilterOnByDefault) {
  std::string st = status({});
  EXPECT_EQ(status_field(st, "Seccomp"), "2") << st;
  EXPECT_EQ(status_field(st, "NoNewPrivs"), "0") << st;
}

TEST_F(Seccomp, Unconfined) {
  std::string st = status({"--security-opt", "seccomp=unconfined"});
  EXPECT_EQ(status_field(st, "Seccomp"), "0") << st;
}

TEST_F(Seccomp, DefaultProfileDeniesWhatPodmanDenies) {
  // podman: `unshare -m` fails with EPERM by default (podman 4.3 allows `unshare -U`);
  // with CAP_SYS_ADMIN and no filter it works
  Result r = run_in({}, {"unshare", "-m", "true"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(icontains(r.err, "not permitted")) << r;
  Result nested = run_in({}, {"unshare", "-U", "true"});
  EXPECT_PC_OK(nested);
  Result ok = run_in({"--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined"},
                     {"unshare", "-m", "true"});
  EXPECT_PC_OK(ok);
}

TEST_F(Seccomp, CustomProfileFile) {
  std::string dir = make_temp_dir("pc-it-seccomp-");
  write_file(dir + "/profile.json", R"({
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" }
  ]
})");
  Result r = run_in({"--security-opt", "seccomp=" + dir + "/profile.json"},
                    {"sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/d && echo MADE"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.out, "Seccomp:\t2")) << r;
  EXPECT_FALSE(contains(r.out, "MADE")) << r;
  EXPECT_TRUE(icontains(r.err, "not permitted")) << "SCMP_ACT_ERRNO defaults to EPERM" << r;
  // other syscalls are allowed
  Result ok = run_in({"--security-opt", "seccomp=" + dir + "/profile.json"},
                     {"sh", "-c", "touch /tmp/f && echo fine"});
  EXPECT_PC_OK(ok);
  // a missing or broken profile is a clear 125
  Result missing = run_in({"--security-opt", "seccomp=" + dir + "/nope.json"}, {"true"});
  EXPECT_EXIT_CODE(missing, 125);
  EXPECT_TRUE(contains(missing.err, "nope.json")) << missing;
  write_file(dir + "/broken.json", "{ not json");
  Result broken = run_in({"--security-opt", "seccomp=" + dir + "/broken.json"}, {"true"});
  EXPECT_EXIT_CODE(broken, 125);
  remove_tree(dir);
}

TEST_F(Seccomp, ErrnoRetInProfile) {
  std::string dir = make_temp_dir("pc-it-seccomp-");
  write_file(dir + "/p.json", R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
    {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":28}]})");
  Result r = run_in({"--security-opt", "seccomp=" + dir + "/p.json"}, {"mkdir", "/tmp/d"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(icontains(r.err, "no space left")) << "errnoRet 28 = ENOSPC" << r;
  remove_tree(dir);
}

TEST_F(Seccomp, NoNewPrivileges) {
  std::string st = status({"--security-opt", "no-new-privileges"});
  EXPECT_EQ(status_field(st, "NoNewPrivs"), "1") << st;
  std::string st2 = status({"--security-opt", "no-new-privileges=true"});
  EXPECT_EQ(status_field(st2, "NoNewPrivs"), "1") << st2;
}

TEST_F(Seccomp, UnknownSecurityOptIs125) {
  Result r = run_in({"--security-opt", "bogus=1"}, {"true"});
  EXPECT_EXIT_CODE(r, 125);
}

// ---------------------------------------------------------------- networking

TEST_F(Network, NoneHasOnlyLoopback) {
  Result r = run_in({"--network", "none"}, {"cat", "/proc/net/dev"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 3u) << "two header lines and lo" << r;
  EXPECT_TRUE(contains(ls[2], "lo:")) << r;
  Result up = run_in({"--network=none"}, {"sh", "-c", "ip link show lo 2>/dev/null || cat /sys/class/net/lo/operstate"});
  EXPECT_PC_OK(up);
}

TEST_F(Network, HostSharesHostInterfaces) {
  std::string host_dev = read_file("/proc/net/dev");
  size_t host_ifaces = lines(host_dev).size();
  Result r = run_in({"--network", "host"}, {"cat", "/proc/net/dev"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(lines(r.out).size(), host_ifaces) << r;
  Result ns = run_in({"--net=host"}, {"readlink", "/proc/self/ns/net"});
  char buf[128] = {};
  ssize_t n = readlink("/proc/self/ns/net", buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  // the container's user namespace differs, but the net namespace is the host's
  EXPECT_EQ(trim(ns.out), std::string(buf, n)) << ns;
}

TEST_F(Network, BadNetworkModeIs125) {
  Result r = run_in({"--network", "no-such-mode"}, {"true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no-such-mode")) << r;
}

// ---------------------------------------------------------------- user namespace

TEST_F(Userns, KeepIdMapsCallerUid) {
  Result r = run_in({"--userns=keep-id"}, {"sh", "-c", "id -u; id -g"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(r.out, std::to_string(getuid()) + "\n" + std::to_string(getgid()) + "\n");
}

TEST_F(Userns, KeepIdFilesOwnedByCaller) {
  std::string dir = make_temp_dir("pc-it-keepid-");
  Result r = run_in({"--userns", "keep-id", "-v", dir + ":/data"},
                    {"sh", "-c", "touch /data/f && stat -c %u /data/f"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), std::to_string(getuid()));
  struct stat st {};
  ASSERT_EQ(stat((dir + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getuid());
  remove_tree(dir);
}

TEST_F(Userns, RootMapsToCallerAndSubuidsAreUsed) {
  Result r = run_in({}, {"cat", "/proc/self/uid_map"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_GE(ls.size(), 1u) << r;
  std::istringstream first(ls[0]);
  long inside = -1, outside = -1, count = -1;
  first >> inside >> outside >> count;
  EXPECT_EQ(inside, 0) << r;
  EXPECT_EQ(outside, static_cast<long>(getuid())) << r;
  EXPECT_EQ(count, 1) << r;
  EXPECT_GE(ls.size(), 2u) << "the subuid range should be mapped too" << r;
}

TEST_F(Userns, FileOwnedBySubuidOnHost) {
  std::string dir = make_temp_dir("pc-it-subuid-");
  chmod(dir.c_str(), 0777);
  Result r = run_in({"-v", dir + ":/data"}, {"sh", "-c", "touch /data/f && chown 1000:1000 /data/f"});
  ASSERT_PC_OK(r);
  struct stat st {};
  ASSERT_EQ(stat((dir + "/f").c_str(), &st), 0);
  EXPECT_NE(st.st_uid, getuid()) << "uid 1000 inside must map to a subuid on the host";
  EXPECT_GE(st.st_uid, 65536u);
  remove_tree(dir);
}
