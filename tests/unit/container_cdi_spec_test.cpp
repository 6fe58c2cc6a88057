// CDI spec files (container/cdi_spec), their resolution from spec directories
// (container/cdi_registry) and the --device / --gpus value rules (container/device_options).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "container/cdi_registry.hpp"
#include "container/cdi_spec.hpp"
#include "container/device_options.hpp"

using namespace pc::container;

namespace {

const char* kYaml = R"(cdiVersion: "0.6.0"
kind: "example.com/gpu"
containerEdits:
  env: ["SPEC_WIDE=1"]
devices:
  - name: "0"
    containerEdits:
      deviceNodes:
        - path: /dev/gpu0
          hostPath: /dev/null
          type: c
          major: 1
          minor: 3
          permissions: rw
      mounts:
        - hostPath: /usr/lib
          containerPath: /usr/lib/gpu
          options: [ro, nosuid, rbind]
      hooks:
        - hookName: createContainer
          path: /usr/bin/nvidia-ctk
          args: [nvidia-ctk, hook, update-ldcache]
          env: [A=b]
          timeout: 5
  - name: all
    containerEdits:
      env: [ALL=1]
      additionalGids: [44]
)";

std::string expect_error(const std::string& text) {
    try {
        cdi::parse_spec(text, "/etc/cdi/x.yaml");
    } catch (const pc::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return "";
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/pc-cdi-unit-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path + "/" + name) << text; }
};

}  // namespace

TEST(CdiSpec, ParsesYamlWithEveryKindOfEdit) {
    cdi::Spec s = cdi::parse_spec(kYaml, "/etc/cdi/x.yaml");
    EXPECT_EQ(s.cdi_version, "0.6.0");
    EXPECT_EQ(s.kind, "example.com/gpu");
    ASSERT_EQ(s.devices.size(), 2u);
    EXPECT_EQ(s.edits.env, std::vector<std::string>{"SPEC_WIDE=1"});
    const auto& e = s.devices[0].edits;
    ASSERT_EQ(e.device_nodes.size(), 1u);
    EXPECT_EQ(e.device_nodes[0].path, "/dev/gpu0");
    EXPECT_EQ(e.device_nodes[0].host_path, "/dev/null");
    EXPECT_EQ(e.device_nodes[0].major.value_or(-1), 1);
    EXPECT_EQ(e.device_nodes[0].permissions, "rw");
    ASSERT_EQ(e.mounts.size(), 1u);
    EXPECT_EQ(e.mounts[0].container_path, "/usr/lib/gpu");
    EXPECT_EQ(e.mounts[0].options.size(), 3u);
    ASSERT_EQ(e.hooks.size(), 1u);
    EXPECT_EQ(e.hooks[0].hook_name, "createContainer");
    EXPECT_EQ(e.hooks[0].args.size(), 3u);
    EXPECT_EQ(e.hooks[0].timeout.value_or(0), 5);
    EXPECT_EQ(s.devices[1].edits.additional_gids, std::vector<uint32_t>{44});
}

TEST(CdiSpec, ParsesJson) {
    cdi::Spec s = cdi::parse_spec(
        R"({"cdiVersion":"0.5.0","kind":"vendor.io/fpga","devices":[{"name":"f1","containerEdits":{"env":["F=1"]}}]})",
        "/var/run/cdi/f.json");
    ASSERT_EQ(s.devices.size(), 1u);
    EXPECT_EQ(s.devices[0].name, "f1");
    EXPECT_EQ(s.devices[0].edits.env[0], "F=1");
}

