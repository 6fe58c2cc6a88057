#include "compose/hash.hpp"

#include "compose/emit.hpp"
#include "storage/digest.hpp"

namespace pc::compose {

std::string service_config_hash(const Service& service) {
    Service s = service;
    s.build.reset();
    s.pull_policy.clear();
    s.scale.reset();
    if (s.deploy) s.deploy->replicas.reset();
    s.depends_on.clear();
    s.profiles.clear();
    return storage::sha256_hex(write_json(service_out(s, OutputFormat::Json), false));
}

}  // namespace pc::compose
