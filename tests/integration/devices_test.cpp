// --device (host nodes bound in under other names, directories), --device-cgroup-rule, and CDI
// devices (--device vendor/class=name, --gpus) from spec files the tests write: device
// nodes under other names, a mount, environment and OCI hooks; bad values leave nothing.
#include <sys/stat.h>

#include "harness.hpp"

using namespace pcit;

namespace {

class Devices : public PcTest {
 protected:
  void SetUp() override {
    PcTest::SetUp();
    dir_ = make_temp_dir("pc-cdi");
    specs_ = dir_ + "/specs";
    ASSERT_PC_OK(sh("mkdir -p " + specs_ + " " + dir_ + "/share " + dir_ + "/out && echo from-host > " + dir_ +
                    "/share/file && chmod 0777 " + dir_ + "/out"));
    // A hook that records its argv, environment and the state JSON it gets on stdin.
    write_file(dir_ + "/hook.sh",
               "#!/bin/sh\nout=\"$1\"\necho \"$HOOK_ENV\" > \"$out.env\"\ncat > \"$out.state\"\n", 0755);
    write_file(dir_ + "/failhook.sh", "#!/bin/sh\necho hook says no >&2\nexit 3\n", 0755);
  }
  void TearDown() override {
    remove_tree(dir_);
    PcTest::TearDown();
  }
  std::vector<std::string> cdi() const { return {"--cdi-spec-dir", specs_}; }
  Result pc_cdi(std::vector<std::string> args) const {
    std::vector<std::string> all = cdi();
    all.insert(all.end(), args.begin(), args.end());
    return pc(all);
  }
  void write_spec(const std::string& name, const std::string& text) const { write_file(specs_ + "/" + name, text); }
  // No container record left (a failed run must not leave one).
  void expect_no_containers() const {
    Result ps = pc({"ps", "-aq"});
    EXPECT_PC_OK(ps);
    EXPECT_EQ(trim(ps.out), "") << ps;
  }

  std::string dir_, specs_;
};

std::string test_spec(const std::string& dir) {
  return "cdiVersion: \"0.6.0\"\n"
         "kind: example.com/test\n"
         "containerEdits:\n"
         "  env: [CDI_SPEC_WIDE=yes]\n"
         "devices:\n"
         "  - name: dev0\n"
         "    containerEdits:\n"
         "      env: [CDI_DEVICE=dev0]\n"
         "      deviceNodes:\n"
         "        - {path: /dev/cdinull, hostPath: /dev/null}\n"
         "        - {path: /dev/cdi/zero, hostPath: /dev/zero, permissions: r}\n"
         "      mounts:\n"
         "        - {hostPath: " + dir + "/share, containerPath: /opt/vendor, options: [ro, rbind]}\n"
         "      hooks:\n"
         "        - hookName: createContainer\n"
         "          path: " + dir + "/hook.sh\n"
         "          args: [hook.sh, " + dir + "/out/create]\n"
         "          env: [HOOK_ENV=from-spec, PATH=/usr/bin:/bin]\n"
         "        - hookName: poststop\n"
         "          path: " + dir + "/hook.sh\n"
         "          args: [hook.sh, " + dir + "/out/poststop]\n"
         "          env: [HOOK_ENV=stopped, PATH=/usr/bin:/bin]\n"
         "  - name: failing\n"
         "    containerEdits:\n"
         "      hooks:\n"
         "        - {hookName: createContainer, path: " + dir + "/failhook.sh, env: [PATH=/usr/bin:/bin]}\n";
}

}  // namespace