TEST(CdiSpec, ErrorsNameFileLineAndKeyPath) {
    std::string e = expect_error("cdiVersion: 0.6.0\nkind: example.com/gpu\ndevices:\n  - name: a\n    containerEdits:\n      deviceNodes:\n        - hostPath: /dev/null\n");
    EXPECT_NE(e.find("/etc/cdi/x.yaml:7"), std::string::npos) << e;
    EXPECT_NE(e.find("devices[0].containerEdits.deviceNodes[0].path: required"), std::string::npos) << e;

    e = expect_error("cdiVersion: 0.6.0\nkind: nokind\ndevices: [{name: a, containerEdits: {env: [A=1]}}]\n");
    EXPECT_NE(e.find("kind: \"nokind\" is not vendor.com/class"), std::string::npos) << e;
    e = expect_error("kind: a.com/b\ndevices: []\n");
    EXPECT_NE(e.find("cdiVersion: required"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: []\n");
    EXPECT_NE(e.find("at least one device"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {hooks: [{hookName: later, path: /x}]}}]\n");
    EXPECT_NE(e.find("devices[0].containerEdits.hooks[0].hookName"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {mounts: [{hostPath: /x, containerPath: rel}]}}]\n");
    EXPECT_NE(e.find("not an absolute path"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {env: [NOEQUALS]}}]\n");
    EXPECT_NE(e.find("is not KEY=VALUE"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {}}, ]\n");
    EXPECT_NE(e.find("must edit the container"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {env: [A=1]}}, {name: a, containerEdits: {env: [A=1]}}]\n");
    EXPECT_NE(e.find("defined twice"), std::string::npos) << e;
    e = expect_error("{ not: [yaml");
    EXPECT_NE(e.find("not valid YAML or JSON"), std::string::npos) << e;
    e = expect_error("cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: a, containerEdits: {deviceNodes: [{path: /dev/a, permissions: rwx}]}}]\n");
    EXPECT_NE(e.find("permissions"), std::string::npos) << e;
}

TEST(CdiSpec, QualifiedNames) {
    std::string kind, name;
    EXPECT_TRUE(cdi::parse_qualified_name("nvidia.com/gpu=all", &kind, &name));
    EXPECT_EQ(kind, "nvidia.com/gpu");
    EXPECT_EQ(name, "all");
    EXPECT_TRUE(cdi::parse_qualified_name("vendor.com/class=GPU-1:mig0"));
    EXPECT_FALSE(cdi::parse_qualified_name("/dev/null"));
    EXPECT_FALSE(cdi::parse_qualified_name("/dev/a=b"));
    EXPECT_FALSE(cdi::parse_qualified_name("nvidia.com/gpu"));
    EXPECT_FALSE(cdi::parse_qualified_name("nvidia.com/gpu="));
    EXPECT_FALSE(cdi::parse_qualified_name("nvidia.com=0"));
}

TEST(CdiRegistry, ResolvesAcrossDirsLaterWinsSpecEditsOnce) {
    TempDir low, high;
    low.write("a.yaml", kYaml);
    high.write("b.json",
               R"({"cdiVersion":"0.6.0","kind":"example.com/gpu","containerEdits":{"env":["HIGH=1"]},)"
               R"("devices":[{"name":"all","containerEdits":{"env":["ALL=2"]}}]})");
    high.write("broken.yaml", "cdiVersion: [");
    high.write("ignored.txt", "not a spec");
    cdi::ContainerEdits e = cdi::resolve_devices({"example.com/gpu=0", "example.com/gpu=all", "example.com/gpu=0"},
                                                 {low.path, high.path});
    // gpu=0 from the low dir (its spec's env once), gpu=all from the high dir (its spec's env).
    EXPECT_EQ(e.env, (std::vector<std::string>{"SPEC_WIDE=1", "HIGH=1", "ALL=2"}));
    EXPECT_EQ(e.device_nodes.size(), 1u);
    EXPECT_TRUE(e.additional_gids.empty());

    try {
        cdi::resolve_devices({"example.com/gpu=7"}, {low.path, high.path});
        FAIL() << "no error";
    } catch (const pc::Error& err) {
        std::string m = err.what();
        EXPECT_NE(m.find("unresolvable CDI devices example.com/gpu=7"), std::string::npos) << m;
        EXPECT_NE(m.find(low.path), std::string::npos) << m;
        EXPECT_NE(m.find("broken.yaml"), std::string::npos) << m;
    }
}

TEST(CdiRegistry, SpecDirsFromFlagEnvOrDefaults) {
    ::unsetenv("PC_CDI_SPEC_DIRS");
    EXPECT_EQ(cdi::spec_dirs({}), (std::vector<std::string>{"/etc/cdi", "/var/run/cdi"}));
    ::setenv("PC_CDI_SPEC_DIRS", "/a:/b", 1);
    EXPECT_EQ(cdi::spec_dirs({}), (std::vector<std::string>{"/a", "/b"}));
    EXPECT_EQ(cdi::spec_dirs({"/c"}), std::vector<std::string>{"/c"});
    ::unsetenv("PC_CDI_SPEC_DIRS");
}

TEST(DeviceFlag, PodmanForms) {
    DeviceConfig d = parse_device_flag("/dev/fuse");
    EXPECT_EQ(d.container_path, "/dev/fuse");
    EXPECT_EQ(d.permissions, "rwm");
    d = parse_device_flag("/dev/null:/dev/mynull");
    EXPECT_EQ(d.host_path, "/dev/null");
    EXPECT_EQ(d.container_path, "/dev/mynull");
    d = parse_device_flag("/dev/null:r");
    EXPECT_EQ(d.container_path, "/dev/null");
    EXPECT_EQ(d.permissions, "r");
    d = parse_device_flag("/dev/null:/dev/x:rw");
    EXPECT_EQ(d.permissions, "rw");
    for (const char* bad : {"", "dev/null", "/dev/null:x", "/dev/null:/dev/x:rwx", "/dev/null:/x:r:extra", "/dev/null:/x:rr"})
        EXPECT_THROW(parse_device_flag(bad), pc::Error) << bad;
}

TEST(GpusFlag, MapsToNvidiaCdiNames) {
    EXPECT_EQ(gpu_cdi_names("all"), std::vector<std::string>{"nvidia.com/gpu=all"});
    EXPECT_EQ(gpu_cdi_names("1"), std::vector<std::string>{"nvidia.com/gpu=1"});
    EXPECT_EQ(gpu_cdi_names("device=0,2"), (std::vector<std::string>{"nvidia.com/gpu=0", "nvidia.com/gpu=2"}));
    EXPECT_EQ(gpu_cdi_names("count=2"), (std::vector<std::string>{"nvidia.com/gpu=0", "nvidia.com/gpu=1"}));
    EXPECT_THROW(gpu_cdi_names("count=x"), pc::Error);
    EXPECT_THROW(gpu_cdi_names("capabilities=all"), pc::Error);
    EXPECT_THROW(gpu_cdi_names(""), pc::Error);
}
