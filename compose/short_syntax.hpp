// Parsers of the Compose short syntaxes that become long syntax in the model, as compose-go
// and its libraries read them: service volumes ("./src:/app:ro,z"), published ports
// ("127.0.0.1:8000-8010:80-90/udp", as Docker's nat.ParsePortSpec), device mappings
// ("/dev/a:/dev/b:rwm"), command strings (split as go-shellwords does).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compose/node.hpp"

namespace pc::compose {

// A short-syntax volume as its long form (type, source, target, read_only, bind, volume),
// paths not resolved yet. Throws std::runtime_error("invalid spec: SPEC: ...").
Node parse_volume_spec(const std::string& spec, const Mark& mark);

// One short-syntax port as its long-syntax entries (a range gives one per port), ordered
// as Docker Compose orders them. Throws std::runtime_error with Docker's message.
std::vector<Node> parse_port_spec(const std::string& spec, const Mark& mark);

// "src[:dst[:perms]]" -> {source, target, permissions}; throws for more than 3 parts.
Node parse_device_spec(const std::string& spec, const Mark& mark);

// go-shellwords (v1.0.12) Parse: the words of a command line, quotes and backslashes as a
// shell reads them. Stops at an unquoted ; & | < > as that library does, reporting the
// ignored rest in `dropped`. Throws std::runtime_error("invalid command line string").
std::vector<std::string> split_command(const std::string& line, std::string* dropped = nullptr);

// path.Clean of Go: lexical clean-up of a slash path ("" stays "").
std::string clean_path(const std::string& path);

// Valid IPv4 or IPv6 address text (net.ParseIP).
bool is_ip_address(const std::string& text);

}  // namespace pc::compose
