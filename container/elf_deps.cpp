#include "container/elf_deps.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cstring>

#include "common/fd.hpp"
#include "common/strings.hpp"

namespace pc::container {

namespace {

bool read_at(int fd, void* buf, size_t n, uint64_t off) {
    return ::pread(fd, buf, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n);
}

// The file offset of virtual address `addr` (DT_STRTAB holds an address), through the
// PT_LOAD segment that maps it.
template <typename Phdr>
std::optional<uint64_t> file_offset(const std::vector<Phdr>& phdrs, uint64_t addr) {
    for (const Phdr& p : phdrs)
        if (p.p_type == PT_LOAD && addr >= p.p_vaddr && addr - p.p_vaddr < p.p_filesz) return addr - p.p_vaddr + p.p_offset;
    return std::nullopt;
}

template <typename Ehdr, typename Phdr, typename Dyn>
std::optional<ElfDeps> read_dynamic(int fd) {
    Ehdr eh{};
    if (!read_at(fd, &eh, sizeof eh, 0) || eh.e_phentsize != sizeof(Phdr) || eh.e_phnum > 4096) return std::nullopt;
    ElfDeps out;
    out.elf_class = eh.e_ident[EI_CLASS];
    out.machine = eh.e_machine;
    std::vector<Phdr> phdrs(eh.e_phnum);
    if (!read_at(fd, phdrs.data(), phdrs.size() * sizeof(Phdr), eh.e_phoff)) return std::nullopt;
    const Phdr* dynamic = nullptr;
    for (const Phdr& p : phdrs)
        if (p.p_type == PT_DYNAMIC) dynamic = &p;
    if (!dynamic) return out;  // static
    // A real dynamic section has tens of entries: a size beyond 1 MiB is a damaged header,
    // not an allocation to attempt.
    if (dynamic->p_filesz > (1u << 20)) return std::nullopt;
    std::vector<Dyn> dyn(dynamic->p_filesz / sizeof(Dyn));
    if (dyn.empty() || !read_at(fd, dyn.data(), dyn.size() * sizeof(Dyn), dynamic->p_offset)) return std::nullopt;
    uint64_t strtab = 0, strsz = 0;
    for (const Dyn& d : dyn) {
        if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
        if (d.d_tag == DT_STRSZ) strsz = d.d_un.d_val;
    }
    auto off = file_offset(phdrs, strtab);
    if (!off || strsz == 0 || strsz > (64u << 20)) return std::nullopt;
    std::string strings(strsz, '\0');
    if (!read_at(fd, strings.data(), strsz, *off)) return std::nullopt;
    auto string_at = [&](uint64_t i) { return i < strsz ? std::string(strings.c_str() + i) : std::string(); };
    std::string runpath, rpath;
    for (const Dyn& d : dyn) {
        if (d.d_tag == DT_NEEDED) out.needed.push_back(string_at(d.d_un.d_val));
        else if (d.d_tag == DT_RUNPATH) runpath = string_at(d.d_un.d_val);
        else if (d.d_tag == DT_RPATH) rpath = string_at(d.d_un.d_val);
    }
    // The loader ignores DT_RPATH when DT_RUNPATH is present.
    for (const auto& dir : str::split(runpath.empty() ? rpath : runpath, ':'))
        if (!dir.empty()) out.runpath.push_back(dir);
    return out;
}

}  // namespace

std::optional<ElfDeps> read_elf_deps(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    unsigned char ident[EI_NIDENT];
    if (!read_at(fd.get(), ident, sizeof ident, 0) || std::memcmp(ident, ELFMAG, SELFMAG) != 0) return std::nullopt;
    // Only this host's byte order: the loader cannot load the other one, and its headers
    // would read as nonsense here.
    const unsigned char native = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;
    if (ident[EI_DATA] != native) return std::nullopt;
    if (ident[EI_CLASS] == ELFCLASS64) return read_dynamic<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(fd.get());
    if (ident[EI_CLASS] == ELFCLASS32) return read_dynamic<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(fd.get());
    return std::nullopt;
}

}  // namespace pc::container
