// `pc cp` arguments: which side is a container ("CONTAINER:PATH"), Docker's rule: an
// argument is local when it is "-", absolute, or has a '/' before its first ':'
// ("./a:b" is a local file); otherwise "NAME:PATH" names a container path.
#pragma once

#include <optional>
#include <string>

namespace pc::cli {

struct CpLocation {
    std::optional<std::string> container;  // set for CONTAINER:PATH
    std::string path;                      // "-" for a tar stream on stdin/stdout
};

CpLocation parse_cp_location(const std::string& arg);

struct CpArgs {
    CpLocation src, dest;
    bool to_container() const { return dest.container.has_value(); }
};
// Exactly one side must be a container; "-" only on the local side; container paths are
// made absolute ("c:etc" -> "/etc"), an empty one means "/". Throws pc::Error (125).
CpArgs parse_cp_args(const std::string& src, const std::string& dest);

}  // namespace pc::cli
