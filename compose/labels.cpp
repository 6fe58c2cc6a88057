#include "compose/labels.hpp"

#include "common/strings.hpp"

namespace pc::compose {

std::string pod_name(const std::string& project) { return "pod_" + project; }

std::string service_container_name(const std::string& project, const std::string& service, int number) {
    return project + "-" + service + "-" + std::to_string(number);
}

std::string oneoff_container_name(const std::string& project, const std::string& service) {
    return project + "-" + service + "-run-" + str::random_hex_id().substr(0, 12);
}

}  // namespace pc::compose
