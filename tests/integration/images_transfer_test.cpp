// Image transfer: load/save (docker-archive, oci-archive, OCI layout dir, stdin), hostile
// archives, round trips with identical ids; registry pull/push against a real
// docker-registry (plain HTTP, TLS, basic auth, bearer tokens) in registry_transfer_test.cpp.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "image_fixtures.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class ImagesTransfer : public PcTest {
 protected:
  std::string dir() { return store().dir(); }
  std::string image_id(const std::string& ref) {
    Result r = pc({"image", "inspect", "--format", "{{.Id}}", ref});
    return r.ok() ? trim(r.out) : "";
  }
};

}  // namespace

TEST_F(ImagesTransfer, LoadMultiLayerDockerArchiveAndRunIt) {
  for (const std::string comp : {"none", "gzip", "zstd"}) {
    SCOPED_TRACE(comp);
    std::string tar = make_test_archive(dir() + "/mk-" + comp, "localhost/multi:" + comp, comp);
    Result r = pc({"load", "-i", tar}, {.timeout_s = 120});
    ASSERT_PC_OK(r);
    EXPECT_TRUE(contains(r.out, "Loaded image: localhost/multi:" + comp)) << r;
    Result run = pc({"run", "--rm", "localhost/multi:" + comp, "sh", "-c", kCheckScript});
    ASSERT_PC_OK(run);
    EXPECT_EQ(trim(run.out), kCheckExpected) << run;
    // image config honoured: Env and WorkingDir from the archive's config
    Result env = pc({"run", "--rm", "localhost/multi:" + comp, "sh", "-c", "echo $FROM_CONFIG $(pwd)"});
    EXPECT_EQ(trim(env.out), "yes /data") << env;
  }
}

TEST_F(ImagesTransfer, RoundTripEveryFormatKeepsImageId) {
  std::string tar = make_test_archive(dir() + "/mk", "localhost/rt:1", "gzip");
  ASSERT_PC_OK(pc({"load", "-i", tar}, {.timeout_s = 120}));
  const std::string id = image_id("localhost/rt:1");
  ASSERT_EQ(id.size(), 64u);
  std::string oci_digest;
  for (const std::string fmt : {"oci-archive", "oci-dir", "docker-archive", "oci-archive"}) {
    SCOPED_TRACE(fmt);
    std::string out = dir() + "/saved-" + fmt;
    ASSERT_PC_OK(pc({"save", "--format", fmt, "-o", out, "localhost/rt:1"}, {.timeout_s = 120}));
    ASSERT_PC_OK(pc({"rmi", "localhost/rt:1"}));
    EXPECT_EQ(image_id("localhost/rt:1"), "");
    ASSERT_PC_OK(pc({"load", "-i", out}, {.timeout_s = 120}));
    EXPECT_EQ(image_id("localhost/rt:1"), id);
    Result run = pc({"run", "--rm", "localhost/rt:1", "sh", "-c", kCheckScript});
    EXPECT_EQ(trim(run.out), kCheckExpected) << run;
    if (fmt != "docker-archive") {
      // OCI forms keep the manifest as received: same digest after every OCI round trip
      Result d = pc({"image", "inspect", "--format", "{{.Digest}}", "localhost/rt:1"});
      if (oci_digest.empty()) oci_digest = trim(d.out);
      EXPECT_EQ(trim(d.out), oci_digest) << d;
    }
  }
}

TEST_F(ImagesTransfer, LoadFromStdinAndSaveToStdout) {
  Result saved = pc({"save", image()}, {.timeout_s = 120});
  ASSERT_PC_OK(saved);
  ASSERT_GT(saved.out.size(), 1024u);
  Store other;
  Result r = other.pc({"load"}, {.input = saved.out, .timeout_s = 120});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "localhost/busybox:latest")) << r;
  EXPECT_PC_OK(other.pc({"run", "--rm", image(), "true"}));
  Result q = pc({"image", "save", "--format", "oci-archive", image()}, {.timeout_s = 120});
  ASSERT_PC_OK(q);
  Result r2 = other.pc({"image", "load", "-q"}, {.input = q.out, .timeout_s = 120});
  EXPECT_PC_OK(r2);
}

