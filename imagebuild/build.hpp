// `pc build`: Containerfiles built into ordinary images of the store (pc run, save and push
// work on them). The library entry point for the CLI (`pc build`, `pc image build`,
// `pc buildx build`) and for compose's `build:` sections:
//
//   pc::build::BuildOptions o;
//   o.context_dir = "./app";                 // compose: build.context
//   o.containerfile = ctx + "/Dockerfile.dev";  // build.dockerfile: absolute (a relative
//                                            // path is looked up from the cwd first)
//   o.containerfile_text = "...";            // build.dockerfile_inline
//   o.build_args = {{"V", "2"}};             // build.args
//   o.target = "test";                       // build.target
//   o.labels = {{"k", "v"}};                 // build.labels
//   o.secrets = {{"tok", "/path/token", ""}};// build.secrets (file or env)
//   o.network = "none";                      // build.network
//   o.additional_contexts = {{"src", "../src"}, {"base", "docker-image://alpine"}};
//   o.tags = {"app:1"};                      // build.tags / the service's image name
//   pc::build::BuildResult r = pc::build::build_image(store, o, reporter);
//
// Progress goes to a BuildReporter (nothing below cli/ prints); RUN steps write their
// output to BuildOptions::stdout_fd / stderr_fd. Errors are pc::Error naming the
// Containerfile and line (or the step); a RUN that fails exits with its own code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/registry_client.hpp"
#include "storage/store.hpp"

namespace pc::build {

struct SecretSource {
    std::string id;
    std::string src;  // a file
    std::string env;  // or an environment variable of the caller
};

// -o / --output: the final stage's root filesystem as a directory or a tar.
struct OutputSpec {
    std::string type;  // "local" or "tar"
    std::string dest;  // directory, file, or "-" (the output fd)
};

struct BuildOptions {
    // --- what to read ------------------------------------------------------------------
    std::string context_dir;            // "" = no context (a Containerfile on stdin)
    std::string containerfile;          // -f; relative to the cwd, then to the context;
                                        // "" = Containerfile, else Dockerfile, in the context
    std::optional<std::string> containerfile_text;  // the file's text (stdin, compose's inline)
    std::string containerfile_name;     // how to name an inline file in messages
    std::string ignore_file;            // --ignorefile; "" = the usual lookup
    // Named contexts for COPY --from / RUN --mount from=: a directory, or
    // "docker-image://REF" / "container-image://REF" for an image.
    std::map<std::string, std::string> additional_contexts;

    // --- what to build -------------------------------------------------------------------
    std::string target;                 // --target: the last stage built
    std::vector<std::string> tags;      // -t (the first names the image in COMMIT)
    std::vector<std::pair<std::string, std::string>> build_args;  // --build-arg, in order
    std::vector<std::pair<std::string, std::string>> labels;      // --label
    std::vector<std::pair<std::string, std::string>> annotations; // --annotation
    std::string format = "oci";         // --format oci | docker
    bool layers = true;                 // --layers: keep every step as a cached image
    bool no_cache = false;              // --no-cache
    std::optional<int64_t> cache_ttl_s; // --cache-ttl: only cache entries younger than this
    bool squash = false;                // --squash: the build's new layers become one
    bool squash_all = false;            // --squash-all: one layer in all
    std::string pull = "missing";       // --pull: missing | always | never | newer
    std::optional<int64_t> timestamp;   // --timestamp / SOURCE_DATE_EPOCH (seconds)
    std::vector<SecretSource> secrets;  // --secret
    std::map<std::string, std::string> ssh_sockets;  // --ssh ID=SOCKET: agent sockets for RUN --mount=type=ssh
    int jobs = 1;                       // --jobs: independent stages at once
    std::vector<OutputSpec> outputs;    // -o
    image::RegistryOptions registry;    // for base images that must be pulled
    std::string platform;               // --platform: only the native one is built
    // --env K=V / --unsetenv K: applied to the config of every image the build commits (each
    // step's, as Podman's builder does: a RUN sees them once an earlier step was committed).
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<std::string> unset_env;
    bool omit_history = false;          // --omit-history: no history in the image config
    bool identity_label = true;         // --identity-label: the io.buildah.version label
    bool skip_unused_stages = true;     // --skip-unused-stages=false: every stage before the target too
    std::string os_version;             // --os-version: the config's "os.version"
    std::vector<std::string> os_features;  // --os-feature: the config's "os.features"

    // --- how RUN steps run ------------------------------------------------------------------
    std::string network;                // --network: "" (slirp4netns), none, host, ...
    std::vector<std::string> cap_add, cap_drop;
    std::vector<std::string> volumes;   // --volume SRC:DST[:OPTS]
    std::vector<std::string> ulimits;   // --ulimit NAME=SOFT[:HARD]
    std::vector<std::string> add_hosts; // --add-host NAME:IP
    std::vector<std::string> dns_servers, dns_search, dns_options;
    std::vector<std::string> security_opt;
    std::string hostname;               // --hostname
    bool no_hosts = false;              // --no-hosts: RUN sees the image's own /etc/hosts
    bool http_proxy = true;             // --http-proxy: the caller's proxy variables in RUN
    std::vector<std::string> devices;   // --device HOST[:CTR[:PERMS]] or a CDI name
    uint64_t shm_size = 0;              // --shm-size in bytes (0: the default 64 MiB)
    std::string ipc_mode, pid_mode, uts_mode;  // --ipc / --pid / --uts: "" (private) or "host"
    bool quiet = false;                 // -q: RUN output to stdout is dropped
    int stdout_fd = 1, stderr_fd = 2;   // RUN output
    int output_fd = 1;                  // the tar of `-o type=tar,dest=-`
    int stdin_fd = -1;                  // RUN's stdin (-1: /dev/null)
};

// Where progress goes. cli/ prints it as Podman does; compose prefixes it per service.
class BuildReporter {
public:
    virtual ~BuildReporter() = default;
    // "STEP 2/6: RUN echo hi", "[1/2] STEP 1/3: FROM busybox AS a"
    virtual void step(const std::string& /*line*/) {}
    // "--> Using cache <id>", "--> 12f1697bb38", "COMMIT app", "[Warning] ..."
    virtual void message(const std::string& /*line*/) {}
    // Problems that do not stop the build ("SHELL is not supported for OCI image format...").
    virtual void warning(const std::string& /*text*/) {}
    // Progress of pulling a base image ("Trying to pull ...", "Copying blob ..."): Podman
    // writes it to stderr.
    virtual void progress(const std::string& /*line*/) {}
};

struct BuildResult {
    std::string image_id;            // hex, no "sha256:"
    std::vector<std::string> names;  // the names the image got (normalized), in -t order
};

BuildResult build_image(storage::Store& store, const BuildOptions& options, BuildReporter& reporter);

}  // namespace pc::build
