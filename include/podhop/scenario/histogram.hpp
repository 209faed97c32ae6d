#pragma once
// Latency percentiles from a histogram, never from every sample: a scenario with a million
// requests keeps a few kilobytes per step, however many requests it sends.
//
// Buckets are log-linear, as in HdrHistogram: values below 2^kSubBits (128 ns) each have
// their own bucket; above that, every power of two [2^k, 2^(k+1)) is cut into 128 equal
// buckets of width 2^(k-7). A bucket's width is at most 1/128 of the values it holds, and a
// percentile is reported as the middle of its bucket, so it is within 1/256 (0.4%) of the
// true sample value. The minimum, maximum, count and sum are kept exactly.
//
// Percentiles use the nearest-rank definition: p50 of n samples is the smallest recorded
// value v such that at least half of the samples are <= v.

#include <cstdint>
#include <vector>

#include "podhop/core/time.hpp"

namespace podhop::scenario {

/// A histogram of non-negative durations with bounded relative error (see above).
class LatencyHistogram {
 public:
  static constexpr unsigned kSubBits = 7;
  static constexpr std::int64_t kSubBuckets = std::int64_t{1} << kSubBits;

  /// Records one value (negative values count as 0).
  void record(core::Duration d);
  /// Adds every sample of another histogram.
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  core::Duration min() const { return core::Duration::nanos(count_ ? min_ : 0); }
  core::Duration max() const { return core::Duration::nanos(max_); }
  /// The mean, exact up to integer division.
  core::Duration mean() const;
  /// The p-th percentile (0 < p <= 100), within 1/256 of a recorded value and clamped to
  /// [min, max]; 0 when empty. percentile(100) is max().
  core::Duration percentile(double p) const;

  /// Bytes held by the buckets (grows with the largest value, never with the count).
  std::size_t memory_bytes() const { return buckets_.capacity() * sizeof(std::uint64_t); }

  /// The bucket a value falls in, and the range [lo, hi] of values a bucket holds.
  static std::size_t bucket_of(std::int64_t v);
  static std::int64_t bucket_low(std::size_t bucket);
  static std::int64_t bucket_high(std::size_t bucket);

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  // Sum in nanoseconds: int64 overflows only past 292 years of summed latency.
  std::int64_t sum_ = 0;
};

}  // namespace podhop::scenario
