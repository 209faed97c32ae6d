// The scenario runner: steps on a timeline, load generators on the engine, expectations.
//
// The driver runs at top level, never inside an engine event: it starts every step that is
// due, then lets simulated time run (Simulation::run_until) up to the next moment it must
// act: an `at` time, the end of a wait, the next check of a wait condition. A traffic step
// that ends stops the engine (Simulator::stop), so the step after it starts at the very
// instant its last request completed. exec and curl steps run to completion when they
// start: Simulation::exec steps the engine itself until the command is done, and every
// other event (traffic, pod lifecycle) keeps running meanwhile.
//
// Load generators keep nothing per request beyond the request in flight: counters, a
// histogram, and a map from request id to its generator while the request runs.
#include "podhop/scenario/runner.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "podhop/core/check.hpp"
#include "podhop/core/rng.hpp"
#include "podhop/dataplane/curl.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/engine/simulator.hpp"
#include "scenario/expect.hpp"

namespace podhop::scenario {

namespace fs = std::filesystem;
using core::Duration;
using core::SimTime;
using dataplane::RequestId;

namespace {

// How many completed requests between two progress callbacks.
constexpr std::uint64_t kProgressEvery = 16384;

/// Parses `from`: external, node/NAME, pod/NAME or pod/NAMESPACE/NAME.
dataplane::ClientRef parse_from(const std::string& from) {
  if (from.empty() || from == "external") return dataplane::ClientRef::external();
  auto slash = from.find('/');
  std::string kind = from.substr(0, slash);
  std::string rest = slash == std::string::npos ? "" : from.substr(slash + 1);
  if (kind == "node") return dataplane::ClientRef::node(rest);
  if (auto s2 = rest.find('/'); s2 != std::string::npos)
    return dataplane::ClientRef::pod(rest.substr(0, s2), rest.substr(s2 + 1));
  return dataplane::ClientRef::pod("default", rest);
}

std::vector<std::string> words_of(const std::vector<std::string>& list, const std::string& line) {
  if (!list.empty()) return list;
  return split_command_line(line);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    const bool quote = w.empty() || w.find_first_of(" \t\"'") != std::string::npos;
    out += quote ? fmt::format("'{}'", w) : w;
  }
  return out;
}

std::string rate_text(double rate) {
  if (rate == std::floor(rate)) return fmt::format("{}/s", static_cast<long long>(rate));
  return fmt::format("{}/s", detail::short_fraction(rate));
}

/// The name a step gets when the file gives none, and a line saying what it does.
std::pair<std::string, std::string> describe(const manifest::Action& action) {
  return std::visit(
      [](const auto& a) -> std::pair<std::string, std::string> {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, manifest::ExecAction>) {
          std::string cmd = a.argv.empty() ? a.command : join(a.argv);
          std::string pod = a.namespace_ == "default" ? a.pod : a.namespace_ + "/" + a.pod;
          std::string s = fmt::format("exec {}: {}", pod, cmd);
          return {s, s};
        } else if constexpr (std::is_same_v<T, manifest::CurlAction>) {
          auto args = words_of(a.args, a.args_line);
          std::string s = fmt::format("curl {}{}{} from {}", join(args), args.empty() ? "" : " ",
                                      a.url, a.from);
          return {s, s};
        } else if constexpr (std::is_same_v<T, manifest::TrafficAction>) {
          std::string name = fmt::format("traffic {} from {}", a.url, a.from);
          std::string how;
          if (a.rate)
            how = fmt::format("open loop, Poisson arrivals at {}", rate_text(*a.rate));
          else
            how = fmt::format("closed loop, {} user{}, think time {}", *a.users,
                              *a.users == 1 ? "" : "s", core::format_duration(a.think_time));
          if (a.duration) how += fmt::format(", for {}", core::format_duration(*a.duration));
          if (a.requests)
            how += fmt::format("{} {} requests", a.duration ? " or" : ",", *a.requests);
          how += a.keep_alive ? ", kept-alive connections" : ", a new connection per request";
          return {name, fmt::format("{}: {}", name, how)};
        } else if constexpr (std::is_same_v<T, manifest::DeleteAction>) {
          std::string s = fmt::format("delete {}/{}", a.kind, a.name);
          if (a.namespace_ != "default") s += fmt::format(" -n {}", a.namespace_);
          return {s, s};
        } else if constexpr (std::is_same_v<T, manifest::ScaleAction>) {
          std::string s = fmt::format("scale {}/{} to {}", a.kind, a.name, a.replicas);
          return {s, s};
        } else if constexpr (std::is_same_v<T, manifest::ApplyAction>) {
          std::vector<std::string> names;
          for (const auto& p : a.paths) names.push_back(fs::path(p).filename().string());
          std::string s = fmt::format("apply {}", fmt::join(names, ", "));
          return {s, s};
        } else if constexpr (std::is_same_v<T, manifest::RolloutAction>) {
          std::string s =
              !a.undo ? fmt::format("rollout deployment/{} to {}", a.deployment, a.image)
              : a.to_revision > 0 ? fmt::format("roll back deployment/{} to revision {}",
                                                a.deployment, a.to_revision)
                                  : fmt::format("roll back deployment/{}", a.deployment);
          return {s, s};
        } else {
          std::string s;
          if (a.duration)
            s = fmt::format("wait {}", core::format_duration(*a.duration));
          else if (!a.rollout.empty())
            s = fmt::format("wait for the rollout of deployment/{}", a.rollout);
          else if (!a.ready_kind.empty())
            s = fmt::format("wait for {}/{} to be ready", a.ready_kind, a.ready_name);
          else
            s = fmt::format("wait for {} ready endpoint{} of service/{}", a.count,
                            a.count == 1 ? "" : "s", a.endpoints);
          return {s, s};
        }
      },
      action);
}

