#include "cli/compose_build.hpp"

#include <unistd.h>

#include "cli/build_args.hpp"
#include "cli/compose_runtime.hpp"
#include "cli/context.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "imagebuild/build.hpp"

namespace pc::cli {

namespace {

// Progress of one service's build on stderr, "[web] " before each line.
class ServiceReporter : public build::BuildReporter {
public:
    ServiceReporter(std::string service, bool quiet) : prefix_("[" + std::move(service) + "] "), quiet_(quiet) {}
    void step(const std::string& line) override { print(line); }
    void message(const std::string& line) override { print(line); }
    void warning(const std::string& text) override { write_line(STDERR_FILENO, "WARN[0000] " + prefix_ + text + "\n"); }
    void progress(const std::string& line) override { print(line); }

private:
    void print(const std::string& line) {
        if (!quiet_) write_line(STDERR_FILENO, prefix_ + line + "\n");
    }
    std::string prefix_;
    bool quiet_;
};

bool remote_context(const std::string& c) {
    for (const char* p : {"http://", "https://", "git://", "git@", "github.com/", "ssh://"})
        if (str::starts_with(c, p)) return true;
    return false;
}

void add_secret(build::BuildOptions& o, const compose::Project& project, const compose::FileReference& ref,
                const std::string& where) {
    auto it = project.secrets.find(ref.source);
    if (it == project.secrets.end())
        throw Error(where + ".secrets: secret \"" + ref.source + "\" is not defined in the top-level secrets",
                    kExitCompose);
    const compose::FileObject& secret = it->second;
    build::SecretSource s;
    s.id = !ref.target.empty() ? ref.target : ref.source;
    if (!secret.file.empty()) {
        s.src = secret.file;
    } else if (!secret.environment.empty()) {
        s.env = secret.environment;
    } else {
        throw Error(where + ".secrets: secret \"" + ref.source + "\" has neither file nor environment (external "
                    "secrets cannot be used in builds)", kExitCompose);
    }
    o.secrets.push_back(std::move(s));
}

// The builder's options for `service`'s build section, named `image`.
build::BuildOptions build_options(const compose::Project& project, const compose::Service& service,
                                  const std::string& image, const ComposeBuildSettings& settings) {
    const compose::BuildConfig& b = *service.build;
    const std::string where = "services." + service.name + ".build";
    if (remote_context(b.context))
        throw Error(where + ".context: remote build contexts (" + b.context + ") are not supported: clone it and "
                    "name the directory", kExitCompose);
    if (!b.ssh.empty())
        throw Error(where + ".ssh: SSH agent forwarding into builds is not supported", kExitCompose);
    build::BuildOptions o;
    o.context_dir = b.context.empty() ? project.working_dir : b.context;
    if (!b.dockerfile_inline.empty()) {
        o.containerfile_text = b.dockerfile_inline;
        o.containerfile_name = where + ".dockerfile_inline";
    } else if (!b.dockerfile.empty()) {
        // Relative to the context, as Docker Compose reads it.
        o.containerfile = b.dockerfile[0] == '/' ? b.dockerfile : o.context_dir + "/" + b.dockerfile;
    }
    // An entry without a value takes the caller's environment variable, as `--build-arg KEY`.
    for (const auto& [k, v] : b.args) add_build_arg(o, v ? k + "=" + *v : k);
    for (const auto& a : settings.build_args) add_build_arg(o, a);
    for (const auto& [k, v] : b.labels) o.labels.emplace_back(k, v);
    o.target = b.target;
    o.no_cache = b.no_cache || settings.no_cache;
    o.pull = (b.pull || settings.pull) ? "always" : "missing";
    o.network = b.network == "default" ? "" : b.network;
    for (const auto& [name, dir] : b.additional_contexts) o.additional_contexts[name] = dir;
    for (const auto& [host, addrs] : b.extra_hosts)
        for (const auto& a : addrs) o.add_hosts.push_back(host + ":" + a);
    for (const auto& [name, u] : b.ulimits) {
        const int64_t soft = u.single ? u.single : u.soft, hard = u.single ? u.single : u.hard;
        o.ulimits.push_back(name + "=" + std::to_string(soft) + ":" + std::to_string(hard));
    }
    for (const auto& ref : b.secrets) add_secret(o, project, ref, where);
    if (b.platforms.size() == 1) o.platform = b.platforms.front();
    else if (b.platforms.size() > 1)
        throw Error(where + ".platforms: only the native platform can be built (" +
                    str::join(b.platforms, ", ") + " named)", kExitCompose);
    o.tags.push_back(image);
    for (const auto& t : b.tags) o.tags.push_back(t);
    o.quiet = settings.quiet;
    // RUN output with the progress, on stderr: stdout stays for what the command prints.
    o.stdout_fd = STDERR_FILENO;
    o.stderr_fd = STDERR_FILENO;
    return o;
}

}  // namespace

compose::BuildHook compose_build_hook(Context& ctx, ComposeBuildSettings settings) {
    return [&ctx, settings](const compose::Project& project, const compose::Service& service, const std::string& image) {
        build::BuildOptions o = build_options(project, service, image, settings);
        ServiceReporter reporter(service.name, settings.quiet);
        return build::build_image(ctx.store(), o, reporter).image_id;
    };
}

}  // namespace pc::cli
