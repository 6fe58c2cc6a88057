// pc build: the instructions and the image config they make (compared with what Podman's
// builder makes for the same file), the output shape, the step cache, multi-stage builds.
#include <nlohmann/json.hpp>

#include "build_fixture.hpp"

using namespace pcit;
using json = nlohmann::json;

namespace {

class Build : public BuildTest {};

std::vector<std::string> history_created_by(const json& img) {
  std::vector<std::string> out;
  for (const auto& h : img.value("History", json::array())) out.push_back(h.value("created_by", ""));
  return out;
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_F(Build, SixStepsOutputShapeAndResult) {
  file("a.txt", "a\n");
  containerfile(
      "FROM localhost/busybox\n"
      "RUN echo hello > /hello.txt\n"
      "COPY a.txt /data/\n"
      "ENV FOO=bar\n"
      "WORKDIR /data\n"
      "CMD [\"cat\", \"a.txt\"]\n");
  Result r = build({"-t", "app:1", "-t", "app:latest"});
  ASSERT_PC_OK(r);
  auto ls = lines(r.out);
  ASSERT_GE(ls.size(), 14u) << r;
  EXPECT_EQ(ls[0], "STEP 1/6: FROM localhost/busybox");
  EXPECT_EQ(ls[1], "STEP 2/6: RUN echo hello > /hello.txt");
  EXPECT_TRUE(contains(r.out, "STEP 6/6: CMD [\"cat\", \"a.txt\"]\nCOMMIT app:1\n--> ")) << r;
  EXPECT_TRUE(contains(r.out, "Successfully tagged localhost/app:1\nSuccessfully tagged localhost/app:latest\n")) << r;
  EXPECT_EQ(count(r.out, "\n--> "), 5) << r;
  const std::string id = built_id(r);
  EXPECT_EQ(id.size(), 64u) << r;
  EXPECT_EQ(inspect("app:latest").value("Id", ""), id);

  Result run = pc({"run", "--rm", "app:1"});
  EXPECT_PC_OK(run);
  EXPECT_EQ(run.out, "a\n");
  EXPECT_EQ(sh_in("app:1", "cat /hello.txt; pwd; echo $FOO").out, "hello\n/data\nbar\n");

  json cfg = config("app:1");
  EXPECT_EQ(cfg["Cmd"], json({"cat", "a.txt"}));
  EXPECT_EQ(cfg["WorkingDir"], "/data");
  EXPECT_EQ(cfg["Env"], json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar"}));
  EXPECT_EQ(cfg["Labels"], json({{"io.buildah.version", "1.28.2"}}));
  json img = inspect("app:1");
  auto hist = history_created_by(img);
  ASSERT_EQ(hist.size(), 6u);
  EXPECT_EQ(hist[1], "/bin/sh -c echo hello > /hello.txt");
  EXPECT_TRUE(hist[2].rfind("/bin/sh -c #(nop) COPY file:", 0) == 0) << hist[2];
  EXPECT_TRUE(hist[2].find(" in /data/ ") != std::string::npos) << hist[2];
  EXPECT_EQ(hist[3], "/bin/sh -c #(nop) ENV FOO=bar");
  EXPECT_EQ(img["History"][1]["comment"], "FROM localhost/busybox:latest");
  EXPECT_EQ(img["History"][3].value("empty_layer", false), true);
  EXPECT_EQ(img["RootFS"]["Layers"].size(), 3u);  // base, RUN, COPY
  EXPECT_EQ(img.value("Parent", "").size(), 64u);
  EXPECT_EQ(img["Annotations"].value("org.opencontainers.image.base.name", ""), "localhost/busybox:latest");

  // Intermediate images are listed with -a only; rmi takes them along.
  EXPECT_EQ(lines(pc({"images", "-q"}).out).size(), 2u);
  EXPECT_EQ(lines(pc({"images", "-a", "-q"}).out).size(), 6u);
  ASSERT_PC_OK(pc({"rmi", "app:1", "app:latest"}));
  EXPECT_EQ(lines(pc({"images", "-a", "-q"}).out).size(), 1u) << pc({"images", "-a"});
}

TEST_F(Build, InstructionsMakePodmansConfig) {
  containerfile(
      "ARG BASE=localhost/busybox\n"
      "FROM $BASE AS first\n"
      "ARG V=1\n"
      "ENV A=1 B=\"two words\" \\\n"
      "    C=${V:-x} D=${UNSET:-dflt} E=${V:+set}\n"
      "LABEL org.x=\"y\" multi=\"a b\"\n"
      "MAINTAINER someone <s@e>\n"
      "EXPOSE 80 443/udp\n"
      "VOLUME /data /other\n"
      "USER 1000:1000\n"
      "WORKDIR /work\n"
      "WORKDIR sub\n"
      "STOPSIGNAL SIGINT\n"
      "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n"
      "CMD echo hi\n");
  Result r = build({"--build-arg", "V=7", "-t", "all"});
  ASSERT_PC_OK(r);
  json img = inspect("all");
  json cfg = img["Config"];
  EXPECT_EQ(cfg["User"], "1000:1000");
  EXPECT_EQ(cfg["ExposedPorts"], json({{"443/udp", json::object()}, {"80/tcp", json::object()}}));
  EXPECT_EQ(cfg["Env"], json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "B=two words", "C=7",
                              "D=dflt", "E=set"}));
  EXPECT_EQ(cfg["Entrypoint"], json({"/bin/sh", "-c"}));
  EXPECT_EQ(cfg["Cmd"], json({"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(cfg["Volumes"], json({{"/data", json::object()}, {"/other", json::object()}}));
  EXPECT_EQ(cfg["WorkingDir"], "/work/sub");
  EXPECT_EQ(cfg["Labels"], json({{"io.buildah.version", "1.28.2"}, {"multi", "a b"}, {"org.x", "y"}}));
  EXPECT_EQ(cfg["StopSignal"], "SIGINT");
  EXPECT_EQ(img["Author"], "someone <s@e>");
  auto hist = history_created_by(img);
  ASSERT_EQ(hist.size(), 13u);
  EXPECT_EQ(hist[1], "/bin/sh -c #(nop) ARG V");
  EXPECT_EQ(hist[2], "/bin/sh -c #(nop) ENV A=1 B=\"two words\"     C=${V:-x} D=${UNSET:-dflt} E=${V:+set}");
  EXPECT_EQ(hist[6], "/bin/sh -c #(nop) VOLUME /data /other");
  EXPECT_EQ(img["History"][5].value("author", ""), "someone <s@e>");
  // The running image sees it all.
  EXPECT_EQ(pc({"run", "--rm", "all", "id -u; pwd; echo $C"}).out, "1000\n/work/sub\n7\n");
}

TEST_F(Build, OciFormatDropsDockerOnlyFieldsWithPodmansWarnings) {
  containerfile(
      "FROM localhost/busybox\n"
      "SHELL [\"/bin/sh\", \"-ec\"]\n"
      "HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD echo ok\n"
      "ONBUILD RUN echo triggered > /trigger\n"
      "RUN set -o | grep errexit\n");
  Result r = build({"-t", "oci"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.err, "SHELL is not supported for OCI image format, [/bin/sh -ec] will be ignored")) << r;
  EXPECT_TRUE(contains(r.err, "HEALTHCHECK is not supported for OCI image format")) << r;
  EXPECT_TRUE(contains(r.err, "ONBUILD is not supported for OCI image format, RUN echo triggered > /trigger will be ignored")) << r;
  EXPECT_TRUE(contains(r.out, "errexit         off")) << r;  // as in Podman: OCI images have no SHELL
  json cfg = config("oci");
  EXPECT_FALSE(cfg.contains("Healthcheck"));
  EXPECT_FALSE(cfg.contains("OnBuild"));
  EXPECT_FALSE(cfg.contains("Shell"));
  EXPECT_EQ(inspect("oci")["ManifestType"], "application/vnd.oci.image.manifest.v1+json");
}

TEST_F(Build, DockerFormatKeepsHealthcheckShellAndRunsOnbuildTriggers) {
  containerfile(
      "FROM localhost/busybox\n"
      "SHELL [\"/bin/sh\", \"-ec\"]\n"
      "HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=2 CMD echo ok\n"
      "ONBUILD RUN echo triggered > /trigger\n"
      "RUN set -o | grep errexit\n");
  Result r = build({"--format", "docker", "-t", "parent"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "errexit         on")) << r;
  json img = inspect("parent");
  EXPECT_EQ(img["ManifestType"], "application/vnd.docker.distribution.manifest.v2+json");
  json cfg = img["Config"];
  EXPECT_EQ(cfg["Healthcheck"], json({{"Test", {"CMD-SHELL", "echo ok"}}, {"Interval", 5000000000LL}, {"Timeout", 3000000000LL},
                                      {"StartPeriod", 1000000000LL}, {"Retries", 2}}));
  EXPECT_EQ(img["Healthcheck"], cfg["Healthcheck"]) << "Podman's place for it, beside Docker's";
  EXPECT_EQ(cfg["OnBuild"], json({"RUN echo triggered > /trigger"}));
  EXPECT_EQ(cfg["Shell"], json({"/bin/sh", "-ec"}));
  // A child build runs the trigger first, and the child does not inherit it.
  std::string child = store().dir() + "/child";
  mkdir(child.c_str(), 0755);
  write_file(child + "/Containerfile", "FROM parent\nRUN cat /trigger\n");
  Result c = build_in(child, {"--format", "docker", "-t", "child"});
  ASSERT_PC_OK(c);
  EXPECT_TRUE(contains(c.out, "STEP 2/3: RUN echo triggered > /trigger")) << c;
  EXPECT_TRUE(contains(c.out, "triggered\n")) << c;
  EXPECT_FALSE(config("child").contains("OnBuild"));
  // pc run uses the image's healthcheck.
  ASSERT_PC_OK(pc({"create", "--name", "hc", "child", "true"}));
  EXPECT_TRUE(contains(pc({"inspect", "hc", "--format", "{{json .Config.Healthcheck}}"}).out, "echo ok"));
}

TEST_F(Build, CacheHitsAndInvalidation) {
  file("a.txt", "one\n");
  containerfile(
      "FROM localhost/busybox\n"
      "ARG V=1\n"
      "RUN echo base > /base\n"
      "COPY a.txt /a.txt\n"
      "RUN echo v=$V > /v\n");
  Result first = build({"-t", "c"});
  ASSERT_PC_OK(first);
  EXPECT_FALSE(contains(first.out, "Using cache")) << first;

  Result again = build({"-t", "c"});
  ASSERT_PC_OK(again);
  EXPECT_EQ(count(again.out, "--> Using cache "), 4) << again;
  EXPECT_EQ(built_id(again), built_id(first));

  // The copied file's content, not its time, is in the key.
  file("a.txt", "two\n");
  Result content = build({"-t", "c"});
  ASSERT_PC_OK(content);
  EXPECT_EQ(count(content.out, "--> Using cache "), 2) << content;  // ARG, RUN base
  EXPECT_TRUE(contains(content.out, "STEP 4/5: COPY a.txt /a.txt\n--> ")) << content;
  EXPECT_NE(built_id(content), built_id(first));

  // A build arg: every RUN after its ARG sees it (history records "|1 V=2 ..."), so only
  // the ARG step itself is reused.
  Result arg = build({"-t", "c", "--build-arg", "V=2"});
  ASSERT_PC_OK(arg);
  EXPECT_EQ(count(arg.out, "--> Using cache "), 1) << arg;
  EXPECT_EQ(sh_in("c", "cat /v").out, "v=2\n");

  // A changed instruction, and everything after it.
  containerfile(
      "FROM localhost/busybox\n"
      "ARG V=1\n"
      "RUN echo changed > /base\n"
      "COPY a.txt /a.txt\n"
      "RUN echo v=$V > /v\n");
  Result instr = build({"-t", "c"});
  ASSERT_PC_OK(instr);
  EXPECT_EQ(count(instr.out, "--> Using cache "), 1) << instr;

  Result none = build({"-t", "c", "--no-cache"});
  ASSERT_PC_OK(none);
  EXPECT_FALSE(contains(none.out, "Using cache")) << none;
}

TEST_F(Build, MultiStageTargetAndCopyFrom) {
  containerfile(
      "FROM localhost/busybox AS builder\n"
      "RUN mkdir /app && echo built > /app/bin && chown 1000:1000 /app/bin\n"
      "FROM localhost/busybox AS unused\n"
      "RUN exit 1\n"
      "FROM localhost/busybox AS test\n"
      "RUN echo testing > /t\n"
      "FROM localhost/busybox\n"
      "COPY --from=builder /app/bin /usr/local/bin/app\n"
      "COPY --from=0 /app /app0/\n"
      "COPY --from=localhost/busybox /bin/busybox /copied-busybox\n");
  Result r = build({"-t", "ms"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "[1/4] STEP 1/2: FROM localhost/busybox AS builder\n")) << r;
  EXPECT_TRUE(contains(r.out, "[4/4] STEP 4/4: COPY --from=localhost/busybox")) << r;
  EXPECT_FALSE(contains(r.out, "[2/4]")) << "an unused stage is not built: " << r;
  EXPECT_FALSE(contains(r.out, "[3/4]")) << r;
  EXPECT_EQ(sh_in("ms", "cat /usr/local/bin/app; stat -c %u:%g /usr/local/bin/app /app0/bin; test -x /copied-busybox && echo x").out,
            "built\n1000:1000\n1000:1000\nx\n");

  Result t = build({"--target", "test", "-t", "only-test"});
  ASSERT_PC_OK(t);
  EXPECT_FALSE(contains(t.out, "[1/4]")) << t;
  // Buildah counts the stages up to the target only.
  EXPECT_TRUE(contains(t.out, "[3/3] STEP 2/2: RUN echo testing > /t\n")) << t;
  Result first = build({"--target", "builder", "-t", "only-builder"});
  ASSERT_PC_OK(first);
  EXPECT_TRUE(contains(first.out, "\nSTEP 2/2: RUN mkdir /app")) << "one stage counted: no prefix " << first;
  EXPECT_EQ(sh_in("only-test", "cat /t").out, "testing\n");
}

TEST_F(Build, LabelAnnotationIidfileQuietAndAliases) {
  containerfile("FROM localhost/busybox\nRUN true\n");
  const std::string iid = store().dir() + "/iid";
  Result r = build({"--label", "L=1", "--label", "empty=", "--annotation", "A=2", "--iidfile", iid, "-t", "lab"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "STEP 3/4: LABEL \"L\"=\"1\"\n")) << r;
  EXPECT_TRUE(contains(r.out, "STEP 4/4: LABEL \"empty\"=\"\"\nCOMMIT lab\n")) << r;
  EXPECT_EQ(read_file(iid), "sha256:" + built_id(r));
  json img = inspect("lab");
  EXPECT_EQ(img["Config"]["Labels"]["L"], "1");
  EXPECT_EQ(img["Annotations"]["A"], "2");
  EXPECT_EQ(img["History"].back()["created_by"], "/bin/sh -c #(nop) LABEL \"empty\"=\"\"");

  Result q = build({"-q", "--label", "L=1", "--label", "empty=", "--annotation", "A=2", "-t", "lab"});
  ASSERT_PC_OK(q);
  EXPECT_EQ(q.out, built_id(r) + "\n");
  Result alias = pc({"image", "build", "-q", "--label", "L=1", "--label", "empty=", "-t", "lab2", ctx()});
  ASSERT_PC_OK(alias);
  EXPECT_EQ(trim(alias.out), built_id(r));
  Result bx = pc({"buildx", "build", "-q", ctx()});
  ASSERT_PC_OK(bx);
  EXPECT_EQ(trim(bx.out).size(), 64u);
}

TEST_F(Build, LayersFalseSquashAndSquashAll) {
  containerfile(
      "FROM localhost/busybox\n"
      "RUN echo 1 > /one\n"
      "ENV X=1\n"
      "RUN rm /one && echo 2 > /two\n");
  Result nl = build({"--layers=false", "-t", "nl"});
  ASSERT_PC_OK(nl);
  EXPECT_EQ(count(nl.out, "\n--> "), 1) << nl;
  json img = inspect("nl");
  EXPECT_EQ(img["RootFS"]["Layers"].size(), 2u);
  ASSERT_EQ(img["History"].size(), 4u);
  EXPECT_TRUE(img["History"][1].value("empty_layer", false));
  EXPECT_FALSE(img["History"][3].value("empty_layer", false));
  EXPECT_EQ(img["History"][3]["comment"], "FROM localhost/busybox:latest");
  EXPECT_EQ(sh_in("nl", "cat /two; test -e /one || echo gone").out, "2\ngone\n");

  ASSERT_PC_OK(build({"--squash", "-t", "sq"}));
  EXPECT_EQ(inspect("sq")["RootFS"]["Layers"].size(), 2u);

  Result all = build({"--squash-all", "-t", "sqa"});
  ASSERT_PC_OK(all);
  json a = inspect("sqa");
  EXPECT_EQ(a["RootFS"]["Layers"].size(), 1u);
  EXPECT_EQ(a["History"].size(), 3u);  // the base image's history is gone
  EXPECT_EQ(sh_in("sqa", "cat /two; test -e /one || echo gone; echo $X").out, "2\ngone\n1\n");
}

TEST_F(Build, ArgScopingAndSubstitution) {
  containerfile(
      "ARG TAG=latest\n"
      "ARG GLOBAL=g\n"
      "FROM localhost/busybox:${TAG}\n"
      "ARG GLOBAL\n"
      "ARG A=from-arg\n"
      "ENV A=from-env\n"
      "ARG B\n"
      "ENV C=${B:-unset} D=${B:+set}\n"
      "RUN echo \"$GLOBAL $A $B\" > /out\n"
      "COPY --chown=${UID:-7}:8 Containerfile /cf\n");
  Result r = build({"--build-arg", "B=b", "--build-arg", "UNUSED=1", "-t", "args"});
  ASSERT_PC_OK(r);
  EXPECT_TRUE(contains(r.out, "[Warning] one or more build args were not consumed: [UNUSED]")) << r;
  EXPECT_EQ(sh_in("args", "cat /out; echo $C $D; stat -c %u:%g /cf").out, "g from-env b\nb set\n7:8\n");
  json img = inspect("args");
  bool run_entry = false;
  for (const auto& h : img["History"])
    if (h.value("created_by", "") == "|3 A=from-env B=b GLOBAL=g /bin/sh -c echo \"$GLOBAL $A $B\" > /out") run_entry = true;
  EXPECT_TRUE(run_entry) << img["History"].dump();
}

TEST_F(Build, RunMountsCacheBindTmpfsSecretLeaveNothingInTheLayer) {
  file("src/data.txt", "bound\n");
  file("token.txt", "s3cr3t");
  containerfile(
      "FROM localhost/busybox\n"
      "RUN --mount=type=cache,target=/cache echo run >> /cache/count && wc -l < /cache/count > /count\n"
      "RUN --mount=type=bind,source=src,target=/mnt/src cat /mnt/src/data.txt > /bound\n"
      "RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /tmpfs\n"
      "RUN --mount=type=secret,id=tok cat /run/secrets/tok > /leak-check && rm /leak-check\n"
      "RUN --mount=type=secret,id=tok,env=TOKEN,target=/s echo ${#TOKEN} > /toklen\n");
  Result r = build({"--secret", "id=tok,src=" + ctx() + "/token.txt", "-t", "m"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("m", "cat /count /bound /tmpfs /toklen; ls -d /cache /mnt/src /scratch /run/secrets /s 2>&1 | wc -l").out,
            "1\nbound\nx\n6\n5\n");
  // The secret is nowhere in the image's layers.
  Result save = pc({"save", "-o", store().dir() + "/m.tar", "m"});
  ASSERT_PC_OK(save);
  EXPECT_FALSE(contains(read_file(store().dir() + "/m.tar"), "s3cr3t"));
  // The cache mount outlives the build.
  containerfile(
      "FROM localhost/busybox\n"
      "RUN --mount=type=cache,target=/cache echo run >> /cache/count && wc -l < /cache/count > /count\n");
  ASSERT_PC_OK(build({"--no-cache", "-t", "m2"}));
  EXPECT_EQ(sh_in("m2", "cat /count").out, "2\n");
  // A required secret that is missing stops the build.
  containerfile("FROM localhost/busybox\nRUN --mount=type=secret,id=nope,required cat /run/secrets/nope\n");
  Result missing = build({"-t", "m3"});
  EXPECT_EQ(missing.exit_code, 125) << missing;
  EXPECT_TRUE(contains(missing.err, "Containerfile:2: RUN --mount=type=secret: secret \"nope\" is required")) << missing;
}

TEST_F(Build, HeredocsForRunAndCopy) {
  containerfile(
      "FROM localhost/busybox\n"
      "ARG NAME=world\n"
      "RUN <<EOF\n"
      "echo first > /one\n"
      "echo second >> /one\n"
      "EOF\n"
      "RUN <<-'SCRIPT' sh\n"
      "\techo \"quoted $NAME\" > /two\n"
      "\tSCRIPT\n"
      "COPY <<EOF /etc/greeting\n"
      "hello $NAME\n"
      "EOF\n"
      "COPY <<A <<'B' /files/\n"
      "expanded $NAME\n"
      "A\n"
      "literal $NAME\n"
      "B\n"
      "RUN <<EOF\n"
      "#!/bin/sh\n"
      "echo \"from a script: $0\" > /three\n"
      "EOF\n");
  Result r = build({"-t", "hd"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(sh_in("hd", "cat /one /two /etc/greeting /files/A /files/B /three").out,
            "first\nsecond\nquoted world\nhello world\nexpanded world\nliteral $NAME\nfrom a script: /dev/pipes/EOF\n");
}

TEST_F(Build, VolumeDiscardsLaterChangesAndUserAppliesToRun) {
  containerfile(
      "FROM localhost/busybox\n"
      "RUN mkdir /vol && echo before > /vol/kept\n"
      "VOLUME /vol\n"
      "RUN echo after > /vol/dropped && echo changed > /vol/kept\n"
      "USER 1000\n"
      "RUN id -u > /tmp/uid\n");
  ASSERT_PC_OK(build({"-t", "vol"}));
  Result r = pc({"run", "--rm", "-v", "/vol", "--entrypoint", "", "vol", "sh", "-c",
                 "cat /vol/kept; ls /vol; cat /tmp/uid"});
  EXPECT_PC_OK(r);
  EXPECT_EQ(r.out, "before\nkept\n1000\n");
}
