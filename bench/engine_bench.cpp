// The engine on a PHOLD-like hold workload, against a bare std::priority_queue loop.
//
// N events are pending; each executed event schedules exactly one new event after an
// exponentially distributed delay, so the queue stays at N. The baseline does the same with
// a std::priority_queue of 24-byte records {time, sequence, payload} compared by
// (time, sequence), and no handler at all: it is the floor a priority-queue engine cannot
// beat by much. Both loops read the same delays, drawn once from a core::RngStream before
// timing, so the log() of the exponential is outside both timed loops and the ratio compares
// the queues alone. After the runs the program prints engine/baseline per N.
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODHOP_BUILD_BENCH=ON
//   cmake --build build-bench --target engine_bench -j2
//   build-bench/bench/engine_bench --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true   (one command line)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "podhop/core/rng.hpp"
#include "podhop/engine/simulator.hpp"

namespace {

using podhop::core::Duration;
using podhop::engine::Simulator;

constexpr std::size_t kDelayCount = std::size_t{1} << 16;  // a power of two: index by mask
constexpr double kMeanDelayNs = 1'000'000.0;               // 1 ms

// The delays both loops use, from one named stream.
std::vector<std::int64_t> make_delays() {
  podhop::core::RngStream rng(1, "bench-phold-delays");
  std::vector<std::int64_t> delays(kDelayCount);
  for (auto& d : delays) d = std::llround(rng.exponential(kMeanDelayNs));
  return delays;
}

// Hands out the delays in order, cycling.
struct DelaySource {
  const std::int64_t* delays;
  std::size_t next = 0;
  std::int64_t operator()() { return delays[next++ & (kDelayCount - 1)]; }
};

// ---- baseline: a bare std::priority_queue of 24-byte events --------------------------------

struct BaselineEvent {
  std::int64_t time;
  std::uint64_t seq;
  std::uint64_t payload;
};
static_assert(sizeof(BaselineEvent) == 24);

struct Later {
  bool operator()(const BaselineEvent& a, const BaselineEvent& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

// std::priority_queue with its container's capacity visible, to count bytes.
class BaselineQueue : public std::priority_queue<BaselineEvent, std::vector<BaselineEvent>, Later> {
 public:
  std::size_t memory_bytes() const { return c.capacity() * sizeof(BaselineEvent); }
  void reserve(std::size_t n) { c.reserve(n); }
};

void phold_baseline(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::int64_t> delays = make_delays();
  DelaySource next_delay{delays.data()};
  BaselineQueue q;
  q.reserve(n);  // both sides reserve, so bytes/pending shows the records, not growth slack
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < n; ++i) q.push({next_delay(), seq++, i});
  auto hold = [&] {
    const BaselineEvent e = q.top();
    q.pop();
    q.push({e.time + next_delay(), seq++, e.payload});
  };
  // Warm up into the steady shape of the heap before timing.
  for (std::size_t i = 0; i < 4 * n; ++i) hold();
  for (auto _ : state) hold();
  benchmark::DoNotOptimize(q.top());
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes/pending"] = static_cast<double>(q.memory_bytes()) / static_cast<double>(n);
}

// ---- the engine ---------------------------------------------------------------------------

struct Hold {
  DelaySource* next_delay;
  void operator()(Simulator& sim) const { sim.schedule_in(Duration{(*next_delay)()}, *this); }
};

void phold_engine(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::int64_t> delays = make_delays();
  DelaySource next_delay{delays.data()};
  Simulator sim;
  sim.reserve(n);
  for (std::size_t i = 0; i < n; ++i) sim.schedule_in(Duration{next_delay()}, Hold{&next_delay});
  for (std::size_t i = 0; i < 4 * n; ++i) sim.step();
  const std::size_t bytes_before = sim.memory_bytes();
  for (auto _ : state) sim.step();
  if (sim.pending() != n || sim.memory_bytes() != bytes_before) {
    state.SkipWithError("the hold workload changed size or allocated while timed");
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes/pending"] =
      static_cast<double>(sim.memory_bytes()) / static_cast<double>(n);
}

// ---- the engine with timeouts: each event arms a timeout and cancels the previous one ----

struct TimeoutContext {
  DelaySource next_delay;
  podhop::engine::EventId armed;
};

struct Expire {
  void operator()() const {}
};

struct HoldWithTimeout {
  TimeoutContext* ctx;
  void operator()(Simulator& sim) const {
    sim.schedule_in(Duration{ctx->next_delay()}, *this);
    sim.cancel(ctx->armed);
    ctx->armed = sim.schedule_in(Duration::millis(30), Expire{});
  }
};

void timeouts_engine(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::int64_t> delays = make_delays();
  TimeoutContext ctx{DelaySource{delays.data()}, {}};
  Simulator sim;
  for (std::size_t i = 0; i < n; ++i)
    sim.schedule_in(Duration{ctx.next_delay()}, HoldWithTimeout{&ctx});
  for (std::size_t i = 0; i < 4 * n; ++i) sim.step();
  for (auto _ : state) sim.step();
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(phold_baseline)->Arg(1000)->Arg(100000);
BENCHMARK(phold_engine)->Arg(1000)->Arg(100000);
BENCHMARK(timeouts_engine)->Arg(1000)->Arg(100000);

// Prints as the console reporter does, and keeps every run's events/s to print the
// engine/baseline ratio (median over repetitions) at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      auto it = run.counters.find("events/s");
      if (it == run.counters.end()) continue;
      auto& rates = rates_[run.run_name.function_name][run.run_name.args];
      if (run.run_type == Run::RT_Iteration) {
        rates.repetitions.push_back(it->second.value);
      } else if (run.aggregate_name == "median") {
        rates.reported_median = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratios() const {
    auto base = rates_.find("phold_baseline");
    auto engine = rates_.find("phold_engine");
    if (base == rates_.end() || engine == rates_.end()) return;
    std::printf("\nPHOLD-like hold, median events/s over repetitions:\n");
    std::printf("%10s %16s %16s %8s\n", "pending", "baseline", "engine", "ratio");
    for (const auto& [args, rates] : engine->second) {
      auto b = base->second.find(args);
      if (b == base->second.end()) continue;
      const double e_rate = rates.median();
      const double b_rate = b->second.median();
      std::printf("%10s %16.0f %16.0f %8.2f\n", args.c_str(), b_rate, e_rate, e_rate / b_rate);
    }
  }

 private:
  // One benchmark instance's events/s: each repetition's, or only the median when the run
  // reports aggregates only.
  struct Rates {
    std::vector<double> repetitions;
    double reported_median = 0;

    double median() const {
      if (repetitions.empty()) return reported_median;
      std::vector<double> v = repetitions;
      std::sort(v.begin(), v.end());
      const std::size_t m = v.size() / 2;
      return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
  };

  // function -> args -> rates; ordered maps keep the output stable.
  std::map<std::string, std::map<std::string, Rates>> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
