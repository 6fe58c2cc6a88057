// Layers as other tools write them: umoci (an entry for "/" first, no padding or
// end-of-archive blocks after the last member), Go's archive/tar without Close(), GNU
// `tar -C dir .` (leading "./"), Docker's docker-archive layout, and relative symlinks
// that climb above the layer root (legal; Podman stores them). Each loads and runs; a
// member that is really cut short is still refused, and nothing is written through a link.
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"
#include "image_fixtures.hpp"

using namespace pcit;

namespace {

class LayerFormats : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    dir_ = make_temp_dir("pc-it-layers-");
  }
  void TearDown() override {
    remove_tree(dir_);
    PcTest::TearDown();
  }
  // The busybox rootfs tarball without its end-of-archive blocks.
  static std::string busybox_members() {
    std::string tar = read_file(busybox_tar());
    while (tar.size() >= 512 && tar.find_first_not_of('\0', tar.size() - 512) == std::string::npos)
      tar.resize(tar.size() - 512);
    return tar;
  }
  // The busybox rootfs extracted into DIR/rootfs (owned by us, as umoci --rootless wants).
  std::string rootfs() {
    std::string r = dir_ + "/rootfs";
    if (!path_exists(r)) {
      Result x = run({"sh", "-c", "mkdir -p '" + r + "' && tar -xf '" + busybox_tar() + "' -C '" + r + "'"});
      EXPECT_PC_OK(x);
    }
    return r;
  }
  Result run_image(const std::string& ref, const std::string& script) {
    return pc({"run", "--rm", ref, "sh", "-c", script});
  }
  std::string dir_;
};

// What every variant carries on top of busybox: a file and a relative symlink that climbs
// above the layer root (it resolves inside the container: ".." stops at "/").
const char* kCheck = "cat /opt/extra/hello; /opt/extra/echo climbed; readlink /opt/extra/echo";
const char* kExpected = "hello\nclimbed\n../../../../../bin/busybox\n";

void add_extra(TarWriter& t, bool with_dirs = true) {
  if (with_dirs) {
    t.dir("opt/");
    t.dir("opt/extra/");
  }
  t.symlink("opt/extra/echo", "../../../../../bin/busybox");
  t.file("opt/extra/hello", "hello\n");
}

}  // namespace

TEST_F(LayerFormats, UmociMadeImagesLoadAndRun) {
  if (run({"sh", "-c", "command -v umoci"}).exit_code != 0) GTEST_SKIP() << "umoci is not installed (scripts/deps)";
  const std::string layout = dir_ + "/oci";
  const std::string extra = dir_ + "/extra";
  ASSERT_PC_OK(run({"sh", "-c", "mkdir -p '" + extra + "' && echo hello > '" + extra + "/hello' && ln -s "
                                "../../../../../bin/busybox '" + extra + "/echo'"}));
  const std::string r = rootfs();
  // `umoci insert ... /` writes the root as "/" and, as every umoci layer, ends right after
  // the last member's data (no padding, no end-of-archive blocks).
  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"umoci", "init", "--layout", layout},
        {"umoci", "new", "--image", layout + ":t"},
        {"umoci", "insert", "--rootless", "--image", layout + ":t", r, "/"},
        {"umoci", "insert", "--rootless", "--image", layout + ":t", extra, "/opt/extra"}})
    ASSERT_PC_OK(run(step, {.timeout_s = 120}));
  Result check = run({"sh", "-c", "for b in '" + layout + "'/blobs/sha256/*; do if gzip -t \"$b\" 2>/dev/null; then "
                                  "zcat \"$b\" | head -c 1 | od -c | head -1; fi; done"});
  EXPECT_TRUE(contains(check.out, "/")) << "expected umoci to write a \"/\" entry" << check;

  // As an OCI layout directory and as an oci-archive.
  Result load = pc({"load", "-i", layout}, {.timeout_s = 120});
  ASSERT_PC_OK(load);
  const std::string loaded = "Loaded image: ";
  ASSERT_TRUE(contains(load.out, loaded)) << load;
  const std::string ref = trim(load.out.substr(load.out.find(loaded) + loaded.size()));
  Result ran = run_image(ref, kCheck);
  ASSERT_PC_OK(ran);
  EXPECT_EQ(ran.out, kExpected);

  const std::string archive = dir_ + "/oci.tar";
  ASSERT_PC_OK(run({"tar", "-C", layout, "-cf", archive, "."}));
  ASSERT_PC_OK(pc({"rmi", "-f", ref}));
  Result again = pc({"load", "-i", archive}, {.timeout_s = 120});
  ASSERT_PC_OK(again);
  EXPECT_TRUE(contains(again.out, ref)) << again;
  EXPECT_EQ(run_image(ref, kCheck).out, kExpected);
}

