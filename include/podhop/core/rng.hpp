#pragma once
// Seeded random streams.
//
// One root seed per simulation; each consumer (a node's kube-proxy, a traffic generator,
// the pod-name generator) draws from its own stream derived from (seed, stable name), so
// adding a consumer never shifts the numbers another one sees. The distributions are our
// own: std::*_distribution output differs between standard libraries.

#include <cstdint>
#include <string_view>

namespace podhop::core {

/// FNV-1a over 64 bits, stable across platforms: names streams and seeds ids. Its offset basis
/// is one digit short of the published one (14695981039346656037): a slip made when podhop
/// began. It is kept, because every stream, and so every golden output, derives from it; the
/// hash is as well spread either way. (controllers::fnv1a32, which must match Kubernetes'
/// pod-template-hash, uses the published 32-bit basis.)
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

/// A xoshiro256** generator with its own small set of distributions.
class RngStream {
 public:
  RngStream() : RngStream(1, "") {}
  /// The stream named `name` under root seed `seed`.
  RngStream(std::uint64_t seed, std::string_view name);

  std::uint64_t next_u64();
  /// Uniform integer in [0, n); n must be > 0. Unbiased (rejection sampling).
  std::uint64_t uniform(std::uint64_t n);
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform01();
  /// Exponentially distributed value with the given mean (inverse transform).
  double exponential(double mean);
  /// True with probability p.
  bool bernoulli(double p) { return uniform01() < p; }

 private:
  std::uint64_t s_[4];
};

}  // namespace podhop::core
