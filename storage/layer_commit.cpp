// commit_upper(): a container's upper dir becomes a layer. The upper dir is already in the
// store's layer form (overlay whiteouts, opaque xattrs), so it is moved under layers/ as it
// is; only its tar is written (OCI form, for the layer's blob and diff id). A build step
// thus costs one walk of what it changed, not an extraction.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "rootless/userns.hpp"
#include "storage/digest.hpp"
#include "storage/lazy_libraries.hpp"
#include "storage/remove_tree.hpp"
#include "storage/store.hpp"
#include "storage/tree_tar.hpp"

namespace pc::storage {

LayerRecord Store::commit_upper(const std::string& container_id, const std::string& parent_chain_id, int tar_fd,
                                std::optional<int64_t> mtime, const KnownContent* known) {
    const std::string upper = container_dir(container_id) + "/upper";
    if (::access(upper.c_str(), F_OK) != 0)
        throw Error("container " + container_id + " has no overlay upper directory (storage driver " + driver_name(driver()) +
                    "): building needs the overlay or fuse-overlayfs driver");
    if (!parent_chain_id.empty() && !find_layer(parent_chain_id))
        throw Error("parent layer " + parent_chain_id + " is not in the store");
    collect_garbage(layers_dir());
    const std::string tmp = make_temp_layer_dir(false);

    LayerRecord rec;
    try {
        // The child reads the tree with its image owners (inside the user namespace) and
        // streams the tar here; the directory is then renamed by the child too, since a
        // step may have made the upper's root directory someone else's.
        Pipe stream = Pipe::make();
        load_archive_libraries();
        auto child = rootless::UsernsChild::enter(mapping(), 0, [&]() -> int {
            stream.read.reset();
            storage::write_tree_tar({upper}, stream.write.get(), TreeTarView::Diff, mtime, known);
            stream.write.reset();
            if (::rename(upper.c_str(), (tmp + "/diff").c_str()) < 0) throw Error::sys("moving " + upper + " into " + tmp);
            return 0;
        });
        stream.write.reset();
        child.map_and_release(mapping());
        Sha256 hash;
        std::string buf(256 * 1024, '\0');
        uint64_t size = 0;
        for (;;) {
            ssize_t n = ::read(stream.read.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::sys("reading the layer's tar stream");
            if (n == 0) break;
            hash.update(buf.data(), static_cast<size_t>(n));
            if (!write_all(tar_fd, buf.data(), static_cast<size_t>(n))) throw Error::sys("writing the layer's tar");
            size += static_cast<uint64_t>(n);
        }
        child.wait_ok();
        rec.diff_id = "sha256:" + hash.hex();
        rec.size = size;
        rec.parent = parent_chain_id;
        rec.chain_id = chain_id(parent_chain_id, rec.diff_id);
    } catch (const Error& e) {
        discard_temp_layer(tmp);
        throw Error("committing the changes of " + container_id + ": " + e.what(), e.exit_code());
    }
    return publish_layer_dir(tmp, rec);
}

}  // namespace pc::storage
