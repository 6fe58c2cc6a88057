#include "cli/cp_args.hpp"

#include "common/error.hpp"

namespace pc::cli {

CpLocation parse_cp_location(const std::string& arg) {
    if (arg == "-" || arg.empty() || arg[0] == '/' || arg[0] == '.') return {std::nullopt, arg};
    const auto colon = arg.find(':');
    if (colon == std::string::npos) return {std::nullopt, arg};
    const auto slash = arg.find('/');
    if (slash != std::string::npos && slash < colon) return {std::nullopt, arg};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

CpArgs parse_cp_args(const std::string& src, const std::string& dest) {
    CpArgs a{parse_cp_location(src), parse_cp_location(dest)};
    if (a.src.container && a.dest.container)
        throw Error("copying between containers is not supported: one of \"" + src + "\" and \"" + dest + "\" must be a local path");
    if (!a.src.container && !a.dest.container)
        throw Error("invalid arguments \"" + src + "\", \"" + dest + "\": one of them must be CONTAINER:PATH");
    for (CpLocation* l : {&a.src, &a.dest}) {
        if (!l->container) continue;
        if (l->container->empty()) throw Error("invalid container path \"" + (l == &a.src ? src : dest) + "\": no container name");
        if (l->path == "-") throw Error("\"-\" can only be used on the local side (a tar stream on stdin or stdout)");
        // Relative (or empty) container paths are relative to its root.
        if (l->path.empty() || l->path[0] != '/') l->path.insert(0, 1, '/');
    }
    if (a.src.path.empty() || a.dest.path.empty()) throw Error("invalid arguments: empty path");
    return a;
}

}  // namespace pc::cli
