// pc build (also `pc image build` and `pc buildx build`): Podman's flags turned into
// imagebuild's BuildOptions, the context read from a directory or stdin, and Podman's
// output: the steps and the RUN output on stdout, the image id last.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/build_args.hpp"
#include "cli/commands.hpp"
#include "cli/registry_flags.hpp"
#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "common/units.hpp"
#include "common/user_paths.hpp"
#include "container/cgroups.hpp"
#include "container/create_options.hpp"
#include "image/manifest.hpp"
#include "image/staging.hpp"
#include "imagebuild/build.hpp"
#include "imagebuild/context.hpp"
#include "imagebuild/output.hpp"
#include "imagebuild/platform_args.hpp"
#include "rootless/caps.hpp"
#include "rootless/rlimits.hpp"

namespace pc::cli {

namespace {

struct BuildFlags {
    std::vector<std::string> tags, files, build_args, build_arg_files, labels, annotations, secrets, outputs;
    std::vector<std::string> cap_add, cap_drop, volumes, ulimits, contexts, add_hosts, dns, dns_search, dns_options;
    std::vector<std::string> security_opt, env, unsetenv, devices, os_features, ssh;
    std::string target, format, pull, iidfile, network, platform, ignorefile, hostname, isolation;
    std::string cache_ttl, timestamp, source_date_epoch, os, arch, variant, os_version, shm_size, ipc, pid, uts, logfile;
    // Resource limits: refused as in `pc run` (no cgroups for rootless containers here).
    std::string memory, memory_swap, cpu_period, cpu_quota, cpu_shares, cpuset_cpus, cpuset_mems, cgroup_parent;
    bool no_cache = false, layers = true, squash = false, squash_all = false, quiet = false;
    bool pull_always = false, pull_never = false, rm = true, force_rm = false, no_hosts = false;
    bool omit_history = false, identity_label = true, skip_unused_stages = true, http_proxy = true, pass_stdin = false;
    bool compress = false, disable_compression = true, disable_content_trust = false;
    int jobs = 1;
    RegistryFlags reg;
    std::vector<std::string> args;
};

// Podman's output: steps, cache hits and commits on stdout (flushed line by line, since
// the RUN steps write to the same descriptor), warnings and pull progress on stderr.
class PrintingReporter : public build::BuildReporter {
public:
    explicit PrintingReporter(bool quiet) : quiet_(quiet) {}
    void step(const std::string& line) override {
        if (!quiet_) std::cout << line << std::endl;
    }
    void message(const std::string& line) override {
        if (!quiet_) std::cout << line << std::endl;
    }
    void warning(const std::string& text) override { log::warn(text); }
    void progress(const std::string& line) override {
        if (!quiet_) std::cerr << line << std::endl;
    }

private:
    bool quiet_;
};

std::pair<std::string, std::string> key_value(const std::string& flag, const std::string& v, bool value_required) {
    auto [k, val] = str::split_once(v, '=');
    if (k.empty() || (value_required && !val)) throw Error("invalid " + flag + " \"" + v + "\": expected KEY=VALUE");
    return {k, val.value_or("")};
}

// id=NAME,src=PATH | id=NAME,env=VAR | id=NAME,type=env|file,src=...
build::SecretSource parse_secret(const std::string& spec) {
    build::SecretSource s;
    std::string type = "file", src;
    for (const auto& part : str::split(spec, ',')) {
        auto [k, v] = str::split_once(part, '=');
        if (!v) throw Error("invalid --secret \"" + spec + "\": \"" + part + "\" is not KEY=VALUE");
        if (k == "id") s.id = *v;
        else if (k == "src" || k == "source") src = *v;
        else if (k == "env") s.env = *v;
        else if (k == "type") type = *v;
        else throw Error("invalid --secret \"" + spec + "\": unknown key \"" + k + "\" (valid: id, src, env, type)");
    }
    if (type == "env") s.env = src.empty() ? s.env : src;
    else if (type == "file") s.src = src;
    else throw Error("invalid --secret \"" + spec + "\": type must be file or env");
    if (s.id.empty()) s.id = !s.src.empty() ? s.src.substr(s.src.rfind('/') + 1) : s.env;
    if (s.id.empty()) throw Error("invalid --secret \"" + spec + "\": id= is required");
    if (s.src.empty() && s.env.empty()) throw Error("invalid --secret \"" + spec + "\": src= or env= is required");
    if (!s.src.empty() && ::access(s.src.c_str(), R_OK) != 0) throw Error::sys("--secret " + spec + ": " + s.src);
    return s;
}

int64_t parse_epoch(const std::string& flag, const std::string& v) {
    auto n = str::parse_u64(v);
    if (!n) throw Error("invalid argument \"" + v + "\" for \"" + flag + "\" flag: expected seconds since the epoch");
    return static_cast<int64_t>(*n);
}

bool looks_like_tar(const std::string& data) {
    if (data.size() >= 262 && data.compare(257, 5, "ustar") == 0) return true;
    static const std::string magics[] = {std::string("\x1f\x8b", 2), "BZh", std::string("\xfd" "7zXZ\0", 6),
                                         std::string("\x28\xb5\x2f\xfd", 4)};
    for (const auto& m : magics)
        if (data.compare(0, m.size(), m) == 0) return true;
    return false;
}

// --env, --unsetenv and what else sets the image config, and the platform parts.
void apply_image_flags(build::BuildOptions& o, const BuildFlags& f) {
    for (const auto& e : f.env) {
        auto [name, value] = str::split_once(e, '=');
        if (name.empty()) throw Error("invalid --env \"" + e + "\": no variable name");
        if (value) {
            o.env.emplace_back(name, *value);
        } else if (const char* host = std::getenv(name.c_str())) {
            o.env.emplace_back(name, host);  // --env NAME: the caller's value, when it has one
        }
    }
    o.unset_env = f.unsetenv;
    o.omit_history = f.omit_history;
    o.identity_label = f.identity_label;
    o.skip_unused_stages = f.skip_unused_stages;
    o.os_version = f.os_version;
    o.os_features = f.os_features;
    // --os/--arch/--variant name a platform part by part (the native one only, as --platform).
    if (!f.os.empty() || !f.arch.empty() || !f.variant.empty()) {
        const image::Platform host = image::host_platform();
        std::string p = (f.os.empty() ? host.os : f.os) + "/" + (f.arch.empty() ? host.architecture : f.arch);
        if (!f.variant.empty()) p += "/" + f.variant;
        build::check_native_platform(p, "--os/--arch/--variant");
    }
}

// --ssh default|ID[=SOCKET]: an SSH agent's socket for RUN --mount=type=ssh,id=ID (the
// caller's $SSH_AUTH_SOCK when no path is given).
void add_ssh_socket(build::BuildOptions& o, const std::string& spec) {
    auto [id, path] = str::split_once(spec, '=');
    if (id.empty()) throw Error("invalid --ssh \"" + spec + "\": expected default or ID[=SOCKET]");
    std::string socket;
    if (path) {
        socket = *path;
    } else if (const char* agent = std::getenv("SSH_AUTH_SOCK"); agent && *agent) {
        socket = agent;
    } else {
        throw Error("--ssh " + spec + ": SSH_AUTH_SOCK is not set (start ssh-agent, or give ID=SOCKET)");
    }
    if (socket.find(',') != std::string::npos)
        throw Error("--ssh " + spec + ": key files are not supported: add them to an agent (ssh-add KEY) and pass its socket");
    struct stat st {};
    if (::stat(socket.c_str(), &st) < 0) throw Error::sys("--ssh " + spec + ": " + socket);
    if (!S_ISSOCK(st.st_mode))
        throw Error("--ssh " + spec + ": " + socket + " is not an agent socket (key files are not supported: add them to "
                    "an agent with ssh-add and pass its socket)");
    o.ssh_sockets[id] = socket;
}

// "host", or "" for the step's own namespace (Buildah's private/container).
std::string run_namespace(const char* flag, const std::string& value) {
    if (value.empty() || value == "private" || value == "container") return "";
    if (value == "host") return "host";
    throw Error(std::string("invalid ") + flag + " \"" + value + "\": pc build runs steps in the host's (host) or their own (private) namespace");
}

// How RUN steps run: hosts, proxies, devices, /dev/shm, namespaces, stdin; limits refused.
void apply_run_flags(build::BuildOptions& o, const BuildFlags& f) {
    o.no_hosts = f.no_hosts;
    o.http_proxy = f.http_proxy;
    o.devices = f.devices;
    if (!f.shm_size.empty()) o.shm_size = container::parse_shm_size(f.shm_size);
    o.ipc_mode = run_namespace("--ipc", f.ipc);
    o.pid_mode = run_namespace("--pid", f.pid);
    o.uts_mode = run_namespace("--uts", f.uts);
    if (o.uts_mode == "host" && !f.hostname.empty()) throw Error("--hostname cannot be used with --uts host");
    if (f.pass_stdin) o.stdin_fd = STDIN_FILENO;
    for (const auto& spec : f.ssh) add_ssh_socket(o, spec);
    std::vector<std::string> limits;
    for (const auto& [flag, value] : std::initializer_list<std::pair<const char*, const std::string*>>{
             {"--memory", &f.memory}, {"--memory-swap", &f.memory_swap}, {"--cpu-period", &f.cpu_period},
             {"--cpu-quota", &f.cpu_quota}, {"--cpu-shares", &f.cpu_shares}, {"--cpuset-cpus", &f.cpuset_cpus},
             {"--cpuset-mems", &f.cpuset_mems}, {"--cgroup-parent", &f.cgroup_parent}})
        if (!value->empty()) limits.push_back(flag);
    if (!limits.empty())
        throw Error(container::cgroup_limits_unavailable_reason() + "; " + str::join(limits, ", ") +
                    " cannot be enforced for the RUN steps of this rootless build");
}

void run_build(Context& ctx, BuildFlags& f) {
    build::BuildOptions o;
    if (f.args.size() > 1) usage_error("build takes at most 1 argument (the context), got " + std::to_string(f.args.size()));
    std::string context = f.args.empty() ? "." : f.args[0];
    if (str::starts_with(context, "http://") || str::starts_with(context, "https://") || str::starts_with(context, "git://") ||
        str::starts_with(context, "git@"))
        throw Error("build context " + context + ": remote contexts (URLs, git repositories) are not supported; clone or download it first");

    // The context (or the Containerfile) from stdin.
    std::unique_ptr<image::StagingDir> stdin_context;
    std::string stdin_data;
    bool stdin_used = false;
    auto read_stdin = [&]() -> const std::string& {
        if (!stdin_used) {
            (void)read_to_eof(STDIN_FILENO, stdin_data);
            stdin_used = true;
        }
        return stdin_data;
    };
    if (context == "-") {
        const std::string& data = read_stdin();
        if (looks_like_tar(data)) {
            stdin_context = std::make_unique<image::StagingDir>(ctx.store());
            const std::string file = stdin_context->new_file("context.tar");
            write_file_atomic(file, data, 0600, false);
            const std::string dir = stdin_context->path() + "/context";
            ensure_dir(dir, 0700);
            UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
            if (!in) throw Error::sys("opening " + file);
            build::extract_tar_as_caller(in.get(), dir, "reading the build context from stdin (a tar archive)");
            o.context_dir = dir;
        } else {
            o.containerfile_text = data;
            o.containerfile_name = "Containerfile (stdin)";
        }
    } else {
        o.context_dir = context;
    }
    // -f: one file, "-" for stdin; several are read in order as one file (as Podman does).
    if (!f.files.empty()) {
        if (f.files.size() == 1 && f.files[0] != "-") {
            o.containerfile = f.files[0];
        } else {
            std::string text;
            for (const auto& file : f.files) {
                if (file == "-") text += read_stdin();
                else text += read_file(file[0] == '/' || ::access(file.c_str(), F_OK) == 0 ? file : o.context_dir + "/" + file);
                text += "\n";
            }
            o.containerfile_text = text;
            o.containerfile_name = f.files.size() == 1 ? "Containerfile (stdin)" : f.files[0];
        }
    }

    o.tags = f.tags;
    o.target = f.target;
    for (const auto& file : f.build_arg_files) {
        for (std::string line : str::split(read_file(file), '\n')) {
            line = str::trim(line);
            if (line.empty() || line[0] == '#') continue;
            add_build_arg(o, line);
        }
    }
    for (const auto& a : f.build_args) add_build_arg(o, a);
    for (const auto& l : f.labels) o.labels.push_back(key_value("--label", l, false));
    for (const auto& a : f.annotations) o.annotations.push_back(key_value("--annotation", a, true));
    for (const auto& c : f.contexts) {
        auto [k, v] = key_value("--build-context", c, true);
        o.additional_contexts[k] = v;
    }
    const char* env_format = std::getenv("BUILDAH_FORMAT");
    o.format = !f.format.empty() ? f.format : (env_format && *env_format ? env_format : "oci");
    if (o.format == "v2s2") o.format = "docker";
    o.layers = f.layers;
    o.no_cache = f.no_cache;
    if (!f.cache_ttl.empty()) {
        int64_t ns = 0;
        try {
            ns = parse_duration_ns(f.cache_ttl);
        } catch (const Error& e) {
            throw Error("invalid --cache-ttl \"" + f.cache_ttl + "\": " + e.what());
        }
        if (ns < 0) throw Error("invalid --cache-ttl \"" + f.cache_ttl + "\": must not be negative");
        if (ns == 0) o.no_cache = true;  // Podman: --cache-ttl=0 is --no-cache
        o.cache_ttl_s = ns / 1000000000LL;
    }
    o.squash = f.squash;
    o.squash_all = f.squash_all;
    std::string pull = f.pull.empty() ? "missing" : str::to_lower(f.pull);
    if (pull == "true") pull = "always";
    if (pull == "false") pull = "missing";
    if (f.pull_always) pull = "always";
    if (f.pull_never) pull = "never";
    o.pull = pull;
    if (!f.timestamp.empty()) o.timestamp = parse_epoch("--timestamp", f.timestamp);
    else if (!f.source_date_epoch.empty()) o.timestamp = parse_epoch("--source-date-epoch", f.source_date_epoch);
    else if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) o.timestamp = parse_epoch("SOURCE_DATE_EPOCH", sde);
    for (const auto& s : f.secrets) o.secrets.push_back(parse_secret(s));
    if (f.jobs < 0) throw Error("--jobs must not be negative");
    o.jobs = f.jobs;
    for (const auto& out : f.outputs) o.outputs.push_back(build::parse_output_spec(out));
    o.registry = f.reg.options();
    o.platform = f.platform;
    o.ignore_file = f.ignorefile;
    o.network = f.network == "private" || f.network == "bridge" || f.network == "default" ? "" : f.network;
    rootless::resolve_capabilities(rootless::default_capabilities(), f.cap_add, f.cap_drop);  // names checked
    o.cap_add = f.cap_add;
    o.cap_drop = f.cap_drop;
    o.volumes = f.volumes;
    for (const auto& u : f.ulimits) {
        try {
            rootless::Rlimit l = rootless::parse_ulimit(u);
            o.ulimits.push_back(u.substr(0, u.find('=')) + "=" + rootless::limit_text(l.soft) + ":" + rootless::limit_text(l.hard));
        } catch (const Error& e) {
            throw Error("ulimit option \"" + u + "\" requires name=SOFT:HARD, failed to be parsed: " + e.what());
        }
    }
    o.add_hosts = f.add_hosts;
    o.dns_servers = f.dns;
    o.dns_search = f.dns_search;
    o.dns_options = f.dns_options;
    o.security_opt = f.security_opt;
    o.hostname = f.hostname;
    o.quiet = f.quiet;
    if (!f.isolation.empty() && f.isolation != "oci" && f.isolation != "rootless" && f.isolation != "default")
        throw Error("--isolation " + f.isolation + ": pc build runs steps in its own rootless sandbox only (oci)");
    if (!f.rm) log::warn("--rm=false: pc build never keeps the containers of its steps");
    apply_image_flags(o, f);
    apply_run_flags(o, f);
    // A tar written to stdout must be all that stdout gets.
    bool tar_on_stdout = false;
    for (const auto& out : o.outputs) tar_on_stdout = tar_on_stdout || (out.type == "tar" && out.dest == "-");
    UniqueFd null;
    if (tar_on_stdout) {
        null.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
        o.stdout_fd = STDERR_FILENO;  // RUN output, as BuildKit does with -o -
    }

