// pc compose config: parse, resolve and render the compose files in canonical form, as
// `docker compose config` does (same flags, same output), and its listing modes
// (--services, --volumes, --networks, --models, --profiles, --images, --hash, --variables,
// --environment).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <iostream>
#include <set>

#include "cli/compose_commands.hpp"
#include "cli/compose_image_digests.hpp"
#include "cli/table_writer.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "compose/emit.hpp"
#include "compose/hash.hpp"
#include "compose/interpolation.hpp"
#include "compose/out_tree.hpp"
#include "compose/project_ops.hpp"

namespace pc::cli {

namespace {

struct ConfigFlags {
    std::string format;
    std::string output;
    bool quiet = false;
    bool resolve_image_digests = false;
    bool no_interpolate = false;
    bool no_normalize = false;
    bool no_path_resolution = false;
    bool no_consistency = false;
    bool no_env_resolution = false;
    bool services = false;
    bool volumes = false;
    bool networks = false;
    bool models = false;
    bool profiles = false;
    bool images = false;
    std::string hash;
    bool variables = false;
    bool environment = false;
    std::vector<std::string> service_args;
};

constexpr int kExitConfig = 1;

// Writes what a listing mode prints (unless --quiet).
void emit(const ConfigFlags& f, const std::string& text) {
    if (!f.quiet) std::cout << text;
}

compose::LoadOptions options_for(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = flags.load_options();
    o.interpolate = !f.no_interpolate;
    o.normalize = !f.no_normalize && !flags.compatibility;
    o.resolve_paths = !f.no_path_resolution;
    o.consistency = !f.no_consistency;
    o.resolve_environment = !f.no_env_resolution;
    return o;
}

// The project name + "-" + service for services that build their image (Docker Compose's
// default image name; "_" with --compatibility).
std::string image_name(const compose::Service& s, const std::string& project, bool compatibility) {
    if (!s.image.empty()) return s.image;
    return project + (compatibility ? "_" : "-") + s.name;
}

void run_services(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    std::string out;
    if (f.no_interpolate) {
        compose::LoadedModel lm = compose::load_model(o);
        std::vector<std::string> names;
        if (const compose::Node* s = lm.model.find("services"); s && s->is_map())
            for (const auto& e : s->entries()) names.push_back(e.key);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) out += n + "\n";
        emit(f, out);
        return;
    }
    o.resolve_environment = false;
    compose::Project p = compose::load_project(o);
    // Dependencies before the services that need them, as Docker Compose lists them.
    for (const auto& name : compose::services_in_dependency_order(p)) out += name + "\n";
    emit(f, out);
}

template <typename Map>
void run_names(const ComposeFlags& flags, const ConfigFlags& f, Map compose::Project::*member) {
    compose::LoadOptions o = options_for(flags, f);
    o.resolve_environment = false;
    compose::Project p = compose::load_project(o);
    std::string out;
    for (const auto& [name, _] : p.*member) out += name + "\n";
    emit(f, out);
}

void run_models(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    o.resolve_environment = false;
    compose::Project p = compose::load_project(o);
    std::string out;
    for (const auto& [_, m] : p.models)
        if (!m.model.empty()) out += m.model + "\n";
    emit(f, out);
}

void run_profiles(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    o.services = f.service_args;
    compose::Project p = compose::load_project(o);
    std::set<std::string> profiles;
    for (const auto* services : {&p.services, &p.disabled_services})
        for (const auto& [_, s] : *services) profiles.insert(s.profiles.begin(), s.profiles.end());
    std::string out;
    for (const auto& pr : profiles) out += pr + "\n";
    emit(f, out);
}

void run_images(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    o.services = f.service_args;
    compose::Project p = compose::load_project(o);
    std::string out;
    for (const auto& [_, s] : p.services) {
        std::string image = image_name(s, p.name, flags.compatibility);
        out += image + "\n";
        for (const auto& h : s.pre_start)
            if (!h.image.empty() && h.image != image) out += h.image + "\n";
    }
    emit(f, out);
}

void run_hash(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    o.resolve_environment = false;
    compose::Project p = compose::load_project(o);
    std::vector<std::string> names;
    if (f.hash != "*")
        for (const auto& n : str::split(f.hash, ','))
            if (!n.empty()) names.push_back(n);
    compose::select_services(p, names, false);
    // As containers are created: DOCKER_DEFAULT_PLATFORM for services that build, and
    // env_file contents merged into environment.
    if (auto it = p.environment.find("DOCKER_DEFAULT_PLATFORM"); it != p.environment.end() && !it->second.empty())
        for (auto& [_, s] : p.services)
            if (s.build && s.platform.empty()) s.platform = it->second;
    if (!f.no_env_resolution) compose::resolve_service_environment(p, true);
    std::string out;
    for (const auto& [name, s] : p.services) out += name + " " + compose::service_config_hash(s) + "\n";
    emit(f, out);
}

void run_variables(const ComposeFlags& flags, const ConfigFlags& f) {
    if (!f.service_args.empty())
        log::warn("service filtering is not applied when --variables is set, variables from the full model will be rendered");
    compose::LoadOptions o = options_for(flags, f);
    o.interpolate = false;
    o.validate = false;
    compose::LoadedModel lm = compose::load_model(o);
    auto vars = compose::extract_variables(lm.model);
    if (f.format == "json" || f.format == "yaml") {
        compose::Out root = compose::Out::map(true);
        for (const auto& [name, v] : vars) {
            compose::Out row = compose::Out::map(false);
            bool json = f.format == "json";
            row.add(json ? "Name" : "name", compose::Out::string(v.name));
            row.add(json ? "DefaultValue" : "defaultvalue", compose::Out::string(v.default_value));
            row.add(json ? "PresenceValue" : "presencevalue", compose::Out::string(v.presence_value));
            row.add(json ? "Required" : "required", compose::Out::boolean(v.required));
            root.add(name, std::move(row));
        }
        emit(f, f.format == "json" ? compose::write_json(root, true) + "\n" : compose::write_yaml(root));
        return;
    }
    if (!f.format.empty() && f.format != "table" && f.format != "pretty")
        throw Error("format value \"" + f.format + "\" could not be parsed: parsing failed", kExitConfig);
    std::string text = "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE\n";
    for (const auto& [name, v] : vars)
        text += name + "\t" + (v.required ? "true" : "false") + "\t" + v.default_value + "\t" + v.presence_value + "\n";
    emit(f, tabwriter_layout(text, 20, 3));
}

void run_environment(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::LoadOptions o = options_for(flags, f);
    o.services = f.service_args;
    compose::Project p = compose::load_project(o);
    std::vector<std::string> lines;
    for (const auto& [k, v] : p.environment) lines.push_back(k + "=" + v);
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    emit(f, out);
}

// The raw model of --no-interpolate: Go maps all the way down, so every key sorted.
compose::Out model_out(const compose::Node& n) {
    using compose::Out;
    switch (n.kind()) {
    case compose::Node::Kind::Null: return Out::null();
    case compose::Node::Kind::Bool: return Out::boolean(n.as_bool());
    case compose::Node::Kind::Int: return Out::integer(n.as_int());
    case compose::Node::Kind::Float: return Out::floating(n.as_float(), 64);
    case compose::Node::Kind::String: return Out::string(n.as_string());
    case compose::Node::Kind::Seq: {
        Out s = Out::seq();
        for (const auto& i : n.items()) s.items.push_back(model_out(i));
        return s;
    }
    case compose::Node::Kind::Map: {
        Out m = Out::map(true);
        for (const auto& e : n.entries()) m.add(e.key, model_out(e.value));
        return m;
    }
    }
    return Out::null();
}

std::string render_config(const ComposeFlags& flags, const ConfigFlags& f) {
    compose::OutputFormat format = f.format == "json" ? compose::OutputFormat::Json : compose::OutputFormat::Yaml;
    compose::LoadOptions o = options_for(flags, f);
    if (f.no_interpolate) {
        if (!f.service_args.empty())
            log::warn("service filtering is not applied when --no-interpolate is set, the full model will be rendered");
        compose::LoadedModel lm = compose::load_model(o);
        if (f.resolve_image_digests) resolve_model_image_digests(lm.model);
        compose::Out root = model_out(lm.model);
        return format == compose::OutputFormat::Json ? compose::write_json(root, true) : compose::write_yaml(root);
    }
    o.services = f.service_args;
    compose::Project p = compose::load_project(o);
    if (f.resolve_image_digests) resolve_project_image_digests(p);
    return compose::escape_dollars(compose::render_project(p, format));
}

void write_output(const std::string& path, const std::string& content) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!fd) throw Error::sys("open " + path, errno);
    if (!write_all(fd.get(), content.data(), content.size())) throw Error::sys("write " + path, errno);
}

