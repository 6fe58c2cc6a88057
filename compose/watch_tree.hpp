// Recursive file watching with inotify, for `compose watch`: every directory below a
// watched path gets a watch of its own, and directories that appear are added (and what
// they already hold reported) as they come. A watched path that is a file, or that does
// not exist yet, is watched through its nearest existing ancestor, so that an editor's
// replace-by-rename and a later mkdir are both seen.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pc::compose {

class TreeWatcher {
public:
    using Report = std::function<void(const std::string& path)>;
    // `skip_dir(dir)`: a directory not to look into (everything in it is ignored).
    explicit TreeWatcher(std::function<bool(const std::string& dir)> skip_dir);

    int fd() const { return fd_.get(); }
    // Watches `path` (absolute, symlinks resolved) from now on; `existing` gets what is
    // there already (initial syncs). Throws pc::Error when the user's inotify watch limit
    // is reached.
    void add(const std::string& path, const Report& existing = {});
    // Reads the pending events: `changed` gets each path created, written, changed or
    // removed (a new directory: it and everything in it). False when the kernel's queue
    // overflowed: events were lost (rescan() reports everything again).
    bool read(const Report& changed);
    void rescan(const Report& changed);

private:
    struct Dir {
        std::string path;
        bool recursive = false;  // else only a way to the paths in roots_ below it
    };
    void attach(const std::string& root, const Report* report);
    void add_tree(const std::string& dir, const Report* report);
    int add_watch(const std::string& dir, bool recursive);
    void drop_below(const std::string& dir);

    UniqueFd fd_;
    std::function<bool(const std::string&)> skip_dir_;
    std::vector<std::string> roots_;
    std::map<int, Dir> dirs_;
};

}  // namespace pc::compose