/// Counts requests by outcome, pod and node, and latency, keeping nothing per request.
class StepStats {
 public:
  void add(const trace::RequestRecord& r, const model::ClusterState& state) {
    ++requests_;
    ++outcomes_[static_cast<std::size_t>(r.outcome)];
    if (r.served_by) {
      auto it = by_pod_.find(*r.served_by);
      if (it == by_pod_.end()) {
        PodCount pc;
        // The node is looked up once per pod, when it first serves: it may be gone by the
        // time the step ends.
        const std::string& who = *r.served_by;
        auto slash = who.find('/');
        if (slash != std::string::npos && who.compare(0, slash, "external") != 0) {
          if (const auto* pod = state.pods.find(std::string_view(who).substr(0, slash),
                                                std::string_view(who).substr(slash + 1)))
            pc.node = pod->node_name;
        }
        it = by_pod_.emplace(who, std::move(pc)).first;
      }
      ++it->second.count;
    }
    if (r.outcome == trace::Outcome::ok) latency_.record(r.elapsed);
  }

  void fill(StepReport& rep) const {
    rep.requests = requests_;
    rep.outcomes.clear();
    static constexpr trace::Outcome kOrder[] = {
        trace::Outcome::ok,      trace::Outcome::dns_failure, trace::Outcome::connection_refused,
        trace::Outcome::timeout, trace::Outcome::tls_error,   trace::Outcome::reset};
    for (auto o : kOrder) {
      const auto n = outcomes_[static_cast<std::size_t>(o)];
      if (n) rep.outcomes.emplace_back(std::string(trace::to_string(o)), n);
    }
    rep.by_pod.clear();
    std::map<std::string, std::uint64_t> nodes;
    for (const auto& [pod, pc] : by_pod_) {
      rep.by_pod.emplace_back(pod, pc.count);
      if (!pc.node.empty()) nodes[pc.node] += pc.count;
    }
    rep.by_node.assign(nodes.begin(), nodes.end());
    rep.latency = latency_;
  }

  std::uint64_t requests() const { return requests_; }