TEST_F(Devices, HostNodeUnderAnotherName) {
  Result r = run_in({"--device", "/dev/zero:/dev/myzero"},
                    {"sh", "-c", "test -c /dev/myzero && head -c 4 /dev/myzero | od -An -tx1"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "00 00 00 00");
}

TEST_F(Devices, DirectoryAddsItsDevices) {
  Result r = run_in({"--device", "/dev/net:/dev/hostnet"}, {"sh", "-c", "test -c /dev/hostnet/tun && echo tun"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "tun");
}

TEST_F(Devices, InspectShowsDevicesAndCgroupRules) {
  std::string name = unique_name("dev");
  ASSERT_PC_OK(pc({"create", "--name", name, "--device", "/dev/null:/dev/foo:rw", "--device-cgroup-rule", "c 1:3 rwm",
                   image(), "true"}));
  Result r = pc({"inspect", "--format",
                 "{{range .HostConfig.Devices}}{{.PathOnHost}} {{.PathInContainer}} {{.CgroupPermissions}}{{end}}|"
                 "{{index .HostConfig.DeviceCgroupRules 0}}",
                 name});
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "/dev/null /dev/foo rw|c 1:3 rwm");
  EXPECT_PC_OK(pc({"rm", name}));
}

TEST_F(Devices, BadValuesFailAndLeaveNothing) {
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--device", "/dev/does-not-exist"}, "/dev/does-not-exist: No such file or directory"},
      {{"--device", "/etc/passwd"}, "not a character or block device"},
      {{"--device", "/dev/null:nodev"}, "invalid device mode: nodev"},
      {{"--device", "relative"}, "not an absolute path"},
      {{"--device-cgroup-rule", "x 1:3 rwm"}, "invalid device cgroup rule"},
      {{"--device", "example.com/none=0"}, "unresolvable CDI devices example.com/none=0"},
      {{"--gpus", "all"}, "unresolvable CDI devices nvidia.com/gpu=all"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run", "--rm", "--name", unique_name("bad")};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    args.insert(args.end(), {image(), "true"});
    Result r = pc_cdi(args);
    EXPECT_EQ(r.exit_code, 125) << r;
    EXPECT_TRUE(contains(r.err, c.message)) << r;
  }
  expect_no_containers();
}

TEST_F(Devices, CdiDeviceNodesMountEnvAndHooks) {
  write_spec("test.yaml", test_spec(dir_));
  std::string name = unique_name("cdi");
  Result r = pc_cdi({"run", "--name", name, "--device", "example.com/test=dev0", image(), "sh", "-c",
                     "test -c /dev/cdinull && test -c /dev/cdi/zero && echo x > /dev/cdinull && "
                     "cat /opt/vendor/file && "
                     "echo $CDI_SPEC_WIDE $CDI_DEVICE"});
  ASSERT_PC_OK(r);
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"from-host", "yes dev0"})) << r;
  // createContainer ran with the spec's env and the OCI state on stdin.
  EXPECT_EQ(trim(read_file(dir_ + "/out/create.env")), "from-spec");
  std::string id = trim(pc({"inspect", "--format", "{{.Id}}", name}).out);
  std::string state = read_file(dir_ + "/out/create.state");
  EXPECT_TRUE(contains(state, "\"id\":\"" + id + "\"")) << state;
  EXPECT_TRUE(contains(state, "\"pid\":")) << state;
  EXPECT_TRUE(contains(state, "\"bundle\":")) << state;
  EXPECT_TRUE(path_exists(dir_ + "/out/poststop.state"));
  Result insp = pc({"inspect", "--format", "{{range .HostConfig.Devices}}{{.PathInContainer}} {{end}}", name});
  EXPECT_EQ(trim(insp.out), "/dev/cdinull /dev/cdi/zero") << insp;
  EXPECT_PC_OK(pc({"rm", name}));
}

TEST_F(Devices, GpusMapsToNvidiaCdiFromEnvDir) {
  write_spec("nvidia.json",
             R"({"cdiVersion":"0.5.0","kind":"nvidia.com/gpu","devices":[)"
             R"({"name":"all","containerEdits":{"env":["NVIDIA_VISIBLE_DEVICES=all"],"deviceNodes":[{"path":"/dev/nvidia0","hostPath":"/dev/zero"}]}},)"
             R"({"name":"1","containerEdits":{"env":["NVIDIA_VISIBLE_DEVICES=1"]}}]})");
  RunOpts o;
  o.env["PC_CDI_SPEC_DIRS"] = specs_;
  Result r = store().pc({"run", "--rm", "--gpus", "all", image(), "sh", "-c", "test -c /dev/nvidia0 && echo $NVIDIA_VISIBLE_DEVICES"}, o);
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "all");
  r = store().pc({"run", "--rm", "--gpus", "1", image(), "sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES"}, o);
  ASSERT_PC_OK(r);
  EXPECT_EQ(trim(r.out), "1");
}

TEST_F(Devices, FailingHookFailsTheStartAndLeavesNothing) {
  write_spec("test.yaml", test_spec(dir_));
  Result r = pc_cdi({"run", "--rm", "--device", "example.com/test=failing", image(), "echo", "payload-ran"});
  EXPECT_EQ(r.exit_code, 125) << r;
  EXPECT_TRUE(contains(r.err, "failhook.sh (createContainer) failed with exit status 3")) << r;
  EXPECT_FALSE(contains(r.out, "payload-ran")) << r;
  expect_no_containers();
}

TEST_F(Devices, BrokenSpecIsNamedWhenADeviceIsMissing) {
  write_spec("broken.yaml", "cdiVersion: 0.6.0\nkind: example.com/test\ndevices:\n  - name: x\n    containerEdits:\n      deviceNodes: [{hostPath: /dev/null}]\n");
  Result r = pc_cdi({"run", "--rm", "--device", "example.com/test=x", image(), "true"});
  EXPECT_EQ(r.exit_code, 125) << r;
  EXPECT_TRUE(contains(r.err, "broken.yaml:6: devices[0].containerEdits.deviceNodes[0].path: required")) << r;
  expect_no_containers();
}
