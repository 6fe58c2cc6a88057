// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"
//   Basic realm="Registry Realm"
// A registry's header is untrusted input: the parser accepts any bytes (tests/fuzz).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pc::image {

struct AuthChallenge {
    std::string scheme;                         // lower case: "bearer", "basic", ...
    std::map<std::string, std::string> params;  // keys lower case; quoted values unescaped
};

// Every challenge of one header value, in order (a header may list several, comma-separated).
// Malformed parts are skipped; parameters before any scheme are dropped.
std::vector<AuthChallenge> parse_auth_challenges(std::string_view header);

}  // namespace pc::image