 private:
  struct PodCount {
    std::uint64_t count = 0;
    std::string node;
  };
  std::uint64_t requests_ = 0;
  std::uint64_t outcomes_[6] = {};
  std::map<std::string, PodCount, std::less<>> by_pod_;  // ordered: reports list by name
  LatencyHistogram latency_;
};

}  // namespace

class TrafficRun;

// ---------------------------------------------------------------------------------------
// The runner's state

struct Runner::Impl final : dataplane::RequestObserver {
  Simulation& sim;
  RunOptions options;
  SimTime t0;

  // Requests in flight of every traffic run: id -> (run, user). Exec and curl steps use
  // Pipeline::run, whose records never come here, so every completion is traffic.
  struct InFlight {
    TrafficRun* run = nullptr;
    std::uint32_t user = 0;
  };
  std::map<RequestId, InFlight> in_flight;
  // A request that completes inside Pipeline::start, before its id is known.
  TrafficRun* starting_run = nullptr;
  std::uint32_t starting_user = 0;
  bool completed_during_start = false;
  bool observing = false;

  std::uint64_t requests_done = 0;
  std::size_t steps_done = 0;
  std::size_t steps_total = 0;

  Impl(Simulation& s, RunOptions o) : sim(s), options(std::move(o)) {}
  ~Impl() override { stop_observing(); }

  void start_observing() {
    sim.pipeline().set_observer(this);
    observing = true;
  }
  void stop_observing() {
    if (observing) sim.pipeline().set_observer(nullptr);
    observing = false;
  }

  void on_complete(RequestId id, trace::RequestRecord& record) override;
  RequestId start_request(TrafficRun* run, std::uint32_t user, const dataplane::Client& client,
                          const std::shared_ptr<const dataplane::RequestSpec>& spec);
  void progress();

  // Steps
  struct Slot {
    const manifest::Step* step = nullptr;
    enum class Phase : std::uint8_t { pending, running, done } phase = Phase::pending;
    StepReport report;
    SimTime started;
    std::unique_ptr<TrafficRun> traffic;
    std::optional<detail::RequestChecks> checks;
    // wait
    std::optional<SimTime> wait_until;
    SimTime deadline;
  };

  void start(Slot& slot);
  void poll(Slot& slot);
  void finish(Slot& slot, SimTime end);
  void fail_action(Slot& slot, std::string message);
  /// Ends a step whose action the cluster answered at once (delete, scale, rollout).
  void conclude_action(Slot& slot, ActionResult result);
  bool wait_condition_holds(const manifest::WaitAction& w, std::string* state_text) const;
  ScenarioReport run(const std::vector<manifest::Step>& steps, std::string name);
};

// ---------------------------------------------------------------------------------------
// Traffic

/// One traffic step's load generator: arrivals (open loop) or users (closed loop) on the
/// engine, completions from the runner's observer.
class TrafficRun {
 public:
  TrafficRun(Runner::Impl& impl, const manifest::TrafficAction& action,
             const manifest::Expectations& expect, dataplane::Client client,
             dataplane::RequestSpec spec, std::uint64_t seed, std::size_t index)
      : impl_(impl),
        action_(action),
        checks_(expect),
        client_(std::move(client)),
        spec_(std::make_shared<const dataplane::RequestSpec>(std::move(spec))),
        rng_(seed, fmt::format("scenario/traffic/{}", index)) {}

  ~TrafficRun() { cancel(); }

  void start() {
    auto& sim = impl_.sim.simulator();
    start_ = sim.now();
    if (action_.duration) {
      deadline_ = start_ + *action_.duration;
      end_event_ = sim.schedule_at(*deadline_, EndEvent{this});
    }
    if (action_.rate) {
      mean_gap_ns_ = 1e9 / *action_.rate;
      schedule_arrival();
    } else {
      const auto users = static_cast<std::uint32_t>(*action_.users);
      user_events_.assign(users, {});
      active_users_ = users;
      for (std::uint32_t u = 0; u < users; ++u)
        user_events_[u] = sim.schedule_at(start_, UserEvent{this, u});
    }
    check_finished();
  }

