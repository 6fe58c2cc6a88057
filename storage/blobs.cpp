// Content-addressed blobs (image configs, manifests): verified and written atomically
// under their digest; verified again on read where the content leaves the store.
#include <unistd.h>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/user_paths.hpp"
#include "storage/digest.hpp"
#include "storage/storage_conf.hpp"
#include "storage/store.hpp"

namespace pc::storage {

std::string Store::blob_path(const std::string& digest) const {
    return root_ + "/blobs/sha256/" + digest_hex(digest);
}

std::string Store::put_blob(const std::string& content) {
    const std::string digest = "sha256:" + sha256_hex(content);
    const std::string path = blob_path(digest);
    ensure_layout();
    // Same content, same name: an existing blob is kept (it was verified when written).
    if (::access(path.c_str(), F_OK) != 0) write_file_atomic(path, content, 0644);
    return digest;
}

std::optional<std::string> Store::get_blob(const std::string& digest, BlobRead read) {
    std::string path = blob_path(digest);
    auto content = try_read_file(path);
    // Configs and manifests of images in a read-only additional store (storage_conf.hpp).
    for (const auto& root : additional_image_stores_besides(root_)) {
        if (content) break;
        path = root + "/blobs/sha256/" + digest_hex(digest);
        content = try_read_file(path);
    }
    if (!content) return std::nullopt;
    if (read == BlobRead::Verify && "sha256:" + sha256_hex(*content) != digest)
        throw Error("blob " + path + " is corrupted: its content does not match digest " + digest);
    return content;
}

}  // namespace pc::storage
