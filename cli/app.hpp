// The pc command tree (CLI11) and the process entry point: global flags, every command's
// registration, and the one place where errors become "Error: ..." and an exit code.
#pragma once

namespace pc::cli {

int main(int argc, char** argv);

}  // namespace pc::cli