  /// A request of this run completed at `when`.
  void complete(std::uint32_t user, const trace::RequestRecord& record, SimTime when) {
    --in_flight_;
    stats_.add(record, impl_.sim.network().state());
    checks_.add(record);
    if (!action_.rate) {
      auto& sim = impl_.sim.simulator();
      // Never before now (a completion is handed out at its own time; this is a guard).
      SimTime next = std::max(when + action_.think_time, sim.now());
      if (may_send(next)) {
        user_events_[user] = sim.schedule_at(next, UserEvent{this, user});
      } else {
        --active_users_;
      }
    }
    check_finished();
  }

  bool finished() const { return finished_; }
  SimTime end() const { return end_; }
  const StepStats& stats() const { return stats_; }
  const detail::RequestChecks& checks() const { return checks_; }
  std::uint64_t in_flight() const { return in_flight_; }

  /// Stops sending; requests in flight still complete.
  void cancel() {
    auto& sim = impl_.sim.simulator();
    sim.cancel(arrival_);
    sim.cancel(end_event_);
    for (auto id : user_events_) sim.cancel(id);
    arrival_ = end_event_ = {};
  }

 private:
  struct ArrivalEvent {
    TrafficRun* t;
    void operator()() const { t->arrive(); }
  };
  struct UserEvent {
    TrafficRun* t;
    std::uint32_t user;
    void operator()() const { t->user_send(user); }
  };
  struct EndEvent {
    TrafficRun* t;
    void operator()() const {
      t->end_event_ = {};
      t->check_finished();
    }
  };

  bool may_send(SimTime at) const {
    if (deadline_ && at >= *deadline_) return false;
    if (action_.requests && sent_ >= static_cast<std::uint64_t>(*action_.requests)) return false;
    return true;
  }

  void schedule_arrival() {
    auto& sim = impl_.sim.simulator();
    const auto gap = static_cast<std::int64_t>(std::llround(rng_.exponential(mean_gap_ns_)));
    const SimTime next = sim.now() + Duration::nanos(gap);
    arrival_ = may_send(next) ? sim.schedule_at(next, ArrivalEvent{this}) : engine::EventId{};
  }

  void arrive() {
    arrival_ = {};
    send(0);
    schedule_arrival();
    check_finished();
  }

  void user_send(std::uint32_t user) {
    user_events_[user] = {};
    if (may_send(impl_.sim.simulator().now())) {
      send(user);
    } else {
      --active_users_;
      check_finished();
    }
  }

  void send(std::uint32_t user) {
    ++sent_;
    ++in_flight_;
    impl_.start_request(this, user, client_, spec_);
  }

  void check_finished() {
    if (finished_) return;
    if (in_flight_ > 0 || !arrival_.empty() || active_users_ > 0 || !end_event_.empty()) return;
    finished_ = true;
    end_ = impl_.sim.simulator().now();
    // The generator's process ends: its kept-alive connections close.
    if (action_.keep_alive) impl_.sim.pipeline().close_connections(client_.ip);
    impl_.sim.simulator().stop();
  }

  Runner::Impl& impl_;
  const manifest::TrafficAction action_;
  StepStats stats_;
  detail::RequestChecks checks_;
  dataplane::Client client_;
  // Shared by the step's requests (Pipeline::start_shared): nothing is copied per request.
  std::shared_ptr<const dataplane::RequestSpec> spec_;
  core::RngStream rng_;
  double mean_gap_ns_ = 0;
  SimTime start_;
  std::optional<SimTime> deadline_;
  engine::EventId arrival_;
  engine::EventId end_event_;
  std::vector<engine::EventId> user_events_;
  std::uint32_t active_users_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t in_flight_ = 0;
  bool finished_ = false;
  SimTime end_;
};

