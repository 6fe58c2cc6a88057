// Processes in a fresh user namespace with the single-id mapping, which any user may write
// without helpers (needs unprivileged user namespaces, as pc itself does).
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/error.hpp"
#include "rootless/caps.hpp"
#include "rootless/idmap.hpp"
#include "rootless/userns.hpp"

using namespace pc::rootless;

namespace {

IdMapping single_map() { return build_default_mapping(::getuid(), ::getgid(), {}, {}); }

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string status_field(const std::string& name) {
    std::istringstream in(slurp("/proc/self/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", name.size() + 1));
    return "";
}

void expect_eq_inside(const std::string& what, const std::string& got, const std::string& want) {
    if (got != want) throw pc::Error(what + ": got '" + got + "', want '" + want + "'");
}

}  // namespace

TEST(RootlessUserns, RunsAsRootWithSingleMapping) {
    const IdMapping m = single_map();
    const std::string uid = std::to_string(::getuid());
    run_in_userns(m, [&] {
        expect_eq_inside("getuid", std::to_string(::getuid()), "0");
        expect_eq_inside("getgid", std::to_string(::getgid()), "0");
        std::istringstream map(slurp("/proc/self/uid_map"));
        std::string a, b, c;
        map >> a >> b >> c;
        expect_eq_inside("uid_map", a + " " + b + " " + c, "0 " + uid + " 1");
        expect_eq_inside("setgroups", slurp("/proc/self/setgroups"), "deny\n");
    });
}

TEST(RootlessUserns, KeepIdSingleMapping) {
    const IdMapping m = build_keep_id_mapping(::getuid(), ::getgid(), {}, {});
    const std::string uid = std::to_string(::getuid());
    run_in_userns(m, [&] { expect_eq_inside("getuid", std::to_string(::getuid()), uid); });
}

TEST(RootlessUserns, ExtraFlags) {
    run_in_userns(single_map(), [] { expect_eq_inside("pid", std::to_string(::getpid()), "1"); }, CLONE_NEWPID | CLONE_NEWNS);
}

TEST(RootlessUserns, ChildErrorsReachTheParent) {
    try {
        run_in_userns(single_map(), [] { throw pc::Error("extracting layer: disk on fire"); });
        FAIL() << "expected pc::Error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "extracting layer: disk on fire");
    }
    UsernsChild c = UsernsChild::start(0, [] { return 7; });
    c.map_and_release(single_map());
    try {
        c.wait_ok();
        FAIL() << "expected pc::Error";
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "process in user namespace exited with 7");
    }
}

TEST(RootlessUserns, ExitCodeAndUnreleasedChild) {
    UsernsChild c = UsernsChild::start(0, [] { return 3; });
    c.map_and_release(single_map());
    EXPECT_EQ(c.wait().code, 3);
    // Never released: the child must not run fn, and must exit on its own.
    UsernsChild d = UsernsChild::start(0, [] { return 0; });
    EXPECT_THROW(d.wait_ok(), pc::Error);
}

TEST(RootlessUserns, FailedMappingKillsTheChild) {
    IdMapping bad = single_map();
    bad.uids.push_back({0, 4000000000u, 1});  // overlaps inside id 0: refused even for root
    UsernsChild c = UsernsChild::start(0, [] { return 0; });
    EXPECT_THROW(c.map_and_release(bad), pc::Error);
    EXPECT_FALSE(c.process().running());
}

TEST(RootlessCapsInUserns, BoundingSetAndAmbient) {
    run_in_userns(single_map(), [] {
        const auto defaults = default_capabilities();
        drop_bounding_set(defaults);
        expect_eq_inside("CapBnd", status_field("CapBnd"), "00000000800405fb");
        apply_capabilities(defaults, false, {});
        expect_eq_inside("CapEff", status_field("CapEff"), "00000000800405fb");
        expect_eq_inside("CapPrm", status_field("CapPrm"), "00000000800405fb");
        expect_eq_inside("CapInh", status_field("CapInh"), "0000000000000000");
    });
    run_in_userns(single_map(), [] {
        auto caps = resolve_capabilities(default_capabilities(), {"NET_ADMIN"}, {});
        drop_bounding_set(caps);
        apply_capabilities(caps, true, {*capability_from_name("NET_ADMIN")});
        expect_eq_inside("CapEff", status_field("CapEff"), "0000000000001000");
        expect_eq_inside("CapInh", status_field("CapInh"), "0000000000001000");
        expect_eq_inside("CapAmb", status_field("CapAmb"), "0000000000001000");
        expect_eq_inside("CapBnd", status_field("CapBnd"), "00000000800415fb");
    });
}
