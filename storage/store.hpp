// The image and layer store of one user (DESIGN.md "Storage"):
//
//   ROOT/storage.lock            flock: held for index changes (images.json, layer dirs)
//   ROOT/images.json             image index, written atomically
//   ROOT/blobs/sha256/<hex>      configs and manifests, content-addressed and verified
//   ROOT/layers/<chain-hex>/     diff/ (extracted, subuid-owned), layer.json, and
//                                keep-id/<key>/: the diff copied with a keep-id mapping's
//                                owners (keep_id_layers.cpp), removed with the layer
//   ROOT/layer-blobs/<diff-hex>.json  the blob(s) a layer was received as (digest, media type,
//                                size; the blob itself in blobs/), so save/push hand out
//                                byte-identical layers and image ids/digests survive round trips
//   ROOT/tmp/xfer-PID-RANDOM/    staging of transfers (pull, load, commit); removed at the end,
//                                or by the next transfer when PID is dead
//   ROOT/containers/<id>/        owned by container/ (config.json, state.json), plus the
//                                storage dirs made here: upper/ work/ merged/ (or rootfs/ for vfs)
//   ROOT/volumes/<name>/         _data/ and volume.json
//   ROOT/store.json              driver chosen at first use, overlay xattr format
//   RUNROOT/                     runtime state (0700, owner checked)
//
// Files owned by subordinate ids are created and removed inside a user namespace with the
// caller's mapping (rootless::run_in_userns), never from the host.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/file_lock.hpp"
#include "rootless/idmap.hpp"
#include "rootless/userns.hpp"
#include "storage/tree_tar.hpp"

namespace pc::storage {

enum class Driver { Overlay, FuseOverlay, Vfs };
std::string driver_name(Driver d);                 // "overlay", "fuse-overlayfs", "vfs"
std::optional<Driver> driver_from_name(const std::string& name);  // also accepts "fuse"

struct StoreOptions {
    std::string root;                  // empty = default_store_root()
    std::string runroot;               // empty = default_runtime_root()
    std::optional<Driver> driver;      // --storage-driver; else store.json, else probed
};

struct LayerRecord {
    std::string chain_id;  // "sha256:<hex>" (OCI ChainID)
    std::string diff_id;   // "sha256:<hex>" of the uncompressed tar
    std::string parent;    // parent chain id, "" for a base layer
    uint64_t size = 0;     // bytes of the uncompressed tar
};

struct ImageRecord {
    std::string id;                    // hex sha256 of the config blob (no "sha256:")
    std::vector<std::string> names;    // "localhost/busybox:latest", ...
    std::vector<std::string> layers;   // chain ids, base first
    std::string digest;                // manifest digest "sha256:..." if known, else ""
    int64_t created = 0;               // unix seconds (from the config)
    uint64_t size = 0;                 // sum of layer sizes
    // The image a build step was made on (the previous step's), as Podman records it:
    // inspect's Parent; an untagged image that is some image's parent is an intermediate
    // image (`images` hides it, `rmi` of its child removes it). "" for pulled images.
    std::string parent;
};

// One layer's keep-id copy to make: from its diff/ to layers/<chain-hex>/keep-id/<key>.
struct KeepIdCopyJob {
    std::string source, target;
};

class Store {
public:
    explicit Store(StoreOptions options);

    const std::string& root() const { return root_; }
    const std::string& runroot() const { return runroot_; }
    // Resolved storage driver (probes once: kernel overlay in a userns, else
    // fuse-overlayfs, else vfs; the choice is recorded in store.json).
    Driver driver();
    // Exclusive store lock (index changes). Never held while waiting on a container.
    FileLock lock();

    // --- images ---------------------------------------------------------------------
    std::vector<ImageRecord> images();
    // By "name[:tag]" (short names get "localhost/" and ":latest" as Podman resolves
    // locally stored images), by full or unique-prefix id, or "sha256:<id>".
    std::optional<ImageRecord> find_image(const std::string& ref);
    // Adds or updates an image (names taken away from any other image that had them).
    void put_image(const ImageRecord& image);
    // Removes an image record (and then any layer no longer used by an image or a
    // container). Returns false if not present.
    bool remove_image(const std::string& id);
    void tag_image(const std::string& id, const std::string& name);
    bool untag_image(const std::string& id, const std::string& name);

