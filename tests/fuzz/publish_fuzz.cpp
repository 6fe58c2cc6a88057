// -p/--publish and --expose values (net/port_spec), typed by users and taken from compose
// files: accepted values expand to valid mappings, each of which prints as a -p value that
// parses back to itself; the views of any accepted set work. Input: "VALUE\nFILTER".
#include <string>

#include "common/error.hpp"
#include "fuzz_check.hpp"
#include "net/port_spec.hpp"

using namespace pc::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [value, filter] = pcfuzz::split_first(pcfuzz::as_text(data, size), '\n');
    const std::string spec(value);
    try {
        std::vector<PortMapping> ms = parse_publish(spec);
        FUZZ_CHECK(!ms.empty());
        for (const auto& m : ms) {
            FUZZ_CHECK(m.container_port != 0);
            FUZZ_CHECK(m.protocol == "tcp" || m.protocol == "udp" || m.protocol == "sctp");
            std::vector<PortMapping> again = parse_publish(to_publish_spec(m));
            FUZZ_CHECK(again.size() == 1 && again[0] == m);
        }
        if (ms.size() <= 4096) {
            (void)format_ps_ports(ms);
            (void)format_ps_ports(ms, {"80/tcp"});
            (void)ports_json(ms, {});
            try {
                check_conflicts(ms);
            } catch (const pc::Error&) {
            }
            try {
                (void)format_port_lines(ms, std::string(filter));
            } catch (const pc::Error&) {
            }
        }
    } catch (const pc::Error& e) {
        FUZZ_CHECK(*e.what() != '\0');
    }
    try {
        for (const auto& p : parse_expose(spec)) {
            auto [port, proto] = parse_port_proto(p);
            FUZZ_CHECK(port != 0 && !proto.empty());
        }
    } catch (const pc::Error&) {
    }
    return 0;
}
