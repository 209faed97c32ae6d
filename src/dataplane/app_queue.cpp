#include "podhop/dataplane/app_queue.hpp"

#include <algorithm>
#include <cmath>

#include "podhop/core/check.hpp"

namespace podhop::dataplane {

AppQueue::AppQueue(const model::AppCapacity& capacity, core::RngStream rng)
    : capacity_(capacity), rng_(rng) {}

core::Duration AppQueue::draw_service_time() {
  const core::Duration mean = capacity_.service_time;
  if (mean.ns <= 0) return {};
  if (capacity_.distribution == model::ServiceTimeDistribution::fixed) return mean;
  // Our own inverse-transform exponential (core::RngStream), never std::*_distribution:
  // the same seed gives the same service times with every standard library.
  const double ns = rng_.exponential(static_cast<double>(mean.ns));
  return core::Duration::nanos(static_cast<std::int64_t>(std::llround(ns)));
}

AppQueue::Admission AppQueue::admit(std::uint64_t token, core::SimTime now) {
  Admission a;
  if (worker_free()) {
    ++busy_;
    a.kind = AdmissionKind::started;
    a.service = draw_service_time();
    return a;
  }
  if (capacity_.queue >= 0 && queue_.size() >= static_cast<std::size_t>(capacity_.queue)) {
    ++rejected_;
    a.kind = AdmissionKind::rejected;
    return a;
  }
  a.kind = AdmissionKind::queued;
  a.ahead = queue_.size();
  queue_.push_back({token, now});
  return a;
}

std::optional<AppQueue::Started> AppQueue::release(core::SimTime now) {
  PODHOP_CHECK(busy_ > 0, "AppQueue::release without a busy worker");
  if (queue_.empty()) {
    --busy_;
    return std::nullopt;
  }
  // The worker goes straight to the next request: busy_ stays the same.
  const Waiting next = queue_.front();
  queue_.pop_front();
  return Started{next.token, draw_service_time(), now - next.arrived};
}

bool AppQueue::cancel(std::uint64_t token) {
  auto it = std::find_if(queue_.begin(), queue_.end(),
                         [&](const Waiting& w) { return w.token == token; });
  if (it == queue_.end()) return false;
  queue_.erase(it);
  return true;
}

}  // namespace podhop::dataplane
