// The word lexer of Containerfiles: quote removal and $VAR / ${VAR...} substitution as the
// builder (not a shell) performs them for ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL,
// USER, VOLUME, WORKDIR and ARG (Docker's reference, "Environment replacement"):
//
//   'single'  literal                  "double"  $ expanded, \" \$ \\ (escape token) escaped
//   \x        x literally (escape token, `\` or the `escape=` directive's backtick)
//   $v ${v}   value, "" when unset
//   ${v:-w}   w when v is unset or empty     ${v-w}   w when v is unset
//   ${v:+w}   w when v is set and not empty  ${v+w}   w when v is set
//   ${v:?m}   error m when unset or empty    ${v?m}   error m when unset
//   ${v#p} ${v##p} ${v%p} ${v%%p}            shortest/longest glob prefix/suffix removed
//
// RUN, CMD and ENTRYPOINT are left alone: their shell does the expansion.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pc::build {

// Looks a variable up (the stage's ENV wins over its ARGs); nullopt when unset.
using VarLookup = std::function<std::optional<std::string>(const std::string& name)>;

class ShellLex {
public:
    explicit ShellLex(char escape = '\\') : escape_(escape) {}
    char escape() const { return escape_; }

    // One word: expansions done, quotes removed. Throws pc::Error for a malformed
    // expansion ("${", "${v:?message}" with v unset...) or an unterminated quote.
    std::string process_word(std::string_view word, const VarLookup& vars) const;
    // The same, split into words at unquoted blanks, including blanks that an unquoted
    // expansion brought in (as Docker does: EXPOSE $PORTS gives one word per port).
    std::vector<std::string> process_words(std::string_view text, const VarLookup& vars) const;
    // The names looked up since the lexer was made (set or not).
    const std::set<std::string>& referenced() const { return referenced_; }

private:
    struct Scan;
    std::string dollar(Scan& s) const;
    std::string lookup(const std::string& name, const VarLookup& vars, bool* set) const;

    char escape_;
    mutable std::set<std::string> referenced_;
};

// Splits "k=v k2='v 2'" into raw words at unquoted blanks, quotes and escapes kept (for the
// lexer to process each later): ENV, LABEL and ARG arguments.
std::vector<std::string> split_raw_words(std::string_view text, char escape);

// Names referenced as $NAME or ${NAME...} in shell text (single-quoted parts skipped): used
// to find a RUN that uses an ARG declared only later in its stage.
std::set<std::string> referenced_variables(std::string_view text);

// Shell glob (* ? [...]) match of a whole string, as ${v#pattern} and friends use it.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace pc::build
