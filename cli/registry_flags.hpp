// The flags every command that talks to a registry shares (pull, push, login, build's
// base image pulls): --tls-verify, --cert-dir, --authfile, --creds.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "image/registry_client.hpp"

namespace pc::cli {

struct RegistryFlags {
    bool tls_verify = true;
    std::string cert_dir, authfile, creds;

    void add_to(CLI::App* cmd);
    image::RegistryOptions options() const;
};

}  // namespace pc::cli
