// Each command is added by a function that takes its parent and its name, so the same
// command serves both the short form (`pc ps`, `pc rmi`) and Podman's management form
// (`pc container ls`, `pc image rm`).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "container/log_file.hpp"

namespace pc::cli {

CLI::App* add_ps(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_rm(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_container_prune(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_inspect(CLI::App& parent, Context& ctx, const std::string& name, const std::string& kind);
CLI::App* add_images(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_rmi(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_tag(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_import(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_image_prune(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_untag(CLI::App& parent, Context& ctx, const std::string& name);
// `exists`: exit 0 when `found(ctx, NAME)`, else 1, printing nothing (Podman's scripting aid).
CLI::App* add_exists(CLI::App& parent, Context& ctx, const std::string& what,
                     bool (*found)(Context& ctx, const std::string& name));
CLI::App* add_commit(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_export(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_logs(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_exec(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_cp(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_top(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_system_df(CLI::App& parent, Context& ctx);
CLI::App* add_system_reap(CLI::App& parent, Context& ctx);
CLI::App* add_attach(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_stats(CLI::App& parent, Context& ctx, const std::string& name);
CLI::App* add_build(CLI::App& parent, Context& ctx, const std::string& name);
// Prints `warning` and asks "Are you sure you want to continue? [y/N]" (prune without -f);
// anything but y/yes, no input included, declines.
bool confirmed(const std::string& warning);

// Prints the logs of `targets` (`logs`, `pod logs`, `compose logs`), each line after its
// container's prefix: one container after the other, or with `merge` all records in time
// order (followed: as they come, whatever `merge` says).
void print_logs(Context& ctx, const std::vector<container::Container>& targets, const container::LogReadOptions& o,
                bool timestamps, const std::function<std::string(const container::Container&)>& prefix_of,
                bool merge);

}  // namespace pc::cli
