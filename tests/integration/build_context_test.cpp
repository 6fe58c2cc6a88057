// pc build: the context (directory, tar or Containerfile on stdin, ignore files, nothing
// outside it readable), COPY/ADD options, -o outputs and the RUN-step flags.
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"
#include "image_fixtures.hpp"
#include "network_servers.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class BuildContextTest : public BuildTest {};

}  // namespace

TEST_F(BuildContextTest, IgnoreFileExcludesAndReincludes) {
  file("keep.txt", "k\n");
  file("drop.log", "d\n");
  file("logs/a.log", "a\n");
  file("logs/important.log", "i\n");
  file("src/deep/x.o", "o\n");
  file("src/main.c", "c\n");
  file(".dockerignore", "# build junk\n*.log\nlogs\n!logs/important.log\n**/*.o\nContainerfile\n");
  containerfile("FROM localhost/busybox\nCOPY . /ctx/\nRUN cd /ctx && find . -type f | sort > /list\n");
  ASSERT_PC_OK(build({"-t", "ign"}));
  EXPECT_EQ(sh_in("ign", "cat /list").out, "./.dockerignore\n./keep.txt\n./logs/important.log\n./src/main.c\n");
  // An excluded file cannot be named either.
  containerfile("FROM localhost/busybox\nCOPY drop.log /\n");
  Result r = build({"-t", "ign2"});
  EXPECT_EQ(r.exit_code, 125) << r;
  EXPECT_TRUE(contains(r.err, "Containerfile:2: COPY: checking on sources under the build context: \"drop.log\": no such file")) << r;

  // .containerignore wins over .dockerignore; <Containerfile>.dockerignore beside the file
  // wins over both.
  file(".containerignore", "keep.txt\n");
  containerfile("FROM localhost/busybox\nCOPY . /ctx/\nRUN cd /ctx && find . -type f -name '*.txt' | sort > /list\n");
  ASSERT_PC_OK(build({"-t", "ign3"}));
  EXPECT_EQ(sh_in("ign3", "cat /list").out, "");
  file("Special.Containerfile", "FROM localhost/busybox\nCOPY . /ctx/\nRUN cd /ctx && find . -type f -name '*.txt' | sort > /list\n");
  file("Special.Containerfile.dockerignore", "nothing-matches\n");
  ASSERT_PC_OK(build({"-f", ctx() + "/Special.Containerfile", "-t", "ign4"}));
  EXPECT_EQ(sh_in("ign4", "cat /list").out, "./keep.txt\n");
}

TEST_F(BuildContextTest, NothingOutsideTheContextIsRead) {
  std::string outside = store().dir() + "/outside-secret";
  write_file(outside, "host secret\n");
  ASSERT_EQ(symlink(outside.c_str(), (ctx() + "/abs-link").c_str()), 0);
  ASSERT_EQ(symlink("../outside-secret", (ctx() + "/rel-link").c_str()), 0);
  file("dir/inner", "i\n");
  ASSERT_EQ(symlink("/etc/passwd", (ctx() + "/dir/etc-link").c_str()), 0);

  containerfile("FROM localhost/busybox\nCOPY ../outside-secret /x\n");
  Result up = build({"-t", "esc1"});
  EXPECT_EQ(up.exit_code, 125) << up;
  EXPECT_TRUE(contains(up.err, "forbidden path outside the build context: ../outside-secret")) << up;
  for (const char* link : {"abs-link", "rel-link"}) {
    containerfile(std::string("FROM localhost/busybox\nCOPY ") + link + " /x\n");
    Result r = build({"-t", "esc2"});
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_TRUE(contains(r.err, "no such file or directory")) << r;
  }
  containerfile("FROM localhost/busybox\nRUN --mount=type=bind,source=..,target=/m ls /m\n");
  Result mount = build({"-t", "esc4"});
  EXPECT_EQ(mount.exit_code, 125) << mount;
  EXPECT_TRUE(contains(mount.err, "Containerfile:2: RUN --mount: forbidden path outside the build context")) << mount;
  // An archive ADD unpacks cannot write outside its destination.
  TarWriter evil;
  evil.file("../../escaped", "x\n");
  file("evil.tar", evil.finish());
  containerfile("FROM localhost/busybox\nADD evil.tar /opt/\n");
  Result add = build({"-t", "esc5"});
  EXPECT_EQ(add.exit_code, 125) << add;
  EXPECT_TRUE(contains(add.err, "\"..\" is not allowed")) << add;
  // Links inside a copied directory are copied as links, never followed.
  containerfile("FROM localhost/busybox\nCOPY dir /dir/\n");
  ASSERT_PC_OK(build({"-t", "esc3"}));
  EXPECT_EQ(sh_in("esc3", "readlink /dir/etc-link; cat /dir/inner").out, "/etc/passwd\ni\n");
  Result grep = sh_in("esc3", "grep -rl 'host secret' /dir /etc 2>/dev/null");
  EXPECT_EQ(trim(grep.out), "");
}

