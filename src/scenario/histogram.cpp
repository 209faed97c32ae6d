#include "podhop/scenario/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace podhop::scenario {

std::size_t LatencyHistogram::bucket_of(std::int64_t v) {
  if (v < kSubBuckets) return static_cast<std::size_t>(std::max<std::int64_t>(v, 0));
  const auto u = static_cast<std::uint64_t>(v);
  const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(u));
  const unsigned shift = msb - kSubBits;
  const std::uint64_t mantissa = u >> shift;  // in [128, 256)
  return static_cast<std::size_t>((shift + 1) * kSubBuckets + (mantissa - kSubBuckets));
}

std::int64_t LatencyHistogram::bucket_low(std::size_t bucket) {
  const auto b = static_cast<std::int64_t>(bucket);
  if (b < kSubBuckets) return b;
  const std::int64_t shift = b / kSubBuckets - 1;
  const std::int64_t mantissa = kSubBuckets + b % kSubBuckets;
  return mantissa << shift;
}

std::int64_t LatencyHistogram::bucket_high(std::size_t bucket) {
  const auto b = static_cast<std::int64_t>(bucket);
  if (b < kSubBuckets) return b;
  const std::int64_t shift = b / kSubBuckets - 1;
  const std::int64_t mantissa = kSubBuckets + b % kSubBuckets;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(core::Duration d) {
  const std::int64_t v = std::max<std::int64_t>(d.ns, 0);
  const std::size_t b = bucket_of(v);
  if (b >= buckets_.size()) buckets_.resize(b + 1, 0);
  ++buckets_[b];
  if (count_ == 0) {
    min_ = max_ = v;
  } else {
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  ++count_;
  sum_ += v;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (other.buckets_.size() > buckets_.size()) buckets_.resize(other.buckets_.size(), 0);
  for (std::size_t i = 0; i < other.buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

core::Duration LatencyHistogram::mean() const {
  if (count_ == 0) return {};
  return core::Duration::nanos(sum_ / static_cast<std::int64_t>(count_));
}

core::Duration LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return {};
  if (p >= 100.0) return max();
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      const std::int64_t lo = bucket_low(b);
      const std::int64_t hi = bucket_high(b);
      const std::int64_t mid = lo + (hi - lo) / 2;
      return core::Duration::nanos(std::clamp(mid, min_, max_));
    }
  }
  return max();
}

}  // namespace podhop::scenario
