#pragma once
// The podhop command line: parses arguments and dispatches to the commands.
//
// `podhop [global options] COMMAND [command options]`; the global options (-f, --seed,
// --log-level, --quiet, --trace-file) may also follow the command, as kubectl allows.
// The in-process entry point with explicit streams, cli::run(args, out, err, in), is
// declared in cli/context.hpp.

namespace podhop::cli {

/// Runs podhop with the process's arguments and standard streams; returns the exit code.
int run(int argc, char** argv);

}  // namespace podhop::cli