TEST_F(ImagesTransfer, SkopeoMadeArchivesLoad) {
  std::string oci = dir() + "/bb-oci.tar";
  ASSERT_PC_OK(pc({"save", "--format", "oci-archive", "-o", oci, image()}, {.timeout_s = 120}));
  std::string dock = dir() + "/bb-docker.tar";
  Result sk = run({"skopeo", "copy", "--quiet", "oci-archive:" + oci, "docker-archive:" + dock + ":example.com/sk/bb:3"}, {.timeout_s = 120});
  ASSERT_PC_OK(sk);
  Result r = pc({"load", "-i", dock}, {.timeout_s = 120});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "example.com/sk/bb:3")) << r;
  EXPECT_EQ(image_id("example.com/sk/bb:3"), image_id(image()));
  EXPECT_PC_OK(pc({"run", "--rm", "example.com/sk/bb:3", "true"}));
}

TEST_F(ImagesTransfer, TamperedLayerIsRefusedAndStoreUnchanged) {
  std::string tar = make_test_archive(dir() + "/tam", "localhost/tampered:1", "none", /*tamper=*/true);
  Result before = pc({"images", "-q"});
  Result r = pc({"load", "-i", tar}, {.timeout_s = 120});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(icontains(r.err, "digest") || icontains(r.err, "does not match")) << r;
  Result after = pc({"images", "-q"});
  EXPECT_EQ(before.out, after.out);
}

TEST_F(ImagesTransfer, MissingBlobTruncatedAndGarbageArchivesRefused) {
  std::string tar = make_test_archive(dir() + "/miss", "localhost/missing:1", "none", false, /*drop_layer=*/true);
  Result r = pc({"load", "-i", tar});
  EXPECT_EXIT_CODE(r, 125);
  EXPECT_TRUE(icontains(r.err, "missing")) << r;

  std::string good = make_test_archive(dir() + "/trunc", "localhost/trunc:1", "none");
  std::string data = read_file(good);
  write_file(dir() + "/truncated.tar", data.substr(0, data.size() / 2));
  Result t = pc({"load", "-i", dir() + "/truncated.tar"});
  EXPECT_EXIT_CODE(t, 125);
  EXPECT_TRUE(icontains(t.err, "truncated") || icontains(t.err, "missing")) << t;

  write_file(dir() + "/garbage.tar", std::string(5000, 'x'));
  Result g = pc({"load", "-i", dir() + "/garbage.tar"});
  EXPECT_EXIT_CODE(g, 125);
  Result img = pc({"images", "--format", "{{.Repository}}"});
  EXPECT_FALSE(contains(img.out, "missing") || contains(img.out, "trunc")) << img;
}

TEST_F(ImagesTransfer, HostileLayersInArchiveRefused) {
  struct Case { const char* name; std::function<void(TarWriter&)> fill; };
  std::vector<Case> cases = {
      {"dotdot", [](TarWriter& t) { t.file("../../escape", "x"); }},
      {"absolute", [](TarWriter& t) { t.file("/abs", "x"); }},
      {"symlink-write", [](TarWriter& t) { t.symlink("link", "/tmp"); t.file("link/pwned", "x"); }},
      {"hardlink-escape", [](TarWriter& t) { t.hardlink("h", "../../etc/passwd"); }},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    TarWriter t;
    t.dir("ok");
    c.fill(t);
    std::string tar = make_archive_with_layers(dir() + "/host-" + c.name, std::string("localhost/hostile:") + c.name,
                                               {t.finish()});
    Result r = pc({"load", "-i", tar});
    EXPECT_EXIT_CODE(r, 125);
    EXPECT_FALSE(contains(pc({"images"}).out, "hostile")) << r;
  }
  EXPECT_FALSE(path_exists("/tmp/pwned"));
}

