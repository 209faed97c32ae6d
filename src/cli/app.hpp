#pragma once
// The podhop command line: parses arguments and dispatches to the commands.

#include <iosfwd>

namespace podhop::cli {

/// Runs podhop with the given arguments; returns the exit code.
int run(int argc, char** argv);

}  // namespace podhop::cli