    // --- blobs ----------------------------------------------------------------------
    // Stores content under its sha256, returns "sha256:<hex>".
    std::string put_blob(const std::string& content);
    // Verify re-hashes the content (for what leaves the store: save, push); Trust relies on
    // the check made when the blob was written, for the hot paths (run, create, images),
    // which only parse it: hashing means loading libcrypto on every container start.
    enum class BlobRead { Verify, Trust };
    std::optional<std::string> get_blob(const std::string& digest, BlobRead read = BlobRead::Verify);
    std::string blob_path(const std::string& digest) const;
    bool has_blob(const std::string& digest) const;
    // Moves a file whose content the caller has verified to have `digest` into blobs/
    // (a rename: `path` must be in this store's file system, e.g. under staging_root()).
    void commit_blob_file(const std::string& path, const std::string& digest);
    // Where transfers stage their files (same file system as blobs/ and layers/).
    std::string staging_root();

    // --- the blobs a layer was received as (compressed or not) -----------------------
    // Kept so that save/push hand out byte-identical layers (same digests) without
    // re-creating the tar from the extracted tree.
    struct LayerBlob {
        std::string digest;      // "sha256:..." of the blob as stored in blobs/
        std::string media_type;  // OCI layer media type (tar, tar+gzip, tar+zstd)
        uint64_t size = 0;
    };
    void add_layer_blob(const std::string& diff_id, const LayerBlob& blob);
    std::vector<LayerBlob> layer_blobs(const std::string& diff_id);

    // --- layers ---------------------------------------------------------------------
    std::optional<LayerRecord> find_layer(const std::string& chain_id);
    std::string layers_dir() const { return root_ + "/layers"; }
    std::string layer_dir(const std::string& chain_id) const;
    std::string layer_diff_dir(const std::string& chain_id) const;
    // Lower dirs (top-most first) for a keep-id container on kernel overlay: copies of the
    // layers whose owners are `container`'s host ids for the image's ids, made once per
    // (layer, mapping) and kept in the layer's dir (keep_id_layers.cpp). nullopt, with the
    // reason in `why`, when a layer cannot be copied so (an owner the mapping does not hold,
    // a layer of a read-only additional store): the caller falls back to fuse-overlayfs.
    std::optional<std::vector<std::string>> keep_id_lowers(const std::vector<std::string>& layers,
                                                           const rootless::IdMapping& container, std::string& why);
    // An always-empty directory: the lower of a container whose image has no layers.
    std::string empty_layer_dir();
    // Extracts a (possibly gzip/zstd/xz compressed) tar stream read from `fd` as a new layer
    // on top of `parent_chain_id` ("" for a base). Extraction runs in a user namespace with
    // the caller's mapping, chrooted into the new layer dir; refuses `..`, absolute names,
    // links that escape, writes through symlinks and device nodes with a pc::Error naming
    // the entry; converts OCI whiteouts (.wh.x, .wh..wh..opq) for overlay. Verifies
    // `expected_diff_id` when given. Crash-safe: the layer appears under its chain id only
    // when complete; a layer that already exists is reused (the stream is still consumed
    // and verified).
    LayerRecord import_layer(int fd, const std::string& parent_chain_id,
                             const std::string& expected_diff_id = "");

    // Writes the directories (top-most first) as one tar stream to `out_fd` (see
    // tree_tar.hpp), reading them inside a user namespace with the store's mapping so that
    // subuid-owned files keep their image ownership. `mtime`: every entry's time. `read_as`:
    // another mapping to read them with (a keep-id container's upper dir and the layers'
    // keep-id copies, whose owners are that mapping's).
    void write_tree_tar(const std::vector<std::string>& dirs_top_first, int out_fd, bool flatten,
                        std::optional<int64_t> mtime = std::nullopt, const rootless::IdMapping* read_as = nullptr);
    // A container's overlay upper dir made into a layer on `parent_chain_id` without
    // extracting anything: the layer's tar (OCI whiteouts, entries sorted, times `mtime`
    // when given) is streamed to `tar_fd` (the caller keeps it as the layer's blob) while
    // its digest is computed, then the directory itself is moved under layers/ (or
    // dropped when that layer exists already). The container is left without an upper
    // dir. Crash-safe as import_layer. `known`: files of the upper dir whose content the
    // caller holds (a build's COPY, see KnownContent), written to the tar from memory.
    LayerRecord commit_upper(const std::string& container_id, const std::string& parent_chain_id, int tar_fd,
                             std::optional<int64_t> mtime = std::nullopt, const KnownContent* known = nullptr);

