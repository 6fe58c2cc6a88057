#include "imagebuild/run_mounts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "imagebuild/copy.hpp"
#include "rootless/path_in_root.hpp"
#include "rootless/userns.hpp"

namespace pc::build {

namespace {

// Where a from= (or the default) source lives: a context directory or an image's layers.
struct MountSource {
    const BuildContext* context = nullptr;
    std::vector<std::string> layers;
    std::string image_id;
    bool image = false;
};

MountSource mount_source(BuildShared& sh, const std::string& from, size_t stage_index, const std::string& where) {
    MountSource s;
    if (from.empty()) {
        if (!sh.context.present()) throw Error(where + ": RUN --mount: there is no build context to mount from");
        s.context = &sh.context;
        return s;
    }
    if (auto it = sh.named_contexts.find(from); it != sh.named_contexts.end()) {
        s.context = &it->second;
        return s;
    }
    const ImageState* st = sh.stage_image(from, stage_index);
    ImageState pulled;
    if (!st) {
        auto ic = sh.image_contexts.find(from);
        pulled = sh.image(ic != sh.image_contexts.end() ? ic->second : from, where + ": RUN --mount from=" + from);
        st = &pulled;
    }
    s.image = true;
    s.layers = st->layers;
    s.image_id = st->id;
    return s;
}

// Copies `source` from `src` into the (empty, host-owned) directory `dir`; returns the path
// to bind: `dir` for a directory source, the file inside it otherwise.
std::string copy_for_step(WorkContainer& wc, const MountSource& src, const std::string& source, const std::string& dir,
                          const std::string& where) {
    ensure_dir(dir, 0755);
    std::string bound = dir;
    auto copy = [&](int, int src_fd) {
        int root = src.image ? src_fd : src.context->fd();
        SourceOptions so;
        so.what = where + ": RUN --mount";
        so.root_name = src.image ? "image " + src.image_id.substr(0, 12) : src.context->name();
        so.ignore = src.image ? nullptr : &src.context->ignore();
        auto items = collect_sources(root, {source}, so);
        UniqueFd dest(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dest) throw Error::sys("opening " + dir);
        CopyTarget t;
        t.dest = "/";
        t.preserve_ids = src.image;
        t.strip_setid = false;
        t.what = so.what;
        copy_items(dest.get(), root, items, t);
    };
    if (src.image) wc.with_rootfs(copy, src.layers);
    else wc.with_rootfs(copy);
    // A single file lands under its own name.
    struct stat st {};
    std::string name = source.substr(source.rfind('/') + 1);
    if (!name.empty() && name != "." && ::lstat((dir + "/" + name).c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
        bool only = true;
        // a directory source copied its contents: then `dir` itself is what to bind
        if (DIR* d = ::opendir(dir.c_str())) {
            int n = 0;
            while (struct dirent* e = ::readdir(d))
                if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++n;
            ::closedir(d);
            only = n == 1;
        }
        if (only) bound = dir + "/" + name;
    }
    return bound;
}

void chown_in_userns(storage::Store& store, const std::string& path, std::optional<uint32_t> uid, std::optional<uint32_t> gid) {
    if (!uid && !gid) return;
    rootless::run_in_userns(store.mapping(), [&] {
        if (::lchown(path.c_str(), uid ? *uid : static_cast<uid_t>(-1), gid ? *gid : static_cast<gid_t>(-1)) < 0)
            throw Error::sys("chown " + path);
    });
}

}  // namespace

PreparedMounts prepare_run_mounts(BuildShared& sh, const std::vector<RunMount>& specs, WorkContainer& wc,
                                  size_t stage_index, const std::string& where) {
    PreparedMounts out;
    int n = 0;
    int ssh_mounts = 0;  // ssh_agent.N and SSH_AUTH_SOCK (the first one's)
    for (const auto& m : specs) {
        ++n;
        if (m.type == "tmpfs") {
            container::MountConfig mc{"tmpfs", "", m.target, {}, false};
            if (!m.size.empty()) mc.options.push_back("size=" + m.size);
            out.mounts.push_back(mc);
            out.targets.push_back(m.target);
            continue;
        }
        if (m.type == "secret") {
            const SecretSource* secret = nullptr;
            for (const auto& s : sh.options.secrets)
                if (s.id == m.id) secret = &s;
            if (!secret) {
                if (m.required)
                    throw Error(where + ": RUN --mount=type=secret: secret \"" + m.id +
                                "\" is required but was not given (--secret id=" + m.id + ",src=FILE)");
                continue;
            }
            std::string value;
            if (!secret->env.empty()) {
                const char* v = std::getenv(secret->env.c_str());
                if (!v) throw Error("--secret id=" + secret->id + ": environment variable " + secret->env + " is not set");
                value = v;
            } else {
                value = read_file(secret->src);
            }
            if (!m.env.empty()) out.env.push_back(m.env + "=" + value);
            if (m.target.empty()) continue;
            const std::string file = wc.dir() + "/secret-" + std::to_string(n);
            write_file_atomic(file, value, m.mode.value_or(0400), false);
            chown_in_userns(sh.store, file, m.uid, m.gid);
            out.mounts.push_back({"bind", file, m.target, {"ro"}, true});
            out.targets.push_back(m.target);
            continue;
        }
        if (m.type == "ssh") {
            auto sock = sh.options.ssh_sockets.find(m.id);
            if (sock == sh.options.ssh_sockets.end()) {
                if (m.required)
                    throw Error(where + ": RUN --mount=type=ssh: ssh key \"" + m.id + "\" is required but was not given (--ssh " +
                                (m.id == "default" ? std::string("default") : m.id + "=SOCKET") + ")");
                continue;
            }
            const std::string target = m.target.empty() ? "/run/buildkit/ssh_agent." + std::to_string(ssh_mounts) : m.target;
            if (ssh_mounts++ == 0) out.env.push_back("SSH_AUTH_SOCK=" + target);
            out.mounts.push_back({"bind", sock->second, target, {"ro"}, true});
            out.targets.push_back(target);
            continue;
        }
        if (m.type == "cache") {
            const std::string id = m.id.empty() ? m.target : m.id;
            const std::string base = sh.store.root() + "/build-cache-mounts";
            ensure_dir(base, 0700);
            const std::string dir = base + "/" + str::fingerprint(id);
            const bool fresh = ::access(dir.c_str(), F_OK) != 0;
            if (fresh) {
                // Made aside and renamed: two builds may start using the same cache at once.
                const std::string tmp = dir + ".tmp-" + std::to_string(::getpid());
                ensure_dir(tmp, m.mode.value_or(0755));
                ::chmod(tmp.c_str(), m.mode.value_or(0755));
                if (!m.from.empty()) {
                    MountSource src = mount_source(sh, m.from, stage_index, where);
                    const std::string seeded = copy_for_step(wc, src, m.source.empty() ? "." : m.source, tmp + "/seed", where);
                    if (::rename(seeded.c_str(), (tmp + "/content").c_str()) < 0) throw Error::sys("seeding cache " + id);
                }
                chown_in_userns(sh.store, tmp, m.uid, m.gid);
                if (::rename(tmp.c_str(), dir.c_str()) < 0) {
                    if (errno != EEXIST && errno != ENOTEMPTY) throw Error::sys("creating the cache mount " + dir);
                    sh.store.remove_tree(tmp);  // another build made it first
                }
            }
            std::string source = dir;
            if (::access((dir + "/content").c_str(), F_OK) == 0 && !m.from.empty()) source = dir + "/content";
            if (m.sharing == "locked") out.locks.push_back(std::make_unique<FileLock>(dir + ".lock"));
            out.mounts.push_back({"bind", source, m.target, {m.readonly ? "ro" : "rw"}, m.readonly});
            out.targets.push_back(m.target);
            continue;
        }
        // bind
        MountSource src = mount_source(sh, m.from, stage_index, where);
        const std::string source = m.source.empty() ? "." : m.source;
        std::string path;
        if (src.image || !m.readonly) {
            path = copy_for_step(wc, src, source, wc.dir() + "/bind-" + std::to_string(n), where);
            if (src.image) out.cache_key.push_back("bind " + m.target + " from " + src.image_id + " " + source);
        } else {
            std::string rel = clean_path(source);
            if (rel == ".." || str::starts_with(rel, "../"))
                throw Error(where + ": RUN --mount: forbidden path outside the build context: " + source);
            UniqueFd node = rootless::open_in_root(src.context->fd(), rel, O_PATH);
            if (!node) throw Error(where + ": RUN --mount: \"" + source + "\" not found in " + src.context->name());
            char buf[4096];
            ssize_t len = ::readlink(rootless::fd_path(node.get()).c_str(), buf, sizeof(buf) - 1);
            if (len < 0) throw Error::sys("resolving " + source);
            path.assign(buf, static_cast<size_t>(len));
        }
        if (src.context) {
            // The step's result depends on what it reads: the bound content is in the key.
            SourceOptions so;
            so.hash = true;
            so.ignore = &src.context->ignore();
            so.what = where + ": RUN --mount";
            so.root_name = src.context->name();
            out.cache_key.push_back("bind " + m.target + " " + digest_items(collect_sources(src.context->fd(), {source}, so)).hex);
        }
        out.mounts.push_back({"bind", path, m.target, {m.readonly ? "ro" : "rw"}, m.readonly});
        out.targets.push_back(m.target);
    }
    return out;
}

}  // namespace pc::build
