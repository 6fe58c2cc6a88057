// Container names: validation and the generator for unnamed containers.
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <string>

#include "container/container_store.hpp"

namespace pc::container {

bool valid_container_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
    }
    return true;
}

namespace {
// Adjectives and the surnames of scientists and engineers, for readable generated names.
constexpr std::array<const char*, 40> kAdjectives{
    "agile",   "bold",    "brave",   "bright",  "calm",    "clever", "cool",    "curious",
    "daring",  "eager",   "elegant", "fair",    "fancy",   "gentle", "happy",   "humble",
    "jolly",   "keen",    "kind",    "lively",  "lucid",   "merry",  "modest",  "nimble",
    "noble",   "patient", "quiet",   "quick",   "serene",  "sharp",  "sleepy",  "steady",
    "sturdy",  "sunny",   "swift",   "tender",  "upbeat",  "vivid",  "witty",   "zen"};
constexpr std::array<const char*, 40> kSurnames{
    "babbage",  "bardeen",  "bohr",     "boole",    "curie",    "darwin",  "dijkstra", "einstein",
    "euler",    "faraday",  "fermi",    "feynman",  "franklin", "galois",  "gauss",    "goodall",
    "hamilton", "hopper",   "hypatia",  "johnson",  "kepler",   "knuth",   "lamarr",   "lovelace",
    "maxwell",  "meitner",  "mendel",   "newton",   "noether",  "pascal",  "planck",   "ritchie",
    "shannon",  "sinoussi", "thompson", "torvalds", "turing",   "volta",   "wiles",    "wozniak"};
}  // namespace

std::string generate_container_name() {
    unsigned int r[2] = {0, 0};
    if (::getrandom(r, sizeof(r), 0) < 0) r[0] = r[1] = static_cast<unsigned>(::getpid());
    return std::string(kAdjectives[r[0] % kAdjectives.size()]) + "_" + kSurnames[r[1] % kSurnames.size()];
}

}  // namespace pc::container
