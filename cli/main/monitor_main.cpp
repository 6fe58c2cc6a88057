// pc-monitor: the per-container monitor process (see container/monitor.hpp), started by
// `pc run -d` / `pc start` from the directory of the pc binary.
#include <string>
#include <vector>

#include "container/monitor.hpp"

int main(int argc, char** argv) { return pc::container::monitor_main(std::vector<std::string>(argv + 1, argv + argc)); }
