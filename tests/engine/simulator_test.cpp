#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "podhop/core/rng.hpp"
#include "podhop/engine/simulator.hpp"

using podhop::core::Duration;
using podhop::core::SimTime;
using podhop::engine::EventId;
using podhop::engine::Simulator;

namespace {

SimTime at(std::int64_t ns) {
  return SimTime{ns};
}

// A handler that appends its label to a trace: 16 bytes, the most a handler may capture.
struct Record {
  std::vector<int>* trace;
  int label;
  void operator()() const { trace->push_back(label); }
};

}  // namespace

TEST_CASE("a new simulator starts at time zero with nothing pending", "[engine]") {
  Simulator sim;
  CHECK(sim.now() == at(0));
  CHECK(sim.pending() == 0);
  CHECK(sim.executed() == 0);
  CHECK_FALSE(sim.next_time().has_value());
  CHECK_FALSE(sim.step());
}

TEST_CASE("events run in order of time, whatever order they were scheduled in", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  const std::int64_t times[] = {50, 10, 40, 20, 30, 0};
  for (std::int64_t t : times) sim.schedule_at(at(t), Record{&trace, static_cast<int>(t)});
  CHECK(sim.pending() == 6);
  CHECK(sim.next_time() == at(0));
  sim.run();
  CHECK(trace == std::vector<int>{0, 10, 20, 30, 40, 50});
  CHECK(sim.now() == at(50));
  CHECK(sim.executed() == 6);
  CHECK(sim.pending() == 0);
}

TEST_CASE("events at the same time run in the order they were scheduled", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  for (int i = 0; i < 100; ++i) sim.schedule_at(at(7), Record{&trace, i});
  sim.schedule_at(at(3), Record{&trace, -1});
  sim.run();
  std::vector<int> expected{-1};
  for (int i = 0; i < 100; ++i) expected.push_back(i);
  CHECK(trace == expected);
}

