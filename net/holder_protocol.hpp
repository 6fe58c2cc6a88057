// What the network holder (net/network_holder.hpp) and its clients say to each other, and
// where its files are. One JSON message per request and per reply over a SOCK_SEQPACKET
// connection to RUNROOT/networks/holder.sock; an attach reply carries the networks'
// namespace as a descriptor.
//
//   RUNROOT/networks/holder.pid    "PID START": the running holder (start time tells a
//                                  recycled pid apart)
//   RUNROOT/networks/holder.lock   flock: held to start a holder, and by a holder to exit
//   RUNROOT/networks/holder.sock   the holder's socket
//   RUNROOT/networks/leases.json   the addresses given out and to whom (the containers'
//                                  monitors), so that a holder that was killed can be
//                                  replaced without losing them
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "net/endpoint.hpp"
#include "net/network_config.hpp"

namespace pc::net {

struct HolderPaths {
    std::string store_root, runroot;
    std::string dir() const { return runroot + "/networks"; }
    std::string record() const { return dir() + "/holder.pid"; }
    std::string lock() const { return dir() + "/holder.lock"; }
    std::string leases() const { return dir() + "/leases.json"; }
    static constexpr const char* kSocketName = "holder.sock";
};

// A container asks for its endpoints (or, with `add`, for more of them: network connect).
struct AttachRequest {
    std::string container;                     // id
    std::string name;                          // its name, which the networks' DNS answers
    std::vector<std::string> names;            // more names for it (containers sharing its namespace)
    std::vector<std::pair<NetworkConfig, EndpointOptions>> endpoints;
    // Whose life the addresses follow (the container's monitor): 0 = the requesting process.
    pid_t owner_pid = 0;
    uint64_t owner_start = 0;
    bool add = false;
};

// A container's addresses as the holder keeps them.
struct Lease {
    std::string container, name;
    std::vector<std::string> names;
    pid_t owner_pid = 0;
    uint64_t owner_start = 0;
    std::vector<Endpoint> endpoints;
};

void to_json(nlohmann::json& j, const AttachRequest& r);
void from_json(const nlohmann::json& j, AttachRequest& r);
void to_json(nlohmann::json& j, const Lease& l);
void from_json(const nlohmann::json& j, Lease& l);

}  // namespace pc::net
