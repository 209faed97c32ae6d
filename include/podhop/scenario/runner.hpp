#pragma once
// Running scenarios: a timeline of steps on a Simulation's one simulator, with load
// generators and expectations. The CLI's `podhop run` and users' Catch2 tests use this.
//
//   podhop::Simulation sim({.seed = 7});
//   REQUIRE(sim.load({"examples/seed/manifests"}).ok());
//   podhop::scenario::Runner runner(sim);
//   auto load = runner.traffic({.from = "external", .url = "http://192.168.49.2:30008/",
//                               .rate = 500, .duration = core::Duration::seconds(2)});
//   CHECK(load.success_rate() == 1.0);
//   CHECK(load.share("app1") == 1.0);
//
// or a whole file:
//
//   auto run = podhop::scenario::run_file("examples/keepalive/scenario.yaml");
//   REQUIRE(run.loaded());
//   CHECK(run.report->passed);
//
// Timing (docs/scenarios.md): a step with `at` starts at that simulated time after the run
// began, even while earlier steps still run; a step without `at` starts when the step
// before it ends. exec and curl steps run to completion when they start (other traffic
// keeps flowing meanwhile); traffic runs in the background until its last request ends.

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "podhop/core/diagnostic.hpp"
#include "podhop/core/time.hpp"
#include "podhop/manifest/loader.hpp"
#include "podhop/manifest/scenario.hpp"
#include "podhop/scenario/report.hpp"
#include "podhop/simulation.hpp"
#include "podhop/trace/hop.hpp"

namespace podhop::scenario {

/// How far a run has got, for a progress line.
struct Progress {
  std::size_t steps_done = 0;
  std::size_t steps = 0;
  core::Duration simulated;  // since the run began
  std::uint64_t requests_done = 0;
  std::uint64_t in_flight = 0;
};

struct RunOptions {
  /// Receives the hops of exec and curl steps (traffic records none).
  trace::HopSink* sink = nullptr;
  /// Called between steps and every few thousand completed requests. Wall time is the
  /// caller's business: the runner only reports simulated progress.
  std::function<void(const Progress&)> on_progress;
  /// A run still going after this much simulated time is stopped; its unfinished steps fail.
  core::Duration limit = core::Duration::seconds(3600);
  /// Wait conditions (rollout, ready, endpoints) are checked this often.
  core::Duration poll = core::Duration::millis(10);
};

/// Runs steps on a Simulation. It installs itself as the pipeline's request observer while
/// it runs traffic; destroy it (or let run() return) before another observer is set.
class Runner {
 public:
  explicit Runner(Simulation& sim, RunOptions options = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// Runs a timeline from the simulation's current time and reports every step.
  ScenarioReport run(const std::vector<manifest::Step>& steps, std::string name = {});
  /// Runs one step now, until it ends.
  StepReport run_step(const manifest::Step& step);

  // Shorthands for one step, reading like the scenario file.
  StepReport exec(manifest::ExecAction action, manifest::Expectations expect = {});
  StepReport curl(manifest::CurlAction action, manifest::Expectations expect = {});
  StepReport traffic(manifest::TrafficAction action, manifest::Expectations expect = {});
  StepReport wait(manifest::WaitAction action);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Reading, loading and running one scenario file.
struct FileRunOptions {
  /// More manifests (`-f`), loaded after spec.manifests and the scenario file itself.
  std::vector<std::string> extra_manifests;
  /// Overrides spec.seed (default 1 when neither says).
  std::optional<std::uint64_t> seed;
  RunOptions run;
  /// Called on the loaded simulation before the first step (to add exec tools).
  std::function<void(Simulation&)> prepare;
};

/// What run_file found: errors in the scenario or its manifests (then nothing ran), the
/// manifest load report, and the run's report.
struct FileRun {
  core::Diagnostics diagnostics;
  manifest::LoadReport load;
  std::optional<ScenarioReport> report;

  /// The scenario and its manifests were read without error, and the run happened.
  bool loaded() const { return report.has_value(); }
  /// Loaded, and every expectation held.
  bool passed() const { return report && report->passed; }
};

/// The manifests a scenario loads, in order: spec.manifests, the scenario file itself when
/// it holds other documents, then `extra`.
std::vector<std::string> manifest_paths(const manifest::ScenarioSpec& spec,
                                        const std::vector<std::string>& extra);

/// Reads the scenario at `path`, loads its manifests into a new Simulation and runs it.
FileRun run_file(const std::string& path, FileRunOptions options = {});

}  // namespace podhop::scenario