TEST_CASE("an event a handler schedules for the current time runs after those already queued",
          "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_at(at(5), [&trace](Simulator& s) {
    trace.push_back(1);
    s.schedule_in(Duration{0}, Record{&trace, 3});
  });
  sim.schedule_at(at(5), Record{&trace, 2});
  sim.schedule_at(at(6), Record{&trace, 4});
  sim.run();
  CHECK(trace == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("handlers see the time of their own event and can schedule more events", "[engine]") {
  Simulator sim;
  std::vector<std::int64_t> seen;
  struct Chain {
    std::vector<std::int64_t>* seen;
    void operator()(Simulator& s) const {
      seen->push_back(s.now().ns);
      if (seen->size() < 5) s.schedule_in(Duration::micros(1), *this);
    }
  };
  sim.schedule_in(Duration::micros(2), Chain{&seen});
  sim.run();
  CHECK(seen == std::vector<std::int64_t>{2000, 3000, 4000, 5000, 6000});
  CHECK(sim.executed() == 5);
}

TEST_CASE("handlers may be written with or without the simulator argument", "[engine]") {
  Simulator sim;
  int plain = 0;
  std::int64_t with_sim = -1;
  sim.schedule_at(at(1), [&plain] { ++plain; });
  sim.schedule_at(at(2), [&with_sim](Simulator& s) { with_sim = s.now().ns; });
  sim.run();
  CHECK(plain == 1);
  CHECK(with_sim == 2);
}

TEST_CASE("a handler fits only when it is small and trivially copyable", "[engine]") {
  struct Small {
    void* p;
    std::uint64_t id;
    void operator()() const {}
  };
  struct TooBig {
    void* p;
    void* q;
    void* r;
    void operator()() const {}
  };
  struct Owning {
    std::string s;
    void operator()() const {}
  };
  struct NotCallable {
    int x;
  };
  STATIC_REQUIRE(podhop::engine::is_event_handler_v<Small>);
  STATIC_REQUIRE_FALSE(podhop::engine::is_event_handler_v<TooBig>);
  STATIC_REQUIRE_FALSE(podhop::engine::is_event_handler_v<Owning>);
  STATIC_REQUIRE_FALSE(podhop::engine::is_event_handler_v<NotCallable>);
}

TEST_CASE("a cancelled event does not run", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_at(at(1), Record{&trace, 1});
  const EventId id = sim.schedule_at(at(2), Record{&trace, 2});
  sim.schedule_at(at(3), Record{&trace, 3});
  CHECK(sim.is_pending(id));
  CHECK(sim.cancel(id));
  CHECK_FALSE(sim.is_pending(id));
  CHECK(sim.pending() == 2);
  sim.run();
  CHECK(trace == std::vector<int>{1, 3});
  CHECK(sim.executed() == 2);
}

TEST_CASE("cancelling twice, after firing, or with an empty id does nothing", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  const EventId fired = sim.schedule_at(at(1), Record{&trace, 1});
  const EventId twice = sim.schedule_at(at(2), Record{&trace, 2});
  REQUIRE(sim.step());
  CHECK_FALSE(sim.cancel(fired));
  CHECK(sim.cancel(twice));
  CHECK_FALSE(sim.cancel(twice));
  CHECK_FALSE(sim.cancel(EventId{}));
  CHECK(EventId{}.empty());
  CHECK(sim.pending() == 0);
  sim.run();
  CHECK(trace == std::vector<int>{1});
}

TEST_CASE("a stale id does not cancel the event that reused its slot", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  const EventId old_fired = sim.schedule_at(at(1), Record{&trace, 1});
  sim.run();
  // The freed slot is the first one reused.
  const EventId reused = sim.schedule_at(at(2), Record{&trace, 2});
  CHECK_FALSE(old_fired == reused);
  CHECK_FALSE(sim.cancel(old_fired));
  CHECK(sim.cancel(reused));
  const EventId after_cancel = sim.schedule_at(at(3), Record{&trace, 3});
  CHECK_FALSE(sim.cancel(reused));
  CHECK(sim.is_pending(after_cancel));
  sim.run();
  CHECK(trace == std::vector<int>{1, 3});
}

TEST_CASE("a handler can cancel a later event at the same time and its own id harmlessly",
          "[engine]") {
  struct Ids {
    EventId self;
    EventId victim;
    bool cancelled_self = true;
    bool cancelled_victim = false;
  } ids;
  Simulator sim;
  std::vector<int> trace;
  ids.self = sim.schedule_at(at(4), [&ids](Simulator& s) {
    ids.cancelled_self = s.cancel(ids.self);
    ids.cancelled_victim = s.cancel(ids.victim);
  });
  ids.victim = sim.schedule_at(at(4), Record{&trace, 2});
  sim.schedule_at(at(4), Record{&trace, 3});
  sim.run();
  CHECK_FALSE(ids.cancelled_self);
  CHECK(ids.cancelled_victim);
  CHECK(trace == std::vector<int>{3});
}

TEST_CASE("cancelling the earliest event moves next_time to the next live one", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  const EventId first = sim.schedule_at(at(10), Record{&trace, 1});
  const EventId second = sim.schedule_at(at(20), Record{&trace, 2});
  sim.schedule_at(at(30), Record{&trace, 3});
  sim.cancel(first);
  CHECK(sim.next_time() == at(20));
  sim.cancel(second);
  CHECK(sim.next_time() == at(30));
}

TEST_CASE("run_until runs events at exactly the limit and leaves later ones pending", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_at(at(99), Record{&trace, 99});
  sim.schedule_at(at(100), Record{&trace, 100});
  sim.schedule_at(at(101), Record{&trace, 101});
  // A handler at the limit that schedules another event at the limit: it runs too.
  sim.schedule_at(at(100), [&trace](Simulator& s) {
    s.schedule_in(Duration{0}, Record{&trace, 1000});
  });
  sim.run_until(at(100));
  CHECK(trace == std::vector<int>{99, 100, 1000});
  CHECK(sim.now() == at(100));
  CHECK(sim.pending() == 1);
  CHECK(sim.next_time() == at(101));
}

TEST_CASE("run_until advances the clock to the limit even with no event there", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.run_until(at(500));
  CHECK(sim.now() == at(500));
  sim.schedule_in(Duration{10}, Record{&trace, 510});
  CHECK(sim.next_time() == at(510));
  // Consecutive limits split time into (a, b] intervals: nothing is lost or run twice.
  sim.run_until(at(509));
  CHECK(trace.empty());
  sim.run_until(at(510));
  CHECK(trace == std::vector<int>{510});
  sim.run_until(at(510));
  CHECK(trace == std::vector<int>{510});
  CHECK(sim.now() == at(510));
}

TEST_CASE("stop makes run return after the current handler", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_at(at(1), Record{&trace, 1});
  sim.schedule_at(at(2), [&trace](Simulator& s) {
    trace.push_back(2);
    s.stop();
  });
  sim.schedule_at(at(3), Record{&trace, 3});
  sim.schedule_at(at(4), Record{&trace, 4});
  sim.run();
  CHECK(trace == std::vector<int>{1, 2});
  CHECK(sim.now() == at(2));
  CHECK(sim.pending() == 2);
  sim.run_until(at(10));
  CHECK(trace == std::vector<int>{1, 2, 3, 4});
  CHECK(sim.now() == at(10));
}

TEST_CASE("step runs exactly one event", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_at(at(5), Record{&trace, 5});
  sim.schedule_at(at(6), Record{&trace, 6});
  REQUIRE(sim.step());
  CHECK(trace == std::vector<int>{5});
  CHECK(sim.now() == at(5));
  REQUIRE(sim.step());
  CHECK_FALSE(sim.step());
  CHECK(sim.executed() == 2);
}

TEST_CASE("two simulators side by side do not see each other's events", "[engine]") {
  Simulator a;
  Simulator b;
  std::vector<int> ta;
  std::vector<int> tb;
  a.schedule_at(at(1), Record{&ta, 1});
  b.schedule_at(at(2), Record{&tb, 2});
  a.run();
  CHECK(ta == std::vector<int>{1});
  CHECK(tb.empty());
  CHECK(b.now() == at(0));
  b.run();
  CHECK(tb == std::vector<int>{2});
}

namespace {

// A seeded workload: each event records (time, label) and schedules up to two more with
// random delays (many ties: delays are drawn from a small range), and sometimes cancels one.
struct Workload {
  podhop::core::RngStream rng;
  std::vector<std::pair<std::int64_t, int>> trace;
  std::vector<EventId> ids;
  int next_label = 0;

  explicit Workload(std::uint64_t seed) : rng(seed, "engine-determinism") {}

  void spawn(Simulator& sim) {
    const int label = next_label++;
    const auto delay = Duration{static_cast<std::int64_t>(rng.uniform(5))};
    ids.push_back(sim.schedule_in(delay, Fire{this, label}));
  }

  struct Fire {
    Workload* w;
    int label;
    void operator()(Simulator& sim) const {
      w->trace.emplace_back(sim.now().ns, label);
      if (w->next_label < 20000) {
        w->spawn(sim);
        if (w->rng.bernoulli(0.5)) w->spawn(sim);
      }
      if (w->rng.bernoulli(0.2)) sim.cancel(w->ids[w->rng.uniform(w->ids.size())]);
    }
  };
};

}  // namespace

TEST_CASE("two simulators fed the same seeded workload produce identical traces", "[engine]") {
  auto run = [](std::uint64_t seed) {
    Simulator sim;
    Workload w(seed);
    for (int i = 0; i < 10; ++i) w.spawn(sim);
    sim.run();
    return w.trace;
  };
  const auto first = run(42);
  const auto second = run(42);
  const auto other = run(43);
  REQUIRE(first.size() > 10000);
  CHECK(first == second);
  CHECK(first != other);
  CHECK(std::is_sorted(first.begin(), first.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; }));
}

