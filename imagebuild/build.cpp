#include "imagebuild/build.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "image/import.hpp"
#include "image/pull.hpp"
#include "image/staging.hpp"
#include "imagebuild/build_state.hpp"
#include "imagebuild/output.hpp"
#include "imagebuild/platform_args.hpp"
#include "imagebuild/stage_builder.hpp"
#include "storage/image_refs.hpp"

namespace pc::build {

// ---------------------------------------------------------------- shared state

ImageState load_image_state(storage::Store& store, const storage::ImageRecord& rec, const std::string& name) {
    ImageState s;
    s.id = rec.id;
    s.name = name;
    s.layers = rec.layers;
    s.manifest_digest = rec.digest;
    auto blob = store.get_blob("sha256:" + rec.id, storage::Store::BlobRead::Trust);
    if (!blob) throw Error("image " + rec.id.substr(0, 12) + ": its config blob is missing from the store");
    s.doc = nlohmann::json::parse(*blob, nullptr, false);
    if (!s.doc.is_object()) throw Error("image " + rec.id.substr(0, 12) + ": its config is not valid JSON");
    return s;
}

const ImageState* BuildShared::stage_image(const std::string& ref, size_t before) const {
    auto idx = find_stage(plan, ref, before);
    if (!idx) return nullptr;
    auto it = finished.find(*idx);
    if (it == finished.end())
        throw Error("stage \"" + plan.stages[*idx].display() + "\" is needed but was not built (is it after the --target?)");
    return &it->second;
}

namespace {

// Pull progress goes to the reporter's progress lines (stderr, as Podman shows it).
class PullProgress : public image::Progress {
public:
    explicit PullProgress(BuildReporter& r) : r_(r) {}
    void message(const std::string& text) override { r_.progress(text); }

private:
    BuildReporter& r_;
};

// The name history and COMMIT messages give a stored image found by `ref`.
std::string display_name(const storage::ImageRecord& rec, const std::string& ref) {
    const std::string n = storage::normalize_image_name(ref);
    for (const auto& name : rec.names)
        if (name == n || name == ref) return name;
    for (const auto& name : rec.names)
        if (storage::short_name_matches(name, ref)) return name;
    return rec.names.empty() ? rec.id.substr(0, 12) : rec.names.front();
}

}  // namespace

ImageState BuildShared::image(const std::string& ref, const std::string& what) {
    const std::string& policy = options.pull;
    std::optional<storage::ImageRecord> local =
        policy == "always" || policy == "newer" ? std::nullopt : store.find_image(ref);
    if (local) return load_image_state(store, *local, display_name(*local, ref));
    if (policy == "never") throw Error(what + ": image \"" + ref + "\" not known, and --pull=never forbids pulling it");
    reporter.progress("Trying to pull " + ref + "...");
    try {
        image::PullOptions po;
        po.registry = options.registry;
        PullProgress progress(reporter);
        storage::ImageRecord rec = image::pull_image(store, ref, po, progress);
        return load_image_state(store, rec, display_name(rec, ref));
    } catch (const Error& e) {
        // newer: a registry that cannot be asked leaves the local image in use (always
        // does not: the image must come from the registry).
        if (policy == "newer")
            if (auto again = store.find_image(ref)) return load_image_state(store, *again, display_name(*again, ref));
        throw Error(what + ": image \"" + ref + "\" is not in local storage and pulling it failed: " + e.what());
    }
}

namespace {

// ---------------------------------------------------------------- inputs

struct Containerfile {
    std::string text;
    std::string name;  // in messages: as the user named it
    std::string path;  // on disk ("" for text given inline)
};

bool is_file(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Containerfile find_containerfile(const BuildOptions& o) {
    Containerfile cf;
    if (o.containerfile_text) {
        cf.text = *o.containerfile_text;
        cf.name = o.containerfile_name.empty() ? "Containerfile" : o.containerfile_name;
        return cf;
    }
    const std::string ctx = o.context_dir.empty() ? "." : o.context_dir;
    if (o.containerfile.empty()) {
        for (const char* n : {"Containerfile", "Dockerfile"})
            if (is_file(ctx + "/" + n)) {
                cf.path = ctx + "/" + n;
                cf.name = n;
                break;
            }
        if (cf.path.empty())
            throw Error("no Containerfile or Dockerfile specified or found in context directory, " + ctx +
                        ": no such file or directory");
    } else if (o.containerfile[0] == '/' || is_file(o.containerfile)) {
        cf.path = o.containerfile;
        cf.name = o.containerfile;
    } else if (is_file(ctx + "/" + o.containerfile)) {
        cf.path = ctx + "/" + o.containerfile;
        cf.name = o.containerfile;
    } else {
        throw Error("the specified Containerfile or Dockerfile does not exist, " + o.containerfile + ": no such file or directory");
    }
    cf.text = read_file(cf.path);
    return cf;
}

void check_options(const BuildOptions& o) {
    if (o.format != "oci" && o.format != "docker")
        throw Error("unrecognized image type \"" + o.format + "\" for --format (valid: oci, docker)");
    if (o.pull != "missing" && o.pull != "always" && o.pull != "never" && o.pull != "newer")
        throw Error("invalid --pull \"" + o.pull + "\" (valid: always, missing, never, newer)");
    if (o.squash && o.squash_all) throw Error("--squash and --squash-all cannot be used together");
    if (o.timestamp && *o.timestamp < 0) throw Error("--timestamp must not be negative");
    for (const auto& t : o.tags) {
        if (t.empty() || t.find('@') != std::string::npos || t != str::to_lower(t) || t.find(' ') != std::string::npos)
            throw Error("tag " + t + ": invalid reference format (repository names must be lowercase, without a digest)");
    }
    for (const auto& out : o.outputs)
        if (out.type != "local" && out.type != "tar") throw Error("invalid --output type \"" + out.type + "\" (valid: local, tar)");
}

// ---------------------------------------------------------------- stages at once (--jobs)

struct Running {
    size_t index;
    ChildProcess proc;
    UniqueFd result;
};

// Builds the stages the target needs; independent stages run in child processes, at most
// `jobs` at a time (0: no limit). The target itself is built here.
void build_stages(BuildShared& sh) {
    const size_t target = sh.plan.target;
    const int jobs = sh.options.jobs;
    std::vector<size_t> todo;
    for (const auto& st : sh.plan.stages)
        // --skip-unused-stages=false: the stages before the target that it does not need too.
        if ((st.needed || (!sh.options.skip_unused_stages && st.index < target)) && st.index != target)
            todo.push_back(st.index);
    auto ready = [&](size_t i) {
        for (size_t d : sh.plan.stages[i].needs)
            if (!sh.finished.count(d)) return false;
        return true;
    };
    if (jobs == 1) {
        for (size_t i : todo) sh.finished[i] = build_stage(sh, i, false);
    } else {
        std::vector<Running> running;
        while (!todo.empty() || !running.empty()) {
            for (auto it = todo.begin(); it != todo.end() && (jobs <= 0 || static_cast<int>(running.size()) < jobs);) {
                if (!ready(*it)) {
                    ++it;
                    continue;
                }
                Pipe p = Pipe::make();
                const size_t idx = *it;
                pid_t pid = ::fork();
                if (pid < 0) throw Error::sys("starting a build stage");
                if (pid == 0) {
                    p.read.reset();
                    std::string msg;
                    try {
                        ImageState st = build_stage(sh, idx, false);
                        msg = "OK " + st.id + "\n";
                        for (const auto& a : sh.consumed_args) msg += "arg " + a + "\n";
                        for (const auto& t : sh.temporary_images) msg += "tmp " + t + "\n";
                    } catch (const Error& e) {
                        msg = "ERR " + std::to_string(e.exit_code()) + " " + e.what();
                    } catch (const std::exception& e) {
                        msg = "ERR 125 " + std::string(e.what());
                    }
                    (void)write_all(p.write.get(), msg.data(), msg.size());
                    ::_exit(0);
                }
                p.write.reset();
                running.push_back({idx, ChildProcess(pid), std::move(p.read)});
                it = todo.erase(it);
            }
            if (running.empty()) {
                if (!todo.empty()) throw Error("build stages depend on each other in a cycle");
                break;
            }
            std::vector<struct pollfd> fds;
            for (auto& r : running) fds.push_back({r.result.get(), POLLIN, 0});
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                throw Error::sys("waiting for build stages");
            }
            for (size_t k = 0; k < fds.size(); ++k) {
                if (!fds[k].revents) continue;
                Running r = std::move(running[k]);
                std::string text;
                (void)read_to_eof(r.result.get(), text);
                r.proc.wait();
                running[k].index = SIZE_MAX;
                if (!str::starts_with(text, "OK ")) {
                    for (auto& other : running)
                        if (other.index != SIZE_MAX) other.proc.kill(SIGTERM);
                    if (str::starts_with(text, "ERR ")) {
                        auto sp = text.find(' ', 4);
                        int code = std::atoi(text.substr(4, sp - 4).c_str());
                        throw Error(text.substr(sp + 1), code ? code : kExitEngine);
                    }
                    throw Error("building stage " + sh.plan.stages[r.index].display() + " failed");
                }
                std::string id;
                for (const auto& line : str::split(text, '\n')) {
                    if (str::starts_with(line, "OK ")) id = line.substr(3);
                    else if (str::starts_with(line, "arg ")) sh.consumed_args.insert(line.substr(4));
                    else if (str::starts_with(line, "tmp ")) sh.temporary_images.push_back(line.substr(4));
                }
                auto rec = sh.store.find_image(id);
                if (!rec) throw Error("stage " + sh.plan.stages[r.index].display() + " built image " + id + ", which is gone");
                sh.finished[r.index] = load_image_state(sh.store, *rec, id.substr(0, 12));
            }
            running.erase(std::remove_if(running.begin(), running.end(), [](const Running& r) { return r.index == SIZE_MAX; }),
                          running.end());
        }
    }
    sh.finished[target] = build_stage(sh, target, true);
}

}  // namespace

BuildResult build_image(storage::Store& store, const BuildOptions& o, BuildReporter& reporter) {
    check_options(o);
    Containerfile cf = find_containerfile(o);
    Dockerfile df = parse_dockerfile(cf.text, cf.name);
    std::map<std::string, std::string> args;
    for (const auto& [k, v] : o.build_args) args[k] = v;
    StagePlan plan = plan_stages(df, o.target, args);

    BuildContext context;
    if (!o.context_dir.empty()) {
        std::string ignore = find_ignore_file(o.context_dir, cf.path, o.ignore_file);
        context = BuildContext(o.context_dir, load_ignore_file(ignore));
    }
    BuildShared sh(store, o, reporter, df, plan, context);
    sh.args = args;
    for (const auto& [name, value] : o.additional_contexts) {
        for (const char* scheme : {"docker-image://", "container-image://"})
            if (str::starts_with(value, scheme)) sh.image_contexts[name] = value.substr(std::string(scheme).size());
        if (!sh.image_contexts.count(name))
            sh.named_contexts.emplace(name, BuildContext(value, IgnoreMatcher(), "build context \"" + name + "\""));
    }
    // What a killed build left: working containers, half-made layers, staging files.
    store.collect_leftovers();

    build_stages(sh);
    ImageState final_image = sh.finished.at(plan.target);

    // Names and annotations go on the final image (its config, hence its id, unchanged).
    BuildResult result;
    result.image_id = final_image.id;
    for (const auto& t : o.tags) {
        std::string n = storage::normalize_image_name(t);
        if (std::find(result.names.begin(), result.names.end(), n) == result.names.end()) result.names.push_back(n);
    }
    std::map<std::string, std::string> annotations;
    if (!sh.final_base_name.empty() && !sh.final_base_digest.empty() && final_image.manifest_digest != sh.final_base_digest) {
        annotations["org.opencontainers.image.base.digest"] = sh.final_base_digest;
        annotations["org.opencontainers.image.base.name"] = sh.final_base_name;
    }
    for (const auto& [k, v] : o.annotations) annotations[k] = v;
    auto rec = store.find_image(final_image.id);
    if (!rec) throw Error("the built image " + final_image.id + " disappeared from the store");
    const bool made_here = final_image.manifest_digest != sh.final_base_digest || sh.final_base_name.empty();
    if (made_here && (!annotations.empty() || !result.names.empty())) {
        std::vector<storage::LayerRecord> layers;
        for (const auto& c : rec->layers) {
            auto l = store.find_layer(c);
            if (!l) throw Error("layer " + c + " is missing from the store");
            layers.push_back(*l);
        }
        image::RegisterOptions ro;
        ro.names = result.names;
        ro.docker = sh.docker_format();
        ro.annotations = annotations;
        ro.parent = rec->parent;
        nlohmann::json doc = final_image.doc;
        image::register_image(store, doc, layers, ro);
    } else {
        for (const auto& n : result.names) store.tag_image(final_image.id, n);
    }
    for (const auto& n : result.names) reporter.message("Successfully tagged " + n);

    for (const auto& out : o.outputs) export_output(store, final_image.layers, out, o);
    for (const auto& id : sh.temporary_images)
        if (id != final_image.id) store.remove_image(id);

    std::vector<std::string> unused;
    for (const auto& [k, v] : args)
        if (!sh.consumed_args.count(k) && !plan.declared_args.count(k) && !is_proxy_arg(k)) unused.push_back(k);
    if (!unused.empty()) reporter.message("[Warning] one or more build args were not consumed: [" + str::join(unused, " ") + "]");
    return result;
}

}  // namespace pc::build
