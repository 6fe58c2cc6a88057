// The build args Containerfiles get without a --build-arg: the platform ones, which may be
// declared without a value (BuildKit's and Buildah's automatic ARGs: TARGETPLATFORM,
// TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* forms; pc builds for the machine it
// runs on only, so both describe the host), and the proxy ones.
#pragma once

#include <map>
#include <string>

namespace pc::build {

// "linux/amd64" style.
std::string native_platform();
// TARGETPLATFORM=linux/amd64, TARGETOS=linux, TARGETARCH=amd64, TARGETVARIANT=, BUILD*...
const std::map<std::string, std::string>& platform_arg_values();
// Docker's predefined proxy args, upper and lower case; with --http-proxy also the caller's
// variables of these names.
inline constexpr const char* kProxyVariables[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                                  "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                                  "ALL_PROXY",  "all_proxy"};
// Build args every RUN gets without an ARG line, and that history does not record
// (Docker's predefined proxy args: HTTP_PROXY, https_proxy, NO_PROXY, ...).
bool is_proxy_arg(const std::string& name);

// Checks a --platform / FROM --platform value against the native platform; throws
// pc::Error naming `what` when another platform is asked for.
void check_native_platform(const std::string& platform, const std::string& what);

}  // namespace pc::build
