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

namespace {

// An image with the ownership keep-id must keep: files of uid 1 and 1000, a setuid binary,
// a sticky dir, a hard link, a whiteout (/d/gone removed by an upper layer) and an opaque
// dir (/o replaced by an upper layer).
const char* kOwnersContainerfile =
    "FROM localhost/busybox\n"
    "RUN mkdir -p /d /o && echo a > /d/gone && echo b > /o/old && echo x > /u1 && chown 1:2 /u1 && "
    "echo y > /u1000 && chown 1000:1000 /u1000 && cp /bin/busybox /suid && chmod 4755 /suid && "
    "chmod 1777 /d && echo h > /h1 && ln /h1 /h2\n"
    "RUN rm /d/gone && rm -r /o && mkdir /o && echo c > /o/new\n";

// What a container shows of that image (the same with either mapping).
const char* kOwnersProbe =
    "stat -c '%n %u:%g %a' / /etc /bin/busybox /u1 /u1000 /suid /d /o; ls /d /o; "
    "[ $(stat -c %i /h1) = $(stat -c %i /h2) ] && echo hardlinked; "
    "grep ' / / ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1";

// Names of the keep-id copies in the store (layers/<chain>/keep-id/<key>) and leftovers.
std::vector<std::string> keep_id_copies(const Store& s) {
  Result r = run({"sh", "-c", "cd '" + s.root() + "/layers' && ls -d */keep-id/* .tmp-* 2>/dev/null | sort"});
  return lines(r.out);
}

}  // namespace

