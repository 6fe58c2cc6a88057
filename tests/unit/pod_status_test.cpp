// A pod's state from its containers' (Podman's libpod/pod_status.go rules), and the
// --share grammar.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "pod/pod_config.hpp"
#include "pod/pod_status.hpp"

namespace {

using pc::container::Container;
using pc::container::Status;

std::vector<Container> with(std::initializer_list<Status> states) {
    std::vector<Container> out;
    for (Status s : states) {
        Container c;
        c.state.status = s;
        out.push_back(c);
    }
    return out;
}

TEST(PodStatus, DerivedAsPodmanDerivesIt) {
    EXPECT_EQ(pc::pod::pod_status({}), "Created");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Created, Status::Created})), "Created");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Running, Status::Running})), "Running");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Running, Status::Exited})), "Degraded");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Running, Status::Created})), "Degraded");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Exited, Status::Exited})), "Exited");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Exited, Status::Created})), "Stopped");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Paused, Status::Paused})), "Paused");
    EXPECT_EQ(pc::pod::pod_status(with({Status::Removing, Status::Created})), "Error");
}

TEST(PodShare, PodmansGrammar) {
    using pc::pod::parse_share;
    EXPECT_EQ(parse_share("net,uts"), (std::vector<std::string>{"net", "uts"}));
    EXPECT_EQ(parse_share("pid,net,pid"), (std::vector<std::string>{"pid", "net"}));
    EXPECT_EQ(parse_share("+pid"), (std::vector<std::string>{"ipc", "net", "uts", "pid"}));
    EXPECT_TRUE(parse_share("none").empty());
    EXPECT_TRUE(parse_share("").empty());
    try {
        parse_share("net,foo");
        FAIL() << "accepted foo";
    } catch (const pc::Error& e) {
        EXPECT_NE(std::string(e.what()).find("invalid kernel namespace to share: foo"), std::string::npos);
    }
}

TEST(PodConfig, RoundTripsThroughJson) {
    pc::pod::PodConfig p;
    p.id = "abc";
    p.name = "stack";
    p.labels = {{"team", "a"}};
    p.shared = {"net", "uts"};
    p.exit_policy = "stop";
    nlohmann::json j = p;
    pc::pod::PodConfig back = j.get<pc::pod::PodConfig>();
    EXPECT_EQ(back.name, "stack");
    EXPECT_EQ(back.labels.at("team"), "a");
    EXPECT_TRUE(back.shares("uts"));
    EXPECT_FALSE(back.shares("pid"));
    EXPECT_EQ(back.exit_policy, "stop");
}

}  // namespace