TEST_CASE("a randomized run with many cancels matches a sorted-vector reference model",
          "[engine]") {
  // The reference keeps the pending events in a vector sorted by (time, schedule order),
  // latest first, so the next event is at the back: slow, but obviously right.
  struct RefEvent {
    std::int64_t time;
    std::uint64_t order;
    int label;
  };
  const auto later = [](const RefEvent& a, const RefEvent& b) {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  };
  podhop::core::RngStream rng(7, "engine-reference");
  Simulator sim;
  std::vector<RefEvent> ref;
  std::vector<RefEvent> by_label;  // every event ever scheduled, indexed by label
  std::vector<EventId> ids;        // likewise: pending, fired and cancelled ids
  std::vector<int> trace;
  std::vector<int> expected;
  std::size_t cancels = 0;
  std::size_t harmless_cancels = 0;
  std::size_t max_pending = 0;

  for (int op = 0; op < 200000; ++op) {
    // A growing phase, then a cancelling phase that leaves the queue mostly dead entries.
    const bool growing = op < 100000;
    const std::uint64_t r = rng.uniform(100);
    if (r < (growing ? 50u : 15u)) {
      // Mostly a narrow window of delays, so many events share a time.
      const std::int64_t delay = rng.bernoulli(0.8)
                                     ? static_cast<std::int64_t>(rng.uniform(8))
                                     : static_cast<std::int64_t>(rng.uniform(100000));
      const int label = static_cast<int>(ids.size());
      ids.push_back(sim.schedule_in(Duration{delay}, Record{&trace, label}));
      const RefEvent e{sim.now().ns + delay, static_cast<std::uint64_t>(label), label};
      by_label.push_back(e);
      ref.insert(std::upper_bound(ref.begin(), ref.end(), e, later), e);
    } else if (r < 80) {
      if (ids.empty()) continue;
      const auto label = static_cast<std::size_t>(rng.uniform(ids.size()));
      const RefEvent& e = by_label[label];
      auto it = std::lower_bound(ref.begin(), ref.end(), e, later);
      const bool was_pending = it != ref.end() && it->label == e.label;
      REQUIRE(sim.cancel(ids[label]) == was_pending);
      if (was_pending) {
        ref.erase(it);
        ++cancels;
      } else {
        ++harmless_cancels;
      }
    } else if (ref.empty()) {
      REQUIRE_FALSE(sim.step());
    } else {
      expected.push_back(ref.back().label);
      const std::int64_t t = ref.back().time;
      ref.pop_back();
      REQUIRE(sim.step());
      REQUIRE(sim.now().ns == t);
    }
    REQUIRE(sim.pending() == ref.size());
    max_pending = std::max(max_pending, ref.size());
  }
  // Drain what is left.
  for (auto it = ref.rbegin(); it != ref.rend(); ++it) expected.push_back(it->label);
  sim.run();
  CHECK(trace == expected);
  CHECK(sim.pending() == 0);
  // The run exercised what it claims to: many live and stale cancels, a queue large enough
  // to be rebuilt after mass cancellation.
  CHECK(cancels > 5000);
  CHECK(harmless_cancels > 10000);
  CHECK(max_pending > 2000);
}

