// --userns=keep-id and the default mapping, for a user with a subordinate id range and for
// one without (the common case on HPC systems, simulated with PC_SUBUID_FILE pointing at an
// empty file), and without /dev/fuse: with a single id there is nothing to remap, so
// keep-id runs on the kernel overlay like the default single-id mapping does.
#include <unistd.h>

#include "harness.hpp"

using namespace pcit;

namespace {

const std::string kUid = std::to_string(::getuid());
const std::string kGid = std::to_string(::getgid());

// What the payload is and sees: its ids, its uid_map's first line, the owner of an image
// file, whether it can write its root filesystem, and the file system "/" is.
const char* kProbe =
    "id -u; id -g; head -1 /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; stat -c %u /bin/busybox; "
    "touch /tmp/written && echo writable; awk '$2 == \"/\" {print $3}' /proc/self/mounts | tail -1";

class KeepId : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    dir_ = make_temp_dir("pc-it-keepid-");
    write_file(dir_ + "/empty-subid", "");
  }
  void TearDown() override {
    no_range_.reset();
    remove_tree(dir_);
    PcTest::TearDown();
  }
  // A store of a user without any subordinate range.
  Store& no_range() {
    if (!no_range_) {
      no_range_ = std::make_unique<Store>(std::vector<std::string>{},
                                          std::map<std::string, std::string>{{"PC_SUBUID_FILE", dir_ + "/empty-subid"},
                                                                             {"PC_SUBGID_FILE", dir_ + "/empty-subid"}});
      EXPECT_TRUE(no_range_->import_busybox());
    }
    return *no_range_;
  }
  // argv run with /dev/fuse absent: a mount namespace (of a user namespace mapping our own
  // ids) whose /dev has only the usual nodes, entered as ourselves again.
  Result without_dev_fuse(const std::vector<std::string>& argv) {
    const std::string hidden = dir_ + "/host-dev";
    run({"mkdir", "-p", hidden});
    std::vector<std::string> cmd = {
        "unshare", "-Urm", "sh", "-c",
        "set -e; d=$1; shift; mount --rbind /dev \"$d\"; mount -t tmpfs -o mode=755 tmpfs /dev; "
        "for n in null zero full random urandom tty; do touch /dev/$n; mount --bind \"$d/$n\" /dev/$n; done; "
        "mkdir /dev/pts /dev/shm; test ! -e /dev/fuse; "
        "exec unshare -U --map-user=" + kUid + " --map-group=" + kGid + " \"$@\"",
        "sh", hidden};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    return run(cmd, {.timeout_s = 120,
                     .env = {{"PC_SUBUID_FILE", dir_ + "/empty-subid"}, {"PC_SUBGID_FILE", dir_ + "/empty-subid"}}});
  }

  std::string dir_;
  std::unique_ptr<Store> no_range_;
};

}  // namespace

TEST_F(KeepId, WithARangeDefaultIsRootAndKeepIdIsTheCallerWithImageOwnersKept) {
  Result d = run_in({}, {"sh", "-c", kProbe});
  ASSERT_PC_OK(d);
  auto l = lines(d.out);
  ASSERT_EQ(l.size(), 6u) << d;
  EXPECT_EQ(l[0], "0");
  EXPECT_EQ(l[2], "0 " + kUid + " 1");
  EXPECT_EQ(l[3], "0") << "image files are root's";
  EXPECT_EQ(l[4], "writable");
  EXPECT_EQ(l[5], "overlay");

  Result k = run_in({"--userns=keep-id"}, {"sh", "-c", kProbe});
  ASSERT_PC_OK(k);
  l = lines(k.out);
  ASSERT_EQ(l.size(), 6u) << k;
  EXPECT_EQ(l[0], kUid);
  EXPECT_EQ(l[1], kGid);
  EXPECT_EQ(l[3], "0") << "keep-id still shows image files with their image owner (fuse-overlayfs mapping)";
}

