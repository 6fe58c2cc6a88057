#include "container/exec_spec.hpp"

#include "common/containers_conf.hpp"

#include "common/strings.hpp"
#include "container/spec_builder.hpp"
#include "rootless/caps.hpp"

namespace pc::container {

std::vector<std::string> merge_env(std::vector<std::string> base, const std::vector<std::string>& overrides) {
    for (const std::string& kv : overrides) {
        const std::string key = str::split_once(kv, '=').first;
        bool replaced = false;
        for (std::string& e : base) {
            if (str::split_once(e, '=').first == key) {
                e = kv;
                replaced = true;
            }
        }
        if (!replaced) base.push_back(kv);
    }
    return base;
}

rootless::ExecProcessSpec exec_process_spec(const ContainerConfig& cfg, const ExecOptions& o, bool single_id_mapping) {
    rootless::ExecProcessSpec s;
    s.args = o.args;
    s.env = merge_env(cfg.env, o.env);
    s.user = o.user.empty() ? cfg.user : o.user;
    // Podman: an exec session as another user does not get the container's --group-add.
    if (o.user.empty()) s.group_add = cfg.group_add;
    s.rlimits = container_rlimits(cfg);
    s.cwd = !o.workdir.empty() ? o.workdir : (cfg.working_dir.empty() ? "/" : cfg.working_dir);
    s.single_id_mapping = single_id_mapping;
    const std::vector<int> container_caps = container_capabilities(cfg);
    // --privileged widens the capability set, but only within the container's user
    // namespace (which is all these capabilities can ever act on); masks and seccomp stay.
    s.capabilities = o.privileged ? rootless::all_capabilities() : container_caps;
    s.added_capabilities = container_added_capabilities(cfg);
    s.no_new_privileges = cfg.no_new_privileges;
    s.seccomp = container_seccomp(cfg);
    s.seccomp_caps = container_caps;
    s.terminal = o.tty;
    s.umask = parse_umask(cfg.umask).value_or(022);
    return s;
}

}  // namespace pc::container