TEST_CASE("cancelling most of a large queue rebuilds it and keeps the order", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  std::vector<EventId> ids;
  for (int i = 0; i < 20000; ++i) {
    ids.push_back(sim.schedule_at(at(1000 + (i * 7919) % 20000), Record{&trace, i}));
  }
  const std::size_t before = sim.memory_bytes();
  for (int i = 0; i < 20000; ++i) {
    if (i % 10 != 0) CHECK(sim.cancel(ids[i]));
  }
  CHECK(sim.pending() == 2000);
  CHECK(sim.queued_entries() <= 2 * 2000 + 1024);
  // Cancelled slots are free and the queue dropped its dead entries: scheduling as many
  // events again grows nothing.
  for (int i = 0; i < 18000; ++i) sim.schedule_at(at(100000 + i), Record{&trace, 100000 + i});
  CHECK(sim.memory_bytes() == before);
  sim.run();
  REQUIRE(trace.size() == 20000);
  std::vector<int> survivors(trace.begin(), trace.begin() + 2000);
  std::vector<int> expected;
  for (int i = 0; i < 20000; i += 10) expected.push_back(i);
  std::sort(expected.begin(), expected.end(),
            [](int a, int b) { return (a * 7919) % 20000 < (b * 7919) % 20000; });
  CHECK(survivors == expected);
}

