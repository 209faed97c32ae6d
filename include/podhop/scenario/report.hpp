#pragma once
// What a scenario run found: per step, the requests and how they ended, where they went,
// their latency, and every expectation with what was expected and what happened. Printed
// for a person (print_report) or as SPEC section 6's JSON document (to_json).

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "podhop/core/time.hpp"
#include "podhop/scenario/histogram.hpp"

namespace podhop::scenario {

/// One expectation checked: what, expected, actual, and whether it held. `detail` says by
/// how much it missed ("0.45 more than allowed"), for people; JSON leaves it out.
struct ExpectationResult {
  std::string what;      // "status", "share[app1]", "latency.p99", "action"
  std::string expected;  // "== 200", "0.5 +- 0.05", "< 20ms"
  std::string actual;    // "200", "0.98 (4900 of 5000)", "23.4ms"
  bool passed = true;
  std::string detail;
};

/// The report of one step.
struct StepReport {
  std::size_t index = 0;    // 1-based, in file order
  std::string name;         // as written, or made from the action ("delete pod/app2")
  std::string action;       // exec | curl | traffic | delete | scale | apply | rollout | wait
  std::string description;  // what it did, in a line
  core::Duration started;   // simulated time since the scenario began
  core::Duration ended;
  /// Started after its `at` time because a command before it ran past that time.
  std::optional<core::Duration> late_by;
  bool passed = true;
  /// The action's own words: `pod "app2" deleted`, a wait's "rollout complete after 12s".
  std::string message;

  std::uint64_t requests = 0;
  /// Requests per outcome, in the order of trace::Outcome, only those that happened.
  std::vector<std::pair<std::string, std::uint64_t>> outcomes;
  /// Requests per serving pod ("ns/name", or "external/<host>") and per node, sorted by name.
  std::vector<std::pair<std::string, std::uint64_t>> by_pod;
  std::vector<std::pair<std::string, std::uint64_t>> by_node;
  /// Latency of the requests that got a response (outcome ok).
  LatencyHistogram latency;

  /// exec and curl: the command's exit code and output.
  std::optional<int> exit_code;
  std::string stdout_text;
  std::string stderr_text;

  std::vector<ExpectationResult> expectations;

  /// Requests with the given outcome ("ok", "timeout", ...).
  std::uint64_t outcome_count(std::string_view outcome) const;
  /// Fraction of requests with outcome ok (1 when there were none).
  double success_rate() const;
  /// Fraction of all requests served by a node (exact name) or by pods whose name is `key`
  /// or starts with `key` followed by '-' ("web" matches web-7c9f8d6b5-x2k4p and web-0);
  /// `key` may name the namespace ("default/web").
  double share(std::string_view key) const;
  /// The same as a count.
  std::uint64_t served(std::string_view key) const;
};

/// The report of a whole run.
struct ScenarioReport {
  std::string name;
  std::string file;
  std::uint64_t seed = 1;
  bool passed = true;
  core::Duration duration;  // simulated time from the first step's start to the last's end
  std::vector<StepReport> steps;

  std::size_t failed_steps() const;
  std::size_t expectation_count() const;
  std::size_t failed_expectations() const;
};

/// True when `pod` ("ns/name") is `key` or one of its workload's pods (see StepReport::share).
bool pod_matches(std::string_view pod, std::string_view key);

/// SPEC section 6's document: {"passed", "steps": [{"name", "passed", "requests", "outcomes",
/// "by_pod", "by_node", "latency_ns": {"p50", "p90", "p99", "max"}, "expectations": [{"what",
/// "expected", "actual", "passed"}]}]}. latency_ns values are null when no request got a
/// response.
nlohmann::ordered_json to_json(const ScenarioReport& report);

/// The report for a person: one block per step, failures marked so they stand out, and a
/// closing line that says what failed. Nothing in it depends on wall time.
void print_report(std::ostream& out, const ScenarioReport& report);
std::string to_text(const ScenarioReport& report);

}  // namespace podhop::scenario
