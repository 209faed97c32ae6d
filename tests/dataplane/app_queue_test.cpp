// AppQueue: workers, a FIFO queue, rejection when full, service times.
#include <catch2/catch.hpp>

#include "podhop/dataplane/app_queue.hpp"

using namespace podhop;
using dataplane::AppQueue;
using Kind = AppQueue::AdmissionKind;
using core::Duration;
using core::SimTime;

namespace {

model::AppCapacity capacity(
    std::int32_t workers, std::int32_t queue, Duration service,
    model::ServiceTimeDistribution d = model::ServiceTimeDistribution::fixed) {
  model::AppCapacity c;
  c.workers = workers;
  c.queue = queue;
  c.service_time = service;
  c.distribution = d;
  return c;
}

SimTime ms(std::int64_t v) {
  return SimTime{} + Duration::millis(v);
}

}  // namespace

TEST_CASE("app queue starts requests at once while a worker is free", "[dataplane][app_queue]") {
  AppQueue q(capacity(2, -1, Duration::millis(5)), core::RngStream(1, "q"));
  auto a = q.admit(1, ms(0));
  auto b = q.admit(2, ms(0));
  CHECK(a.kind == Kind::started);
  CHECK(a.service == Duration::millis(5));
  CHECK(b.kind == Kind::started);
  CHECK(q.busy() == 2);
  auto c = q.admit(3, ms(1));
  CHECK(c.kind == Kind::queued);
  CHECK(c.ahead == 0);
  CHECK(q.admit(4, ms(2)).ahead == 1);
  CHECK(q.waiting() == 2);
}

TEST_CASE("app queue hands a released worker to the longest waiting request",
          "[dataplane][app_queue]") {
  AppQueue q(capacity(1, -1, Duration::millis(5)), core::RngStream(1, "q"));
  REQUIRE(q.admit(10, ms(0)).kind == Kind::started);
  REQUIRE(q.admit(11, ms(1)).kind == Kind::queued);
  REQUIRE(q.admit(12, ms(2)).kind == Kind::queued);
  auto next = q.release(ms(5));
  REQUIRE(next);
  CHECK(next->token == 11);
  CHECK(next->waited == Duration::millis(4));
  CHECK(next->service == Duration::millis(5));
  CHECK(q.busy() == 1);
  next = q.release(ms(10));
  REQUIRE(next);
  CHECK(next->token == 12);
  CHECK(next->waited == Duration::millis(8));
  CHECK_FALSE(q.release(ms(15)));
  CHECK(q.busy() == 0);
}

TEST_CASE("app queue rejects when its bounded queue is full", "[dataplane][app_queue]") {
  AppQueue q(capacity(1, 1, Duration::millis(5)), core::RngStream(1, "q"));
  CHECK(q.admit(1, ms(0)).kind == Kind::started);
  CHECK(q.admit(2, ms(0)).kind == Kind::queued);
  CHECK(q.admit(3, ms(0)).kind == Kind::rejected);
  CHECK(q.rejected() == 1);
  // queue 0: no waiting at all.
  AppQueue none(capacity(1, 0, Duration::millis(5)), core::RngStream(1, "q"));
  CHECK(none.admit(1, ms(0)).kind == Kind::started);
  CHECK(none.admit(2, ms(0)).kind == Kind::rejected);
}

TEST_CASE("app queue with unlimited workers never queues", "[dataplane][app_queue]") {
  AppQueue q(capacity(0, 0, Duration::millis(3)), core::RngStream(1, "q"));
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(q.admit(i, ms(0)).kind == Kind::started);
  CHECK(q.busy() == 100);
  CHECK(q.waiting() == 0);
}

TEST_CASE("app queue cancels a waiting request", "[dataplane][app_queue]") {
  AppQueue q(capacity(1, -1, Duration::millis(5)), core::RngStream(1, "q"));
  q.admit(1, ms(0));
  q.admit(2, ms(0));
  q.admit(3, ms(0));
  CHECK(q.cancel(2));
  CHECK_FALSE(q.cancel(2));
  CHECK_FALSE(q.cancel(1));  // already serving
  auto next = q.release(ms(5));
  REQUIRE(next);
  CHECK(next->token == 3);
}

TEST_CASE("app queue draws exponential service times with the given mean from its stream",
          "[dataplane][app_queue]") {
  auto cap = capacity(0, -1, Duration::millis(10), model::ServiceTimeDistribution::exponential);
  AppQueue q(cap, core::RngStream(7, "app-queue/default/web/web"));
  AppQueue same(cap, core::RngStream(7, "app-queue/default/web/web"));
  double total = 0;
  bool varied = false;
  Duration first;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto a = q.admit(static_cast<std::uint64_t>(i), ms(0));
    CHECK(a.service == same.admit(static_cast<std::uint64_t>(i), ms(0)).service);
    if (i == 0) first = a.service;
    varied = varied || a.service != first;
    CHECK(a.service.ns >= 0);
    total += static_cast<double>(a.service.ns);
  }
  CHECK(varied);
  CHECK(total / n == Approx(1e7).epsilon(0.03));
}