TEST_F(KeepId, WithoutARangeBothMappingsRunOnTheKernelOverlay) {
  Store& s = no_range();
  Result d = s.pc({"run", "--rm", "localhost/busybox", "sh", "-c", kProbe});
  ASSERT_PC_OK(d);
  auto l = lines(d.out);
  ASSERT_EQ(l.size(), 6u) << d;
  EXPECT_EQ(l[0], "0");
  EXPECT_EQ(l[2], "0 " + kUid + " 1");
  EXPECT_EQ(l[4], "writable");
  EXPECT_EQ(l[5], "overlay");

  // The caller's uid mapped to itself alone: every file is the caller's, in the store and
  // in the container; no fuse-overlayfs (which cannot map ids it does not have).
  Result k = s.pc({"run", "--rm", "--userns=keep-id", "localhost/busybox", "sh", "-c", kProbe});
  ASSERT_PC_OK(k);
  l = lines(k.out);
  ASSERT_EQ(l.size(), 6u) << k;
  EXPECT_EQ(l[0], kUid);
  EXPECT_EQ(l[1], kGid);
  EXPECT_EQ(l[2], kUid + " " + kUid + " 1");
  EXPECT_EQ(l[3], kUid) << "squashed image files are the caller's";
  EXPECT_EQ(l[4], "writable");
  EXPECT_EQ(l[5], "overlay");
  EXPECT_FALSE(contains(k.err, "fuse")) << k;

  // A kept keep-id container: exec into it, and its files are the caller's on the host.
  const std::string name = unique_name("keepid-norange");
  ASSERT_PC_OK(s.pc({"run", "-d", "--name", name, "--userns=keep-id", "localhost/busybox", "sleep", "300"}));
  Result e = s.pc({"exec", name, "sh", "-c", "id -u; echo hi > /tmp/f; stat -c %u /tmp/f"});
  EXPECT_PC_OK(e);
  EXPECT_EQ(e.out, kUid + "\n" + kUid + "\n") << e;
  EXPECT_PC_OK(s.pc({"rm", "-f", "-t", "0", name}));
  EXPECT_EQ(trim(s.pc({"ps", "-aq"}).out), "");
}

TEST_F(KeepId, WithoutARangeAndWithoutDevFuseBothMappingsWork) {
  Store& s = no_range();
  // The store is made outside; both runs happen where /dev/fuse does not exist.
  Result d = without_dev_fuse(s.argv({"run", "--rm", "--network=none", "localhost/busybox", "sh", "-c", kProbe}));
  ASSERT_PC_OK(d);
  auto l = lines(d.out);
  ASSERT_EQ(l.size(), 6u) << d;
  EXPECT_EQ(l[0], "0");
  EXPECT_EQ(l[4], "writable");

  Result k = without_dev_fuse(
      s.argv({"run", "--rm", "--network=none", "--userns=keep-id", "localhost/busybox", "sh", "-c", kProbe}));
  ASSERT_PC_OK(k);
  l = lines(k.out);
  ASSERT_EQ(l.size(), 6u) << k;
  EXPECT_EQ(l[0], kUid);
  EXPECT_EQ(l[3], kUid);
  EXPECT_EQ(l[4], "writable");
  EXPECT_EQ(l[5], "overlay");
  EXPECT_EQ(trim(s.pc({"ps", "-aq"}).out), "");
}

TEST_F(KeepId, OtherIdsInsideKeepTheCallerOnTheHost) {
  // keep-id:uid=1000,gid=50 (Podman's syntax): the payload is uid 1000, gid 50; what it
  // writes to a bind mount is the caller's on the host; the image's files keep their owner.
  const std::string vol = dir_ + "/vol";
  run({"mkdir", "-p", vol});
  Result k = run_in({"--userns=keep-id:uid=1000,gid=50", "-v", vol + ":/vol"},
                    {"sh", "-c", std::string(kProbe) + "; echo hi > /vol/f"});
  ASSERT_PC_OK(k);
  auto l = lines(k.out);
  ASSERT_EQ(l.size(), 6u) << k;
  EXPECT_EQ(l[0], "1000");
  EXPECT_EQ(l[1], "50");
  EXPECT_TRUE(l[2].starts_with("0 ") && l[2].ends_with(" 1000") && l[2] != "0 " + kUid + " 1000")
      << "ids below 1000 come from the subordinate range: " << l[2];
  EXPECT_EQ(l[3], "0") << "image files keep their image owner";
  EXPECT_EQ(trim(run({"stat", "-c", "%u:%g", vol + "/f"}).out), kUid + ":" + kGid);
  Result inspect = pc({"run", "--rm", "--userns=keep-id:uid=1000", "localhost/busybox", "id", "-u"});
  EXPECT_EQ(trim(inspect.out), "1000") << inspect;
  // Bad values name themselves; nothing is made.
  for (const char* bad : {"--userns=keep-id:uid=x", "--userns=keep-id:user=5", "--userns=auto"}) {
    Result r = pc({"run", "--rm", bad, "localhost/busybox", "true"});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, std::string(bad).substr(9))) << r;
  }
  EXPECT_EQ(trim(pc({"ps", "-aq"}).out), "");
}