    // --- containers' storage ----------------------------------------------------------
    std::string containers_dir() const { return root_ + "/containers"; }
    std::string container_dir(const std::string& id) const { return containers_dir() + "/" + id; }
    // Pod records (pod/): config.json, state of the pod's own (its members and infra are
    // containers), lock, hosts.
    std::string pods_dir() const { return root_ + "/pods"; }
    std::string pod_dir(const std::string& id) const { return pods_dir() + "/" + id; }
    // A fresh id for a build's working container: ".tmp-PID-RANDOM", invisible to `ps` and
    // collected with the store's other leftovers once PID is gone.
    std::string temp_container_id();
    // Creates upper/work/merged (overlay drivers) or a full copy rootfs/ (vfs) in an existing
    // container dir.
    // `durable` as for write_file_atomic (false for --rm containers).
    void create_container_storage(const std::string& id, const std::vector<std::string>& layers, bool durable = true);
    // Removes a container dir and everything in it (subuid-owned files removed inside the
    // user namespace).
    // With `background`, the directory is moved into the removal queue (below), so the
    // caller (a foreground `run --rm`) returns at once.
    // `also_remove` names an extra path (a name link moved aside by the caller) to delete
    // along with it.
    void remove_container_storage(const std::string& id, bool background = false, const std::string& also_remove = "");

    // --- the removal queue (removal_queue.cpp) -------------------------------------------
    // Background removals are renamed into ROOT/containers/.removing (a rename frees no disk
    // blocks: cheap where every freed block costs ~1 ms of online discard; a dot entry, so
    // invisible to `ps`, `rm`, `system df`) and deleted there by the store's one reaper, a
    // detached process that holds .removing.lock while it drains the queue. Each removal
    // forks a short-lived helper that releases what the caller leaves it (the container's
    // mount namespace) once the caller has exited, and becomes the reaper only when none
    // runs. Past kMaxQueuedRemovals waiting containers the caller deletes its own entry
    // itself, so a loop of `run --rm` can neither pile up processes nor outrun the disk.
    static constexpr size_t kMaxQueuedRemovals = 32;
    std::string removal_queue_dir() const { return containers_dir() + "/.removing"; }
    // Starts a reaper when the queue holds anything and none runs (one was killed, the
    // machine rebooted): `ps` and every container listing call it.
    void resume_removals();
    // Moves `path` (a leftover of this store) into the queue, for the reaper to delete.
    void queue_leftover(const std::string& path);
    // Removes what interrupted operations of dead processes left (.tmp-PID-* and .trash-*
    // entries of layers/, containers/ and volumes/): a killed build's working containers.
    void collect_leftovers();
    // Removes any directory tree of this store (inside the user namespace when needed).
    void remove_tree(const std::string& path);

    // Bytes in a container's writable layer (its upper dir, or the rootfs copy for vfs):
    // `ps --size`, inspect's SizeRw.
    uint64_t container_rw_size(const std::string& id);

    // Chain ids (layers.json of every container dir): layers a container still uses.
    std::vector<std::string> container_layers(const std::string& id);

    // --- volumes --------------------------------------------------------------------
    std::string volumes_dir() const { return root_ + "/volumes"; }

    // The mapping every storage operation of this user uses (rootless::caller_mapping()).
    const rootless::IdMapping& mapping() const;

private:
    void ensure_layout();
    // layers/.tmp-PID-RANDOM (with an empty diff/ when asked): where a layer is assembled.
    std::string make_temp_layer_dir(bool with_diff);
    // Removes an assembled layer dir that is not wanted (a warning when it cannot be).
    void discard_temp_layer(const std::string& tmp);
    // Moves an assembled layer dir to layers/<chain> with its layer.json (lock taken), or
    // drops it when that layer appeared meanwhile; returns the stored record.
    LayerRecord publish_layer_dir(const std::string& tmp, const LayerRecord& rec);
    // Makes the keep-id copies of `jobs` (keep_id_layers.cpp); false (with `why`) when an
    // owner cannot be shown with `container`.
    bool make_keep_id_copies(const std::vector<KeepIdCopyJob>& jobs, const rootless::IdMapping& container,
                             std::string& why);
    // Removes layers/ dirs that no image and no container references (lock held).
    void prune_layers_locked();
    // Removes .tmp-PID-* / .trash-PID-* leftovers of dead processes under `dir`.
    void collect_garbage(const std::string& dir);
    // The removal queue's parts (removal_queue.cpp).
    void queue_removal(const std::string& id, const std::string& name_link);
    void spawn_remover();
    [[noreturn]] void remover_main(pid_t caller);
    void drain_removals();

