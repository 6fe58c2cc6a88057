// How a compose project's objects are named and labelled, as Docker Compose v2 names and
// labels them, so that tools that read those labels (and users who type those names)
// recognise pc's containers: containers <project>-<service>-<n> (or container_name),
// one-off containers <project>-<service>-run-<id>, volumes <project>_<name>, and the
// com.docker.compose.* labels. The pod that holds a project's shared network namespace is
// pod_<project>, as podman-compose names it.
#pragma once

#include <string>

namespace pc::compose {

inline constexpr char kLabelProject[] = "com.docker.compose.project";
inline constexpr char kLabelService[] = "com.docker.compose.service";
inline constexpr char kLabelNumber[] = "com.docker.compose.container-number";
inline constexpr char kLabelOneoff[] = "com.docker.compose.oneoff";
inline constexpr char kLabelConfigHash[] = "com.docker.compose.config-hash";
inline constexpr char kLabelWorkingDir[] = "com.docker.compose.project.working_dir";
inline constexpr char kLabelConfigFiles[] = "com.docker.compose.project.config_files";
inline constexpr char kLabelEnvironmentFile[] = "com.docker.compose.project.environment_file";
inline constexpr char kLabelDependsOn[] = "com.docker.compose.depends_on";
inline constexpr char kLabelVersion[] = "com.docker.compose.version";
inline constexpr char kLabelImage[] = "com.docker.compose.image";
inline constexpr char kLabelVolume[] = "com.docker.compose.volume";
inline constexpr char kLabelNetwork[] = "com.docker.compose.network";
// pc's own: the hash of what the project's pod was made with (its ports, network, hosts).
inline constexpr char kLabelPodHash[] = "io.github.pc.compose.pod-hash";

std::string pod_name(const std::string& project);
std::string service_container_name(const std::string& project, const std::string& service, int number);
std::string oneoff_container_name(const std::string& project, const std::string& service);

}  // namespace pc::compose
