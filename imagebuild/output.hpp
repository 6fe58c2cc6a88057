// -o / --output: the built image's root file system exported as a directory
// (type=local,dest=DIR, files owned by the caller) or a tar stream (type=tar,dest=FILE or
// "-" for the output fd), as Podman's and BuildKit's exporters do.
#pragma once

#include <string>
#include <vector>

#include "imagebuild/build.hpp"

namespace pc::build {

void export_output(storage::Store& store, const std::vector<std::string>& layers, const OutputSpec& out,
                   const BuildOptions& options);

// Parses "type=local,dest=DIR", "type=tar,dest=FILE", "DIR" or "-" (a tar on stdout).
OutputSpec parse_output_spec(const std::string& text);

}  // namespace pc::build