    std::string root_;
    std::string runroot_;
    std::optional<Driver> forced_driver_;
    std::optional<Driver> driver_;
    bool subdirectories_spread_ = false;  // ensure_layout's marks (spread_dirs.hpp)
};

// The root filesystem of a container, mounted by mount_rootfs() in the container's own
// user + mount namespace (before pivot_root).
struct RootfsPlan {
    Driver driver = Driver::Overlay;
    std::vector<std::string> lowers;  // diff dirs, top-most first
    // overlay: upper/work/merged; vfs: target = rootfs copy. No upper: a read-only view of the
    // lowers (at least two, as overlayfs requires: add the empty layer dir).
    std::string upper, work, target;
    // keep-id: fuse-overlayfs uid/gid translation (image 0 presented as 0); empty otherwise.
    // Kernel overlay serves keep-id with the layers' keep-id copies as lowers instead
    // (Store::keep_id_lowers); then `keep_id_upper` is set: the upper dir holds files with
    // the keep-id mapping's owners, and mount_rootfs() gives it to the namespace's root.
    std::string fuse_uidmapping, fuse_gidmapping;
    bool keep_id_upper = false;
    // Kernel overlay "volatile": no sync of the upper filesystem at unmount. For --rm
    // containers, whose upper dir is deleted right after: without it, the unmount syncs the
    // whole host filesystem, and on a disk with online discard every later unlink of the
    // freshly allocated blocks costs ~1 ms.
    bool volatile_upper = false;
};
// `mode` KeepId (with a subordinate range) makes the plan use the layers' keep-id copies on
// kernel overlay, or, with the other drivers or an owner the mapping cannot show,
// fuse-overlayfs with uid/gid translation (see fuse_id_mappings); check
// keep_id_unavailable_reason() first for a clear error.
RootfsPlan rootfs_plan(Store& store, const std::string& container_id,
                       const std::vector<std::string>& layers,
                       const rootless::Userns& userns = {});

// fuse-overlayfs "uidmapping=" and "gidmapping=" values that present files extracted with
// `storage` (the default mapping) with their image ids inside a namespace with `container`.
struct FuseIdMappings {
    std::string uidmapping, gidmapping;
};
FuseIdMappings fuse_id_mappings(const rootless::IdMapping& storage, const rootless::IdMapping& container);
// Empty when fuse-overlayfs can be used (binary present, /dev/fuse openable); otherwise why
// not, with the fix ("chmod 0666 /dev/fuse" as root, or install fuse-overlayfs).
std::string fuse_unavailable_reason();
// keep-id presents image files with their image owners through fuse-overlayfs only when
// there are owners to present and the driver is not kernel overlay (which uses keep-id
// copies of the layers): with a single-id mapping (no subordinate range, the common case
// on HPC systems) every file is the caller's on disk and in the container alike, and the
// kernel overlay (or vfs) serves, as for the default single-id mapping.
bool keep_id_needs_fuse(Driver driver);
// "" when keep-id can be used with `driver` (or needs no fuse-overlayfs), else why not.
std::string keep_id_unavailable_reason(Driver driver);
// Mounts plan.target (kernel overlay with userxattr via fsopen/fsconfig "lowerdir+",
// falling back to mount(2) data; fuse-overlayfs; or nothing for vfs). Throws pc::Error with
// the options used (dmesg is not readable).
void mount_rootfs(const RootfsPlan& plan);

// Apparent size of the regular files and symlinks below `path` (what Podman reports as
// sizes); unreadable directories are skipped.
uint64_t tree_size(const std::string& path);

}  // namespace pc::storage
