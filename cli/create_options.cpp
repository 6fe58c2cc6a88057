#include "cli/create_options.hpp"

#include "cli/cidfile.hpp"
#include "cli/network_flags.hpp"
#include "cli/progress_view.hpp"
#include "cli/short_name_prompt.hpp"
#include "common/atomic_file.hpp"
#include "common/containers_conf.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "container/control.hpp"
#include "image/pull.hpp"
#include "pod/pod_ops.hpp"

namespace pc::cli {

namespace {

// Each occurrence of a repeatable flag takes exactly one value, so `-e A=1 IMAGE` does not
// swallow the image name.
void one_per_flag(CLI::Option* o) { o->allow_extra_args(false); }

}  // namespace

void add_create_flags(CLI::App* cmd, container::CreateOptions& f, ImageFlags& image) {
    cmd->set_help_flag("--help", "Print usage");
    image.registry.add_to(cmd);
    cmd->add_option("--platform", image.platform, "Platform of the image to pull (OS/ARCH[/VARIANT])");
    cmd->add_option("--arch", image.arch, "Architecture of the image to pull, instead of the machine's");
    cmd->add_option("--os", image.os, "OS of the image to pull, instead of the machine's");
    cmd->add_option("--variant", image.variant, "Architecture variant of the image to pull");
    cmd->add_option("--name", f.name, "Assign a name to the container");
    cmd->add_option("-h,--hostname", f.hostname, "Set the container's hostname");
    cmd->add_option("-w,--workdir", f.workdir, "Working directory inside the container");
    cmd->add_option("-u,--user", f.user, "Username or UID (format: <name|uid>[:<group|gid>])");
    cmd->add_option("--entrypoint", f.entrypoint, "Overwrite the default ENTRYPOINT of the image");
    add_network_flags(cmd, f.net);
    cmd->add_option("--userns", f.userns, "User namespace to use: \"\" (default mapping), host (the same) or keep-id[:uid=N,gid=N,size=N]");
    cmd->add_option("-m,--memory", f.memory, "Memory limit (format: <number>[<unit>], where unit = b, k, m or g)");
    cmd->add_option("--memory-swap", f.memory_swap, "Swap limit equal to memory plus swap");
    cmd->add_option("--pids-limit", f.pids_limit, "Tune container pids limit");
    cmd->add_option("--cpus", f.cpus, "Number of CPUs");
    cmd->add_option("-c,--cpu-shares", f.cpu_shares, "CPU shares (relative weight)");
    cmd->add_option("--cgroups", f.cgroups, "Control container cgroup configuration (enabled, disabled)");
    cmd->add_option("--stop-signal", f.stop_signal, "Signal to stop a container (default SIGTERM)");
    cmd->add_option("--stop-timeout", f.stop_timeout, "Timeout (in seconds) to stop a container");
    cmd->add_option("--pull", f.pull, "Pull image policy (always, missing, never, newer)");
    cmd->add_flag("--rm", f.rm, "Remove container (and pod if created) after exit");
    cmd->add_flag("-i,--interactive", f.interactive, "Make STDIN available to the contained process");
    cmd->add_flag("-t,--tty", f.tty, "Allocate a pseudo-TTY for the container");
    cmd->add_flag("--privileged", f.privileged, "Give extended privileges to the container");
    cmd->add_flag("--read-only", f.read_only, "Make the container's root filesystem read-only");
    cmd->add_option("--read-only-tmpfs", f.read_only_tmpfs, "With --read-only, mount a read-write tmpfs on /run, /tmp and /var/tmp");
    // Unset unless given (containers.conf's init is the default): a flag function runs only
    // for a flag on the command line; "--init=false" gives it a negative count.
    cmd->add_flag_function(
        "--init", [&f](std::int64_t n) { f.init = n > 0; },
        "Run an init inside the container that forwards signals and reaps processes");
    cmd->add_option("--tz", f.tz, "Set timezone in container (local, or an IANA name such as Europe/Berlin)");
    cmd->add_option("--umask", f.umask, "Set umask in container (default 0022)");
    cmd->add_option("--sig-proxy", f.sig_proxy, "Proxy received signals to the process");
    cmd->add_flag("-q,--quiet", f.quiet, "Suppress output information when pulling images");
    cmd->add_option("--detach-keys", f.detach_keys, "Override the key sequence for detaching a container");
    cmd->add_option("--restart", f.restart, "Restart policy: no, on-failure[:max_retries], always, unless-stopped");
    cmd->add_option("--health-cmd", f.health_cmd, "Command to run to check health (a string, or a JSON array)");
    cmd->add_option("--health-interval", f.health_interval, "Time between healthchecks (e.g. 30s; \"disable\" turns the timer off)");
    cmd->add_option("--health-timeout", f.health_timeout, "Maximum time a healthcheck may run (e.g. 30s)");
    cmd->add_option("--health-retries", f.health_retries, "Consecutive failures before the container is unhealthy");
    cmd->add_option("--health-start-period", f.health_start_period, "Time to bootstrap the container before failures count");
    cmd->add_option("--health-start-interval", f.health_start_interval, "Time between healthchecks during the start period (e.g. 1s)");
    cmd->add_option("--health-on-failure", f.health_on_failure, "Action when unhealthy: none, kill, restart, stop");
    cmd->add_flag("--no-healthcheck", f.no_healthcheck, "Disable healthchecks on the container");
    cmd->add_option("--log-driver", f.log_driver, "Logging driver for the container (k8s-file)");
    one_per_flag(cmd->add_option("--log-opt", f.log_opts, "Logging driver options (max-size=SIZE)"));
    one_per_flag(cmd->add_option("-e,--env", f.env, "Set environment variables in container"));
    // Unset unless given, as --init: containers.conf's env_host and http_proxy are the defaults.
    cmd->add_flag_function(
        "--env-host", [&f](std::int64_t n) { f.env_host = n > 0; }, "Use host environment in container");
    cmd->add_flag_function(
        "--http-proxy", [&f](std::int64_t n) { f.http_proxy = n > 0; },
        "Set proxy environment variables in the container based on the host proxy vars (default true)");
    one_per_flag(cmd->add_option("--env-file", f.env_file, "Read in a file of environment variables"));
    one_per_flag(cmd->add_option("-v,--volume", f.volumes, "Bind mount a volume into the container"));
    one_per_flag(cmd->add_option("--mount", f.mounts, "Attach a filesystem mount to the container"));
    one_per_flag(cmd->add_option("--tmpfs", f.tmpfs, "Mount a temporary filesystem (tmpfs) into a container"));
    one_per_flag(cmd->add_option("-l,--label", f.labels, "Set metadata on container"));
    one_per_flag(cmd->add_option("--annotation", f.annotations, "Add annotations to container (key=value)"));
    one_per_flag(cmd->add_option("--cap-add", f.cap_add, "Add capabilities to the container")->delimiter(','));
    one_per_flag(cmd->add_option("--cap-drop", f.cap_drop, "Drop capabilities from the container")->delimiter(','));
    one_per_flag(cmd->add_option("--security-opt", f.security_opt, "Security options"));
    one_per_flag(cmd->add_option("--group-add", f.group_add, "Add additional groups to the primary container process")->delimiter(','));
    one_per_flag(cmd->add_option("--ulimit", f.ulimits, "Ulimit options (NAME=SOFT[:HARD], or host)"));
    cmd->add_option("--ipc", f.ipc, "IPC namespace to use: host, private, shareable, none, container:NAME");
    cmd->add_option("--uts", f.uts, "UTS namespace to use: host, private, container:NAME");
    cmd->add_option("--pid", f.pid, "PID namespace to use: host, private, container:NAME");
    cmd->add_option("--mpi", f.mpi, "MPI preset for ranks of the host's launcher: host (keep-id, host pid/ipc/network, /dev/shm, PMIx, the host's MPI libraries)");
    cmd->add_option("--shm-size", f.shm_size, "Size of /dev/shm (format: <number>[<unit>], where unit = b, k, m or g)");
    one_per_flag(cmd->add_option("--sysctl", f.sysctls, "Sysctl options (NAME=VALUE)"));
    one_per_flag(cmd->add_option("--device", f.device.devices, "Add a host device (HOST[:CTR[:PERMS]]) or a CDI device (vendor.com/class=name)"));
    one_per_flag(cmd->add_option("--device-cgroup-rule", f.device.device_cgroup_rules, "Add a rule to the cgroup allowed devices list (no effect rootless)"));
    one_per_flag(cmd->add_option("--gpus", f.device.gpus, "GPU devices to add (all, N, device=N[,M]): CDI nvidia.com/gpu=..."));
    one_per_flag(cmd->add_option("--label-file", f.label_files, "Read in a line delimited file of labels"));
    one_per_flag(cmd->add_option("--unsetenv", f.unset_env, "Unset a default environment variable (the image's, Podman's, containers.conf's)"));
    cmd->add_flag("--unsetenv-all", f.unset_env_all, "Unset all default environment variables");
    cmd->add_option("--cidfile", f.cidfile, "Write the container ID to the file (which must not exist)");
    cmd->add_flag("--replace", f.replace, "If a container with the same name exists, replace (remove) it");
    // Limits that need a cgroup, refused with the reason as --memory is (check_limits).
    for (const char* name : {"--cpu-period", "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime", "--cpuset-cpus",
                             "--cpuset-mems", "--cgroup-parent", "--blkio-weight", "--blkio-weight-device",
                             "--device-read-bps", "--device-write-bps", "--device-read-iops", "--device-write-iops",
                             "--memory-reservation", "--memory-swappiness"}) {
        const std::string flag = name;
        cmd->add_option_function<std::string>(
               flag, [&f, flag](const std::string&) { f.cgroup_flags.push_back(flag); },
               "Needs a delegated cgroup: refused where pc has none")
            ->allow_extra_args(false);
    }
    cmd->add_flag_function(
        "--oom-kill-disable", [&f](std::int64_t n) { if (n > 0) f.cgroup_flags.push_back("--oom-kill-disable"); },
        "Needs a delegated cgroup: refused where pc has none");
    cmd->add_option("--pod", f.pod, "Run container in an existing pod (NAME or ID), or a new one (new:NAME)");
    cmd->add_option("--pod-id-file", f.pod_id_file, "Read the pod ID from the file");
    cmd->prefix_command();
}

std::vector<std::string> image_and_command(const CLI::App* cmd) {
    std::vector<std::string> rest = cmd->remaining();
    if (!rest.empty() && rest[0].size() > 1 && rest[0][0] == '-')
        usage_error("unknown flag: " + rest[0] + "\nSee 'pc " + cmd->get_name() + " --help'");
    if (rest.empty()) usage_error(cmd->get_name() + " requires at least 1 argument(s), only received 0");
    return rest;
}

container::ContainerConfig build_container_config(Context& ctx, const container::CreateOptions& given,
                                                  const std::vector<std::string>& args) {
    container::CreateOptions flags = given;
    flags.device.cdi_spec_dirs = ctx.globals.cdi_spec_dirs;  // pc --cdi-spec-dir
    std::string pod_ref = flags.pod;
    if (!flags.pod_id_file.empty()) {
        if (!pod_ref.empty()) throw Error("--pod and --pod-id-file cannot be set together");
        pod_ref = str::trim(read_file(flags.pod_id_file));
    }
    if (pod_ref.empty()) return container::build_container_config(ctx.store(), flags, args, ctx.argv);

    pod::PodStore pods(ctx.containers());
    container::CreateOptions options = flags;
    if (!str::starts_with(pod_ref, "new:")) return pod::build_member_config(pods, pods.get(pod_ref), options, args, ctx.argv);

    // --pod new:NAME: the pod is made first, with the container's network options; it goes
    // again if the container cannot be made (and, with --rm, when the container goes).
    const std::string id = str::random_hex_id();
    pod::PodCreateOptions po = pod::options_for_new_pod(pod_ref.substr(4), options);
    pod::PodConfig made = pod::create_pod(pods, po, ctx.argv, flags.rm ? id : "");
    try {
        container::ContainerConfig cfg = pod::build_member_config(pods, made, options, args, ctx.argv);
        cfg.id = id;
        return cfg;
    } catch (...) {
        pod::remove_pod(pods, made, true, 0);
        throw;
    }
}

namespace {

// The platform an image in the store was made for (its config's os/architecture/variant).
std::optional<image::Platform> stored_platform(storage::Store& store, const storage::ImageRecord& img) {
    auto blob = store.get_blob("sha256:" + img.id, storage::Store::BlobRead::Trust);
    if (!blob) return std::nullopt;
    nlohmann::json doc = nlohmann::json::parse(*blob, nullptr, false);
    if (!doc.is_object() || !doc.contains("architecture") || !doc["architecture"].is_string()) return std::nullopt;
    image::Platform p;
    p.architecture = doc["architecture"].get<std::string>();
    p.os = doc.value("os", "linux");
    p.variant = doc.contains("variant") && doc["variant"].is_string() ? doc["variant"].get<std::string>() : "";
    return p;
}

void pull_for_run(Context& ctx, const container::CreateOptions& flags, const ImageFlags& image, const std::string& ref) {
    const std::string& policy = flags.pull;
    if (policy != "missing" && policy != "never" && policy != "always" && policy != "newer")
        throw Error("invalid --pull \"" + policy + "\" (valid: always, missing, never, newer)");
    image::PullOptions o;
    o.registry = image.registry.options();
    const bool platform_asked = !image.platform.empty() || !image.os.empty() || !image.arch.empty() || !image.variant.empty();
    if (!image.platform.empty()) o.platform = image::parse_platform(image.platform);
    if (!image.os.empty()) o.platform.os = image.os;
    if (!image.arch.empty()) o.platform.architecture = image.arch;
    if (!image.variant.empty()) o.platform.variant = image.variant;
    auto local = ctx.store().find_image(ref);
    if (local && platform_asked) {
        // Another platform's image under this name is not the one asked for (Podman pulls).
        auto p = stored_platform(ctx.store(), *local);
        if (p && (p->os != o.platform.os || p->architecture != o.platform.architecture ||
                  (!o.platform.variant.empty() && p->variant != o.platform.variant)))
            local.reset();
    }
    if (policy == "never" || (policy == "missing" && local)) return;
    if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) o.choose_short_name = choose_short_name_interactively;
    try {
        image::pull_image(ctx.store(), ref, o, progress_for(flags.quiet));
    } catch (const Error& e) {
        // newer: a registry that cannot be asked leaves the local image in use.
        if (policy == "newer" && local) {
            log::warn("pulling " + ref + " failed, using the image in the store: " + e.what());
            return;
        }
        throw;
    }
}

// --replace: the container now holding the name goes first, as `rm -f` would take it (its
// stop timeout, then SIGKILL). A pod's infra, or a container others joined, is refused.
void replace_named(Context& ctx, const std::string& name) {
    auto old = ctx.containers().find(name);
    if (!old || old->config.name != name) return;
    if (old->config.infra) throw Error("--replace: " + name + " is the infra container of a pod: remove the pod instead");
    for (auto& other : ctx.containers().list())
        if (other.config.network_mode == "container:" + old->config.id)
            throw Error("--replace: container " + name + " has dependent containers which must be removed before it: " +
                        other.config.id);
    if (old->state.running()) container::stop_container(ctx.containers(), *old, old->config.stop_timeout, true);
    ctx.containers().remove(*old, old->config.auto_remove, true);
}

container::Container create_recorded(Context& ctx, const container::CreateOptions& flags,
                                     const container::ContainerConfig& cfg) {
    try {
        return ctx.containers().create(cfg);
    } catch (...) {
        // A pod made for this container (--pod new:NAME) is not left behind.
        if (str::starts_with(flags.pod, "new:")) {
            pod::PodStore pods(ctx.containers());
            if (auto p = pods.find(cfg.pod)) pod::remove_pod(pods, *p, true, 0);
        }
        throw;
    }
}

}  // namespace

container::Container create_container(Context& ctx, const container::CreateOptions& flags, const ImageFlags& image,
                                      const std::vector<std::string>& args) {
    if (!flags.cidfile.empty()) check_cidfile_absent(flags.cidfile);
    pull_for_run(ctx, flags, image, args.at(0));
    container::ContainerConfig cfg = build_container_config(ctx, flags, args);
    if (flags.replace && !flags.name.empty()) replace_named(ctx, flags.name);
    container::Container made = create_recorded(ctx, flags, cfg);
    if (!flags.cidfile.empty()) {
        try {
            write_cidfile(flags.cidfile, made.config.id);
        } catch (const Error&) {
            ctx.containers().remove(made, true);  // nothing half-made
            throw;
        }
    }
    return made;
}

}  // namespace pc::cli