TEST_CASE("a steady workload allocates nothing once the tables have grown", "[engine]") {
  // PHOLD-like: each event schedules one more, so the pending count stays constant.
  struct Hold {
    podhop::core::RngStream* rng;
    void operator()(Simulator& s) const {
      s.schedule_in(Duration{static_cast<std::int64_t>(rng->exponential(1000.0))}, *this);
    }
  };
  podhop::core::RngStream rng(1, "engine-hold");
  Simulator sim;
  for (int i = 0; i < 1000; ++i)
    sim.schedule_in(Duration{static_cast<std::int64_t>(i)}, Hold{&rng});
  for (int i = 0; i < 10000; ++i) sim.step();
  const std::size_t warm = sim.memory_bytes();
  for (int i = 0; i < 100000; ++i) sim.step();
  CHECK(sim.memory_bytes() == warm);
  CHECK(sim.pending() == 1000);
  CHECK(sim.executed() == 110000);
  // 16-byte queue entries plus 32-byte slots, with at most the vectors' spare capacity.
  CHECK(warm <= 2 * 48 * 1000);
}

TEST_CASE("a reply cancels its timeout, as in the example of docs/engine.md", "[engine]") {
  struct Connection {
    bool timed_out = false;
    std::int64_t replied_at = -1;
    void on_timeout() { timed_out = true; }
    void on_reply(SimTime t) { replied_at = t.ns; }
  };
  Connection c;
  Connection* conn = &c;
  Simulator sim;
  const auto timeout =
      sim.schedule_in(Duration::millis(30), [conn](Simulator&) { conn->on_timeout(); });
  sim.schedule_in(Duration::micros(150), [conn, timeout](Simulator& s) {
    s.cancel(timeout);
    conn->on_reply(s.now());
  });
  sim.run_until(SimTime{} + Duration::seconds(1));
  CHECK_FALSE(c.timed_out);
  CHECK(c.replied_at == 150'000);
  CHECK(sim.now() == SimTime{1'000'000'000});
  CHECK(sim.executed() == 1);
}

namespace {

// Runs f in a child process and returns what it wrote to stderr if it died of SIGABRT, or
// "(no abort)" if it returned. PODHOP_CHECK failures are bugs that abort, so this is how they
// are tested.
template <typename F>
std::string abort_message(F f) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    f();
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)) return "(no abort)";
  return out;
}

}  // namespace

TEST_CASE("time never goes backwards: scheduling in the past is a bug that aborts", "[engine]") {
  const auto in_past = abort_message([] {
    Simulator sim;
    sim.run_until(SimTime{100});
    sim.schedule_at(SimTime{99}, [] {});
  });
  CHECK_THAT(in_past, Catch::Contains("event scheduled in the past"));
  const auto negative = abort_message([] {
    Simulator sim;
    sim.schedule_in(Duration{-1}, [] {});
  });
  CHECK_THAT(negative, Catch::Contains("negative delay"));
  const auto limit_in_past = abort_message([] {
    Simulator sim;
    sim.run_until(SimTime{100});
    sim.run_until(SimTime{50});
  });
  CHECK_THAT(limit_in_past, Catch::Contains("run_until with a limit in the past"));
  // And the harness can tell a call that does not abort.
  CHECK(abort_message([] {
          Simulator sim;
          sim.schedule_at(SimTime{0}, [] {});
        }) == "(no abort)");
}

TEST_CASE("a reserved event fires where one scheduled at the reservation would have", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  // Reserved first, armed last: at an equal time it still runs before the events scheduled
  // after the reservation, and after those scheduled before it.
  sim.schedule_at(at(10), Record{&trace, 0});
  const Simulator::Reservation place = sim.take_place();
  CHECK_FALSE(place.empty());
  sim.schedule_at(at(10), Record{&trace, 2});
  struct Arm {
    std::vector<int>* trace;
    Simulator::Reservation place;
    // Armed by a handler running before its time, as the pipeline arms a connect timer.
    void operator()(Simulator& s) const {
      static_cast<void>(s.schedule_reserved(at(10), place, Record{trace, 1}));
    }
  };
  sim.schedule_at(at(5), Arm{&trace, place});
  sim.run();
  CHECK(trace == std::vector<int>{0, 1, 2});
}

