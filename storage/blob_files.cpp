// Blob files moved into blobs/ after verification, the layer -> received-blob records
// (ROOT/layer-blobs/<diff-hex>.json), and tree tars written from inside the user namespace.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns.hpp"
#include "storage/digest.hpp"
#include "storage/store.hpp"
#include "storage/tree_tar.hpp"

namespace pc::storage {

bool Store::has_blob(const std::string& digest) const { return ::access(blob_path(digest).c_str(), F_OK) == 0; }

void Store::commit_blob_file(const std::string& path, const std::string& digest) {
    ensure_layout();
    const std::string dst = blob_path(digest);
    ::chmod(path.c_str(), 0644);
    if (::rename(path.c_str(), dst.c_str()) < 0) throw Error::sys("moving " + path + " to " + dst);
}

std::string Store::staging_root() {
    ensure_layout();
    std::string dir = root_ + "/tmp";
    ensure_dir(dir, 0700);
    return dir;
}

void Store::add_layer_blob(const std::string& diff_id, const LayerBlob& blob) {
    ensure_layout();
    const std::string dir = root_ + "/layer-blobs";
    ensure_dir(dir, 0700);
    const std::string path = dir + "/" + digest_hex(diff_id) + ".json";
    FileLock l = lock();
    nlohmann::json arr = try_read_json(path).value_or(nlohmann::json::array());
    if (!arr.is_array()) arr = nlohmann::json::array();
    for (const auto& e : arr)
        if (e.value("digest", "") == blob.digest) return;
    arr.push_back({{"digest", blob.digest}, {"mediaType", blob.media_type}, {"size", blob.size}});
    write_json_atomic(path, arr);
}

std::vector<Store::LayerBlob> Store::layer_blobs(const std::string& diff_id) {
    std::vector<LayerBlob> out;
    auto j = try_read_json(root_ + "/layer-blobs/" + digest_hex(diff_id) + ".json");
    if (!j || !j->is_array()) return out;
    for (const auto& e : *j) {
        LayerBlob b{e.value("digest", ""), e.value("mediaType", ""), e.value("size", uint64_t{0})};
        if (!b.digest.empty() && has_blob(b.digest)) out.push_back(b);
    }
    return out;
}

void Store::write_tree_tar(const std::vector<std::string>& dirs_top_first, int out_fd, bool flatten,
                           std::optional<int64_t> mtime, const rootless::IdMapping* read_as) {
    rootless::run_in_userns(read_as ? *read_as : mapping(), [&] {
        storage::write_tree_tar(dirs_top_first, out_fd, flatten ? TreeTarView::Flatten : TreeTarView::Diff, mtime);
    });
}

}  // namespace pc::storage