void Runner::Impl::on_complete(RequestId id, trace::RequestRecord& record) {
  const SimTime now = sim.simulator().now();
  auto it = in_flight.find(id);
  ++requests_done;
  if (it == in_flight.end()) {
    // Completed inside Pipeline::start (before start returned its id).
    PODHOP_CHECK(starting_run != nullptr, "a request completed that no traffic step sent");
    completed_during_start = true;
    starting_run->complete(starting_user, record, now);
  } else {
    InFlight f = it->second;
    in_flight.erase(it);
    f.run->complete(f.user, record, now);
  }
  if (options.on_progress && requests_done % kProgressEvery == 0) progress();
}

RequestId Runner::Impl::start_request(TrafficRun* run, std::uint32_t user,
                                      const dataplane::Client& client,
                                      const std::shared_ptr<const dataplane::RequestSpec>& spec) {
  starting_run = run;
  starting_user = user;
  completed_during_start = false;
  RequestId id = sim.pipeline().start_shared(client, spec, nullptr);
  starting_run = nullptr;
  if (!completed_during_start) in_flight.emplace(id, InFlight{run, user});
  return id;
}

void Runner::Impl::progress() {
  if (!options.on_progress) return;
  Progress p;
  p.steps_done = steps_done;
  p.steps = steps_total;
  p.simulated = sim.simulator().now() - t0;
  p.requests_done = requests_done;
  p.in_flight = in_flight.size();
  options.on_progress(p);
}

// ---------------------------------------------------------------------------------------
// Steps

void Runner::Impl::fail_action(Slot& slot, std::string message) {
  ExpectationResult r;
  r.what = "action";
  r.expected = "succeeds";
  r.actual = message;
  r.passed = false;
  slot.report.expectations.push_back(std::move(r));
  if (slot.report.message.empty()) slot.report.message = std::move(message);
}

void Runner::Impl::conclude_action(Slot& slot, ActionResult result) {
  if (result.ok)
    slot.report.message = std::move(result.message);
  else
    fail_action(slot, std::move(result.message));
  finish(slot, sim.simulator().now());
}

bool Runner::Impl::wait_condition_holds(const manifest::WaitAction& w,
                                        std::string* state_text) const {
  const model::ClusterState& state = sim.state();
  if (!w.rollout.empty()) return sim.rollout_complete(w.rollout, w.namespace_);
  if (w.ready_kind == "pod") {
    const model::Pod* pod = state.pods.find(w.namespace_, w.ready_name);
    return pod && !pod->meta.deletion && pod->status.ready;
  }
  if (!w.ready_kind.empty()) {
    const model::LabelSelector* selector = nullptr;
    std::int32_t want = 0;
    if (w.ready_kind == "deployment") {
      if (const auto* d = state.deployments.find(w.namespace_, w.ready_name)) {
        selector = &d->selector;
        want = d->replicas;
      }
    } else if (w.ready_kind == "replicaset") {
      if (const auto* d = state.replica_sets.find(w.namespace_, w.ready_name)) {
        selector = &d->selector;
        want = d->replicas;
      }
    } else if (w.ready_kind == "statefulset") {
      if (const auto* d = state.stateful_sets.find(w.namespace_, w.ready_name)) {
        selector = &d->selector;
        want = d->replicas;
      }
    }
    if (!selector) {
      if (state_text) *state_text = fmt::format("{}/{} not found", w.ready_kind, w.ready_name);
      return false;
    }
    std::int32_t ready = 0;
    for (const auto& pod : state.pods.items()) {
      if (pod.meta.namespace_ != w.namespace_ || pod.meta.deletion || !pod.status.ready) continue;
      if (selector->matches(pod.meta.labels)) ++ready;
    }
    if (state_text) *state_text = fmt::format("{} of {} replicas ready", ready, want);
    return ready >= want;
  }
  // endpoints
  std::int64_t ready = 0;
  for (const auto& slice : state.endpoint_slices.items()) {
    if (slice.meta.namespace_ != w.namespace_ || slice.service_name != w.endpoints) continue;
    for (const auto& ep : slice.endpoints)
      if (ep.conditions.is_ready()) ++ready;
  }
  if (state_text) *state_text = fmt::format("{} ready endpoint{}", ready, ready == 1 ? "" : "s");
  return ready >= w.count;
}

