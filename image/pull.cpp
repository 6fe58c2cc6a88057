#include "image/pull.hpp"

#include <unistd.h>

#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/user_paths.hpp"
#include "common/strings.hpp"
#include "image/layer_ingest.hpp"
#include "image/media_types.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"
#include "storage/digest.hpp"
#include "storage/image_refs.hpp"

namespace pc::image {

namespace {

std::string caller_cert_dir(const std::string& registry) { return containers_config_dir() + "/certs.d/" + registry; }

// Pulls `name` from `source` (the same reference, or a mirror's or a rewritten location's)
// and records it under `name`.
storage::ImageRecord pull_one(storage::Store& store, const Reference& name, const PullSource& source,
                              PullOptions options, Progress& progress) {
    const Reference& ref = source.ref;
    if (source.insecure) options.registry.tls.verify = false;
    if (options.registry.tls.cert_dir.empty()) {
        // Podman's per-registry CA dirs.
        for (const std::string& d : {caller_cert_dir(ref.registry), "/etc/containers/certs.d/" + ref.registry})
            if (!d.empty() && ::access(d.c_str(), R_OK) == 0) {
                options.registry.tls.cert_dir = d;
                break;
            }
    }
    const std::string what = ref.str();
    // Said before the registry is first asked, so that an unreachable one is named after it.
    progress.message("Trying to pull " + what + "...");
    RegistryClient client(ref.registry, ref.repository, options.registry, "pull");
    FetchedManifest m = client.get_manifest(ref.manifest_ref());
    std::string type = m.media_type.empty() || m.media_type == "application/json" ? document_media_type(m.text) : m.media_type;
    if (media::is_index(type)) {
        auto index = parse_index(m.text, what);
        const Descriptor& d = select_platform(index, options.platform, what);
        m = client.get_manifest(d.digest);
        type = m.media_type.empty() ? document_media_type(m.text) : m.media_type;
    }
    ImageManifest manifest = parse_manifest(m.text, "manifest of " + what);
    std::string config = client.get_blob_small(manifest.config.digest, "config");
    std::vector<std::string> diff_ids = config_diff_ids(config, "config of " + what);
    if (diff_ids.size() != manifest.layers.size())
        throw Error(what + ": the config lists " + std::to_string(diff_ids.size()) + " layers, the manifest " +
                    std::to_string(manifest.layers.size()));

    // Layers already in the store (same chain) are not downloaded again.
    std::vector<std::string> chains;
    chains.reserve(diff_ids.size());
    std::string parent;
    for (const auto& d : diff_ids) chains.push_back(parent = storage::chain_id(parent, d));
    std::vector<BlobJob> jobs;
    std::vector<int> job_of(manifest.layers.size(), -1);
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
        if (store.find_layer(chains[i])) {
            progress.finish(manifest.layers[i].digest, "already exists");
            continue;
        }
        job_of[i] = static_cast<int>(jobs.size());
        jobs.push_back({manifest.layers[i].digest, manifest.layers[i].size, {}});
    }
    StagingDir staging(store);
    client.download_blobs(jobs, staging, progress, options.parallel);

    std::vector<storage::LayerRecord> layers;
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
        const std::string parent_chain = layers.empty() ? "" : layers.back().chain_id;
        if (job_of[i] < 0) {
            if (auto l = store.find_layer(chains[i])) {
                layers.push_back(*l);
                continue;
            }
            throw Error(what + ": layer " + chains[i] + " disappeared from the store during the pull; pull again");
        }
        layers.push_back(ingest_layer(store, jobs[static_cast<size_t>(job_of[i])].result, parent_chain, diff_ids[i],
                                      manifest.layers[i].media_type, what + ": layer " + manifest.layers[i].digest));
    }
    progress.message("Writing manifest to image destination");
    return register_received_image(store, config, m.text, layers, {name.str()});
}

// One reference through its sources (mirrors first); the last source's error when all fail.
storage::ImageRecord pull_reference(storage::Store& store, const Reference& ref, const PullOptions& options,
                                    Progress& progress, const RegistriesConf& conf) {
    std::vector<PullSource> sources = pull_sources(ref, conf);
    for (size_t i = 0; i < sources.size(); ++i) {
        try {
            return pull_one(store, ref, sources[i], options, progress);
        } catch (const Error& e) {
            if (i + 1 == sources.size()) throw;
            log::info("pulling " + ref.str() + " from mirror " + sources[i].ref.name() + ": " + e.what());
        }
    }
    throw Error("pulling " + ref.str() + ": no source");  // not reached: the location is always last
}

}  // namespace

storage::ImageRecord pull_image(storage::Store& store, const std::string& reference, const PullOptions& options,
                                Progress& progress) {
    // Before any lookup: an invalid name is never completed into candidates (Podman).
    storage::check_reference_format(reference);
    RegistriesConf conf = load_registries_conf();
    std::vector<std::string> candidates;
    if (has_registry(reference)) candidates.push_back(reference);
    else candidates = resolve_short_name(reference, conf);
    // Several search registries and no alias: the short-name mode decides (Podman's rules).
    if (candidates.size() > 1 && conf.mode() != ShortNameMode::Disabled) {
        if (options.choose_short_name) {
            candidates = {options.choose_short_name(reference, candidates)};
        } else if (conf.mode() == ShortNameMode::Enforcing) {
            throw Error("short-name resolution enforced but cannot prompt without a TTY: \"" + reference +
                        "\" could be any of " + str::join(candidates, ", ") + " (short-name-mode = \"enforcing\" in " +
                        str::join(conf.files, ", ") + "); use a fully qualified name");
        }
    }
    std::vector<std::string> errors;
    for (const auto& c : candidates) {
        try {
            return pull_reference(store, parse_qualified(c), options, progress, conf);
        } catch (const Error& e) {
            if (candidates.size() == 1) throw;
            errors.push_back(e.what());
        }
    }
    throw Error("pulling " + reference + ": every candidate failed:\n  " + str::join(errors, "\n  "));
}

}  // namespace pc::image
