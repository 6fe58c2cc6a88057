#include "cli/app.hpp"

int main(int argc, char** argv) { return pc::cli::main(argc, argv); }
