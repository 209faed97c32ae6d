// Unix seconds to calendar dates and back, at the edges where the arithmetic turns: before
// 1970, leap days, century years, the first and last days of four-digit years. The expected
// dates are Python's datetime for the same seconds.

#include <catch2/catch.hpp>

#include "podhop/core/calendar.hpp"

namespace podhop::core {
namespace {

TEST_CASE("Unix seconds read as UTC dates and times", "[core]") {
  struct Case {
    std::int64_t unix_seconds;
    std::int64_t year;
    int month, day, hour, minute, second, weekday;
  };
  const Case cases[] = {
      {0, 1970, 1, 1, 0, 0, 0, 4},
      {-1, 1969, 12, 31, 23, 59, 59, 3},
      {86399, 1970, 1, 1, 23, 59, 59, 4},
      {951782400, 2000, 2, 29, 0, 0, 0, 2},
      {951868799, 2000, 2, 29, 23, 59, 59, 2},
      {1735689605, 2025, 1, 1, 0, 0, 5, 3},
      {1798761600, 2027, 1, 1, 0, 0, 0, 5},
      {4102444800, 2100, 1, 1, 0, 0, 0, 5},
      {-62135596800, 1, 1, 1, 0, 0, 0, 1},
      {253402300799, 9999, 12, 31, 23, 59, 59, 5},
  };
  for (const Case& c : cases) {
    INFO(c.unix_seconds);
    const CivilTime t = civil_from_unix(c.unix_seconds);
    CHECK(t.year == c.year);
    CHECK(t.month == c.month);
    CHECK(t.day == c.day);
    CHECK(t.hour == c.hour);
    CHECK(t.minute == c.minute);
    CHECK(t.second == c.second);
    CHECK(t.weekday == c.weekday);
  }
}

TEST_CASE("a date's day count is the inverse of reading it", "[core]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28) == 2);  // 2000 is leap
  CHECK(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28) == 1);  // 2100 is not
  for (std::int64_t day = -800000; day <= 800000; day += 997) {
    const CivilTime t = civil_from_unix(day * 86400);
    INFO(day);
    CHECK(days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) ==
          day);
  }
}

}  // namespace
}  // namespace podhop::core
