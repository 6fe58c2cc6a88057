// The flags shared by `pc run` and `pc create`, bound to container::CreateOptions (which
// checks them and builds the container's configuration).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/registry_flags.hpp"
#include "container/create_options.hpp"

namespace pc::cli {

// How `run`/`create` get an image the store lacks (CreateOptions::pull is the policy):
// the registry flags and the platform to pull, as `pc pull` takes them.
struct ImageFlags {
    RegistryFlags registry;
    std::string platform, arch, os, variant;
};

void add_create_flags(CLI::App* cmd, container::CreateOptions& flags, ImageFlags& image);

// The image and command part of the command line: with CLI11's prefix mode every word from
// the image on is left over; an unknown flag before the image must be refused, not taken
// for the image.
std::vector<std::string> image_and_command(const CLI::App* cmd);

// build_container_config with the store and command line of this invocation; with --pod,
// a member of that pod (pod::build_member_config), with --pod new:NAME of a new one.
container::ContainerConfig build_container_config(Context& ctx, const container::CreateOptions& flags,
                                                  const std::vector<std::string>& args);
// The image pulled as --pull says (missing: only when the store lacks it, or has it for
// another platform; always; newer: pulled, the local one kept if the registry cannot be
// reached; never), then the container created (a pod made for it is removed if that fails).
container::Container create_container(Context& ctx, const container::CreateOptions& flags, const ImageFlags& image,
                                      const std::vector<std::string>& args);

}  // namespace pc::cli
