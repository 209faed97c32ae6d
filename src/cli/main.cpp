// The podhop executable: everything lives in the cli library so tests can drive it too.
#include "cli/app.hpp"

int main(int argc, char** argv) { return podhop::cli::run(argc, argv); }
