// Images: import (file, stdin), images, tag, rmi, image management forms, hostile tarballs,
// store locking, kill -9 during import.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class Images : public PcTest {};

bool images_list(const Store& s, const std::string& needle) {
  Result r = s.pc({"images"});
  return r.ok() && contains(r.out, needle);
}

}  // namespace

TEST_F(Images, ImportFromFileThenImagesListsIt) {
  Result r = pc({"images"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "localhost/busybox")) << r;
  EXPECT_TRUE(contains(r.out, "latest")) << r;
  EXPECT_TRUE(contains(r.out, "REPOSITORY")) << "podman-style header expected" << r;
}

TEST_F(Images, ImportFromStdinDash) {
  std::string tar = read_file(busybox_tar());
  ASSERT_FALSE(tar.empty());
  Result r = pc({"import", "-", "localhost/fromstdin:v2"}, {.input = tar, .timeout_s = 120});
  ASSERT_PC_OK(r);
  Result img = pc({"images"});
  EXPECT_TRUE(contains(img.out, "localhost/fromstdin")) << img;
  EXPECT_TRUE(contains(img.out, "v2")) << img;
  Result run = pc({"run", "--rm", "localhost/fromstdin:v2", "echo", "from-stdin-image"});
  EXPECT_PC_OK(run);
  EXPECT_EQ(trim(run.out), "from-stdin-image");
}

TEST_F(Images, ImportPrintsImageId) {
  Result r = pc({"import", busybox_tar(), "localhost/idcheck"});
  ASSERT_PC_OK(r);
  std::string id = trim(r.out);
  if (id.rfind("sha256:", 0) == 0) id = id.substr(7);
  EXPECT_GE(id.size(), 12u) << r;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << r;
}