TEST_F(KeepId, KernelOverlayShowsImageOwnersFromKeepIdCopies) {
  Result b = pc({"build", "-t", "keepid-owners", "-"}, {.input = kOwnersContainerfile, .timeout_s = 120});
  ASSERT_PC_OK(b);
  Result d = pc({"run", "--rm", "keepid-owners", "sh", "-c", kOwnersProbe});
  ASSERT_PC_OK(d);
  EXPECT_EQ(d.out,
            "/ 0:0 755\n/etc 0:0 755\n/bin/busybox 0:0 755\n/u1 1:2 644\n/u1000 1000:1000 644\n/suid 0:0 4755\n"
            "/d 0:0 1777\n/o 0:0 755\n/d:\n\n/o:\nnew\nhardlinked\noverlay\n")
      << d;
  EXPECT_TRUE(keep_id_copies(store()).empty());
  auto images_bytes = [] {
    Result df = pc({"system", "df", "--format", "{{.Type}} {{.RawSize}}"});
    for (const auto& l : lines(df.out))
      if (l.starts_with("Images ")) return std::stoull(l.substr(7));
    ADD_FAILURE() << df;
    return 0ULL;
  };
  const unsigned long long before_copies = images_bytes();

  // keep-id shows the same owners, modes, whiteouts and links, on kernel overlay (no
  // fuse-overlayfs), and its own id is the caller's.
  Result k = pc({"run", "--rm", "--userns=keep-id", "keepid-owners", "sh", "-c", std::string("id -u; ") + kOwnersProbe});
  ASSERT_PC_OK(k);
  EXPECT_EQ(k.out, kUid + "\n" + d.out) << k;
  const std::vector<std::string> copies = keep_id_copies(store());
  EXPECT_EQ(copies.size(), 3u) << "one copy per layer (busybox and two RUN layers)";
  EXPECT_GT(images_bytes(), before_copies + 1000000) << "system df counts the copies (busybox is ~2 MB)";

  // A second container reuses the copies (same directories, same inodes), and a running
  // one has no fuse-overlayfs process.
  Result inodes = run({"sh", "-c", "cd '" + store().root() + "/layers' && stat -c %i */keep-id/*"});
  const std::string name = unique_name("keepid-copies");
  ASSERT_PC_OK(pc({"run", "-d", "--name", name, "--userns=keep-id", "keepid-owners", "sleep", "300"}));
  Result again = pc({"exec", name, "sh", "-c", kOwnersProbe});
  EXPECT_EQ(again.out, d.out) << again;
  EXPECT_EQ(keep_id_copies(store()), copies);
  EXPECT_EQ(run({"sh", "-c", "cd '" + store().root() + "/layers' && stat -c %i */keep-id/*"}).out, inodes.out);
  Result fuse = run({"sh", "-c", "pgrep -a fuse-overlayfs || true"});
  EXPECT_FALSE(contains(fuse.out, store().root())) << fuse;

  // What the keep-id user writes is its own, in the container, in a commit and on the host.
  ASSERT_PC_OK(pc({"exec", name, "sh", "-c", "echo n > /tmp/new"}));
  ASSERT_PC_OK(pc({"commit", name, "keepid-committed"}));
  Result c = pc({"run", "--rm", "keepid-committed", "stat", "-c", "%u %a", "/tmp/new", "/u1", "/"});
  EXPECT_EQ(c.out, kUid + " 644\n1 644\n0 755\n") << c;
  Result e = run({"sh", "-c", "'" + pc_binary() + "' --root '" + store().root() + "' --runroot '" + store().runroot() +
                                  "' export " + name + " | tar -tvf - tmp/new u1 suid"});
  EXPECT_TRUE(contains(e.out, kUid + "/")) << e;
  EXPECT_TRUE(contains(e.out, "1/2 ")) << e;
  EXPECT_TRUE(contains(e.out, "rwsr-xr-x 0/0")) << e;
  EXPECT_PC_OK(pc({"rm", "-f", "-t", "0", name}));

  // Another mapping gets copies of its own.
  Result other = pc({"run", "--rm", "--userns=keep-id:uid=1000,gid=50", "keepid-owners", "stat", "-c", "%u:%g", "/u1000", "/"});
  EXPECT_EQ(other.out, "1000:1000\n0:0\n") << other;
  EXPECT_EQ(keep_id_copies(store()).size(), 6u);

  // rmi removes them with their layers: nothing is left once no image uses a layer.
  ASSERT_PC_OK(pc({"rmi", "keepid-committed", "keepid-owners", "localhost/busybox"}));
  EXPECT_EQ(keep_id_copies(store()), std::vector<std::string>{});
  EXPECT_EQ(trim(run({"sh", "-c", "ls -A '" + store().root() + "/layers' | grep -v '^\\.keep-id.lock$' || true"}).out), "");
}

TEST_F(KeepId, RanksStartingTogetherMakeOneCopy) {
  // Four keep-id containers at once on an image without copies: all succeed, one copy per
  // layer, no leftover.
  std::vector<std::unique_ptr<Child>> ranks;
  for (int i = 0; i < 4; ++i)
    ranks.push_back(store().pc_async({"run", "--rm", "--userns=keep-id", image(), "stat", "-c", "%u", "/etc"}));
  for (auto& r : ranks) {
    Result res = r->wait(120);
    EXPECT_PC_OK(res);
    EXPECT_EQ(res.out, "0\n") << res;
  }
  EXPECT_EQ(keep_id_copies(store()).size(), 1u);
}

TEST_F(KeepId, OtherDriversStillShowImageOwnersThroughFuseOverlayfs) {
  // vfs has no overlay to put copies under: keep-id keeps fuse-overlayfs' translation there.
  Store vfs({"--storage-driver", "vfs"});
  ASSERT_TRUE(vfs.import_busybox());
  Result k = vfs.pc({"run", "--rm", "--userns=keep-id", "localhost/busybox", "sh", "-c",
                     "id -u; stat -c %u /etc; grep ' / / ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1"});
  ASSERT_PC_OK(k);
  EXPECT_EQ(k.out, kUid + "\n0\nfuse.fuse-overlayfs\n") << k;
  EXPECT_TRUE(keep_id_copies(vfs).empty());
}
