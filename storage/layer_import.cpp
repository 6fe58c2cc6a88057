// import_layer(): extraction in a user namespace into layers/.tmp-PID-RANDOM/diff, then an
// atomic rename to layers/<chain-hex> under the store lock. A crash leaves only a .tmp-*
// dir of a dead pid, collected by the next import.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/lazy_library.hpp"
#include "common/log.hpp"
#include "rootless/userns.hpp"
#include "storage/digest.hpp"
#include "storage/lazy_libraries.hpp"
#include "storage/records.hpp"
#include "storage/remove_tree.hpp"
#include "storage/store.hpp"
#include "storage/tar_extract.hpp"

namespace pc::storage {

namespace {

// Runs the extraction in a user namespace with the caller's mapping, chrooted into `diff`
// (defence in depth on top of the O_NOFOLLOW walk), and returns what the child reported.
ExtractResult extract_in_userns(const rootless::IdMapping& m, int fd, const std::string& diff) {
    Pipe result = Pipe::make();
    ExtractOptions opts;
    opts.squash_unmapped = m.single;
    load_archive_libraries();
    auto child = rootless::UsernsChild::enter(m, 0, [&]() -> int {
        result.read.reset();
        if (::chroot(diff.c_str()) < 0) throw Error::sys("chroot into " + diff);
        common::LazyLibrary::forbid_opening();
        if (::chdir("/") < 0) throw Error::sys("chdir into the new layer");
        ::umask(0);
        UniqueFd root(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!root) throw Error::sys("opening the new layer root");
        ExtractResult r = extract_layer(fd, root.get(), opts);
        std::string text = r.serialize();
        if (!write_all(result.write.get(), text.data(), text.size())) throw Error::sys("reporting the layer digest");
        return 0;
    });
    result.write.reset();
    child.map_and_release(m);
    std::string text;
    (void)read_to_eof(result.read.get(), text);
    child.wait_ok();
    return ExtractResult::parse(text);
}

void warn_about(const ExtractResult& r) {
    if (r.squashed)
        log::warn_once("storage.squashed-owners",
                       "single-id user namespace: " + std::to_string(r.squashed) +
                           " file(s) of this image are owned by other users; they were given to root instead");
    if (r.xattrs_skipped)
        log::debug("layer " + r.diff_id + ": " + std::to_string(r.xattrs_skipped) + " extended attributes skipped");
}

}  // namespace

std::string Store::make_temp_layer_dir(bool with_diff) {
    ensure_layout();
    static std::mt19937_64 rng{std::random_device{}()};
    for (int attempt = 0; attempt < 10; ++attempt) {
        std::string dir = layers_dir() + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000);
        if (::mkdir(dir.c_str(), 0700) == 0) {
            if (with_diff && ::mkdir((dir + "/diff").c_str(), 0755) < 0) throw Error::sys("creating " + dir + "/diff");
            return dir;
        }
        if (errno != EEXIST) throw Error::sys("creating " + dir);
    }
    throw Error("creating a temporary layer directory in " + layers_dir() + ": too many collisions");
}

void Store::discard_temp_layer(const std::string& tmp) {
    try {
        remove_trees_in_userns(mapping(), {tmp});
    } catch (const Error& e) {
        log::warn("removing " + tmp + ": " + e.what());
    }
}

LayerRecord Store::publish_layer_dir(const std::string& tmp, const LayerRecord& rec) {
    FileLock l = lock();
    if (auto existing = find_layer(rec.chain_id)) {
        // Made concurrently by another pc, or the same content again (a build step rerun
        // with --no-cache): a whole tree to delete, which with online discard costs a
        // millisecond per file, so the store's reaper deletes it (removal_queue.cpp).
        l.unlock();
        queue_leftover(tmp);
        resume_removals();
        return *existing;
    }
    const std::string final_dir = layer_dir(rec.chain_id);
    try {
        write_json_atomic(tmp + "/layer.json", to_json(rec));
        // A dir left without layer.json by an older crash would block the rename.
        if (::access(final_dir.c_str(), F_OK) == 0) {
            std::string t = move_to_trash(final_dir);
            if (!t.empty()) remove_trees_in_userns(mapping(), {t});
        }
        if (::rename(tmp.c_str(), final_dir.c_str()) < 0) throw Error::sys("renaming " + tmp + " to " + final_dir);
    } catch (...) {
        discard_temp_layer(tmp);
        throw;
    }
    fsync_dir(layers_dir());
    return rec;
}

LayerRecord Store::import_layer(int fd, const std::string& parent_chain_id, const std::string& expected_diff_id) {
    try {
        ensure_layout();
        if (!expected_diff_id.empty()) digest_hex(expected_diff_id);  // validates the form
        if (!parent_chain_id.empty() && !find_layer(parent_chain_id))
            throw Error("parent layer " + parent_chain_id + " is not in the store");

        auto verify = [&](const std::string& diff_id) {
            if (!expected_diff_id.empty() && diff_id != expected_diff_id)
                throw Error("layer content does not match its digest: expected " + expected_diff_id + ", got " + diff_id);
        };

        // Known layer: the stream is still read and verified, but nothing is extracted.
        if (!expected_diff_id.empty()) {
            if (auto existing = find_layer(chain_id(parent_chain_id, expected_diff_id))) {
                ExtractResult r = digest_layer_stream(fd);
                verify(r.diff_id);
                return *existing;
            }
        }

        // Leftovers of interrupted imports and removals (dead pids only).
        collect_leftovers();
        const std::string tmp = make_temp_layer_dir(true);

        LayerRecord rec;
        try {
            ExtractResult r = extract_in_userns(mapping(), fd, tmp + "/diff");
            warn_about(r);
            verify(r.diff_id);
            rec.diff_id = r.diff_id;
            rec.size = r.size;
            rec.parent = parent_chain_id;
            rec.chain_id = chain_id(parent_chain_id, r.diff_id);
        } catch (...) {
            discard_temp_layer(tmp);
            throw;
        }

        return publish_layer_dir(tmp, rec);
    } catch (const Error& e) {
        throw Error(std::string("importing layer: ") + e.what(), e.exit_code());
    }
}

}  // namespace pc::storage
