// `podhop run SCENARIO.yaml [-f more] [-o json] [--seed N]`: reads a scenario, loads its
// manifests, runs its steps in simulated time and prints a report (docs/scenarios.md).
// Exit 0 when every expectation holds, 1 otherwise (and for a broken scenario or manifest).
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/curl_output.hpp"
#include "podhop/manifest/scenario.hpp"
#include "podhop/scenario/runner.hpp"

namespace podhop::cli {

namespace {

/// A progress line on a terminal's stderr for runs that take more than a second of wall
/// time. Wall time stays here: it never reaches stdout or the report.
class ProgressLine {
 public:
  explicit ProgressLine(std::ostream* err)
      : err_(err), start_(std::chrono::steady_clock::now()), last_(start_) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const scenario::Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    *err_ << fmt::format(
                 "\r\033[Kpodhop run: step {} of {}, {} simulated, {} requests done, "
                 "{} in flight ({:.0f}s)",
                 std::min(p.steps_done + 1, p.steps), p.steps, core::format_duration(p.simulated),
                 p.requests_done, p.in_flight, wall)
          << std::flush;
    shown_ = true;
  }

  void clear() {
    if (shown_) *err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream* err_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

}  // namespace

void register_run(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a scenario: a timeline of actions and expectations");
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("SCENARIO", *file, "The scenario file (kind: Scenario)")->required();
  cmd->add_option("-o,--output", *output, "Output format: json");
  cmd->footer(
      "The scenario's manifests (spec.manifests, relative to its file) are loaded first, then\n"
      "the other documents of the scenario file, then -f. --seed overrides spec.seed.\n"
      "Exit 0 when every expectation holds, 1 otherwise. docs/scenarios.md has the format.\n"
      "Example:\n"
      "  podhop run examples/scenario-tutorial/scenario.yaml");
  CLI::Option* seed_option = app.get_option("--seed");
  cmd->callback([&ctx, exit_code, file, output, seed_option] {
    if (!output->empty() && *output != "json") {
      *ctx.err << fmt::format("error: unknown output format \"{}\" (run prints text or -o json)\n",
                              *output);
      *exit_code = 1;
      return;
    }
    manifest::ScenarioLoad load = manifest::load_scenario(*file);
    for (const auto& d : load.diagnostics.items()) *ctx.err << d.str() << '\n';
    if (!load.ok()) {
      *ctx.err << fmt::format("error: {} error(s) in the scenario; nothing was run\n",
                              load.diagnostics.error_count());
      *exit_code = 1;
      return;
    }
    const manifest::ScenarioSpec& spec = *load.scenario;
    if (seed_option->count() == 0) ctx.global.seed = spec.seed.value_or(1);
    ctx.global.files = scenario::manifest_paths(spec, ctx.global.files);
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    install_dns_tools(*sim);
    TraceOutput trace(ctx);
    if (!trace.ok()) {
      *exit_code = 1;
      return;
    }
    scenario::RunOptions options;
    options.sink = &trace;
    std::unique_ptr<ProgressLine> progress;
    if (ctx.err == &std::cerr && ::isatty(STDERR_FILENO)) {
      progress = std::make_unique<ProgressLine>(ctx.err);
      options.on_progress = [p = progress.get()](const scenario::Progress& pr) { p->update(pr); };
    }
    scenario::Runner runner(*sim, std::move(options));
    scenario::ScenarioReport report = runner.run(spec.steps, spec.name);
    report.file = spec.file;
    if (progress) progress->clear();
    if (*output == "json")
      *ctx.out << scenario::to_json(report).dump(2) << '\n';
    else
      scenario::print_report(*ctx.out, report);
    *exit_code = report.passed ? 0 : 1;
  });
}

}  // namespace podhop::cli
