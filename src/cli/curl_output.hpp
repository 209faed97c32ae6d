#pragma once
// How `podhop exec` and `podhop curl` print what happened: the hop trace (log lines on
// stderr through the context's logger, JSON lines to --trace-file), the command's own
// output or the JSON result document (-o json), and kubectl's closing words for a command
// that failed. Also the programs exec runs through the CLI's DNS tools (nslookup, dig).

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "podhop/simulation.hpp"
#include "podhop/trace/hop.hpp"

namespace podhop::cli {

/// The sinks a command's hops go to: the log (unless --quiet) and --trace-file. Hops are
/// written as they happen.
class TraceOutput final : public trace::HopSink {
 public:
  /// Opens --trace-file when given; `ok()` is false (and the error printed) when it cannot.
  explicit TraceOutput(Context& ctx);
  bool ok() const { return ok_; }
  void on_hop(const trace::Hop& hop) override;

 private:
  Context* ctx_;
  bool ok_ = true;
  std::unique_ptr<std::ofstream> file_;
};

/// Prints an exec or curl result: with `json`, one JSON document on stdout (the request's
/// result object when there was exactly one request); otherwise the command's stdout and
/// stderr as they are. Returns the exit code.
int print_result(Context& ctx, const ExecResult& result, bool json);

/// `curl --repeat N`: runs the N requests from `from` and prints the summary (text, or with
/// `json` SPEC's document). Returns the exit code: 0, or 1 when the client does not exist.
int print_repeat(Context& ctx, Simulation& sim, const dataplane::CurlOptions& options,
                 const dataplane::ClientRef& from, bool json);

/// Makes nslookup and dig runnable by `sim.exec`, with dns_tools' text (BIND or BusyBox
/// nslookup by image, BIND dig). Idempotent.
void install_dns_tools(Simulation& sim);

}  // namespace podhop::cli
