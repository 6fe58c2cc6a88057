// compose/project_networks: which way a project is networked (--in-pod, x-podman.in_pod),
// what `network create` is asked for each of its networks, and each service's --network
// values on them.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "compose/labels.hpp"
#include "compose/project_networks.hpp"
#include "compose/service_container.hpp"
#include "compose_test_util.hpp"

using namespace pc::compose;

namespace {

Project load(const std::string& yaml) {
    pctest::TempDir dir;
    const std::string file = dir.write("compose.yaml", yaml);
    LoadOptions o = pctest::options_in(dir.path(), {file});
    o.project_name = "proj";
    return load_project(o);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "";
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST(ComposeProjectNetworks, InPodDefaultsToTrueAndTheFlagWinsOverTheFile) {
    Project plain = load("services:\n  web:\n    image: busybox\n");
    EXPECT_TRUE(resolve_in_pod(plain, std::nullopt));
    EXPECT_FALSE(resolve_in_pod(plain, false));

    Project off = load("x-podman:\n  in_pod: false\nservices:\n  web:\n    image: busybox\n");
    EXPECT_FALSE(resolve_in_pod(off, std::nullopt));
    EXPECT_TRUE(resolve_in_pod(off, true));

    Project pc_off = load("x-pc:\n  in-pod: false\nservices:\n  web:\n    image: busybox\n");
    EXPECT_FALSE(resolve_in_pod(pc_off, std::nullopt));

    // podman-compose's pod name: in a pod (named pod_<project> all the same).
    Project named = load("x-podman:\n  in_pod: my_pod\nservices:\n  web:\n    image: busybox\n");
    EXPECT_TRUE(resolve_in_pod(named, std::nullopt));
    EXPECT_EQ(custom_pod_name(named), "my_pod");
    EXPECT_EQ(custom_pod_name(off), "");

    Project bad = load("x-pc:\n  in-pod: sometimes\nservices:\n  web:\n    image: busybox\n");
    EXPECT_NE(error_of([&] { resolve_in_pod(bad, std::nullopt); }).find("x-pc.in-pod"), std::string::npos);
}

TEST(ComposeProjectNetworks, InPodFlagValues) {
    EXPECT_FALSE(parse_in_pod_flag("false"));
    EXPECT_FALSE(parse_in_pod_flag("0"));
    EXPECT_TRUE(parse_in_pod_flag("True"));
    EXPECT_TRUE(parse_in_pod_flag("1"));
    EXPECT_NE(error_of([] { parse_in_pod_flag("maybe"); }).find("--in-pod"), std::string::npos);
}

TEST(ComposeProjectNetworks, CreateOptionsCarryIpamInternalIpv6AndComposeLabels) {
    Project p = load(
        "services:\n  web:\n    image: busybox\n    networks: [back]\n"
        "networks:\n  back:\n    internal: true\n    enable_ipv6: true\n    labels: {team: a}\n"
        "    ipam:\n      config:\n        - subnet: 10.91.0.0/24\n          gateway: 10.91.0.254\n"
        "          ip_range: 10.91.0.128/25\n");
    std::vector<std::string> warnings;
    pc::net::NetworkCreateOptions o = network_create_options(p, "back", warnings);
    EXPECT_EQ(o.name, "proj_back");
    EXPECT_TRUE(o.internal);
    EXPECT_TRUE(o.ipv6);
    EXPECT_EQ(o.subnets, std::vector<std::string>{"10.91.0.0/24"});
    EXPECT_EQ(o.gateways, std::vector<std::string>{"10.91.0.254"});
    EXPECT_EQ(o.ip_ranges, std::vector<std::string>{"10.91.0.128/25"});
    EXPECT_TRUE(has(o.labels, "team=a"));
    EXPECT_TRUE(has(o.labels, std::string(kLabelProject) + "=proj"));
    EXPECT_TRUE(has(o.labels, std::string(kLabelNetwork) + "=back"));
    EXPECT_TRUE(warnings.empty());
}

TEST(ComposeProjectNetworks, NamedNetworkKeepsItsName) {
    Project p = load("services:\n  web:\n    image: busybox\n    networks: [n]\nnetworks:\n  n:\n    name: shared-net\n");
    std::vector<std::string> warnings;
    EXPECT_EQ(network_create_options(p, "n", warnings).name, "shared-net");
}

TEST(ComposeProjectNetworks, AnotherDriverIsAnErrorNamingTheKeyPath) {
    Project p = load("services:\n  web:\n    image: busybox\n    networks: [back]\nnetworks:\n  back:\n    driver: overlay\n");
    std::vector<std::string> warnings;
    const std::string e = error_of([&] { network_create_options(p, "back", warnings); });
    EXPECT_NE(e.find("networks.back.driver"), std::string::npos) << e;
    EXPECT_NE(e.find("overlay"), std::string::npos) << e;
    Project ipam = load("services:\n  web:\n    image: busybox\nnetworks:\n  default:\n    ipam: {driver: dhcp}\n");
    const std::string i = error_of([&] { network_create_options(ipam, "default", warnings); });
    EXPECT_NE(i.find("networks.default.ipam.driver"), std::string::npos) << i;
}

TEST(ComposeProjectNetworks, ServiceValuesHaveTheServiceNameAliasesAndAddresses) {
    Project p = load(
        "services:\n  web:\n    image: busybox\n    networks:\n      front:\n        aliases: [www]\n"
        "        ipv4_address: 10.92.0.5\n      back: {}\n  db:\n    image: busybox\n"
        "networks:\n  front:\n    ipam:\n      config:\n        - subnet: 10.92.0.0/24\n  back: {}\n");
    auto values = service_network_values(p, p.services.at("web"), true);
    EXPECT_TRUE(has(values, "proj_back:alias=web")) << pc::str::join(values, " ");
    EXPECT_TRUE(has(values, "proj_front:alias=web,alias=www,ip=10.92.0.5")) << pc::str::join(values, " ");
    // A one-off without --use-aliases answers to its own name only.
    EXPECT_TRUE(has(service_network_values(p, p.services.at("web"), false), "proj_back"));
    EXPECT_EQ(service_network_values(p, p.services.at("db"), true), std::vector<std::string>{"proj_default:alias=db"});
    EXPECT_EQ(networks_of_services(p, {"web", "db"}), (std::vector<std::string>{"back", "default", "front"}));
}

TEST(ComposeProjectNetworks, LinkAliasesAnswerWithTheLinkedService) {
    Project p = load("services:\n  web:\n    image: busybox\n    links: [\"db:database\", cache]\n"
                     "  db:\n    image: busybox\n  cache:\n    image: busybox\n");
    EXPECT_EQ(service_network_values(p, p.services.at("db"), true),
              std::vector<std::string>{"proj_default:alias=db,alias=database"});
    EXPECT_EQ(service_network_values(p, p.services.at("cache"), true), std::vector<std::string>{"proj_default:alias=cache"});
    EXPECT_EQ(service_network_values(p, p.services.at("db"), false), std::vector<std::string>{"proj_default"});
}

TEST(ComposeProjectNetworks, OnlyServicesOnTheProjectNetworkRunInThePod) {
    Project p = load("services:\n  web:\n    image: busybox\n  tool:\n    image: busybox\n    network_mode: host\n");
    EXPECT_TRUE(runs_in_pod(p, p.services.at("web")));
    EXPECT_FALSE(runs_in_pod(p, p.services.at("tool")));
    p.in_pod = false;
    EXPECT_FALSE(runs_in_pod(p, p.services.at("web")));
    EXPECT_EQ(networks_of_services(p, {"web", "tool"}), std::vector<std::string>{"default"});
}
