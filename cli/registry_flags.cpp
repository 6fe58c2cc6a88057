#include "cli/registry_flags.hpp"

#include "common/strings.hpp"

namespace pc::cli {

void RegistryFlags::add_to(CLI::App* cmd) {
    cmd->add_flag("--tls-verify{true}", tls_verify, "Require HTTPS and verify certificates when contacting registries");
    cmd->add_option("--cert-dir", cert_dir, "Use certificates at the specified path to access the registry");
    cmd->add_option("--authfile", authfile, "Path of the authentication file");
    cmd->add_option("--creds", creds, "Use [username[:password]] for accessing the registry");
}

image::RegistryOptions RegistryFlags::options() const {
    image::RegistryOptions o;
    o.tls.verify = tls_verify;
    o.tls.cert_dir = cert_dir;
    o.authfile = authfile;
    if (!creds.empty()) {
        auto [u, p] = str::split_once(creds, ':');
        o.creds = image::Credentials{u, p.value_or(""), ""};
    }
    return o;
}

}  // namespace pc::cli