TEST_CASE("a reservation never armed runs nothing and takes a sequence number", "[engine]") {
  Simulator a;
  Simulator b;
  std::vector<int> ta;
  std::vector<int> tb;
  // The same events in both, one of them with an unused reservation between: the order,
  // the pending count and the executed count are the same.
  a.schedule_at(at(1), Record{&ta, 1});
  static_cast<void>(a.take_place());
  a.schedule_at(at(1), Record{&ta, 2});
  b.schedule_at(at(1), Record{&tb, 1});
  b.schedule_at(at(1), Record{&tb, 2});
  CHECK(a.pending() == 2);
  a.run();
  b.run();
  CHECK(ta == tb);
  CHECK(a.executed() == 2);
}

TEST_CASE("a reserved event can be cancelled like any other", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  const Simulator::Reservation place = sim.take_place();
  EventId id = sim.schedule_reserved(at(3), place, Record{&trace, 7});
  CHECK(sim.is_pending(id));
  CHECK(sim.cancel(id));
  sim.run();
  CHECK(trace.empty());
}

TEST_CASE("events in delay lanes and in the heap match a sorted-vector reference model",
          "[engine]") {
  // As the reference test above, with most events scheduled by schedule_after from twelve
  // delays (eight get a lane, four go to the heap), some by schedule_in with any delay, and
  // many cancels, so lanes hold dead entries and get compacted.
  struct RefEvent {
    std::int64_t time;
    std::uint64_t order;
    int label;
  };
  const auto later = [](const RefEvent& a, const RefEvent& b) {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  };
  const std::int64_t kDelays[12] = {0, 10, 100, 3, 5000, 7, 10, 1, 250, 12, 99, 64};
  podhop::core::RngStream rng(11, "engine-lanes");
  Simulator sim;
  std::vector<RefEvent> ref;
  std::vector<RefEvent> by_label;
  std::vector<EventId> ids;
  std::vector<int> trace;
  std::vector<int> expected;
  std::size_t cancels = 0;
  for (int op = 0; op < 200000; ++op) {
    const bool growing = op < 100000;
    const std::uint64_t r = rng.uniform(100);
    if (r < (growing ? 50u : 15u)) {
      const bool lane = rng.bernoulli(0.8);
      const std::int64_t delay =
          lane ? kDelays[rng.uniform(12)] : static_cast<std::int64_t>(rng.uniform(300));
      const int label = static_cast<int>(ids.size());
      ids.push_back(lane ? sim.schedule_after(Duration{delay}, Record{&trace, label})
                         : sim.schedule_in(Duration{delay}, Record{&trace, label}));
      const RefEvent e{sim.now().ns + delay, static_cast<std::uint64_t>(label), label};
      by_label.push_back(e);
      ref.insert(std::upper_bound(ref.begin(), ref.end(), e, later), e);
    } else if (r < 80) {
      if (ids.empty()) continue;
      const auto label = static_cast<std::size_t>(rng.uniform(ids.size()));
      const RefEvent& e = by_label[label];
      auto it = std::lower_bound(ref.begin(), ref.end(), e, later);
      const bool was_pending = it != ref.end() && it->label == e.label;
      REQUIRE(sim.cancel(ids[label]) == was_pending);
      if (was_pending) {
        ref.erase(it);
        ++cancels;
        // A cancel drops dead entries, from the lanes too, once they outnumber the live.
        REQUIRE(sim.queued_entries() <= std::max(2 * sim.pending(), sim.pending() + 1024));
      }
    } else if (ref.empty()) {
      REQUIRE_FALSE(sim.step());
    } else {
      expected.push_back(ref.back().label);
      const std::int64_t t = ref.back().time;
      ref.pop_back();
      REQUIRE(sim.next_time() == SimTime{t});
      REQUIRE(sim.step());
      REQUIRE(sim.now().ns == t);
    }
    REQUIRE(sim.pending() == ref.size());
  }
  for (auto it = ref.rbegin(); it != ref.rend(); ++it) expected.push_back(it->label);
  sim.run();
  CHECK(trace == expected);
  CHECK(sim.pending() == 0);
  CHECK(cancels > 5000);
}

TEST_CASE("run_until stops before a lane's event past the limit", "[engine]") {
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_after(Duration{10}, Record{&trace, 1});
  sim.schedule_after(Duration{30}, Record{&trace, 3});
  sim.schedule_at(at(20), Record{&trace, 2});
  sim.run_until(at(25));
  CHECK(trace == std::vector<int>{1, 2});
  CHECK(sim.now() == at(25));
  CHECK(sim.next_time() == at(30));
  sim.run();
  CHECK(trace == std::vector<int>{1, 2, 3});
}

