#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "podhop/core/rng.hpp"
#include "podhop/engine/event_queue.hpp"

using podhop::core::SimTime;
using podhop::engine::EventQueue;
using podhop::engine::fires_before;
using podhop::engine::QueueEntry;

TEST_CASE("queue entries are ordered by time, then by key", "[engine]") {
  struct Case {
    QueueEntry a;
    QueueEntry b;
    bool a_first;
  };
  const Case cases[] = {
      {{SimTime{1}, 9}, {SimTime{2}, 1}, true},   // earlier time wins over a smaller key
      {{SimTime{2}, 1}, {SimTime{1}, 9}, false},  //
      {{SimTime{5}, 1}, {SimTime{5}, 2}, true},   // same time: smaller key first
      {{SimTime{5}, 2}, {SimTime{5}, 1}, false},  //
      {{SimTime{5}, 3}, {SimTime{5}, 3}, false},  // irreflexive
      {{SimTime{-1}, 3}, {SimTime{0}, 0}, true},  // signed times compare as numbers
  };
  for (const auto& c : cases) {
    INFO(c.a.time.ns << "/" << c.a.key << " vs " << c.b.time.ns << "/" << c.b.key);
    CHECK(fires_before(c.a, c.b) == c.a_first);
  }
}

TEST_CASE("the queue hands entries out in sorted order at every size", "[engine]") {
  // Small sizes cover nodes with fewer than four children; the large one, deep heaps.
  for (std::uint64_t n : {1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 85, 86, 5000}) {
    INFO("size " << n);
    podhop::core::RngStream rng(n, "event-queue");
    EventQueue q;
    std::vector<QueueEntry> all;
    for (std::uint64_t key = 1; key <= n; ++key) {
      const QueueEntry e{SimTime{static_cast<std::int64_t>(rng.uniform(300)) - 100}, key};
      all.push_back(e);
      q.push(e);
    }
    CHECK(q.size() == n);
    std::sort(all.begin(), all.end(), fires_before);
    std::vector<QueueEntry> out;
    while (!q.empty()) {
      out.push_back(q.top());
      q.pop();
    }
    REQUIRE(out.size() == all.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      INFO(i);
      REQUIRE(out[i].time == all[i].time);
      REQUIRE(out[i].key == all[i].key);
    }
  }
}

TEST_CASE("removing entries from the queue keeps the rest in order", "[engine]") {
  EventQueue q;
  for (std::uint64_t key = 1; key <= 1000; ++key) {
    q.push({SimTime{static_cast<std::int64_t>((key * 37) % 101)}, key});
  }
  q.remove_if([](const QueueEntry& e) { return e.key % 3 != 0; });
  CHECK(q.size() == 333);
  QueueEntry prev{SimTime{-1}, 0};
  while (!q.empty()) {
    REQUIRE(q.top().key % 3 == 0);
    REQUIRE(fires_before(prev, q.top()));
    prev = q.top();
    q.pop();
  }
}
