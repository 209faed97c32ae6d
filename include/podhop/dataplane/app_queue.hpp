#pragma once
// The capacity of one application instance (one container of one pod): a pool of workers
// and a FIFO queue in front of it, what an App's `capacity` describes (docs/apps.md).
//
// A request that arrives takes a free worker at once, or waits in the queue, or, when the
// queue is bounded and full, is rejected (the app answers 503). A worker stays busy for the
// request's service time (fixed, or drawn from an exponential distribution with the given
// mean, from the queue's own random stream); when it is done the longest-waiting request
// takes it. With Poisson arrivals this is the M/G/c/K queue of textbooks, so a hot pod shows
// up as waiting time in the latency percentiles.
//
// The class only keeps the books: it never schedules an event. The pipeline admits a
// request when it reaches the app, schedules the end of its service, and calls release()
// then, which hands the worker to the next waiting request (whose end of service the
// pipeline schedules in turn). A request is named by an opaque token (the pipeline's
// request id).

#include <cstdint>
#include <deque>
#include <optional>

#include "podhop/core/rng.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/podhop_kinds.hpp"

namespace podhop::dataplane {

class AppQueue {
 public:
  /// What became of a request that arrived.
  enum class AdmissionKind : std::uint8_t {
    started,   // a worker took it now; it is done after `service`
    queued,    // every worker is busy: it waits (release() starts it later)
    rejected,  // every worker is busy and the queue is full: answer 503
  };
  struct Admission {
    AdmissionKind kind = AdmissionKind::started;
    /// started: the service time drawn for it.
    core::Duration service;
    /// queued: how many requests wait before it (0: it is next).
    std::size_t ahead = 0;
  };
  /// A waiting request that a released worker takes.
  struct Started {
    std::uint64_t token = 0;
    core::Duration service;  // its service time, from now
    core::Duration waited;   // how long it waited in the queue
  };

  /// A pool as `capacity` describes it (workers 0: unlimited; queue -1: unbounded), drawing
  /// service times from `rng` (name the stream after the pod and container).
  AppQueue(const model::AppCapacity& capacity, core::RngStream rng);

  /// A request (`token`) reaches the app at `now`.
  Admission admit(std::uint64_t token, core::SimTime now);
  /// A worker finished at `now`: the longest-waiting request starts on it, if any. Call it
  /// once for every admission that started (and every Started returned here).
  std::optional<Started> release(core::SimTime now);
  /// A waiting request is given up (its client timed out, its pod is gone): it leaves the
  /// queue. False when it was not waiting (already started, or unknown).
  bool cancel(std::uint64_t token);

  /// Workers serving a request now.
  std::int32_t busy() const { return busy_; }
  /// Requests waiting for a worker.
  std::size_t waiting() const { return queue_.size(); }
  /// Requests turned away so far.
  std::uint64_t rejected() const { return rejected_; }
  const model::AppCapacity& capacity() const { return capacity_; }

 private:
  struct Waiting {
    std::uint64_t token = 0;
    core::SimTime arrived;
  };
  core::Duration draw_service_time();
  bool worker_free() const { return capacity_.workers <= 0 || busy_ < capacity_.workers; }

  model::AppCapacity capacity_;
  core::RngStream rng_;
  std::int32_t busy_ = 0;
  std::deque<Waiting> queue_;
  std::uint64_t rejected_ = 0;
};

}  // namespace podhop::dataplane