    // --logfile: everything the build says, the image id included, goes there (Podman's).
    if (!f.logfile.empty()) {
        UniqueFd log(::open(f.logfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!log) throw Error::sys("opening the log file " + f.logfile);
        std::cout.flush();
        std::cerr.flush();
        if (::dup2(log.get(), STDOUT_FILENO) < 0 || ::dup2(log.get(), STDERR_FILENO) < 0)
            throw Error::sys("writing to the log file " + f.logfile);
    }
    PrintingReporter reporter(f.quiet || tar_on_stdout);
    build::BuildResult r = build::build_image(ctx.store(), o, reporter);
    if (!f.iidfile.empty()) write_file_atomic(f.iidfile, "sha256:" + r.image_id, 0644, false);
    if (!tar_on_stdout) std::cout << r.image_id << std::endl;
}

}  // namespace

CLI::App* add_build(CLI::App& parent, Context& ctx, const std::string& name) {
    auto f = std::make_shared<BuildFlags>();
    CLI::App* cmd = parent.add_subcommand(name, "Build an image using instructions from Containerfiles");
    const std::string path = parent.get_parent() ? "pc " + parent.get_name() + " " + name : "pc " + name;
    cmd->footer("Usage: " + path + " [options] [CONTEXT]");
    auto many = [&](const char* names, std::vector<std::string>& v, const char* help) {
        cmd->add_option(names, v, help)->allow_extra_args(false);
    };
    many("-t,--tag", f->tags, "Name of the image (may be given several times)");
    many("-f,--file", f->files, "Containerfile to use (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile; - for stdin)");
    many("--build-arg", f->build_args, "KEY=VALUE (or KEY: from the environment) for ARG instructions");
    many("--build-arg-file", f->build_arg_files, "File of KEY=VALUE lines for ARG instructions");
    many("--label", f->labels, "Set a label on the image (KEY=VALUE)");
    many("--annotation", f->annotations, "Set an annotation on the image's manifest (KEY=VALUE)");
    many("--secret", f->secrets, "Secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR");
    many("-o,--output", f->outputs, "Export the image's files: type=local,dest=DIR | type=tar,dest=FILE | DIR | -");
    many("--build-context", f->contexts, "Named context for COPY --from / RUN --mount from=: NAME=DIR or NAME=docker-image://REF");
    cmd->add_option("--cap-add", f->cap_add, "Add capabilities to RUN steps")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--cap-drop", f->cap_drop, "Drop capabilities from RUN steps")->delimiter(',')->allow_extra_args(false);
    many("-v,--volume", f->volumes, "Bind mount into RUN steps: /HOST-DIR:/CONTAINER-DIR[:ro]");
    many("--ulimit", f->ulimits, "Ulimit for RUN steps (NAME=SOFT[:HARD])");
    many("--add-host", f->add_hosts, "Add a custom host-to-IP mapping (host:ip) for RUN steps");
    many("--dns", f->dns, "DNS server for RUN steps");
    many("--dns-search", f->dns_search, "DNS search domain for RUN steps");
    many("--dns-option", f->dns_options, "DNS option for RUN steps");
    many("--security-opt", f->security_opt, "Security options for RUN steps (seccomp=unconfined, no-new-privileges)");
    cmd->add_option("--target", f->target, "Build this stage (and what it needs) only");
    cmd->add_option("--format", f->format, "Image format: oci (default, or $BUILDAH_FORMAT) or docker");
    cmd->add_flag("--pull{always}", f->pull, "Pull the base images: missing (default), always (also --pull alone), never, newer");
    cmd->add_flag("--pull-always", f->pull_always, "Always pull the base images");
    cmd->add_flag("--pull-never", f->pull_never, "Never pull the base images");
    cmd->add_option("--iidfile", f->iidfile, "Write the image ID to this file");
    cmd->add_option("--network,--net", f->network, "Network for RUN steps: slirp4netns (default), none, host");
    cmd->add_option("--platform", f->platform, "Platform of the image (only the native one: no emulation)");
    cmd->add_option("--ignorefile", f->ignorefile, "Ignore file to use instead of .containerignore / .dockerignore");
    cmd->add_option("--hostname", f->hostname, "Hostname of RUN steps");
    cmd->add_option("--isolation", f->isolation, "Isolation of RUN steps (oci only)");
    cmd->add_option("--timestamp", f->timestamp, "Created time (seconds since the epoch) of the image, its history and layer files");
    cmd->add_option("--source-date-epoch", f->source_date_epoch, "Same as --timestamp (default: $SOURCE_DATE_EPOCH)");
    cmd->add_option("--jobs", f->jobs, "Stages built at once (0: no limit)");
    cmd->add_flag("--no-cache", f->no_cache, "Do not use cached steps");
    cmd->add_option("--cache-ttl", f->cache_ttl, "Use only cached steps made less than this long ago (e.g. 1h; 0: --no-cache)");
    cmd->add_flag("--layers{true}", f->layers, "Keep each step as a cached intermediate image (default true)");
    cmd->add_flag("--squash", f->squash, "Squash the build's new layers into one");
    cmd->add_flag("--squash-all", f->squash_all, "Squash all layers, the base image's too, into one");
    cmd->add_flag("-q,--quiet", f->quiet, "Print only the image ID (and RUN steps' errors)");
    cmd->add_flag("--rm{true}", f->rm, "Remove the steps' containers (always done)");
    cmd->add_flag("--force-rm", f->force_rm, "Remove the steps' containers also on failure (always done)");
    many("--env", f->env, "Set an environment variable in the image (NAME=VALUE, or NAME for the caller's value)");
    many("--unsetenv", f->unsetenv, "Remove an environment variable from the image");
    cmd->add_flag("--omit-history", f->omit_history, "Write no history into the image");
    cmd->add_flag("--identity-label{true}", f->identity_label, "Add the io.buildah.version label (default true)");
    cmd->add_flag("--skip-unused-stages{true}", f->skip_unused_stages,
                  "Skip stages the target does not need (default true)");
    cmd->add_option("--os", f->os, "OS of the image (the native one only)");
    cmd->add_option("--arch", f->arch, "Architecture of the image (the native one only)");
    cmd->add_option("--variant", f->variant, "Architecture variant of the image (the native one only)");
    cmd->add_option("--os-version", f->os_version, "The image config's os.version");
    many("--os-feature", f->os_features, "Add to the image config's os.features");
    cmd->add_flag("--no-hosts", f->no_hosts, "RUN steps see the image's own /etc/hosts, none made");
    cmd->add_flag("--http-proxy{true}", f->http_proxy, "Pass the caller's proxy variables to RUN steps (default true)");
    many("--device", f->devices, "Add a host device (HOST[:CTR[:PERMS]]) or a CDI device to RUN steps");
    cmd->add_option("--shm-size", f->shm_size, "Size of /dev/shm in RUN steps (default 64m)");
    cmd->add_option("--ipc", f->ipc, "IPC namespace of RUN steps: private (default) or host");
    cmd->add_option("--pid", f->pid, "PID namespace of RUN steps: private (default) or host");
    cmd->add_option("--uts", f->uts, "UTS namespace of RUN steps: private (default) or host");
    many("--ssh", f->ssh, "SSH agent socket for RUN --mount=type=ssh: default ($SSH_AUTH_SOCK) or ID=SOCKET");
    cmd->add_flag("--stdin", f->pass_stdin, "Pass the build's standard input to RUN steps");
    cmd->add_option("--logfile", f->logfile, "Write all output, the image ID included, to this file");
    cmd->add_flag("--compress", f->compress, "Accepted for Docker: no daemon, nothing to compress (as Podman)");
    cmd->add_flag("--disable-compression{true}", f->disable_compression,
                  "Layers are kept uncompressed in the store (as Podman's default); push compresses");
    cmd->add_flag("--disable-content-trust", f->disable_content_trust, "Accepted for Docker: no effect (as Podman)");
    cmd->add_option("-m,--memory", f->memory, "Memory limit of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--memory-swap", f->memory_swap, "Memory+swap limit of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--cpu-period", f->cpu_period, "CPU CFS period of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--cpu-quota", f->cpu_quota, "CPU CFS quota of RUN steps (needs cgroups: refused here)");
    cmd->add_option("-c,--cpu-shares", f->cpu_shares, "CPU shares of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--cpuset-cpus", f->cpuset_cpus, "CPUs of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--cpuset-mems", f->cpuset_mems, "Memory nodes of RUN steps (needs cgroups: refused here)");
    cmd->add_option("--cgroup-parent", f->cgroup_parent, "Parent cgroup of RUN steps (needs cgroups: refused here)");
    f->reg.add_to(cmd);
    cmd->add_option("context", f->args, "CONTEXT: a directory, or - for a tar (or a Containerfile) on stdin");
    cmd->callback([&ctx, f] { run_build(ctx, *f); });
    return cmd;
}

void register_build(CLI::App& app, Context& ctx) {
    add_build(app, ctx, "build");
    CLI::App* buildx = app.add_subcommand("buildx", "Docker buildx compatibility (build)");
    buildx->require_subcommand(1);
    add_build(*buildx, ctx, "build");
}

}  // namespace pc::cli
