// A small regular-expression matcher for the `pattern`s of the Compose JSON schema:
// literals, `.`, classes `[a-z0-9_.-]`, `^`, `$`, groups, `|`, `*`, `+`, `?`. It runs as a
// Pike VM (a set of NFA threads per input character), so time is linear in the input and
// nothing recurses per character: std::regex recurses per character and overflows the
// stack on a hostile multi-megabyte key, and these patterns see untrusted text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pc::compose {

class MiniRegex {
public:
    // Throws std::invalid_argument for syntax it does not support.
    explicit MiniRegex(std::string_view pattern);

    // True when the pattern matches somewhere in `text` (JSON Schema `pattern` semantics).
    bool search(std::string_view text) const;

private:
    enum class Op : uint8_t { Char, Any, Class, Split, Jump, Begin, End, Match };
    struct Inst {
        Op op;
        unsigned char c = 0;
        int x = 0, y = 0;   // Split / Jump targets
        int cls = -1;       // index into classes_
    };
    struct Class {
        bool negated = false;
        std::vector<std::pair<unsigned char, unsigned char>> ranges;
        bool contains(unsigned char c) const;
    };

    // Recursive-descent compiler over the (trusted, short) pattern.
    struct Frag;
    Frag parse_alternation(std::string_view p, size_t& i);
    Frag parse_sequence(std::string_view p, size_t& i);
    Frag parse_repeat(std::string_view p, size_t& i);
    Frag parse_atom(std::string_view p, size_t& i);
    int emit(Inst inst);
    void patch(const std::vector<int>& holes, int target);

    std::vector<Inst> prog_;
    std::vector<Class> classes_;
};

}  // namespace pc::compose