TEST_CASE("events a handler adds before the next pending one run first, lane or heap", "[engine]") {
  // The simulator remembers which entry is first between events; what a handler schedules
  // must still overtake it when it fires earlier, whether it goes to a lane or the heap.
  struct Spawn {
    Simulator* sim;
    std::vector<int>* trace;
    void operator()() const {
      trace->push_back(0);
      sim->schedule_after(Duration{5}, Record{trace, 2});  // a new lane, at 15
      sim->schedule_in(Duration{2}, Record{trace, 1});     // the heap, at 12
      sim->schedule_after(Duration{0}, Record{trace, 3});  // another new lane, at 10: first
    }
  };
  Simulator sim;
  std::vector<int> trace;
  sim.schedule_after(Duration{10}, Spawn{&sim, &trace});
  sim.schedule_after(Duration{20}, Record{&trace, 4});  // a lane of its own, at 20
  sim.schedule_at(at(18), Record{&trace, 5});           // the heap, at 18
  CHECK(sim.next_time() == at(10));
  REQUIRE(sim.step());
  CHECK(sim.next_time() == at(10));  // label 3, scheduled at 10 with no delay
  sim.run();
  CHECK(trace == std::vector<int>{0, 3, 1, 2, 5, 4});
}

TEST_CASE("without cancels, events scheduled by handlers into lanes and the heap keep the order",
          "[engine]") {
  // The simulator remembers the first and the second entry between events while no entry is
  // dead; this run cancels nothing, so that path alone decides the order. Each handler adds
  // zero to three events from ten delays (eight lanes, two to the heap) or any delay.
  struct RefEvent {
    std::int64_t time;
    std::uint64_t order;
  };
  struct World {
    Simulator sim;
    podhop::core::RngStream rng{5, "engine-second"};
    std::vector<RefEvent> scheduled;  // by label
    std::vector<int> trace;
    int budget = 60000;
  };
  struct Fire {
    World* w;
    int label;
    void operator()() const {
      w->trace.push_back(label);
      static constexpr std::int64_t kDelays[10] = {0, 10, 100, 3, 5000, 7, 1, 250, 12, 99};
      const auto n = static_cast<int>(w->rng.uniform(w->budget > 0 ? 4 : 1));
      for (int i = 0; i < n; ++i, --w->budget) {
        const int next = static_cast<int>(w->scheduled.size());
        const bool lane = w->rng.bernoulli(0.85);
        const std::int64_t delay =
            lane ? kDelays[w->rng.uniform(10)] : static_cast<std::int64_t>(w->rng.uniform(400));
        w->scheduled.push_back({w->sim.now().ns + delay, static_cast<std::uint64_t>(next)});
        if (lane) {
          w->sim.schedule_after(Duration{delay}, Fire{w, next});
        } else {
          w->sim.schedule_in(Duration{delay}, Fire{w, next});
        }
      }
    }
  };
  World w;
  for (int i = 0; i < 50; ++i) {
    const auto delay = static_cast<std::int64_t>(w.rng.uniform(30));
    w.scheduled.push_back({delay, static_cast<std::uint64_t>(i)});
    w.sim.schedule_after(Duration{delay}, Fire{&w, i});
  }
  w.sim.run();
  std::vector<int> expected(w.scheduled.size());
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int>(i);
  std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) {
    return w.scheduled[static_cast<std::size_t>(a)].time <
           w.scheduled[static_cast<std::size_t>(b)].time;
  });
  CHECK(w.trace.size() > 40000);
  CHECK(w.trace == expected);
}

namespace {

// A handler with the prefetch hint of handler.hpp; the hint only logs which event it was
// asked for (a test may observe it; real hints only prefetch).
struct Hinted {
  std::vector<std::string>* log;
  int label;
  void operator()() const { log->push_back("run " + std::to_string(label)); }
  void prefetch() const { log->push_back("hint " + std::to_string(label)); }
};
struct Unhinted {
  std::vector<std::string>* log;
  int label;
  void operator()() const { log->push_back("run " + std::to_string(label)); }
};

}  // namespace