// Killed at a known point: the archive comes through a FIFO of which the test has written
// half, so pc is in the middle of reading it when it is killed (a sleep could as well kill
// a load that had finished). No image, no trace but the killed process's own temporary
// files, and the next load completes and removes them.
TEST_F(ImagesTransfer, KillDuringLoadLeavesNoImageAndRetryWorks) {
  std::string tar = make_big_archive(dir() + "/big", "localhost/bigload:1", 3, 20 << 20);
  const std::string data = read_file(tar);
  const std::string fifo = dir() + "/archive.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::vector<std::string> argv{"sh", "-c", "exec \"$@\" < '" + fifo + "'", "sh"};
  for (const auto& a : store().argv({"load"})) argv.push_back(a);
  Child child(argv);
  int fd = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  size_t half = data.size() / 2, off = 0;
  while (off < half) {
    ssize_t n = write(fd, data.data() + off, half - off);
    ASSERT_GT(n, 0) << "pc stopped reading the archive: " << child.err();
    off += static_cast<size_t>(n);
  }
  ASSERT_FALSE(child.exited()) << "pc must be waiting for the rest of the archive";
  const std::string dead = std::to_string(child.pid());
  child.signal_group(SIGKILL);
  Result k = child.wait(30);
  close(fd);
  EXPECT_EQ(k.term_signal, SIGKILL) << k;

  EXPECT_FALSE(contains(pc({"images", "-a"}).out, "bigload"));
  auto leftovers = [&] {
    std::vector<std::string> out;
    for (const auto& e : list_tree(store().root() + "/tmp"))
      if (e.find('/') == std::string::npos) out.push_back("tmp/" + e);
    for (const auto& e : list_tree(store().root() + "/layers"))
      if (e.find('/') == std::string::npos && !path_exists(store().root() + "/layers/" + e + "/layer.json"))
        out.push_back("layers/" + e);
    return out;
  };
  for (const auto& l : leftovers())
    EXPECT_TRUE(contains(l, "-" + dead + "-")) << l << ": only the killed load's own temporary files may be left";

  ASSERT_PC_OK(pc({"load", "-i", tar}, {.timeout_s = 180}));
  EXPECT_PC_OK(pc({"run", "--rm", "localhost/bigload:1", "true"}));
  for (const auto& l : leftovers()) ADD_FAILURE() << "left after the next load: " << l;
}

TEST_F(ImagesTransfer, ParallelLoadsOfTheSameImage) {
  std::string tar = make_test_archive(dir() + "/par", "localhost/par:1", "gzip");
  auto a = store().pc_async({"load", "-i", tar});
  auto b = store().pc_async({"load", "-i", tar});
  Result ra = a->wait(120), rb = b->wait(120);
  EXPECT_PC_OK(ra);
  EXPECT_PC_OK(rb);
  Result img = pc({"images", "--format", "{{.Repository}}:{{.Tag}}"});
  int n = 0;
  for (auto& l : lines(img.out)) n += trim(l) == "localhost/par:1";
  EXPECT_EQ(n, 1) << img;
  Result run = pc({"run", "--rm", "localhost/par:1", "sh", "-c", kCheckScript});
  EXPECT_EQ(trim(run.out), kCheckExpected) << run;
}

