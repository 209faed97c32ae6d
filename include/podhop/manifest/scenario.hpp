#pragma once
// Scenario documents (`kind: Scenario`, podhop.dev/v1alpha1, SPEC section 6) read into plain
// structs: the manifests to load, the seed, and the steps with their action and
// expectations. Reading is all or nothing, like manifests: every error of the file is
// collected with file:line:col and its field path, and no scenario is returned when there is
// any. docs/scenarios.md describes every field.
//
// The scenario module (include/podhop/scenario/) runs what this returns; nothing here knows
// about simulated time beyond durations.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "podhop/core/diagnostic.hpp"
#include "podhop/core/time.hpp"

namespace podhop::manifest {

/// A comparison from an expectation: `>= 0.99`, `< 20ms`, `0.5 +- 0.05`, `== 200`, `99%`.
/// Values are held as doubles in the unit of their quantity: a plain number, a fraction (a
/// percentage is divided by 100) or nanoseconds (a duration).
struct Comparison {
  enum class Op : std::uint8_t { eq, lt, le, gt, ge, within };
  Op op = Op::eq;
  double value = 0;
  double tolerance = 0;  // for within: |actual - value| <= tolerance
  /// What the user wrote, trimmed (shown as "expected" in reports).
  std::string text;

  /// True when `actual` satisfies the comparison.
  bool holds(double actual) const;
};

/// What a comparison's numbers are.
enum class Quantity : std::uint8_t {
  number,    // counts, exit codes, statuses: plain numbers
  fraction,  // 0.99 or 99%
  duration,  // 20ms, 1.5s (nanoseconds)
};

/// Parses a comparison of the given quantity. A bare value means `==`. On failure returns
/// nullopt and sets *error to the reason ("must be a comparison like \">= 0.99\"").
std::optional<Comparison> parse_comparison(std::string_view text, Quantity quantity,
                                           std::string* error);

/// What a step checks when it ends (SPEC section 6). Unset members are not checked.
struct Expectations {
  std::optional<Comparison> exit_code;  // exitCode
  std::optional<std::string> outcome;   // ok | dns_failure | connection_refused | ...
  std::optional<Comparison> status;     // status: 200, or "< 500"
  std::optional<std::string> body;      // exact, one trailing newline ignored
  std::optional<std::string> body_contains;
  /// A pod ("app2", "default/app2") or the prefix of a workload's pod names ("web").
  std::optional<std::string> served_by;
  std::optional<Comparison> success_rate;  // fraction of requests with outcome ok
  std::optional<Comparison> requests;      // how many requests completed
  /// Fraction of requests per pod-name prefix or per node, in the order written.
  std::vector<std::pair<std::string, Comparison>> share;
  /// Latency percentiles: keys p50, p90, p99, max (and mean), in the order written.
  std::vector<std::pair<std::string, Comparison>> latency;

