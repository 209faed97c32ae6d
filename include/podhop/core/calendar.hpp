#pragma once
// Unix seconds to and from the proleptic Gregorian calendar in UTC, for the dates podhop
// prints (creationTimestamp, kubectl describe, dig's WHEN line, certificate validity)
// without the C library's time zone and locale.

#include <cstdint>

namespace podhop::core {

/// A UTC date and time of day.
struct CivilTime {
  std::int64_t year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int hour = 0;     // 0..23
  int minute = 0;   // 0..59
  int second = 0;   // 0..59
  int weekday = 4;  // 0 = Sunday; 1970-01-01 was a Thursday
};

/// The date and time of a count of Unix seconds (negative before 1970).
CivilTime civil_from_unix(std::int64_t unix_seconds);

/// Days since 1970-01-01 of a date (negative before it); month 1..12, day 1..31.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

}  // namespace podhop::core
