#include "cli/image_views.hpp"

#include <ctime>

#include "cli/human_units.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "image/image_config.hpp"
#include "storage/storage_conf.hpp"

namespace pc::cli {

namespace {
using nlohmann::json;

std::pair<std::string, std::string> repo_and_tag(const std::string& name) {
    auto at = name.find('@');
    if (at != std::string::npos) return {name.substr(0, at), "<none>"};
    auto colon = name.rfind(':');
    auto slash = name.rfind('/');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {name, "latest"};
    return {name.substr(0, colon), name.substr(colon + 1)};
}

json repo_digests(const storage::ImageRecord& img) {
    json out = json::array();
    if (img.digest.empty()) return out;
    for (const auto& n : img.names) out.push_back(repo_and_tag(n).first + "@" + img.digest);
    return out;
}

int64_t containers_using(Context& ctx, const std::string& id) {
    int64_t n = 0;
    for (const auto& c : ctx.containers().list()) n += c.config.image_id == id;
    return n;
}
}  // namespace

json image_config_doc(Context& ctx, const storage::ImageRecord& img) {
    auto blob = ctx.store().get_blob("sha256:" + img.id, storage::Store::BlobRead::Trust);
    if (!blob) return json::object();
    try {
        return json::parse(*blob);
    } catch (const json::exception&) {
        return json::object();
    }
}

json image_inspect_json(Context& ctx, const storage::ImageRecord& img) {
    const image::ImageConfigFacts facts = image::image_config_facts(image_config_doc(ctx, img));
    json layers = json::array();
    std::vector<std::string> lowers;
    for (const auto& chain : img.layers) {
        if (auto l = ctx.store().find_layer(chain)) layers.push_back(l->diff_id);
        lowers.insert(lowers.begin(), ctx.store().layer_diff_dir(chain));
    }
    json graph = {{"Name", storage::driver_name(ctx.store().driver())}, {"Data", json::object()}};
    if (!lowers.empty()) {
        graph["Data"]["UpperDir"] = lowers.front();
        if (lowers.size() > 1) graph["Data"]["LowerDir"] = str::join(std::vector<std::string>(lowers.begin() + 1, lowers.end()), ":");
    }
    std::string created = facts.created;
    // The manifest's own type and annotations (builds set them; --format docker, --annotation).
    json annotations = json::object();
    std::string manifest_type = "application/vnd.oci.image.manifest.v1+json";
    if (!img.digest.empty())
        if (auto m = ctx.store().get_blob(img.digest, storage::Store::BlobRead::Trust)) {
            json manifest = json::parse(*m, nullptr, false);
            if (manifest.is_object()) {
                if (manifest.contains("annotations") && manifest["annotations"].is_object()) annotations = manifest["annotations"];
                if (manifest.contains("mediaType") && manifest["mediaType"].is_string()) manifest_type = manifest["mediaType"];
            }
        }
    if (created.empty()) created = pc::rfc3339_nano(img.created * 1000000000LL);
    json out = {{"Id", img.id},
            {"Digest", img.digest},
            {"RepoTags", img.names},
            {"RepoDigests", repo_digests(img)},
            {"Parent", img.parent},
            {"Comment", facts.comment},
            {"Created", created},
            {"Config", facts.config},
            {"Version", facts.docker_version},
            {"Author", facts.author},
            {"Architecture", facts.architecture},
            {"Os", facts.os},
            {"Size", img.size},
            {"VirtualSize", img.size},
            {"GraphDriver", graph},
            {"RootFS", {{"Type", "layers"}, {"Layers", layers}}},
            {"Labels", facts.labels},
            {"Annotations", annotations},
            {"ManifestType", manifest_type},
            {"User", facts.user},
            // No history (--omit-history): null, as Podman shows it.
            {"History", facts.history.empty() ? json(nullptr) : facts.history},
            {"NamesHistory", img.names}};
    // Podman shows a docker-format image's healthcheck at the top as well (`.Healthcheck`);
    // Docker's place, .Config.Healthcheck, stays too.
    if (facts.config.is_object() && facts.config.contains("Healthcheck")) out["Healthcheck"] = facts.config["Healthcheck"];
    return out;
}

json image_list_json(Context& ctx, const storage::ImageRecord& img) {
    const image::ImageConfigFacts facts = image::image_config_facts(image_config_doc(ctx, img));
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    return {{"Id", img.id},
            {"ParentId", img.parent},
            {"RepoTags", img.names.empty() ? json(nullptr) : json(img.names)},
            {"RepoDigests", repo_digests(img)},
            {"Size", img.size},
            {"SharedSize", 0},
            {"VirtualSize", img.size},
            {"Labels", facts.labels},
            {"Containers", containers_using(ctx, img.id)},
            {"Names", img.names.empty() ? json(nullptr) : json(img.names)},
            {"Digest", img.digest},
            {"History", img.names},
            {"Created", img.created},
            {"CreatedAt", pc::rfc3339_nano(img.created * 1000000000LL)},
            {"CreatedSince", human_duration(now - img.created) + " ago"},
            {"Dangling", img.names.empty()},
            // In a read-only additional store (storage.conf additionalimagestores), as Podman.
            {"ReadOnly", storage::read_only_store_of(ctx.store(), img.id).has_value()}};
}

std::vector<json> image_list_template_rows(Context& ctx, const storage::ImageRecord& img, bool no_trunc) {
    json base = image_list_json(ctx, img);
    base["ID"] = no_trunc ? "sha256:" + img.id : img.id.substr(0, 12);
    base["Created"] = base["CreatedSince"];
    base["Size"] = human_size(img.size);
    base["VirtualSize"] = base["Size"];
    std::vector<json> rows;
    std::vector<std::string> names = img.names;
    if (names.empty()) names.push_back("");
    for (const auto& n : names) {
        json r = base;
        if (n.empty()) {
            r["Repository"] = "<none>";
            r["Tag"] = "<none>";
        } else {
            auto [repo, tag] = repo_and_tag(n);
            r["Repository"] = repo;
            r["Tag"] = tag;
        }
        rows.push_back(r);
    }
    return rows;
}

}  // namespace pc::cli
