#include <gtest/gtest.h>

#include "container/env_options.hpp"
#include "common/error.hpp"
#include "container/exec_spec.hpp"
#include "container/spec_builder.hpp"
#include "rootless/caps.hpp"

using namespace pc;

TEST(ExecSpec, EnvOverridesByKey) {
    auto env = container::merge_env({"PATH=/bin", "A=1", "B=2"}, {"A=x", "C=3"});
    EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "A=x", "B=2", "C=3"}));
}

TEST(ExecSpec, FromContainerAndOptions) {
    container::ContainerConfig cfg;
    cfg.env = {"PATH=/bin", "X=1"};
    cfg.user = "1000";
    cfg.working_dir = "/srv";
    cfg.no_new_privileges = true;
    container::ExecOptions o;
    o.args = {"sh"};
    o.env = {"X=2"};
    auto s = container::exec_process_spec(cfg, o, false);
    EXPECT_EQ(s.user, "1000");
    EXPECT_EQ(s.cwd, "/srv");
    EXPECT_EQ(s.env, (std::vector<std::string>{"PATH=/bin", "X=2"}));
    EXPECT_TRUE(s.no_new_privileges);
    ASSERT_TRUE(s.seccomp.has_value());  // the default profile
    EXPECT_EQ(s.capabilities, container::container_capabilities(cfg));
    o.user = "root";
    o.workdir = "/tmp";
    o.privileged = true;
    s = container::exec_process_spec(cfg, o, false);
    EXPECT_EQ(s.user, "root");
    EXPECT_EQ(s.cwd, "/tmp");
    EXPECT_EQ(s.capabilities, rootless::all_capabilities());
    EXPECT_TRUE(s.seccomp.has_value()) << "--privileged exec keeps the container's filter";
    EXPECT_EQ(s.seccomp_caps, container::container_capabilities(cfg));
    cfg.seccomp_profile = "unconfined";
    EXPECT_FALSE(container::exec_process_spec(cfg, o, false).seccomp.has_value());
}

TEST(ExecEnv, FlagsFilesAndHostCopies) {
    const std::vector<std::string> host = {"HOME=/home/u", "PCX_A=1", "PCX_B=2"};
    auto env = container::env_from_flags({}, {"K=V", "HOME", "PCX_*", "UNSET"}, host);
    EXPECT_EQ(env, (std::vector<std::string>{"K=V", "HOME=/home/u", "PCX_A=1", "PCX_B=2"}));
    EXPECT_THROW(container::env_from_flags({}, {"=x"}, host), Error);
    EXPECT_THROW(container::env_from_flags({"/nonexistent/env"}, {}, host), Error);
}