TEST_CASE("a handler type opts into the prefetch hint with a prefetch() const member", "[engine]") {
  STATIC_REQUIRE(podhop::engine::has_prefetch_hint<Hinted>);
  STATIC_REQUIRE_FALSE(podhop::engine::has_prefetch_hint<Unhinted>);
  STATIC_REQUIRE_FALSE(podhop::engine::has_prefetch_hint<Record>);
  STATIC_REQUIRE(podhop::engine::is_event_handler_v<Hinted>);
}

TEST_CASE("the prefetch hint is called for the next event, before the current one runs",
          "[engine]") {
  Simulator sim;
  std::vector<std::string> log;
  sim.schedule_at(at(10), Hinted{&log, 1});
  sim.schedule_after(Duration{20}, Hinted{&log, 2});  // a lane
  sim.schedule_at(at(30), Unhinted{&log, 3});
  sim.schedule_at(at(40), Hinted{&log, 4});
  sim.run();
  // Nothing runs before the first event, so nobody hints it; an unhinted type gets no call.
  CHECK(log == std::vector<std::string>{"hint 2", "run 1", "run 2", "hint 4", "run 3", "run 4"});
}

TEST_CASE("prefetch hints change neither the order nor the results of a run", "[engine]") {
  // The same seeded workload with cancels, once with hinted handlers and once without:
  // the runs are the same, and the hinted run was given hints.
  const auto run = [](bool hinted) {
    Simulator sim;
    std::vector<std::string> log;
    podhop::core::RngStream rng(21, "engine-hints");
    std::vector<EventId> ids;
    for (int i = 0; i < 20000; ++i) {
      const auto delay = static_cast<std::int64_t>(rng.uniform(1000));
      const bool lane = rng.bernoulli(0.5);
      const Duration d{lane ? delay % 7 * 100 : delay};
      if (hinted) {
        ids.push_back(lane ? sim.schedule_after(d, Hinted{&log, i})
                           : sim.schedule_in(d, Hinted{&log, i}));
      } else {
        ids.push_back(lane ? sim.schedule_after(d, Unhinted{&log, i})
                           : sim.schedule_in(d, Unhinted{&log, i}));
      }
      if (rng.bernoulli(0.2)) sim.cancel(ids[rng.uniform(ids.size())]);
      if (rng.bernoulli(0.5)) sim.step();
    }
    sim.run();
    return log;
  };
  const std::vector<std::string> plain = run(false);
  std::vector<std::string> hinted = run(true);
  const auto hints = std::count_if(hinted.begin(), hinted.end(),
                                   [](const std::string& s) { return s.rfind("hint ", 0) == 0; });
  std::erase_if(hinted, [](const std::string& s) { return s.rfind("hint ", 0) == 0; });
  CHECK(hints > 1000);
  CHECK(hinted == plain);
  CHECK(plain.size() > 10000);
}

TEST_CASE("lanes that fill and empty in any order hand out their heads in order", "[engine]") {
  // Eight lanes whose heads change one at a time in every pattern the tournament over them
  // could get wrong: lanes taken in reverse order, emptied and refilled, the heap between.
  Simulator sim;
  std::vector<int> trace;
  std::vector<std::pair<std::int64_t, int>> expected;  // (time, label), stable by label
  int label = 0;
  podhop::core::RngStream rng(3, "engine-tournament");
  for (int round = 0; round < 2000; ++round) {
    const auto lane = static_cast<std::int64_t>(7 - rng.uniform(8));  // delays 0..7
    const bool heap = rng.bernoulli(0.1);
    const std::int64_t delay = heap ? static_cast<std::int64_t>(rng.uniform(9)) : lane;
    expected.emplace_back(sim.now().ns + delay, label);
    if (heap) {
      sim.schedule_in(Duration{delay}, Record{&trace, label});
    } else {
      sim.schedule_after(Duration{delay}, Record{&trace, label});
    }
    ++label;
    if (rng.bernoulli(0.6)) sim.step();
    if (rng.bernoulli(0.01)) sim.run();
  }
  sim.run();
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> order;
  for (const auto& [t, l] : expected) order.push_back(l);
  CHECK(trace == order);
}
