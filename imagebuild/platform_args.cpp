#include "imagebuild/platform_args.hpp"

#include "common/error.hpp"
#include "image/manifest.hpp"

namespace pc::build {

std::string native_platform() { return image::host_platform().str(); }

const std::map<std::string, std::string>& platform_arg_values() {
    static const std::map<std::string, std::string> values = [] {
        image::Platform p = image::host_platform();
        std::map<std::string, std::string> m;
        for (const char* prefix : {"TARGET", "BUILD"}) {
            const std::string k = prefix;
            m[k + "PLATFORM"] = native_platform();
            m[k + "OS"] = p.os;
            m[k + "ARCH"] = p.architecture;
            m[k + "VARIANT"] = p.variant;
        }
        return m;
    }();
    return values;
}

bool is_proxy_arg(const std::string& name) {
    for (const char* p : kProxyVariables)
        if (name == p) return true;
    return false;
}

void check_native_platform(const std::string& platform, const std::string& what) {
    if (platform.empty()) return;
    image::Platform want = image::parse_platform(platform);
    image::Platform host = image::host_platform();
    if (want.os != host.os || want.architecture != host.architecture ||
        (!want.variant.empty() && want.variant != host.variant))
        throw Error(what + ": platform \"" + platform + "\" is not this machine's (" + native_platform() +
                    "): pc builds for the native platform only (no emulation)");
}

}  // namespace pc::build
