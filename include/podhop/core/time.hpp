#pragma once
// Simulated time.
//
// Time is an integer count of nanoseconds, as in ns-3: integer arithmetic is exact and
// associative, so the same inputs always order events the same way, which double seconds
// cannot promise. int64 nanoseconds cover about 292 years, far beyond any scenario.
// `SimTime` is an instant since the start of the simulation, `Duration` a span; both are
// passed by value. Strings such as "150ms" become integers at the input boundary only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace podhop::core {

/// A span of simulated time in nanoseconds.
struct Duration {
  std::int64_t ns = 0;

  static constexpr Duration nanos(std::int64_t v) { return {v}; }
  static constexpr Duration micros(std::int64_t v) { return {v * 1000}; }
  static constexpr Duration millis(std::int64_t v) { return {v * 1000 * 1000}; }
  static constexpr Duration seconds(std::int64_t v) { return {v * 1000 * 1000 * 1000}; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {ns + o.ns}; }
  constexpr Duration operator-(Duration o) const { return {ns - o.ns}; }
  constexpr Duration operator*(std::int64_t k) const { return {ns * k}; }
};

/// An instant of simulated time, in nanoseconds since the simulation started.
struct SimTime {
  std::int64_t ns = 0;

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(Duration d) const { return {ns + d.ns}; }
  constexpr SimTime operator-(Duration d) const { return {ns - d.ns}; }
  constexpr Duration operator-(SimTime o) const { return {ns - o.ns}; }
  constexpr SimTime& operator+=(Duration d) {
    ns += d.ns;
    return *this;
  }
};

/// Parses a Go/Kubernetes-style duration: "150ms", "2s", "1m30s", "50us", "1.5s", "0".
/// A bare number is taken in `bare_unit` (seconds for Kubernetes fields such as
/// timeoutSeconds). Returns nullopt when the text is not a duration.
std::optional<Duration> parse_duration(std::string_view text,
                                       Duration bare_unit = Duration::seconds(1));

/// Formats a duration the short way a person reads it: "0s", "50us", "1.5ms", "2s", "1m30s".
std::string format_duration(Duration d);

/// Formats an instant as seconds with microsecond precision: "0.001250s".
std::string format_time(SimTime t);

}  // namespace podhop::core

template <>
struct fmt::formatter<podhop::core::Duration> : fmt::formatter<std::string> {
  auto format(podhop::core::Duration d, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(podhop::core::format_duration(d), ctx);
  }
};
template <>
struct fmt::formatter<podhop::core::SimTime> : fmt::formatter<std::string> {
  auto format(podhop::core::SimTime t, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(podhop::core::format_time(t), ctx);
  }
};
