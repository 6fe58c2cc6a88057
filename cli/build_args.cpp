#include "cli/build_args.hpp"

#include <cstdlib>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::cli {

void add_build_arg(build::BuildOptions& o, const std::string& spec) {
    auto [k, v] = str::split_once(spec, '=');
    if (k.empty()) throw Error("invalid --build-arg \"" + spec + "\": expected KEY=VALUE or KEY");
    if (v) {
        o.build_args.emplace_back(k, *v);
    } else if (const char* env = std::getenv(k.c_str())) {
        o.build_args.emplace_back(k, env);
    }
}

}  // namespace pc::cli
