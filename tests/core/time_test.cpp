#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "podhop/core/time.hpp"

using podhop::core::Duration;
using podhop::core::parse_duration;

TEST_CASE("durations parse the way Kubernetes and Go write them", "[core]") {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {{"150ms", 150'000'000},    {"2s", 2'000'000'000},    {"50us", 50'000},
                        {"1m30s", 90'000'000'000}, {"1.5s", 1'500'000'000},  {"0", 0},
                        {"20ms", 20'000'000},      {"1h", 3'600'000'000'000}};
  for (const auto& c : cases) {
    INFO(c.text);
    auto d = parse_duration(c.text);
    REQUIRE(d.has_value());
    CHECK(d->ns == c.ns);
  }
}

TEST_CASE("a bare number is read in the given unit", "[core]") {
  CHECK(parse_duration("30")->ns == 30'000'000'000);
  CHECK(parse_duration("30", Duration::millis(1))->ns == 30'000'000);
}

TEST_CASE("text that is not a duration is refused", "[core]") {
  for (const char* bad : {"", "ms", "5x", "1s5", "-", "1..5s"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("durations format the short way a person reads them", "[core]") {
  CHECK(podhop::core::format_duration(Duration::micros(50)) == "50us");
  CHECK(podhop::core::format_duration(Duration::micros(1500)) == "1.5ms");
  CHECK(podhop::core::format_duration(Duration::seconds(90)) == "1m30s");
  CHECK(podhop::core::format_duration(Duration{}) == "0s");
}

TEST_CASE("durations format in the largest unit that reads well", "[core]") {
  struct Case {
    std::int64_t ns;
    const char* text;
  };
  const Case cases[] = {
      {1, "1ns"},
      {999, "999ns"},
      {1000, "1us"},
      {1500, "1.5us"},
      {999'999, "999.999us"},
      {1'000'000, "1ms"},
      {150'000'000, "150ms"},
      {1'000'000'000, "1s"},
      {2'500'000'000, "2.5s"},
      {59'000'000'000, "59s"},
      {61'500'000'000, "1m1.5s"},
      {3'723'000'000'000, "1h2m3s"},
      {60'000'000'000, "1m0s"},
      {3'600'000'000'000, "1h0m0s"},
      {3'660'000'000'000, "1h1m0s"},
      {-150'000'000, "-150ms"},
  };
  for (const auto& c : cases) {
    INFO(c.ns);
    CHECK(podhop::core::format_duration(Duration{c.ns}) == c.text);
    CHECK(fmt::format("{}", Duration{c.ns}) == c.text);
  }
}

TEST_CASE("instants format as seconds with microsecond precision", "[core]") {
  using podhop::core::SimTime;
  struct Case {
    std::int64_t ns;
    const char* text;
  };
  const Case cases[] = {
      {0, "0.000000s"},
      {1'250'000, "0.001250s"},
      {999, "0.000000s"},  // below a microsecond: truncated, not rounded
      {2'000'001'000, "2.000001s"},
      {61'000'000'000, "61.000000s"},
      {-1'500'000, "-0.001500s"},
  };
  for (const auto& c : cases) {
    INFO(c.ns);
    CHECK(podhop::core::format_time(SimTime{c.ns}) == c.text);
    CHECK(fmt::format("{}", SimTime{c.ns}) == c.text);
  }
}

TEST_CASE("instants and durations combine as a clock and its spans", "[core]") {
  using podhop::core::SimTime;
  const SimTime start{1'000};
  const SimTime later = start + Duration::micros(3);
  CHECK(later.ns == 4'000);
  CHECK(later - start == Duration::nanos(3'000));
  CHECK(later - Duration::micros(3) == start);
  CHECK(Duration::seconds(1) == Duration::millis(1000));
  CHECK(Duration::millis(2) * 3 == Duration::millis(6));
  CHECK(Duration::millis(5) - Duration::millis(2) == Duration::millis(3));
  SimTime t;
  t += Duration::nanos(7);
  CHECK(t.ns == 7);
  CHECK(start < later);
}