TEST_F(ImagesTransfer, CommitWithWhiteoutsChangesAndHistory) {
  std::string ctr = unique_name("commitme");
  ASSERT_PC_OK(pc({"run", "--name", ctr, image(), "sh", "-c",
                   "echo new > /newfile && chown 1000:1000 /newfile && rm /etc/group && mkdir -p /d/e && ln -s newfile /lnk"}));
  Result c = pc({"commit", "-q", "-m", "my change", "--author", "tester <t@example.com>", "-c", "ENV FOO=bar", "-c",
                 "CMD [\"cat\", \"/newfile\"]", ctr, "localhost/committed:1"});
  ASSERT_PC_OK(c);
  Result run1 = pc({"run", "--rm", "localhost/committed:1"});
  EXPECT_EQ(trim(run1.out), "new") << run1;
  Result run2 = pc({"run", "--rm", "localhost/committed:1", "sh", "-c",
                    "echo $FOO $(stat -c %u /newfile) $([ -e /etc/group ] && echo group || echo nogroup) $(readlink /lnk)"});
  EXPECT_EQ(trim(run2.out), "bar 1000 nogroup newfile") << run2;
  Result h = pc({"history", "--format", "{{.Comment}}|{{.CreatedBy}}", "localhost/committed:1"});
  ASSERT_PC_OK(h);
  EXPECT_TRUE(contains(lines(h.out).front(), "my change")) << h;
  Result author = pc({"image", "inspect", "--format", "{{.Author}}", "localhost/committed:1"});
  EXPECT_EQ(trim(author.out), "tester <t@example.com>") << author;
  // the committed image round-trips through save/load with the same id
  std::string id = trim(c.out);
  ASSERT_PC_OK(pc({"save", "-o", store().dir() + "/c.tar", "localhost/committed:1"}));
  ASSERT_PC_OK(pc({"rmi", "localhost/committed:1"}));
  ASSERT_PC_OK(pc({"load", "-i", store().dir() + "/c.tar"}));
  EXPECT_EQ(image_id("localhost/committed:1"), id);
  Result bad = pc({"commit", "-c", "BOGUS x", ctr, "localhost/bad:1"});
  EXPECT_EXIT_CODE(bad, 125);
}

TEST_F(ImagesTransfer, ExportFlattensTheContainer) {
  std::string ctr = unique_name("exportme");
  ASSERT_PC_OK(pc({"run", "--name", ctr, image(), "sh", "-c", "echo x > /exported && rm /etc/group"}));
  std::string out = store().dir() + "/fs.tar";
  ASSERT_PC_OK(pc({"export", "-o", out, ctr}));
  Result t = run({"tar", "tf", out});
  ASSERT_PC_OK(t);
  EXPECT_TRUE(contains(t.out, "exported")) << t.out.substr(0, 300);
  EXPECT_TRUE(contains(t.out, "bin/busybox"));
  EXPECT_FALSE(contains(t.out, "etc/group"));
  EXPECT_FALSE(contains(t.out, ".wh."));
  // and it imports back as a runnable image
  ASSERT_PC_OK(pc({"import", out, "localhost/exported:1"}));
  Result r = pc({"run", "--rm", "localhost/exported:1", "cat", "/exported"});
  EXPECT_EQ(trim(r.out), "x") << r;
}

TEST_F(ImagesTransfer, ImagesDigestsDanglingFilterAndJson) {
  std::string tar = make_test_archive(dir() + "/dg", "localhost/dg:1", "none");
  ASSERT_PC_OK(pc({"load", "-i", tar}));
  Result d = pc({"images", "--digests"});
  ASSERT_PC_OK(d);
  EXPECT_TRUE(contains(d.out, "DIGEST") && contains(d.out, "sha256:")) << d;
  ASSERT_PC_OK(pc({"tag", "localhost/dg:1", "localhost/dg:2"}));
  ASSERT_PC_OK(pc({"rmi", "localhost/dg:1"}));
  Result none = pc({"images", "--filter", "dangling=true", "-q"});
  EXPECT_TRUE(trim(none.out).empty()) << none;
  // load the same archive under a name taken away by another image: no dangling left behind
  Result j = pc({"images", "--format", "json"});
  json arr = json::parse(j.out);
  bool found = false;
  for (auto& e : arr) found = found || (e.contains("Digest") && e["Digest"].get<std::string>().rfind("sha256:", 0) == 0);
  EXPECT_TRUE(found) << j;
  Result hist = pc({"image", "history", "-q", "localhost/dg:2"});
  EXPECT_PC_OK(hist);
  EXPECT_EQ(lines(hist.out).size(), 4u) << hist;
}
