// The platform build args every Containerfile may declare without a value (BuildKit's and
// Buildah's automatic ARGs): TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the
// BUILD* forms. pc builds for the machine it runs on only, so both describe the host.
#pragma once

#include <map>
#include <string>

namespace pc::build {

// "linux/amd64" style.
std::string native_platform();
// TARGETPLATFORM=linux/amd64, TARGETOS=linux, TARGETARCH=amd64, TARGETVARIANT=, BUILD*...
const std::map<std::string, std::string>& platform_arg_values();
// Checks a --platform / FROM --platform value against the native platform; throws
// pc::Error naming `what` when another platform is asked for.
void check_native_platform(const std::string& platform, const std::string& what);

}  // namespace pc::build
