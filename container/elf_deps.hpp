// What the dynamic loader reads of a shared library or program to find its dependencies:
// its ELF class and machine (a dependency must match both) and its DT_NEEDED, DT_RUNPATH
// and DT_RPATH entries. Read from the program headers and the dynamic segment only, so a
// library's closure is found without running ldd (which runs the loader on each file:
// ~25 ms a library, seconds for an MPI's plugins).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pc::container {

struct ElfDeps {
    int elf_class = 0;  // ELFCLASS32 or ELFCLASS64
    int machine = 0;    // e_machine
    std::vector<std::string> needed;
    std::vector<std::string> runpath;  // DT_RUNPATH, else DT_RPATH, split at ':' ($ORIGIN kept)
};

// nullopt when `path` is not a readable ELF file; a static one has no `needed`.
std::optional<ElfDeps> read_elf_deps(const std::string& path);

}  // namespace pc::container
