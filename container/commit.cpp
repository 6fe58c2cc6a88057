#include "container/commit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/time_format.hpp"
#include "container/state.hpp"
#include "image/image_config.hpp"
#include "image/import.hpp"
#include "image/layer_ingest.hpp"
#include "image/staging.hpp"
#include "rootless/idmap.hpp"

namespace pc::container {

namespace {

std::string upper_dir(storage::Store& store, const ContainerConfig& ctr) {
    std::string upper = store.container_dir(ctr.id) + "/upper";
    if (::access(upper.c_str(), F_OK) != 0)
        throw Error("container " + ctr.name + " has no overlay upper directory (storage driver " + ctr.storage_driver +
                    "): commit needs the overlay or fuse-overlayfs driver");
    return upper;
}

// A keep-id container that ran on kernel overlay wrote its upper dir with the keep-id
// mapping's owners, over the layers' keep-id copies (storage/keep_id_layers.cpp): its "/"
// (the upper dir) was given to that mapping's root. Read in that mapping's namespace, they
// show the image's ids, as the store's layers do in the default one. nullptr otherwise.
const rootless::IdMapping* keep_id_owners(const storage::Store& store, const ContainerConfig& ctr) {
    const rootless::Userns userns = rootless::parse_userns(ctr.userns);
    if (userns.mode != rootless::UsernsMode::KeepId) return nullptr;
    const rootless::IdMapping& k = rootless::caller_mapping(userns);
    struct stat st {};
    if (k.single || ::stat((store.container_dir(ctr.id) + "/upper").c_str(), &st) != 0) return nullptr;
    return st.st_uid == k.host_uid(0) ? &k : nullptr;
}

}  // namespace

storage::ImageRecord commit_container(storage::Store& store, const ContainerConfig& ctr, const CommitOptions& o) {
    // The runtime config of the new image: the container's, then --change (validated
    // before anything is written).
    nlohmann::json base = nlohmann::json::object();
    if (auto blob = store.get_blob("sha256:" + ctr.image_id)) base = nlohmann::json::parse(*blob, nullptr, false);
    if (!base.is_object()) base = nlohmann::json::object();
    image::RuntimeConfig rc = image::runtime_config_of(base);
    rc.env = ctr.env;
    rc.cmd = ctr.cmd;
    rc.entrypoint = ctr.entrypoint;
    rc.working_dir = ctr.working_dir;
    rc.user = ctr.user;
    for (const auto& c : o.changes) image::apply_change(rc, c);

    const std::string upper = upper_dir(store, ctr);
    image::StagingDir staging(store);
    const std::string path = staging.new_file("commit.tar");
    {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw Error::sys("creating " + path);
        store.write_tree_tar({upper}, fd.get(), false, std::nullopt, keep_id_owners(store, ctr));
    }
    UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw Error::sys("opening " + path);
    image::StagedBlob blob = image::stage_from_fd(staging, in.get(), path);
    in.reset();

    std::vector<storage::LayerRecord> layers;
    for (const auto& chain : ctr.layers) {
        auto l = store.find_layer(chain);
        if (!l) throw Error("layer " + chain + " of container " + ctr.name + " is missing from the store");
        layers.push_back(*l);
    }
    layers.push_back(image::ingest_layer(store, blob, layers.empty() ? "" : layers.back().chain_id, "", "",
                                  "changes of container " + ctr.name));

    nlohmann::json config = base;
    const std::string created = rfc3339_nano(now_ns());
    config["created"] = created;
    if (!o.author.empty()) config["author"] = o.author;
    if (!config.contains("architecture")) config["architecture"] = "amd64";
    if (!config.contains("os")) config["os"] = "linux";
    image::set_runtime_config(config, rc);
    nlohmann::json h = {{"created", created}, {"created_by", "/bin/sh"}};
    if (!o.message.empty()) h["comment"] = o.message;
    if (!o.author.empty()) h["author"] = o.author;
    if (!config.contains("history") || !config["history"].is_array()) config["history"] = nlohmann::json::array();
    config["history"].push_back(h);
    return image::register_image(store, config, layers, o.reference);
}

void export_container(storage::Store& store, const ContainerConfig& ctr, int out_fd) {
    const std::string dir = store.container_dir(ctr.id);
    std::vector<std::string> dirs;
    if (::access((dir + "/rootfs").c_str(), F_OK) == 0 && ::access((dir + "/upper").c_str(), F_OK) != 0) {
        dirs.push_back(dir + "/rootfs");
    } else {
        dirs.push_back(upper_dir(store, ctr));
        if (const rootless::IdMapping* k = keep_id_owners(store, ctr)) {
            std::string why;
            auto copies = store.keep_id_lowers(ctr.layers, *k, why);
            if (!copies) throw Error("exporting container " + ctr.name + ": " + why);
            dirs.insert(dirs.end(), copies->begin(), copies->end());
            store.write_tree_tar(dirs, out_fd, true, std::nullopt, k);
            return;
        }
        for (auto it = ctr.layers.rbegin(); it != ctr.layers.rend(); ++it) dirs.push_back(store.layer_diff_dir(*it));
    }
    store.write_tree_tar(dirs, out_fd, true);
}

}  // namespace pc::container
