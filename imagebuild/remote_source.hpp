// ADD https://...: the file is downloaded (libcurl, as image pulls do) into the build's
// staging directory and copied like a context file: mode 0600, its time from the server's
// Last-Modified, named after the URL's last path component; --checksum=sha256:... checked.
#pragma once

#include <string>

#include "imagebuild/copy.hpp"

namespace pc::build {

CopyItem download_source(const std::string& url, const std::string& dir, const std::string& checksum,
                         const std::string& what);

}  // namespace pc::build
