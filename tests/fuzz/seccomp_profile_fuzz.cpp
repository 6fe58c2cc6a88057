// Seccomp profiles (rootless/seccomp): --security-opt seccomp=FILE is a JSON document from
// anywhere. A profile is refused with pc::Error naming it, or it compiles (libseccomp, in
// this process, nothing loaded) into a program the kernel would take.
#include <linux/filter.h>

#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "rootless/seccomp.hpp"
#include "rootless/seccomp_bpf.hpp"
#include "rootless/seccomp_profile.hpp"

using namespace pc::rootless;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    SeccompProfile profile;
    try {
        profile = parse_seccomp_profile(std::string(pcfuzz::as_text(data, size)), "fuzz.json");
    } catch (const pc::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz.json") != std::string::npos);
        return 0;
    }
    const seccomp::Profile parsed = seccomp::parse_profile(profile.doc(), profile.origin);
    // The docker default set, and none (a non-root payload's effective set).
    for (const std::vector<int>& caps : {std::vector<int>{0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31}, std::vector<int>{}}) {
        const seccomp::Environment env = seccomp::host_environment(caps);
        for (const auto& rule : parsed.rules)
            for (const auto& name : rule.names) (void)seccomp::unconditional_outcome(parsed, name, env);
        (void)seccomp::unconditional_outcome(parsed, "mount", env);
        try {
            SeccompProgram prog = build_seccomp_program(profile, caps);
            FUZZ_CHECK(!prog.insns.empty() && prog.insns.size() <= BPF_MAXINSNS);
        } catch (const pc::Error& e) {
            FUZZ_CHECK(std::string(e.what()).find("fuzz.json") != std::string::npos);
        }
    }
    return 0;
}
