// Two samples per container, as `pc stats` and `pc pod stats` compute Podman's columns:
// CPU % needs the work done between them. rootless pc has no cgroups to read here
// (PLATFORM.md §6): samples come from /proc (container/stats.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "container/container_store.hpp"
#include "container/stats.hpp"

namespace pc::cli {

inline bool samples_network(const container::Container& c) {
    // --network host: the counters would be the host's; none: only lo, which is excluded.
    return c.config.network_mode != "host" && c.config.network_mode != "none";
}

class StatsCollector {
public:
    explicit StatsCollector(uint64_t mem_limit) : mem_limit_(mem_limit) {}

    // Takes a sample of every running container in `cs`, to be compared with the next.
    void prime(const std::vector<container::Container>& cs) {
        for (const auto& c : cs) sample(c);
    }

    // A stopped container, or one that stops while sampled, has Podman's empty stats.
    std::vector<container::ContainerStats> collect(const std::vector<container::Container>& cs) {
        std::vector<container::ContainerStats> out;
        for (const auto& c : cs) {
            container::ContainerStats st;
            auto prev = previous_.find(c.config.id);
            std::optional<container::StatsSample> before;
            if (prev != previous_.end()) before = prev->second;
            if (auto cur = sample(c)) {
                st = container::compute_stats(before ? *before : *cur, *cur, c.state.started_ns, mem_limit_);
            }
            st.id = c.config.id;
            st.name = c.config.name;
            out.push_back(std::move(st));
        }
        return out;
    }

private:
    std::optional<container::StatsSample> sample(const container::Container& c) {
        previous_.erase(c.config.id);
        if (c.state.status != container::Status::Running || c.state.pid <= 0) return std::nullopt;
        try {
            auto s = container::sample_container(c.state.pid, samples_network(c));
            previous_[c.config.id] = s;
            return s;
        } catch (const Error&) {
            return std::nullopt;  // exited between the listing and the sample
        }
    }

    uint64_t mem_limit_;
    std::map<std::string, container::StatsSample> previous_;
};

}  // namespace pc::cli