  bool empty() const;
};

/// `exec: {pod, namespace, container, command}`: a command in a pod, as `podhop exec`.
struct ExecAction {
  std::string pod;
  std::string namespace_ = "default";
  std::string container;
  /// `command` as a list: the arguments as they are.
  std::vector<std::string> argv;
  /// `command` as one string: split as a shell splits words when the step runs
  /// (podhop::split_command_line).
  std::string command;
};

/// `curl: {from, url, args}`: a request as `podhop curl`, from external, node/NAME or
/// pod/NAME (pods in another namespace: pod/NS/NAME).
struct CurlAction {
  std::string from = "external";
  std::string url;
  std::vector<std::string> args;  // curl's options as a list
  std::string args_line;          // or as one string, split as a shell splits words
};

/// `traffic`: many requests, open loop (`rate`) or closed loop (`users`), for a `duration`
/// or a number of `requests`.
struct TrafficAction {
  std::string from = "external";
  std::string url;
  std::vector<std::string> args;  // curl's request options (-H, -k, --resolve, -X, -d)
  std::string args_line;          // or as one string, split as a shell splits words
  std::optional<double> rate;     // arrivals per second (Poisson)
  std::optional<std::int64_t> users;
  core::Duration think_time;  // closed loop: pause between a response and the next request
  std::optional<core::Duration> duration;
  std::optional<std::int64_t> requests;
  bool keep_alive = false;
  /// The limit on one request (curl's --max-time); a dropped SYN otherwise waits 127 s.
  core::Duration timeout = core::Duration::seconds(10);
};

/// `delete: KIND/NAME` (or `{kind, name, namespace}`).
struct DeleteAction {
  std::string kind;
  std::string name;
  std::string namespace_ = "default";
};

/// `scale: {deployment: web, replicas: 5}` (or replicaset, statefulset,
/// replicationcontroller).
struct ScaleAction {
  std::string kind;
  std::string name;
  std::int32_t replicas = 0;
  std::string namespace_ = "default";
};

/// `apply: FILE` or a list of files/folders, relative to the scenario file.
struct ApplyAction {
  std::vector<std::string> paths;  // resolved against the scenario's folder
};

/// `rollout: {deployment, image, container}`: `kubectl set image`; or
/// `rollout: {deployment, undo: true, toRevision}`: `kubectl rollout undo`.
struct RolloutAction {
  std::string deployment;
  std::string image;      // empty when undo
  std::string container;  // empty: every container
  std::string namespace_ = "default";
  bool undo = false;
  std::int64_t to_revision = 0;  // undo: 0 is the revision before the current one
};

/// `wait`: for a duration (`wait: 5s`), for a Deployment's rollout to finish
/// (`{rollout: web}`), for an object to be ready (`{ready: pod/app2}`,
/// `{ready: deployment/web}`), or for a Service to have ready endpoints
/// (`{endpoints: web, count: 3}`). Conditions give up after `timeout`.
struct WaitAction {
  std::optional<core::Duration> duration;
  std::string rollout;     // deployment name
  std::string ready_kind;  // pod | deployment | replicaset | statefulset
  std::string ready_name;
  std::string endpoints;   // service name
  std::int64_t count = 1;  // with endpoints: at least this many ready endpoints
  std::string namespace_ = "default";
  core::Duration timeout = core::Duration::seconds(300);
};

using Action = std::variant<ExecAction, CurlAction, TrafficAction, DeleteAction, ScaleAction,
                            ApplyAction, RolloutAction, WaitAction>;

/// The action's key as written in the file ("exec", "traffic", ...).
std::string_view action_name(const Action& action);

/// One step of the timeline.
struct Step {
  std::string name;  // as written; may be empty (the report names it from its action)
  /// `at`: the simulated time the step starts; unset: when the previous step ends.
  std::optional<core::Duration> at;
  Action action;
  Expectations expect;
  core::SourceLocation where;  // the step's position in the file
};

/// A scenario as read from its file.
struct ScenarioSpec {
  std::string name;
  std::string file;  // the file it came from
  std::optional<std::uint64_t> seed;
  /// spec.manifests, resolved against the scenario file's folder.
  std::vector<std::string> manifests;
  std::vector<Step> steps;
  /// The file holds other documents too (manifests): load it as a manifest file as well.
  bool file_has_manifests = false;
};

/// What reading a scenario file gave: the scenario when there was no error, and every
/// diagnostic.
struct ScenarioLoad {
  std::optional<ScenarioSpec> scenario;
  core::Diagnostics diagnostics;
  bool ok() const { return scenario.has_value() && !diagnostics.has_errors(); }
};

/// Reads the scenario in file `path`. The file must hold exactly one Scenario document; it
/// may hold manifests as well.
ScenarioLoad load_scenario(const std::string& path);

/// Reads a scenario from text as if it were the file `filename`; relative paths are resolved
/// against `base_dir`.
ScenarioLoad load_scenario_text(std::string_view text, std::string_view filename,
                                std::string_view base_dir = ".");

}  // namespace podhop::manifest