// Go's archive/tar writer without Close(): the archive ends after the last member, with or
// without the padding of its data; the "/" entry first, as umoci writes it. Imported as a
// root filesystem and loaded as a layer of a docker-archive.
TEST_F(LayerFormats, GoStyleArchivesWithoutTrailerLoad) {
  for (bool padded : {true, false}) {
    SCOPED_TRACE(padded ? "padded" : "not padded");
    TarWriter root;
    root.dir("/", 0755);
    TarWriter extra;
    add_extra(extra);
    const std::string tar = root.finish_unterminated() + busybox_members() + extra.finish_unterminated(padded);
    ASSERT_EQ(tar.size() % 512 == 0, padded);
    write_file(dir_ + "/go.tar", tar);
    const std::string ref = std::string("localhost/go-style:") + (padded ? "padded" : "unpadded");
    Result imp = pc({"import", dir_ + "/go.tar", ref});
    ASSERT_PC_OK(imp);
    Result ran = run_image(ref, kCheck);
    ASSERT_PC_OK(ran);
    EXPECT_EQ(ran.out, kExpected);

    TarWriter layer;
    add_extra(layer);
    const std::string docker = make_archive_with_layers(dir_ + "/docker-" + (padded ? "p" : "u"),
                                                        ref + "-docker", {layer.finish_unterminated(padded)});
    ASSERT_PC_OK(pc({"load", "-i", docker}, {.timeout_s = 120}));
    EXPECT_EQ(run_image(ref + "-docker", kCheck).out, kExpected);
  }
}

// A member that is really cut short (its data, or the header after the last complete one)
// is still a truncated archive: refused, and nothing of it stays in the store.
TEST_F(LayerFormats, AMemberCutShortIsStillRefused) {
  TarWriter extra;
  add_extra(extra);
  extra.file("opt/extra/big", std::string(5000, 'b'));
  const std::string whole = busybox_members() + extra.finish_unterminated(false);
  for (size_t cut : {size_t{1000}, size_t{4999}}) {
    SCOPED_TRACE(cut);
    write_file(dir_ + "/cut.tar", whole.substr(0, whole.size() - cut));
    const std::string before = pc({"images", "-q"}).out;
    Result r = pc({"import", dir_ + "/cut.tar", "localhost/cut"});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_TRUE(icontains(r.err, "truncated")) << r;
    EXPECT_EQ(pc({"images", "-q"}).out, before);
  }
  // The next header cut short, after a complete member.
  std::string half_header = busybox_members() + extra.finish_unterminated(true);
  TarWriter next;
  next.file("opt/extra/next", "n");
  half_header += next.finish_unterminated(true).substr(0, 300);
  write_file(dir_ + "/half.tar", half_header);
  Result h = pc({"import", dir_ + "/half.tar", "localhost/half"});
  EXPECT_EXIT_CODE(h, 125);
  EXPECT_TRUE(icontains(h.err, "truncated")) << h;
}

// GNU tar run as `tar -C dir .` names the root "./" and every member "./x"; Docker's own
// docker-archive layout (manifest.json, <id>/layer.tar) carries such layers too.
TEST_F(LayerFormats, TarOfADirectoryWithLeadingDotSlashLoads) {
  const std::string r = rootfs();
  ASSERT_PC_OK(run({"sh", "-c", "mkdir -p '" + r + "/opt/extra' && echo hello > '" + r + "/opt/extra/hello' && ln -s "
                                "../../../../../bin/busybox '" + r + "/opt/extra/echo' && chmod 0750 '" + r + "'"}));
  ASSERT_PC_OK(run({"tar", "-C", r, "-cf", dir_ + "/dot.tar", "."}));
  Result listing = run({"tar", "-tf", dir_ + "/dot.tar"});
  EXPECT_EQ(lines(listing.out).front(), "./") << listing;
  ASSERT_PC_OK(pc({"import", dir_ + "/dot.tar", "localhost/dot"}));
  Result ran = run_image("localhost/dot", kCheck);
  ASSERT_PC_OK(ran);
  EXPECT_EQ(ran.out, kExpected);

  // A layer with just /opt/extra, as `tar -C dir .` of a tree holding it.
  ASSERT_PC_OK(run({"sh", "-c", "mkdir -p '" + dir_ + "/l/opt' && cp -a '" + r + "/opt/extra' '" + dir_ +
                                    "/l/opt/' && tar -C '" + dir_ + "/l' -cf '" + dir_ + "/layer.tar' ."}));
  const std::string docker = make_archive_with_layers(dir_ + "/docker", "localhost/dot-docker:1",
                                                      {read_file(dir_ + "/layer.tar")});
  ASSERT_PC_OK(pc({"load", "-i", docker}, {.timeout_s = 120}));
  EXPECT_EQ(run_image("localhost/dot-docker:1", kCheck).out, kExpected);
}

// Extraction never writes through a link it created, even one that climbs above the root
// and would reach the host if followed from the layer's directory.
TEST_F(LayerFormats, NothingIsWrittenThroughAClimbingSymlink) {
  const std::string host_dir = make_temp_dir("pc-it-host-");
  ::chmod(host_dir.c_str(), 0777);
  TarWriter t;
  t.dir("data/");
  t.symlink("data/up", "../../../../../../../../../../../../../.." + host_dir);
  t.file("data/up/written-through", "pwned\n");
  write_file(dir_ + "/through.tar", busybox_members() + t.finish());
  Result r = pc({"import", dir_ + "/through.tar", "localhost/through"});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(contains(r.err, "data/up")) << r;
  EXPECT_TRUE(list_tree(host_dir).empty());
  remove_tree(host_dir);
}