void Runner::Impl::start(Slot& slot) {
  const manifest::Step& step = *slot.step;
  auto& engine = sim.simulator();
  slot.phase = Slot::Phase::running;
  slot.started = engine.now();
  slot.report.started = engine.now() - t0;
  if (step.at && engine.now() > t0 + *step.at) slot.report.late_by = engine.now() - (t0 + *step.at);

  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, manifest::ExecAction> ||
                      std::is_same_v<T, manifest::CurlAction>) {
          ExecResult r;
          if constexpr (std::is_same_v<T, manifest::ExecAction>) {
            ExecRequest req;
            req.pod = a.pod;
            req.namespace_ = a.namespace_;
            req.container = a.container;
            req.argv = a.argv.empty() ? split_command_line(a.command) : a.argv;
            req.sink = options.sink;
            r = sim.exec(req);
          } else {
            std::vector<std::string> args = words_of(a.args, a.args_line);
            args.push_back(a.url);
            r = sim.curl(args, parse_from(a.from), options.sink);
          }
          slot.report.exit_code = r.exit_code;
          slot.report.stdout_text = r.stdout_text;
          slot.report.stderr_text = r.stderr_text;
          StepStats stats;
          for (const auto& rec : r.requests) stats.add(rec, sim.network().state());
          stats.fill(slot.report);
          detail::RequestChecks checks(step.expect, /*exit_codes_from_requests=*/false);
          checks.add_exit_code(r.exit_code);
          if (!r.requests.empty())
            checks.add(r.requests.back());
          else
            checks.add_stdout(r.stdout_text);
          if (r.requests.empty() && !r.stderr_text.empty()) {
            std::string err = r.stderr_text;
            while (!err.empty() && err.back() == '\n') err.pop_back();
            slot.report.message = err;
          }
          checks.results(slot.report.expectations);
          finish(slot, engine.now());
        } else if constexpr (std::is_same_v<T, manifest::TrafficAction>) {
          dataplane::ClientError err;
          auto client = sim.network().client(parse_from(a.from), &err);
          if (!client) {
            fail_action(slot, fmt::format("Error from server (NotFound): {}", err.message));
            finish(slot, engine.now());
            return;
          }
          std::vector<std::string> args = words_of(a.args, a.args_line);
          args.push_back(a.url);
          dataplane::CurlOptions opts = dataplane::parse_curl_args(args);
          if (!opts.ok()) {
            fail_action(slot, fmt::format("curl: ({}) {}", opts.error_code, opts.error));
            finish(slot, engine.now());
            return;
          }
          dataplane::RequestSpec spec = opts.request_for(a.url);
          spec.record_hops = false;
          spec.keep_alive = a.keep_alive;
          spec.reuse_connection = a.keep_alive;
          if (!spec.max_time) spec.max_time = a.timeout;
          slot.traffic =
              std::make_unique<TrafficRun>(*this, a, step.expect, std::move(*client),
                                           std::move(spec), sim.seed(), slot.report.index);
          slot.traffic->start();
        } else if constexpr (std::is_same_v<T, manifest::DeleteAction>) {
          conclude_action(slot, sim.delete_object(a.kind, a.name, a.namespace_));
        } else if constexpr (std::is_same_v<T, manifest::ScaleAction>) {
          conclude_action(slot, sim.scale(a.kind, a.name, a.replicas, a.namespace_));
        } else if constexpr (std::is_same_v<T, manifest::RolloutAction>) {
          conclude_action(slot,
                          a.undo ? sim.rollout_undo(a.deployment, a.to_revision, a.namespace_)
                                 : sim.rollout(a.deployment, a.image, a.namespace_, a.container));
        } else if constexpr (std::is_same_v<T, manifest::ApplyAction>) {
          manifest::LoadReport r = sim.apply(a.paths);
          if (r.ok()) {
            slot.report.message =
                fmt::format("applied {} object{} from {} file{}", r.objects,
                            r.objects == 1 ? "" : "s", r.files, r.files == 1 ? "" : "s");
          } else {
            std::string msg = r.diagnostics.str();
            while (!msg.empty() && msg.back() == '\n') msg.pop_back();
            fail_action(slot, msg);
          }
          finish(slot, engine.now());
        } else {  // wait
          if (a.duration) {
            slot.wait_until = engine.now() + *a.duration;
          } else {
            slot.deadline = engine.now() + a.timeout;
          }
          poll(slot);
        }
      },
      step.action);
}

