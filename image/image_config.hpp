// The parts of an OCI / Docker image config that `pc run` honours (config.Env, Cmd,
// Entrypoint, WorkingDir, User, Labels, StopSignal, Volumes, ExposedPorts, Healthcheck),
// read from and written to the config JSON blob, and Dockerfile-style --change
// instructions ("CMD ["sh"]", "ENV A=1", "WORKDIR /x", ...) applied to it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pc::image {

struct RuntimeConfig {
    std::vector<std::string> env;
    std::vector<std::string> cmd;
    std::vector<std::string> entrypoint;
    std::string working_dir;
    std::string user;
    std::map<std::string, std::string> labels;
    std::string stop_signal;
    std::vector<std::string> volumes;        // VOLUME paths
    std::vector<std::string> exposed_ports;  // "80/tcp"
    std::optional<nlohmann::json> healthcheck;
};

// An image's HEALTHCHECK (config.Healthcheck, durations in nanoseconds as Docker writes
// them). Fields of the wrong type or range count as absent: the config is untrusted input.
struct ImageHealthcheck {
    std::vector<std::string> test;  // ["CMD-SHELL", "..."], ["CMD", ...] or ["NONE"]
    int64_t interval_ns = 0, timeout_ns = 0, start_period_ns = 0, start_interval_ns = 0;  // 0: not set
    unsigned retries = 0;                                          // 0: not set
};
ImageHealthcheck healthcheck_of(const nlohmann::json& healthcheck);

// The rest of an image config document that `pc image inspect` shows. Read with type
// checks: a config is untrusted input, and a field of the wrong type reads as absent.
struct ImageConfigFacts {
    nlohmann::json config = nlohmann::json::object();  // "config" (an object)
    nlohmann::json history = nlohmann::json::array();  // "history" (an array)
    nlohmann::json labels;                             // config.Labels, null when absent
    std::string created, author, docker_version, comment, user;
    std::string architecture = "amd64", os = "linux";
};
ImageConfigFacts image_config_facts(const nlohmann::json& doc);

// Reads the "config" object of an image config document (missing fields -> empty).
RuntimeConfig runtime_config_of(const nlohmann::json& image_config);
// Writes `rc` into the "config" object of an image config document.
void set_runtime_config(nlohmann::json& image_config, const RuntimeConfig& rc);

// Applies one --change instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD ignored,
// STOPSIGNAL, USER, VOLUME, WORKDIR). Throws pc::Error naming the instruction when it is
// malformed or unsupported.
void apply_change(RuntimeConfig& rc, const std::string& change);

}  // namespace pc::image
