// Progress of long transfers (pull, push, load, save). image/ never prints: it reports to
// this interface, which cli/ renders on a terminal or ignores (piped output, -q).
#pragma once

#include <cstdint>
#include <string>

namespace pc::image {

class Progress {
public:
    virtual ~Progress() = default;
    // A line of status ("Copying blob sha256:..." / "Writing manifest to image destination").
    virtual void message(const std::string&) {}
    // Byte progress of one item (a blob, identified by its digest); total 0 = unknown.
    virtual void start(const std::string& /*id*/, uint64_t /*total*/) {}
    virtual void advance(const std::string& /*id*/, uint64_t /*done*/) {}
    virtual void finish(const std::string& /*id*/, const std::string& /*status*/) {}
};

// Reports nothing.
inline Progress& no_progress() {
    static Progress p;
    return p;
}

}  // namespace pc::image