TEST_F(BuildContextTest, CopyOptions) {
  file("sub/deep/f.txt", "f\n", 0640);
  file("sub/skip.tmp", "t\n");
  file("setuid", "s\n", 04755);
  file("a/1/x.txt", "1\n");
  file("a/2/x.txt", "2\n");
  containerfile(
      "FROM localhost/busybox\n"
      "COPY sub /plain/\n"
      "COPY --chown=user --chmod=600 sub /owned\n"
      "COPY --chown=1234:2345 sub/deep/f.txt /nested/new/dirs/\n"
      "COPY --exclude=*.tmp sub /excl/\n"
      "COPY --parents a/*/x.txt /par/\n"
      "COPY --link setuid sub/deep/f.txt /multi/\n"
      "WORKDIR /work\n"
      "COPY sub/deep/f.txt renamed\n");
  Result r = build({"-t", "cp"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("cp",
                  "stat -c '%n %a %u:%g' /plain/deep/f.txt /owned /owned/deep /owned/deep/f.txt /nested/new /nested/new/dirs/f.txt "
                  "/multi/setuid /work/renamed; ls /excl; cat /par/a/1/x.txt /par/a/2/x.txt")
                .out,
            "/plain/deep/f.txt 640 0:0\n"
            "/owned 755 1000:1000\n"
            "/owned/deep 600 1000:1000\n"
            "/owned/deep/f.txt 600 1000:1000\n"
            "/nested/new 755 1234:2345\n"
            "/nested/new/dirs/f.txt 640 1234:2345\n"
            "/multi/setuid 755 0:0\n"
            "/work/renamed 640 0:0\n"
            "deep\n1\n2\n");
  containerfile("FROM localhost/busybox\nCOPY sub/deep/f.txt setuid /not-a-dir\n");
  Result multi = build({"-t", "cp2"});
  EXPECT_PC_OK(multi);  // several sources: the destination is a directory
  EXPECT_EQ(sh_in("cp2", "ls /not-a-dir").out, "f.txt\nsetuid\n");
  containerfile("FROM localhost/busybox\nCOPY --chmod=9z9 sub /x\n");
  Result bad = build({"-t", "cp3"});
  EXPECT_EQ(bad.exit_code, 125) << bad;
  EXPECT_TRUE(contains(bad.err, "Containerfile:2: COPY: invalid --chmod \"9z9\"")) << bad;
}

TEST_F(BuildContextTest, AddUnpacksLocalArchivesAndDownloadsUrls) {
  TarWriter tw;
  tw.dir("pkg/");
  tw.file("pkg/readme", "from the archive\n");
  file("pkg.tar", tw.finish());
  ASSERT_TRUE(sh("gzip -c " + ctx() + "/pkg.tar > " + ctx() + "/pkg.tar.gz").ok());
  file("not-an-archive.gz", "plain text pretending\n");
  net::TcpServer http(net::TcpServer::Mode::Http, "downloaded body\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(http.port()) + "/files/remote.txt";
  containerfile(
      "FROM localhost/busybox\n"
      "ADD pkg.tar.gz /opt/\n"
      "ADD not-an-archive.gz /plain/\n"
      "ADD --checksum=sha256:" + sha256_of("downloaded body\n") + " " + url + " /dl/\n");
  Result r = build({"-t", "add"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("add", "cat /opt/pkg/readme /plain/not-an-archive.gz /dl/remote.txt; stat -c %a /dl/remote.txt").out,
            "from the archive\nplain text pretending\ndownloaded body\n600\n");
  containerfile("FROM localhost/busybox\nADD --checksum=sha256:" + std::string(64, '0') + " " + url + " /dl/\n");
  Result bad = build({"-t", "add2"});
  EXPECT_EQ(bad.exit_code, 125) << bad;
  EXPECT_TRUE(contains(bad.err, "checksum mismatch")) << bad;
  containerfile("FROM localhost/busybox\nCOPY " + url + " /dl/\n");
  Result copy = build({"-t", "add3"});
  EXPECT_TRUE(contains(copy.err, "source can't be a URL for COPY")) << copy;
}

TEST_F(BuildContextTest, ContextAndContainerfileFromStdin) {
  // A tar of the context on stdin.
  TarWriter tw;
  tw.file("Containerfile", "FROM localhost/busybox\nCOPY hello.txt /\n");
  tw.file("hello.txt", "from a tar context\n");
  Result t = pc({"build", "-t", "stdin-tar", "-"}, {.input = tw.finish(), .timeout_s = 120});
  ASSERT_PC_OK(t);
  EXPECT_EQ(sh_in("stdin-tar", "cat /hello.txt").out, "from a tar context\n");
  // A Containerfile alone: no context, RUN works, COPY has nothing to copy from.
  Result alone = pc({"build", "-t", "stdin-cf", "-"}, {.input = "FROM localhost/busybox\nRUN echo ok > /ok\n"});
  ASSERT_PC_OK(alone);
  EXPECT_EQ(sh_in("stdin-cf", "cat /ok").out, "ok\n");
  Result nocopy = pc({"build", "-"}, {.input = "FROM localhost/busybox\nCOPY x /x\n"});
  EXPECT_EQ(nocopy.exit_code, 125) << nocopy;
  EXPECT_TRUE(contains(nocopy.err, "there is no build context")) << nocopy;
  // -f - with a directory context.
  file("data", "d\n");
  Result f = pc({"build", "-f", "-", "-t", "stdin-f", ctx()}, {.input = "FROM localhost/busybox\nCOPY data /data\n"});
  ASSERT_PC_OK(f);
  EXPECT_EQ(sh_in("stdin-f", "cat /data").out, "d\n");
  // Dockerfile when there is no Containerfile; a missing file is named.
  file("Dockerfile", "FROM localhost/busybox\nLABEL from=dockerfile\n");
  ASSERT_PC_OK(build({"-t", "df"}));
  EXPECT_EQ(config("df")["Labels"]["from"], "dockerfile");
  Result none = pc({"build", "-f", "Nope", ctx()});
  EXPECT_EQ(none.exit_code, 125) << none;
  EXPECT_TRUE(contains(none.err, "Nope: no such file or directory")) << none;
}

TEST_F(BuildContextTest, OutputsLocalAndTar) {
  containerfile("FROM localhost/busybox\nRUN mkdir /out && echo exported > /out/file && chown 1234 /out/file\n");
  const std::string dir = store().dir() + "/exported";
  const std::string tar = store().dir() + "/exported.tar";
  Result r = build({"-o", "type=local,dest=" + dir, "--output", "type=tar,dest=" + tar, "-t", "out"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(read_file(dir + "/out/file"), "exported\n");
  struct stat st {};
  ASSERT_EQ(stat((dir + "/out/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getuid()) << "exported files belong to the caller";
  EXPECT_TRUE(path_exists(dir + "/bin/busybox"));
  Result list = sh("tar -tf " + tar + " | grep -c 'out/file'");
  EXPECT_EQ(trim(list.out), "1") << list;
  // "-o -": the tar on stdout, and nothing else there.
  Result dash = build({"-q", "-o", "-"});
  ASSERT_PC_OK(dash);
  write_file(store().dir() + "/dash.tar", dash.out);
  EXPECT_EQ(trim(sh("tar -tf " + store().dir() + "/dash.tar | grep -c 'out/file'").out), "1");
  Result bad = build({"-o", "type=zip,dest=x"});
  EXPECT_EQ(bad.exit_code, 125) << bad;
}

TEST_F(BuildContextTest, RunStepFlags) {
  const std::string host = store().dir() + "/hostdir";
  mkdir(host.c_str(), 0755);
  write_file(host + "/shared", "from the host\n");
  containerfile(
      "FROM localhost/busybox\n"
      "RUN ls /sys/class/net | sort | tr '\\n' ' ' > /nics\n"
      "RUN grep CapEff /proc/self/status | cut -f2 > /caps\n"
      "RUN cat /host/shared > /copied && ulimit -n > /nofile && hostname > /hn\n");
  Result r = build({"--network", "none", "--cap-drop", "all", "--volume", host + ":/host:ro", "--ulimit", "nofile=512:512",
                    "--hostname", "builder", "-t", "flags"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("flags", "cat /nics; echo; cat /caps /copied /nofile /hn; ls /host | wc -l").out,
            "lo \n0000000000000000\nfrom the host\n512\nbuilder\n0\n");
  // RUN --network=none for one step, the default network (slirp) for the others.
  containerfile(
      "FROM localhost/busybox\n"
      "RUN --network=none ls /sys/class/net | sort | tr '\\n' ' ' > /none\n"
      "RUN ls /sys/class/net | sort | tr '\\n' ' ' > /default\n");
  ASSERT_PC_OK(build({"-t", "flags2"}));
  EXPECT_EQ(sh_in("flags2", "cat /none; echo; cat /default").out, "lo \nlo tap0 ");
  Result badcap = build({"--cap-add", "CAP_NOPE"});
  EXPECT_EQ(badcap.exit_code, 125) << badcap;
}

TEST_F(BuildContextTest, IndependentStagesBuildAtOnceWithJobs) {
  // Each stage waits for the other's marker in a shared --volume: only stages built at the
  // same time can both finish.
  const std::string shared = store().dir() + "/shared";
  mkdir(shared.c_str(), 0777);
  const std::string wait_for = "for i in $(seq 100); do test -e /shared/%s && break; sleep 0.1; done; test -e /shared/%s";
  auto step = [&](const std::string& me, const std::string& other) {
    std::string w = wait_for;
    w.replace(w.find("%s"), 2, other);
    w.replace(w.find("%s"), 2, other);
    return "RUN touch /shared/" + me + " && " + w + " && echo " + me + " > /" + me + "\n";
  };
  containerfile("FROM localhost/busybox AS a\n" + step("a", "b") + "FROM localhost/busybox AS b\n" + step("b", "a") +
                "FROM localhost/busybox\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n");
  Result r = build({"--jobs", "2", "-v", shared + ":/shared", "-t", "jobs"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("jobs", "cat /a /b").out, "a\nb\n");
}

TEST_F(BuildContextTest, PullPolicyAndPlatform) {
  containerfile("FROM localhost/not-here\n");
  Result never = build({"--pull=never"});
  EXPECT_EQ(never.exit_code, 125) << never;
  EXPECT_TRUE(contains(never.err, "Containerfile:1: FROM localhost/not-here: image \"localhost/not-here\" not known")) << never;
  containerfile("FROM --platform=linux/arm64 localhost/busybox\n");
  Result arm = build({});
  EXPECT_EQ(arm.exit_code, 125) << arm;
  EXPECT_TRUE(contains(arm.err, "native platform only")) << arm;
  containerfile("FROM --platform=$BUILDPLATFORM localhost/busybox\nARG TARGETPLATFORM\nRUN echo $TARGETPLATFORM > /p\n");
  ASSERT_PC_OK(build({"--platform", "linux/amd64", "-t", "plat"}));
  EXPECT_EQ(sh_in("plat", "cat /p").out, "linux/amd64\n");
}
