// Finding CDI devices: the spec files of the CDI spec directories, read when a container
// asks for a CDI device (never otherwise, so no start pays for them).
//
// Directories, lowest priority first: /etc/cdi, /var/run/cdi (the CDI defaults, as Podman);
// `pc --cdi-spec-dir DIR` (repeatable, as Podman's) or PC_CDI_SPEC_DIRS=DIR[:DIR...]
// replace them. A device defined again in a later directory replaces the earlier one. A
// spec file that cannot be read or parsed is skipped, and named in the error when a device
// asked for is not found.
#pragma once

#include <string>
#include <vector>

#include "container/cdi_spec.hpp"

namespace pc::container::cdi {

std::vector<std::string> default_spec_dirs();
// `configured` when not empty, else PC_CDI_SPEC_DIRS, else the defaults.
std::vector<std::string> spec_dirs(const std::vector<std::string>& configured);

// The edits of the named devices ("vendor.com/class=name"), each spec's own edits added
// once, in the order asked. Throws pc::Error "unresolvable CDI devices ..." naming the
// directories and any broken spec file.
ContainerEdits resolve_devices(const std::vector<std::string>& names, const std::vector<std::string>& dirs);

}  // namespace pc::container::cdi
