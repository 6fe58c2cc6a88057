// ELF dependency reading (container/elf_deps, the MPI preset's closure search): any bytes
// are read or refused (nullopt), never a crash, a hang or an allocation sized by a header
// field; what is read has a class the loader knows and only NUL-free names.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "common/fd.hpp"
#include "container/elf_deps.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // read_elf_deps takes a path (it reads host libraries): the input is a memfd's.
    pc::UniqueFd fd(::memfd_create("elf-deps-fuzz", MFD_CLOEXEC));
    FUZZ_CHECK(fd);
    FUZZ_CHECK(pc::write_all(fd.get(), data, size));
    auto deps = pc::container::read_elf_deps("/proc/self/fd/" + std::to_string(fd.get()));
    if (!deps) return 0;
    FUZZ_CHECK(deps->elf_class == 1 || deps->elf_class == 2);
    for (const auto& n : deps->needed) FUZZ_CHECK(n.find('\0') == std::string::npos);
    for (const auto& d : deps->runpath) FUZZ_CHECK(!d.empty() && d.find(':') == std::string::npos);
    return 0;
}
