#include "container/mount_options.hpp"

#include <cctype>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "storage/volumes.hpp"

namespace pc::container {

namespace {

bool is_bind_option(const std::string& o) {
    static const char* known[] = {"ro", "rw", "z", "Z", "U", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
                                  "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave", "rslave",
                                  "nocopy", "copy"};
    for (const char* k : known)
        if (o == k) return true;
    return false;
}

void check_destination(const std::string& dst, const std::string& flag_value) {
    if (dst.empty() || dst[0] != '/')
        throw Error("invalid container path \"" + dst + "\", must be an absolute path (in \"" + flag_value + "\")");
}

void apply_options(MountConfig& m, const std::vector<std::string>& opts, const std::string& value) {
    bool seen_rw = false;
    for (const auto& o : opts) {
        if (o.empty()) continue;
        if (m.type == "tmpfs") {
            m.options.push_back(o);
            if (o == "ro") m.readonly = true;
            continue;
        }
        if (!is_bind_option(o))
            throw Error("invalid mount option \"" + o + "\" in \"" + value +
                        "\" (valid: ro, rw, z, Z, U, [no]suid, [no]dev, [no]exec, [r]bind, [r]private, [r]shared, [r]slave, [no]copy)");
        if (o == "ro" || o == "rw") {
            if (seen_rw) throw Error("invalid mount options in \"" + value + "\": rw and ro can only be given once");
            seen_rw = true;
            m.readonly = o == "ro";
        }
        if (o == "nocopy") m.copy_up = false;
        m.options.push_back(o);
    }
}

}  // namespace

MountConfig parse_volume_flag(const std::string& value) {
    auto parts = str::split(value, ':');
    if (value.empty() || parts.size() > 3) throw Error("invalid volume specification \"" + value + "\"");
    MountConfig m;
    if (parts.size() == 1) {
        // Only a destination: an anonymous volume.
        m.type = "volume";
        m.anonymous = true;
        m.destination = parts[0];
        check_destination(m.destination, value);
        return m;
    }
    const std::string& src = parts[0];
    m.destination = parts[1];
    check_destination(m.destination, value);
    if (src.empty()) throw Error("invalid volume specification \"" + value + "\": empty source");
    if (src[0] == '/') {
        m.type = "bind";
        m.source = src;
    } else if (src[0] == '.' || src.find('/') != std::string::npos) {
        throw Error("invalid volume source \"" + src + "\" in \"" + value +
                    "\": a bind mount source must be an absolute path (relative paths are refused; use \"$PWD/" + src + "\")");
    } else {
        if (!storage::valid_volume_name(src))
            throw Error("invalid volume name \"" + src + "\" in \"" + value + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        m.type = "volume";
        m.source = src;
    }
    if (parts.size() == 3) apply_options(m, str::split(parts[2], ','), value);
    return m;
}

MountConfig parse_tmpfs_flag(const std::string& value) {
    auto [dst, opts] = str::split_once(value, ':');
    MountConfig m;
    m.type = "tmpfs";
    m.destination = dst;
    check_destination(dst, value);
    if (opts) apply_options(m, str::split(*opts, ','), value);
    return m;
}

MountConfig parse_mount_flag(const std::string& value) {
    MountConfig m;
    std::vector<std::string> opts;
    for (const auto& field : str::split(value, ',')) {
        if (field.empty()) continue;
        const auto kv = str::split_once(field, '=');  // no binding: the lambda captures it (clang 14)
        const std::optional<std::string>& v = kv.second;
        std::string key = str::to_lower(kv.first);
        auto need = [&]() -> const std::string& {
            if (!v || v->empty()) throw Error("invalid --mount \"" + value + "\": " + key + " needs a value");
            return *v;
        };
        if (key == "type") {
            m.type = need();
            if (m.type != "bind" && m.type != "tmpfs" && m.type != "volume")
                throw Error("invalid --mount \"" + value + "\": unsupported type \"" + m.type + "\" (valid: bind, volume, tmpfs)");
        } else if (key == "source" || key == "src") {
            m.source = need();
        } else if (key == "target" || key == "destination" || key == "dst") {
            m.destination = need();
        } else if (key == "readonly" || key == "ro") {
            std::string b = v ? str::to_lower(*v) : "true";
            if (b != "true" && b != "false" && b != "1" && b != "0")
                throw Error("invalid --mount \"" + value + "\": readonly must be true or false");
            m.readonly = b == "true" || b == "1";
        } else if (key == "rw") {
            std::string b = v ? str::to_lower(*v) : "true";
            m.readonly = !(b == "true" || b == "1");
        } else if (key == "bind-propagation") {
            opts.push_back(need());
        } else if (key == "bind-nonrecursive") {
            opts.push_back("bind");
        } else if (key == "tmpfs-size") {
            opts.push_back("size=" + need());
        } else if (key == "tmpfs-mode") {
            opts.push_back("mode=" + need());
        } else if (key == "relabel" || key == "consistency") {
            // SELinux relabeling / macOS consistency: meaningless here, accepted like Podman.
        } else if (key == "volume-nocopy") {
            m.copy_up = false;
        } else if (key == "nosuid" || key == "nodev" || key == "noexec" || key == "suid" || key == "dev" || key == "exec") {
            opts.push_back(key);
        } else {
            throw Error("invalid --mount \"" + value + "\": unknown option \"" + key + "\"");
        }
    }
    if (m.type.empty()) throw Error("invalid --mount \"" + value + "\": type is required (bind, volume or tmpfs)");
    if (m.destination.empty()) throw Error("invalid --mount \"" + value + "\": target is required");
    check_destination(m.destination, value);
    if (m.type == "bind") {
        if (m.source.empty()) throw Error("invalid --mount \"" + value + "\": source is required for a bind mount");
        if (m.source[0] != '/')
            throw Error("invalid --mount \"" + value + "\": bind source \"" + m.source + "\" must be an absolute path");
    } else if (m.type == "volume" && !m.source.empty() && !storage::valid_volume_name(m.source)) {
        throw Error("invalid --mount \"" + value + "\": invalid volume name \"" + m.source + "\"");
    }
    if (m.readonly) m.options.push_back("ro");
    for (const auto& o : opts) m.options.push_back(o);
    return m;
}

}  // namespace pc::container
