#include "compose/secret_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "rootless/userns.hpp"

namespace pc::compose {

namespace {

uint32_t id_of(const std::string& text, const std::string& what) {
    if (text.empty()) return 0;
    auto n = str::parse_u64(text);
    if (!n || *n > 0xFFFFFFFEu) throw Error(what + " must be a number, not \"" + text + "\"");
    return static_cast<uint32_t>(*n);
}

}  // namespace

container::MountConfig secret_mount(storage::Store& store, const FileObject& object, const FileReference& ref,
                                    const std::string& dir, SecretKind kind) {
    const std::string what = std::string(kind == SecretKind::Secret ? "secret " : "config ") + ref.source;
    if (object.external)
        throw Error(what + " is external: pc has no secret store to take it from (give it a file, environment or content)");
    std::string content;
    if (!object.file.empty()) {
        auto text = try_read_file(object.file);
        if (!text) throw Error(what + ": cannot read its file " + object.file);
        content = *text;
    } else if (!object.environment.empty() || !object.content.empty()) {
        // The loader resolved `environment` into `content`.
        content = object.content;
    } else {
        throw Error(what + " has neither file, environment nor content");
    }
    std::string target = ref.target;
    if (target.empty()) target = kind == SecretKind::Secret ? "/run/secrets/" + ref.source : "/" + ref.source;
    else if (target[0] != '/') target = (kind == SecretKind::Secret ? "/run/secrets/" : "/") + target;
    const uint32_t uid = id_of(ref.uid, what + ": uid");
    const uint32_t gid = id_of(ref.gid, what + ": gid");
    const mode_t mode = static_cast<mode_t>(ref.mode.value_or(0444) & 07777);

    ensure_dir(dir, 0700);
    const std::string path = dir + "/" + std::string(kind == SecretKind::Secret ? "secret-" : "config-") + ref.source;
    if (::access(path.c_str(), F_OK) == 0) store.remove_tree(path);  // a copy owned by a subordinate id
    write_file_atomic(path, content, 0600, false);
    // Owner and mode as the container sees them: chown to a container id is done as root
    // of the store's user namespace (container uid 0 is the caller, others subordinate ids).
    rootless::run_in_userns(store.mapping(), [&] {
        if (::chown(path.c_str(), uid, gid) < 0) throw Error::sys(what + ": chown to " + std::to_string(uid) + ":" + std::to_string(gid));
        if (::chmod(path.c_str(), mode) < 0) throw Error::sys(what + ": chmod");
    });
    container::MountConfig m;
    m.type = "bind";
    m.source = path;
    m.destination = target;
    m.readonly = true;
    m.options = {"ro"};
    return m;
}

}  // namespace pc::compose
