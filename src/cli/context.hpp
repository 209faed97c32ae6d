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
namespace spdlog {
class logger;
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

  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// Loads the -f files once (all or nothing). On error prints every diagnostic to err and
  /// returns nullptr: the caller exits 1.
  Simulation* simulation();

  /// The logger for the hop trace: lines go to `err` at --log-level, nothing with --quiet.
  /// Its pattern is the bare message ("%v"): the trace formats its own lines.
  spdlog::logger& log();

 private:
  std::unique_ptr<Simulation> sim_;
  bool tried_ = false;
  std::shared_ptr<spdlog::logger> log_;
};

/// The namespace a command acts in: -n, or "default".
inline constexpr const char* kDefaultNamespace = "default";

// ---------------------------------------------------------------------------------------
// The read-only commands as functions of a ClusterState, so tests can run them on a
// hand-built cluster. Each returns the exit code and writes as the command does.

/// `podhop get`.
struct GetRequest {
  std::vector<std::string> args;  // KIND [NAME...] | KIND/NAME... | KIND,KIND | all
  std::string namespace_ = kDefaultNamespace;
  bool all_namespaces = false;  // -A
  std::string output;           // "", wide, yaml, json, name
  std::string selector;         // -l
};
int run_get(const model::ClusterState& state, const GetRequest& request, std::ostream& out,
            std::ostream& err);

/// `podhop describe`.
struct DescribeRequest {
  std::vector<std::string> args;  // KIND [NAME...] | KIND/NAME
  std::string namespace_ = kDefaultNamespace;
  std::string selector;  // -l
};
int run_describe(const model::ClusterState& state, const DescribeRequest& request,
                 std::ostream& out, std::ostream& err);

/// `podhop expose`.
struct ExposeRequest {
  std::vector<std::string> args;  // KIND NAME | KIND/NAME
  std::string namespace_ = kDefaultNamespace;
  bool namespace_given = false;           // -n given: printed in metadata, as kubectl does
  std::string port;                       // --port
  std::string target_port;                // --target-port
  std::string name;                       // --name
  std::string type;                       // --type
  std::string protocol;                   // --protocol
  std::string selector;                   // --selector
  std::string labels;                     // --labels / -l
  std::string cluster_ip;                 // --cluster-ip
  std::vector<std::string> external_ips;  // --external-ip
  std::string output = "yaml";            // -o yaml|json|name
};
int run_expose(const model::ClusterState& state, const ExposeRequest& request, std::ostream& out,
               std::ostream& err);

/// `podhop create secret tls`.
struct CreateSecretTlsRequest {
  std::string name;
  std::string namespace_;  // empty: not printed (no -n given)
  std::string cert_file;
  std::string key_file;
  std::string output = "yaml";  // -o yaml|json|name
};
int run_create_secret_tls(const CreateSecretTlsRequest& request, std::ostream& out,
                          std::ostream& err);

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
