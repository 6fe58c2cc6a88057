#include "imagebuild/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/strings.hpp"
#include "common/user_paths.hpp"
#include "image/staging.hpp"
#include "imagebuild/context.hpp"

namespace pc::build {

OutputSpec parse_output_spec(const std::string& text) {
    OutputSpec o;
    if (text == "-") return {"tar", "-"};
    if (text.find('=') == std::string::npos) return {"local", text};
    for (const auto& part : str::split(text, ',')) {
        auto [k, v] = str::split_once(str::trim(part), '=');
        if (!v) throw Error("invalid --output \"" + text + "\": \"" + part + "\" is not KEY=VALUE");
        if (k == "type") o.type = *v;
        else if (k == "dest") o.dest = *v;
        else throw Error("invalid --output \"" + text + "\": unknown key \"" + k + "\" (valid: type, dest)");
    }
    if (o.type.empty()) throw Error("invalid --output \"" + text + "\": type= is required (local or tar)");
    if (o.type != "local" && o.type != "tar") throw Error("invalid --output \"" + text + "\": type must be local or tar");
    if (o.dest.empty()) throw Error("invalid --output \"" + text + "\": dest= is required");
    if (o.type == "local" && o.dest == "-") throw Error("invalid --output \"" + text + "\": a local output needs a directory");
    return o;
}

void export_output(storage::Store& store, const std::vector<std::string>& layers, const OutputSpec& out,
                   const BuildOptions& options) {
    std::vector<std::string> dirs;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) dirs.push_back(store.layer_diff_dir(*it));
    if (dirs.empty()) dirs.push_back(store.empty_layer_dir());
    if (out.type == "tar") {
        if (out.dest == "-") {
            store.write_tree_tar(dirs, options.output_fd, true, options.timestamp);
            return;
        }
        const std::string tmp = out.dest + ".tmp-" + std::to_string(::getpid());
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) throw Error::sys("--output: creating " + out.dest);
        try {
            store.write_tree_tar(dirs, fd.get(), true, options.timestamp);
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
        fd.reset();
        if (::rename(tmp.c_str(), out.dest.c_str()) < 0) throw Error::sys("--output: writing " + out.dest);
        return;
    }
    // A directory: the tar is staged, then unpacked as the caller (no subuid owners).
    image::StagingDir staging(store);
    const std::string path = staging.new_file("rootfs.tar");
    {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw Error::sys("creating " + path);
        store.write_tree_tar(dirs, fd.get(), true, options.timestamp);
    }
    ensure_dir(out.dest, 0755);
    UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw Error::sys("opening " + path);
    extract_tar_as_caller(in.get(), out.dest, "--output " + out.dest);
}

}  // namespace pc::build
