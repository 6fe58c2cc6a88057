#include "image/push.hpp"

#include "common/error.hpp"
#include "image/media_types.hpp"
#include "image/reference.hpp"
#include "image/registries_conf.hpp"
#include "storage/image_refs.hpp"

namespace pc::image {

namespace {

ManifestFamily family_for(storage::Store& store, const storage::ImageRecord& img, const std::string& format) {
    if (format == "oci") return ManifestFamily::Oci;
    if (format == "v2s2" || format == "docker") return ManifestFamily::Docker;
    if (!format.empty()) throw Error("unsupported manifest format \"" + format + "\" (valid: oci, v2s2)");
    if (!img.digest.empty())
        if (auto text = store.get_blob(img.digest))
            if (document_media_type(*text) == media::kDockerManifest) return ManifestFamily::Docker;
    return ManifestFamily::Oci;
}

}  // namespace

std::string push_image(storage::Store& store, const std::string& source, const std::string& destination,
                       const PushOptions& options, Progress& progress) {
    storage::check_reference_format(source);
    if (!destination.empty()) storage::check_reference_format(destination);
    auto img = store.find_image(source);
    if (!img) throw Error(source + ": image not known");
    std::string dest_text = destination;
    if (dest_text.empty()) dest_text = storage::normalize_image_name(source);
    if (!has_registry(dest_text) || dest_text.rfind("localhost/", 0) == 0)
        throw Error("cannot push to \"" + dest_text + "\": the destination must name a registry (REGISTRY/NAME[:TAG])");
    Reference dest = parse_qualified(dest_text);
    BuiltManifest bm = manifest_for(store, *img, family_for(store, *img, options.format));

    // A repository on the same registry the image is already named in: blobs can be mounted.
    std::string mount_from;
    for (const auto& n : img->names)
        if (has_registry(n)) {
            try {
                Reference r = parse_qualified(n);
                if (r.registry == dest.registry && r.repository != dest.repository) mount_from = r.repository;
            } catch (const Error&) {
            }
        }

    RegistryOptions registry = options.registry;
    // [[registry]] insecure = true applies to pushes too (blocking and mirrors only to pulls).
    if (load_registries_conf().insecure(dest.name())) registry.tls.verify = false;
    RegistryClient client(dest.registry, dest.repository, registry, "pull,push");
    std::vector<Descriptor> blobs = bm.manifest.layers;
    blobs.push_back(bm.manifest.config);
    for (const auto& b : blobs) {
        if (!store.has_blob(b.digest)) throw Error("blob " + b.digest + " of " + source + " is missing from the store");
        if (client.blob_exists(b.digest)) {
            progress.finish(b.digest, "skipped: already exists");
            continue;
        }
        if (!mount_from.empty() && client.mount_blob(b.digest, mount_from)) {
            progress.finish(b.digest, "mounted from " + mount_from);
            continue;
        }
        progress.start(b.digest, b.size);
        client.upload_blob(b.digest, store.blob_path(b.digest));
        progress.finish(b.digest, "done");
    }
    progress.message("Writing manifest to image destination");
    client.put_manifest(dest.manifest_ref(), bm.text, bm.media_type);
    return bm.digest;
}

}  // namespace pc::image