void Runner::Impl::poll(Slot& slot) {
  if (slot.phase != Slot::Phase::running) return;
  const SimTime now = sim.simulator().now();
  if (slot.traffic) {
    if (!slot.traffic->finished()) return;
    slot.traffic->stats().fill(slot.report);
    slot.traffic->checks().results(slot.report.expectations);
    finish(slot, slot.traffic->end());
    return;
  }
  const auto* w = std::get_if<manifest::WaitAction>(&slot.step->action);
  PODHOP_CHECK(w != nullptr, "only traffic and wait steps run over time");
  if (w->duration) {
    if (now >= *slot.wait_until) finish(slot, now);
    return;
  }
  std::string state_text;
  if (wait_condition_holds(*w, &state_text)) {
    slot.report.message =
        fmt::format("condition met after {}{}", core::format_duration(now - slot.started),
                    state_text.empty() ? "" : ": " + state_text);
    finish(slot, now);
  } else if (now >= slot.deadline) {
    fail_action(
        slot, fmt::format("timed out after {} waiting{}", core::format_duration(now - slot.started),
                          state_text.empty() ? "" : " (" + state_text + ")"));
    finish(slot, now);
  }
}

void Runner::Impl::finish(Slot& slot, SimTime end) {
  detail::check_aggregates(slot.step->expect, slot.report, slot.report.expectations);
  slot.report.ended = end - t0;
  slot.report.passed = std::all_of(slot.report.expectations.begin(), slot.report.expectations.end(),
                                   [](const ExpectationResult& e) { return e.passed; });
  slot.phase = Slot::Phase::done;
  ++steps_done;
}

ScenarioReport Runner::Impl::run(const std::vector<manifest::Step>& steps, std::string name) {
  auto& engine = sim.simulator();
  t0 = engine.now();
  const SimTime limit = t0 + options.limit;
  steps_total = steps.size();
  steps_done = 0;
  std::vector<Slot> slots(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    slots[i].step = &steps[i];
    auto [default_name, description] = describe(steps[i].action);
    slots[i].report.index = i + 1;
    slots[i].report.name = steps[i].name.empty() ? default_name : steps[i].name;
    slots[i].report.action = std::string(manifest::action_name(steps[i].action));
    slots[i].report.description = description;
  }
  start_observing();

  auto ready = [&](std::size_t i) {
    if (slots[i].phase != Slot::Phase::pending) return false;
    if (steps[i].at) return engine.now() >= t0 + *steps[i].at;
    return i == 0 || slots[i - 1].phase == Slot::Phase::done;
  };

  for (;;) {
    // Start what is due and collect what ended, until nothing changes at this instant.
    bool changed = true;
    while (changed) {
      changed = false;
      for (std::size_t i = 0; i < slots.size(); ++i) {
        if (ready(i)) {
          start(slots[i]);
          changed = true;
        }
        if (slots[i].phase == Slot::Phase::running) {
          poll(slots[i]);
          if (slots[i].phase == Slot::Phase::done) changed = true;
        }
      }
    }
    progress();
    if (steps_done == slots.size()) break;

    // The next moment the driver must act.
    SimTime next = limit;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const Slot& s = slots[i];
      if (s.phase == Slot::Phase::pending && steps[i].at)
        next = std::min(next, std::max(engine.now(), t0 + *steps[i].at));
      if (s.phase == Slot::Phase::running && !s.traffic) {
        if (s.wait_until)
          next = std::min(next, *s.wait_until);
        else
          next = std::min(next, std::min(s.deadline, engine.now() + options.poll));
      }
    }
    if (engine.now() >= limit) {
      for (auto& s : slots) {
        if (s.phase == Slot::Phase::done) continue;
        if (s.traffic) {
          s.traffic->cancel();
          s.traffic->stats().fill(s.report);
        }
        if (s.phase == Slot::Phase::pending) s.report.started = engine.now() - t0;
        fail_action(s, fmt::format("did not finish within the run's limit of {}",
                                   core::format_duration(options.limit)));
        finish(s, engine.now());
      }
      break;
    }
    // A traffic step that ends stops the engine early (TrafficRun::check_finished).
    sim.run_until(next);
  }
  stop_observing();
  // Requests still in flight (a run stopped at its limit) now belong to no one: the
  // generators that sent them go away with their slots.
  in_flight.clear();

  ScenarioReport report;
  report.name = std::move(name);
  report.seed = sim.seed();
  SimTime end = t0;
  for (auto& s : slots) {
    end = std::max(end, t0 + s.report.ended);
    report.passed = report.passed && s.report.passed;
    report.steps.push_back(std::move(s.report));
  }
  report.duration = end - t0;
  // Traffic runs may still have requests in flight (a run stopped at its limit): they hold
  // pointers to the slots, so they go before the slots.
  for (auto& s : slots) s.traffic.reset();
  return report;
}

