#include "cli/compose_image_digests.hpp"

#include <map>

#include "common/error.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"
#include "image/registry_client.hpp"

namespace pc::cli {

namespace {

class DigestResolver {
public:
    // `image` with the digest its tag points to, fully qualified; unchanged when empty.
    std::string resolve(const std::string& image) {
        if (image.empty()) return image;
        if (auto it = cache_.find(image); it != cache_.end()) return it->second;
        image::Reference r = image::parse_docker_normalized(image);
        std::string tag = r.tag.empty() && r.digest.empty() ? "latest" : r.tag;
        std::string digest = r.digest;
        if (digest.empty()) {
            image::RegistryOptions options;
            if (conf_.insecure(r.registry)) options.tls.verify = false;
            try {
                image::RegistryClient client(r.registry, r.repository, options, "pull");
                digest = client.get_manifest(tag).digest;
            } catch (const Error& e) {
                throw Error("resolving the digest of " + image + " (--resolve-image-digests asks the registry): " + e.what(),
                            1);
            }
        }
        std::string out = r.name() + (tag.empty() ? "" : ":" + tag) + "@" + digest;
        cache_.emplace(image, out);
        return out;
    }

private:
    image::RegistriesConf conf_ = image::load_registries_conf();
    std::map<std::string, std::string> cache_;
};

}  // namespace

void resolve_project_image_digests(compose::Project& project) {
    DigestResolver resolver;
    for (auto& [_, s] : project.services) {
        s.image = resolver.resolve(s.image);
        for (auto& h : s.pre_start) h.image = resolver.resolve(h.image);
        for (auto& v : s.volumes)
            if (v.type == "image" && !project.services.count(v.source) && !project.disabled_services.count(v.source))
                v.source = resolver.resolve(v.source);
    }
}

void resolve_model_image_digests(compose::Node& model) {
    DigestResolver resolver;
    compose::Node* services = model.find("services");
    if (!services || !services->is_map()) return;
    for (auto& e : services->entries()) {
        if (!e.value.is_map()) continue;
        if (compose::Node* image = e.value.find("image"); image && image->is_string())
            image->as_string() = resolver.resolve(image->as_string());
        if (compose::Node* hooks = e.value.find("pre_start"); hooks && hooks->is_seq())
            for (auto& h : hooks->items())
                if (compose::Node* image = h.is_map() ? h.find("image") : nullptr; image && image->is_string())
                    image->as_string() = resolver.resolve(image->as_string());
        if (compose::Node* vols = e.value.find("volumes"); vols && vols->is_seq())
            for (auto& v : vols->items()) {
                const std::string* type = v.is_map() ? v.find_string("type") : nullptr;
                compose::Node* src = v.is_map() ? v.find("source") : nullptr;
                if (type && *type == "image" && src && src->is_string() && !services->has(src->as_string()))
                    src->as_string() = resolver.resolve(src->as_string());
            }
    }
}

}  // namespace pc::cli