void run(const ComposeFlags& flags, const ConfigFlags& f) {
    if (f.services) return run_services(flags, f);
    if (f.volumes) return run_names(flags, f, &compose::Project::volumes);
    if (f.networks) return run_names(flags, f, &compose::Project::networks);
    if (f.models) return run_models(flags, f);
    if (!f.hash.empty()) return run_hash(flags, f);
    if (f.profiles) return run_profiles(flags, f);
    if (f.images) return run_images(flags, f);
    if (f.variables) return run_variables(flags, f);
    if (f.environment) return run_environment(flags, f);
    if (!f.format.empty() && f.format != "yaml" && f.format != "json")
        throw Error("unsupported format \"" + f.format + "\" (valid: yaml, json)", kExitConfig);
    std::string content = render_config(flags, f);
    if (f.quiet) return;
    if (!f.output.empty()) {
        if (!content.empty()) write_output(f.output, content);
        return;
    }
    std::cout << content;
}

}  // namespace

void add_compose_config(CLI::App& compose, Context& /*ctx*/, const std::shared_ptr<ComposeFlags>& flags) {
    auto f = std::make_shared<ConfigFlags>();
    CLI::App* cmd = compose.add_subcommand("config", "Parse, resolve and render compose file in canonical format");
    cmd->add_option("--format", f->format, "Format the output. Values: [yaml | json]");
    cmd->add_flag("--resolve-image-digests", f->resolve_image_digests,
                  "Pin image tags to digests (asks each image's registry)");
    cmd->add_flag("-q,--quiet", f->quiet, "Only validate the configuration, don't print anything");
    cmd->add_flag("--no-interpolate", f->no_interpolate, "Don't interpolate environment variables");
    cmd->add_flag("--no-normalize", f->no_normalize, "Don't normalize compose model");
    cmd->add_flag("--no-path-resolution", f->no_path_resolution, "Don't resolve file paths");
    cmd->add_flag("--no-consistency", f->no_consistency,
                  "Don't check model consistency - warning: may produce invalid Compose output");
    cmd->add_flag("--no-env-resolution", f->no_env_resolution, "Don't resolve service env files");
    cmd->add_flag("--services", f->services, "Print the service names, one per line.");
    cmd->add_flag("--volumes", f->volumes, "Print the volume names, one per line.");
    cmd->add_flag("--networks", f->networks, "Print the network names, one per line.");
    cmd->add_flag("--models", f->models, "Print the model names, one per line.");
    cmd->add_flag("--profiles", f->profiles, "Print the profile names, one per line.");
    cmd->add_flag("--images", f->images, "Print the image names, one per line.");
    cmd->add_option("--hash", f->hash, "Print the service config hash, one per line.");
    cmd->add_flag("--variables", f->variables, "Print model variables and default values.");
    cmd->add_flag("--environment", f->environment, "Print environment used for interpolation.");
    cmd->add_option("-o,--output", f->output, "Save to file (default to stdout)");
    cmd->add_option("service", f->service_args, "Services to render (with their dependencies)");
    cmd->callback([flags, f] { run(*flags, *f); });
}

}  // namespace pc::cli