// ---------------------------------------------------------------------------------------
// Runner

Runner::Runner(Simulation& sim, RunOptions options)
    : impl_(std::make_unique<Impl>(sim, std::move(options))) {}
Runner::~Runner() = default;

ScenarioReport Runner::run(const std::vector<manifest::Step>& steps, std::string name) {
  return impl_->run(steps, std::move(name));
}

StepReport Runner::run_step(const manifest::Step& step) {
  std::vector<manifest::Step> one{step};
  one.front().at.reset();
  ScenarioReport r = impl_->run(one, {});
  return std::move(r.steps.front());
}

StepReport Runner::exec(manifest::ExecAction action, manifest::Expectations expect) {
  return run_step({.action = std::move(action), .expect = std::move(expect)});
}
StepReport Runner::curl(manifest::CurlAction action, manifest::Expectations expect) {
  return run_step({.action = std::move(action), .expect = std::move(expect)});
}
StepReport Runner::traffic(manifest::TrafficAction action, manifest::Expectations expect) {
  return run_step({.action = std::move(action), .expect = std::move(expect)});
}
StepReport Runner::wait(manifest::WaitAction action) {
  return run_step({.action = std::move(action)});
}

std::vector<std::string> manifest_paths(const manifest::ScenarioSpec& spec,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> paths = spec.manifests;
  if (spec.file_has_manifests) paths.push_back(spec.file);
  paths.insert(paths.end(), extra.begin(), extra.end());
  return paths;
}

FileRun run_file(const std::string& path, FileRunOptions options) {
  FileRun out;
  manifest::ScenarioLoad load = manifest::load_scenario(path);
  out.diagnostics = load.diagnostics;
  if (!load.ok()) return out;
  const manifest::ScenarioSpec& spec = *load.scenario;
  const std::uint64_t seed = options.seed.value_or(spec.seed.value_or(1));
  Simulation sim({.seed = seed});
  std::vector<std::string> paths = manifest_paths(spec, options.extra_manifests);
  if (!paths.empty()) {
    out.load = sim.load(paths);
    out.diagnostics.append(out.load.diagnostics);
    if (!out.load.ok()) return out;
  }
  if (options.prepare) options.prepare(sim);
  Runner runner(sim, std::move(options.run));
  ScenarioReport report = runner.run(spec.steps, spec.name);
  report.file = spec.file;
  out.report = std::move(report);
  return out;
}

}  // namespace podhop::scenario
