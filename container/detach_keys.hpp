// The detach key sequence of `pc attach` (Podman's --detach-keys): parsing as Podman does
// ("ctrl-p,ctrl-q", single characters, "" = never detach) and spotting the sequence in
// the input stream, so that it is not passed on to the container.
#pragma once

#include <string>
#include <string_view>

namespace pc::container {

inline constexpr const char* kDefaultDetachKeys = "ctrl-p,ctrl-q";

// Comma-separated keys: a single character stands for itself, "ctrl-X" (X one of a-z, @,
// [, backslash, ], ^, _) for its control code. Throws pc::Error "invalid detach keys: Unknown character: 'X'".
std::string parse_detach_keys(const std::string& spec);

// Filters typed input: bytes that may start the sequence are held back until it is clear
// whether the sequence follows; bytes that turn out not to belong to it are released.
class DetachKeyMatcher {
public:
    explicit DetachKeyMatcher(std::string keys) : keys_(std::move(keys)) {}
    struct Result {
        std::string forward;    // what goes to the container
        bool detach = false;    // the whole sequence was typed (nothing after it is kept)
    };
    Result feed(std::string_view input);

private:
    std::string keys_;
    size_t matched_ = 0;  // how many bytes of keys_ the held-back input matches
};

}  // namespace pc::container