TEST_F(Images, ImagesQuietPrintsIds) {
  Result r = pc({"images", "-q"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_FALSE(ls.empty()) << r;
  for (auto& l : ls) EXPECT_EQ(trim(l).find_first_not_of("0123456789abcdef"), std::string::npos) << r;
}

TEST_F(Images, ImagesFormatJson) {
  Result r = pc({"images", "--format", "json"});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  ASSERT_TRUE(j.is_array()) << r;
  ASSERT_FALSE(j.empty()) << r;
  EXPECT_TRUE(j[0].contains("Id")) << r;
}

TEST_F(Images, TagAddsNameAndRunWorksWithIt) {
  ASSERT_PC_OK(pc({"tag", image(), "localhost/retagged:v1"}));
  Result img = pc({"images"});
  EXPECT_TRUE(contains(img.out, "localhost/retagged")) << img;
  EXPECT_TRUE(contains(img.out, "v1")) << img;
  Result run = pc({"run", "--rm", "localhost/retagged:v1", "true"});
  EXPECT_PC_OK(run);
}

TEST_F(Images, RmiOfOneTagKeepsTheOtherName) {
  ASSERT_PC_OK(pc({"tag", image(), "localhost/second:latest"}));
  ASSERT_PC_OK(pc({"rmi", "localhost/second:latest"}));
  Result img = pc({"images"});
  EXPECT_FALSE(contains(img.out, "localhost/second")) << img;
  EXPECT_TRUE(contains(img.out, "localhost/busybox")) << img;
}

TEST_F(Images, RmiRemovesImage) {
  ASSERT_PC_OK(pc({"import", busybox_variant_tar(store().dir(), "del"), "localhost/todelete"}));
  ASSERT_TRUE(images_list(store(), "localhost/todelete"));
  Result r = pc({"rmi", "localhost/todelete"});
  EXPECT_PC_OK(r);
  EXPECT_FALSE(images_list(store(), "localhost/todelete"));
}

TEST_F(Images, RmiRefusesImageInUseUnlessForced) {
  ASSERT_PC_OK(pc({"import", busybox_variant_tar(store().dir(), "inuse"), "localhost/inuse"}));
  std::string name = unique_name("user");
  ASSERT_PC_OK(pc({"run", "--name", name, "localhost/inuse", "true"}));
  Result r = pc({"rmi", "localhost/inuse"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_EQ(r.exit_code, 2) << "podman exits 2 for an image in use" << r;
  EXPECT_TRUE(icontains(r.err, "in use") || icontains(r.err, "used by")) << r;
  EXPECT_TRUE(images_list(store(), "localhost/inuse"));
  Result f = pc({"rmi", "-f", "localhost/inuse"});
  EXPECT_PC_OK(f);
  EXPECT_FALSE(images_list(store(), "localhost/inuse"));
  // podman rmi -f also removes the containers using the image
  Result ps = pc({"ps", "-a"});
  EXPECT_FALSE(contains(ps.out, name)) << ps;
}

TEST_F(Images, RmiUnknownImageFails) {
  Result r = pc({"rmi", "localhost/does-not-exist"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(contains(r.err, "does-not-exist")) << r;
  // As Podman: --force (like --ignore) passes over an image that does not exist.
  for (const char* flag : {"-f", "-i"}) {
    Result f = pc({"rmi", flag, "localhost/does-not-exist"});
    EXPECT_PC_OK(f);
    EXPECT_EQ(f.out + f.err, "") << f;
  }
}

TEST_F(Images, RunUnknownImageIs125) {
  Result r = pc({"run", "--rm", "localhost/no-such-image", "true"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "no-such-image")) << r;
  Result ps = pc({"ps", "-a", "-q"});
  EXPECT_PC_OK(ps);
  EXPECT_TRUE(trim(ps.out).empty()) << "nothing half-made" << ps;
}

TEST_F(Images, ImageInspect) {
  Result r = pc({"image", "inspect", image()});
  ASSERT_PC_OK(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r;
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  EXPECT_TRUE(j[0].contains("Id")) << r;
  Result f = pc({"inspect", "--format", "{{.Id}}", image()});
  EXPECT_PC_OK(f);
  EXPECT_GE(trim(f.out).size(), 12u) << f;
}

TEST_F(Images, ManagementFormImageLs) {
  Result r = pc({"image", "ls"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "localhost/busybox")) << r;
  Result r2 = pc({"image", "list"});
  EXPECT_PC_OK(r2);
}

TEST_F(Images, ManagementFormImageTagAndRm) {
  ASSERT_PC_OK(pc({"image", "tag", image(), "localhost/mgmt:1"}));
  EXPECT_TRUE(images_list(store(), "localhost/mgmt"));
  ASSERT_PC_OK(pc({"image", "rm", "localhost/mgmt:1"}));
  EXPECT_FALSE(images_list(store(), "localhost/mgmt"));
}

TEST_F(Images, ImagePruneAllRemovesUnusedImages) {
  ASSERT_PC_OK(pc({"import", busybox_variant_tar(store().dir(), "unused"), "localhost/unused"}));
  std::string name = unique_name("keep");
  ASSERT_PC_OK(pc({"run", "--name", name, image(), "true"}));
  Result r = pc({"image", "prune", "-a", "-f"});
  EXPECT_PC_OK(r);
  EXPECT_FALSE(images_list(store(), "localhost/unused"));
  EXPECT_TRUE(images_list(store(), "localhost/busybox")) << "image used by a container is kept";
}

// ---------------------------------------------------------------- hostile tarballs

namespace {

struct HostileCase {
  std::string tar;
  std::string entry;  // expected to be named in the error message
};

// Runs pc import of `tar`, expects exit 125, a message naming `entry`, unchanged images and
// no leftovers under ROOT/layers.
void expect_import_refused(Store& s, const std::string& tar_bytes, const std::string& entry,
                           const std::string& label) {
  std::string before_images = s.pc({"images", "-q"}).out;
  auto layers_before = list_tree(s.root() + "/layers");
  std::string dir = make_temp_dir("pc-it-tar-");
  std::string path = dir + "/evil.tar";
  write_file(path, tar_bytes);
  Result r = s.pc({"import", path, "localhost/" + label});
  EXPECT_EXIT_CODE(r, 125);
  if (!entry.empty()) {
    EXPECT_TRUE(contains(r.err, entry)) << "message should name " << entry << r;
  }
  EXPECT_TRUE(contains(r.err, "Error")) << r;
  Result after = s.pc({"images", "-q"});
  EXPECT_PC_OK(after);
  EXPECT_EQ(after.out, before_images) << "pc images changed after a refused import";
  EXPECT_FALSE(contains(s.pc({"images"}).out, label));
  // No leftovers: the layers dir has exactly the entries it had before (top two levels).
  auto layers_after = list_tree(s.root() + "/layers");
  auto top = [](const std::vector<std::string>& v) {
    std::vector<std::string> t;
    for (auto& p : v)
      if (std::count(p.begin(), p.end(), '/') == 0) t.push_back(p);
    return t;
  };
  EXPECT_EQ(top(layers_after), top(layers_before)) << "leftover layer directories";
  // Same from stdin
  Result r2 = s.pc({"import", "-", "localhost/" + label + "-stdin"}, {.input = tar_bytes});
  EXPECT_EXIT_CODE(r2, 125);
  EXPECT_FALSE(contains(s.pc({"images"}).out, label + "-stdin"));
  remove_tree(dir);
}

class HostileImport : public PcTest {};

}  // namespace

TEST_F(HostileImport, DotDotEntryRefused) {
  std::string host_dir = make_temp_dir("pc-it-host-");
  TarWriter t;
  t.dir("etc/");
  t.file("etc/ok", "fine\n");
  // relative to the layer dir ROOT/layers/<id>/diff, these climb to ROOT and beyond
  t.file("../../../escape-dotdot", "pwned\n");
  t.file("../../../../../../../../../../../.." + host_dir + "/escape-dotdot-deep", "pwned\n");
  expect_import_refused(store(), t.finish(), "escape-dotdot", "dotdot");
  EXPECT_FALSE(path_exists(store().root() + "/escape-dotdot"));
  EXPECT_FALSE(path_exists(store().dir() + "/escape-dotdot"));
  EXPECT_FALSE(path_exists(host_dir + "/escape-dotdot-deep"));
  EXPECT_TRUE(list_tree(host_dir).empty());
  remove_tree(host_dir);
}

TEST_F(HostileImport, AbsolutePathEntryRefused) {
  std::string host_dir = make_temp_dir("pc-it-host-");
  TarWriter t;
  t.file("ok", "fine\n");
  t.file(host_dir + "/absolute-entry", "pwned\n");
  expect_import_refused(store(), t.finish(), "absolute-entry", "abspath");
  EXPECT_FALSE(path_exists(host_dir + "/absolute-entry"));
  remove_tree(host_dir);
}

TEST_F(HostileImport, RelativeSymlinkEscapeWithWriteThroughRefused) {
  std::string host_dir = make_temp_dir("pc-it-host-");
  chmod(host_dir.c_str(), 0777);
  TarWriter t;
  t.dir("data/");
  t.symlink("data/up", "../../../../../../../../../../../../../.." + host_dir);
  t.file("data/up/written-through-rel", "pwned\n");
  expect_import_refused(store(), t.finish(), "up", "symlinkrel");
  EXPECT_FALSE(path_exists(host_dir + "/written-through-rel"));
  EXPECT_TRUE(list_tree(host_dir).empty());
  remove_tree(host_dir);
}

// An absolute symlink is normal in images (/etc/localtime -> /usr/share/zoneinfo/UTC) and
// means "inside the rootfs". Writing through one must either be refused (125) or stay
// contained in the layer (DESIGN: "refuse or contain"); it must never reach the host.
TEST_F(HostileImport, AbsoluteSymlinkWriteThroughNeverReachesHost) {
  std::string host_dir = make_temp_dir("pc-it-host-");
  chmod(host_dir.c_str(), 0777);
  std::string tar = read_file(busybox_variant_tar(host_dir, "abs"));
  remove_tree(host_dir + "/variant-abs.tar");
  while (tar.size() >= 512 && tar.find_first_not_of('\0', tar.size() - 512) == std::string::npos)
    tar.resize(tar.size() - 512);
  TarWriter t;
  t.symlink("escape", host_dir);
  t.file("escape/written-through", "pwned\n");
  tar += t.finish();
  std::string dir = make_temp_dir("pc-it-tar-");
  write_file(dir + "/abs.tar", tar);
  Result r = pc({"import", dir + "/abs.tar", "localhost/symlinkabs"});
  EXPECT_TRUE(r.exit_code == 125 || r.exit_code == 0) << r;
  EXPECT_FALSE(path_exists(host_dir + "/written-through")) << "wrote through a symlink to the host";
  EXPECT_TRUE(list_tree(host_dir).empty());
  if (r.exit_code == 0) {
    // contained: the file is inside the image, at the symlink's in-rootfs target
    Result c = pc({"run", "--rm", "localhost/symlinkabs", "cat", host_dir + "/written-through"});
    EXPECT_PC_OK(c);
    EXPECT_EQ(c.out, "pwned\n");
  } else {
    EXPECT_TRUE(contains(r.err, "escape")) << r;
    EXPECT_FALSE(contains(pc({"images"}).out, "symlinkabs"));
  }
  remove_tree(dir);
  remove_tree(host_dir);
}

TEST_F(HostileImport, HardlinkEscapeRefused) {
  std::string host_dir = make_temp_dir("pc-it-host-");
  std::string secret = host_dir + "/secret";
  write_file(secret, "host secret\n", 0644);
  TarWriter t;
  t.file("ok", "fine\n");
  t.hardlink("stolen", secret);
  expect_import_refused(store(), t.finish(), "stolen", "hardlinkabs");
  TarWriter t2;
  t2.hardlink("stolen2", "../../../../../../../../../../../../.." + secret);
  expect_import_refused(store(), t2.finish(), "stolen2", "hardlinkrel");
  struct stat st {};
  ASSERT_EQ(stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u) << "a hard link to the host file was made";
  EXPECT_EQ(read_file(secret), "host secret\n");
  remove_tree(host_dir);
}

TEST_F(HostileImport, TruncatedTarRefused) {
  std::string tar = read_file(busybox_tar());
  ASSERT_GT(tar.size(), 100000u);
  // cut in the middle of bin/busybox's data (the largest member)
  std::string cut = tar.substr(0, tar.size() / 2 + 777);
  expect_import_refused(store(), cut, "", "truncated");
}

TEST_F(HostileImport, NotATarRefused) {
  std::string junk = "this is not a tar archive\n";
  for (int i = 0; i < 200; ++i) junk += "garbage line " + std::to_string(i) + "\n";
  expect_import_refused(store(), junk, "", "notatar");
}

TEST_F(HostileImport, MissingFileIs125) {
  Result r = pc({"import", "/nonexistent/rootfs.tar", "localhost/missing"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "/nonexistent/rootfs.tar")) << r;
}

// ---------------------------------------------------------------- locking and crashes

TEST_F(Images, ImportWaitsForStoreLockHeldByAnotherProcess) {
  ASSERT_PC_OK(pc({"images"}));
  std::string lockpath = store().root() + "/storage.lock";
  int fd = open(lockpath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << lockpath << ": " << strerror(errno);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  auto child = store().pc_async({"import", busybox_tar(), "localhost/afterlock"});
  // While we hold the lock the import must neither finish nor fail.
  bool exited_early = child->wait_exit(1.5);
  EXPECT_FALSE(exited_early) << "pc import did not wait for the store lock:"
                             << child->wait(1);
  flock(fd, LOCK_UN);
  close(fd);
  Result r = child->wait(60);
  EXPECT_PC_OK(r);
  EXPECT_TRUE(images_list(store(), "localhost/afterlock"));
}

TEST_F(Images, KillDashNineDuringImportLeavesStoreUsable) {
  // a big synthetic layer so that the import takes a while
  TarWriter t;
  std::string blob(32 * 1024, 'x');
  t.dir("big/");
  for (int i = 0; i < 3000; ++i) t.file("big/f" + std::to_string(i), blob);
  std::string dir = make_temp_dir("pc-it-big-");
  write_file(dir + "/big.tar", t.finish());
  for (int delay_ms : {50, 200, 600}) {
    auto child = store().pc_async({"import", dir + "/big.tar", "localhost/killed"});
    child->wait_exit(delay_ms / 1000.0);
    child->signal(SIGKILL);
    child->wait(30);
    // the store must stay readable and consistent
    Result img = pc({"images"}, {.timeout_s = 60});
    ASSERT_PC_OK(img);
    Result ps = pc({"ps", "-a"}, {.timeout_s = 60});
    EXPECT_PC_OK(ps);
    if (contains(img.out, "localhost/killed")) {
      // the import finished before the kill: then the image must be complete
      Result r = pc({"run", "--rm", "localhost/killed", "/bin/true"});
      // no busybox in this layer: 127 (not found) is the complete-image answer
      EXPECT_TRUE(r.exit_code == 127 || r.exit_code == 0) << r;
      Result ls = pc({"image", "inspect", "localhost/killed"});
      EXPECT_PC_OK(ls);
      ASSERT_PC_OK(pc({"rmi", "-f", "localhost/killed"}));
    }
  }
  // and a new import of the same content works
  Result again = pc({"import", dir + "/big.tar", "localhost/killed"}, {.timeout_s = 180});
  EXPECT_PC_OK(again);
  EXPECT_TRUE(images_list(store(), "localhost/killed"));
  remove_tree(dir);
}

TEST_F(Images, ImportedImageKeepsOwnershipAndModes) {
  TarWriter t;
  t.dir("bin/");
  t.file("bin/busybox", read_file("/bin/busybox"), 0755);
  t.symlink("bin/sh", "busybox");
  t.file("owned-by-1000", "x\n", 0600, 1000, 1000);
  t.file("setgid-file", "x\n", 02755, 0, 0);
  t.dir("tmp/", 01777);
  std::string dir = make_temp_dir("pc-it-own-");
  write_file(dir + "/own.tar", t.finish());
  ASSERT_PC_OK(pc({"import", dir + "/own.tar", "localhost/owners"}));
  Result r = pc({"run", "--rm", "localhost/owners", "/bin/busybox", "stat", "-c", "%n %u %g %a",
                 "/owned-by-1000", "/setgid-file", "/tmp"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "/owned-by-1000 1000 1000 600")) << r;
  EXPECT_TRUE(contains(r.out, "/setgid-file 0 0 2755")) << r;
  EXPECT_TRUE(contains(r.out, "/tmp 0 0 1777")) << r;
  remove_tree(dir);
}

// untag: named tags, or every name without one; the image itself stays.
TEST_F(Images, UntagAndExists) {
  ASSERT_PC_OK(pc({"tag", image(), "localhost/untag-a", "localhost/untag-b:v1"}));
  EXPECT_PC_OK(pc({"image", "exists", "localhost/untag-a"}));
  ASSERT_PC_OK(pc({"untag", image(), "localhost/untag-a"}));
  EXPECT_EXIT_CODE(pc({"image", "exists", "localhost/untag-a"}), 1);
  EXPECT_PC_OK(pc({"image", "exists", "localhost/untag-b:v1"}));
  Result id = pc({"image", "inspect", "--format", "{{.Id}}", image()});
  ASSERT_PC_OK(id);
  ASSERT_PC_OK(pc({"image", "untag", trim(id.out)}));
  EXPECT_EXIT_CODE(pc({"image", "exists", image()}), 1);
  EXPECT_EXIT_CODE(pc({"image", "exists", "localhost/untag-b:v1"}), 1);
  EXPECT_PC_OK(pc({"image", "exists", trim(id.out)}));
  Result missing = pc({"untag", "localhost/no-such-image"});
  EXPECT_EXIT_CODE(missing, 1);
  EXPECT_TRUE(contains(missing.err, "image not known")) << missing;
}

// An invalid reference is refused as Podman refuses it, before anything is looked up,
// created or contacted: "invalid reference format", exit 125, by every command that takes
// one; `pull` never turns it into a candidate such as docker.io/library/UPPER/Case.
TEST_F(Images, InvalidReferencesAreRefusedBeforeAnyLookup) {
  const std::string cid = [&] {
    Result c = pc({"create", "--name", unique_name("refs"), image(), "true"});
    return trim(c.out);
  }();
  ASSERT_FALSE(cid.empty());
  const std::string tar = busybox_tar();
  const std::string out_tar = store().dir() + "/never-written.tar";
  std::vector<std::vector<std::string>> commands = {
      {"run", "--rm", "UPPER/Case"},
      {"run", "--rm", "UPPER/Case", "true"},
      {"create", "UPPER/Case"},
      {"pull", "UPPER/Case"},
      {"pull", "docker.io/UPPER/Case"},
      {"push", image(), "localhost:5000/UPPER"},
      {"push", "UPPER/Case"},
      {"tag", image(), "UPPER/Case"},
      {"tag", "UPPER/Case", "localhost/x"},
      {"rmi", "UPPER/Case"},
      {"rmi", "-f", "UPPER/Case"},
      {"image", "rm", "UPPER/Case"},
      {"save", "-o", out_tar, "UPPER/Case"},
      {"image", "inspect", "UPPER/Case"},
      {"inspect", "--type", "image", "UPPER/Case"},
      {"history", "UPPER/Case"},
      {"image", "exists", "UPPER/Case"},
      {"untag", image(), "UPPER/Case"},
      {"commit", cid, "UPPER/Case"},
      {"import", tar, "UPPER/Case"},
      {"run", "--rm", "bad@@ref"},
      {"run", "--rm", "a:b:c"},
      {"create", ""},
  };
  const std::string images_before = pc({"images", "-q", "--no-trunc"}).out;
  for (const auto& args : commands) {
    Result r = pc(args, {.timeout_s = 30});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(contains(r.err, "invalid reference format")) << r;
    EXPECT_FALSE(contains(r.err, "image not known")) << r;
    EXPECT_FALSE(contains(r.err, "docker.io/library/UPPER")) << r;
  }
  Result upper = pc({"run", "--rm", "UPPER/Case"});
  EXPECT_TRUE(contains(upper.err, "repository name must be lowercase")) << upper;
  // Nothing was made: no image, no container, no archive.
  EXPECT_EQ(pc({"images", "-q", "--no-trunc"}).out, images_before);
  EXPECT_EQ(trim(pc({"ps", "-aq", "--no-trunc"}).out), cid);
  EXPECT_FALSE(path_exists(out_tar));
  // Valid references that only look unusual still work (an upper-case tag is fine).
  EXPECT_PC_OK(pc({"tag", image(), "localhost/refs:UPPER-tag"}));
  EXPECT_PC_OK(pc({"image", "exists", "localhost/refs:UPPER-tag"}));
  EXPECT_PC_OK(pc({"rm", cid}));
}
