#pragma once
// What every podhop command shares: the global options, the streams it writes to, and the
// simulation loaded from -f.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "podhop/simulation.hpp"

namespace CLI {
class App;
}

namespace podhop::cli {

/// Options every command takes (SPEC section 4).
struct GlobalOptions {
  std::vector<std::string> files;  // -f, repeatable; "-" is standard input
  std::uint64_t seed = 1;          // --seed
  std::string log_level = "info";  // --log-level
  bool quiet = false;              // --quiet: no hop trace on stderr
  std::string trace_file;          // --trace-file: hop events as JSON lines
};

/// The environment of one podhop invocation. Tests build one with string streams.
struct Context {
  GlobalOptions global;
  std::ostream* out = nullptr;  // stdout
  std::ostream* err = nullptr;  // stderr
  std::istream* in = nullptr;   // stdin, for -f -

  /// Loads the -f files once (all or nothing). On error prints every diagnostic to err and
  /// returns nullptr: the caller exits 1.
  Simulation* simulation();

 private:
  std::unique_ptr<Simulation> sim_;
  bool tried_ = false;
};

// Each command adds its subcommand to the app; `ctx` outlives the parse and the callback.
// The callback stores the exit code in `*exit_code`.
void register_get(CLI::App& app, Context& ctx, int* exit_code);
void register_describe(CLI::App& app, Context& ctx, int* exit_code);
void register_expose(CLI::App& app, Context& ctx, int* exit_code);
void register_create(CLI::App& app, Context& ctx, int* exit_code);
void register_version(CLI::App& app, Context& ctx, int* exit_code);
void register_exec(CLI::App& app, Context& ctx, int* exit_code);
void register_curl(CLI::App& app, Context& ctx, int* exit_code);
void register_port_forward(CLI::App& app, Context& ctx, int* exit_code);
void register_run(CLI::App& app, Context& ctx, int* exit_code);

/// Runs podhop as the executable would, with explicit streams (for golden tests).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        std::istream& in);

}  // namespace podhop::cli
