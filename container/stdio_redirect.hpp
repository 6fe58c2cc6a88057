// Points the caller's stdin/stdout/stderr at other descriptors while a container is
// launched, so that its processes inherit them; restores the caller's on destruction.
// Foreground runs that keep a log pass pipes this way, builds the RUN steps' output fds.
#pragma once

#include "common/fd.hpp"

namespace pc::container {

class StdioRedirect {
public:
    // Each fd < 0 leaves that descriptor alone.
    StdioRedirect(int out, int err, int in = -1);
    StdioRedirect(const StdioRedirect&) = delete;
    StdioRedirect& operator=(const StdioRedirect&) = delete;
    ~StdioRedirect();

private:
    UniqueFd saved_in_, saved_out_, saved_err_;
};

}  // namespace pc::container
