#include "container/cp_plan.hpp"

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::container {

namespace {

// Drops trailing slashes (but keeps "/").
std::string strip_slashes(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

}  // namespace

std::pair<std::string, std::string> split_parent(const std::string& path) {
    std::string p = strip_slashes(path);
    if (p == "/") return {"/", "."};
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return {".", p};
    return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
}

SourceName source_name(const std::string& src) {
    SourceName s;
    s.follow = str::ends_with(src, "/") || str::ends_with(src, "/.") || src == ".";
    if (str::ends_with(src, "/.") || src == ".") {
        s.contents_only = true;
        s.top = ".";
        return s;
    }
    s.top = split_parent(src).second;
    if (s.top == "." || s.top == "..") {
        // "/" or a path ending in "..": the directory's contents (there is no name to use).
        s.contents_only = true;
        s.top = ".";
    }
    return s;
}

std::string copy_target(const std::string& dest, NodeType dest_type, bool src_is_dir, bool contents_only,
                        const std::string& top) {
    const bool wants_dir = str::ends_with(dest, "/") || str::ends_with(dest, "/.");
    const std::string clean = strip_slashes(dest);
    auto join = [&](const std::string& name) { return clean == "/" ? "/" + name : clean + "/" + name; };
    switch (dest_type) {
        case NodeType::Missing:
            if (!src_is_dir && wants_dir)
                throw Error("\"" + dest + "\" could not be found: no such directory (a trailing '/' names a directory that must exist)");
            return clean;
        case NodeType::Directory:
            if (src_is_dir && contents_only) return clean;
            return join(top);
        case NodeType::Other:
            if (src_is_dir) throw Error("cannot copy a directory to a non-directory: \"" + dest + "\" is a file");
            if (wants_dir) throw Error("\"" + dest + "\" is not a directory");
            return clean;
    }
    return clean;
}

}  // namespace pc::container
