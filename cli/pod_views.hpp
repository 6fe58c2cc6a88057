// Pods as Podman 4.3 shows them: `pod inspect` documents, `pod ps --format json` objects and
// the values `pod ps --format '{{...}}'` templates see, and the default `pod ps` table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/output.hpp"
#include "container/container_store.hpp"
#include "pod/pod_config.hpp"

namespace pc::cli {

// `containers`: the pod's (pod::PodStore::containers_of), the infra among them.
nlohmann::json pod_inspect_json(const pod::PodConfig& pod, const std::vector<container::Container>& containers);

struct PodPsColumns {
    bool ctr_ids = false, ctr_names = false, ctr_status = false, ns = false, no_trunc = false;
};
nlohmann::json pod_ps_json(const pod::PodConfig& pod, const std::vector<container::Container>& containers);
nlohmann::json pod_ps_template_data(const pod::PodConfig& pod, const std::vector<container::Container>& containers,
                                    bool no_trunc);
// The default table's format for the columns asked for.
std::string pod_ps_default_format(const PodPsColumns& columns);
// Header names Podman prints for the template fields.
std::map<std::string, std::string> pod_ps_headers();

}  // namespace pc::cli
