#include <catch2/catch.hpp>

#include "podhop/core/time.hpp"

using podhop::core::Duration;
using podhop::core::parse_duration;

TEST_CASE("durations parse the way Kubernetes and Go write them", "[core]") {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {{"150ms", 150'000'000}, {"2s", 2'000'000'000},  {"50us", 50'000},
                        {"1m30s", 90'000'000'000}, {"1.5s", 1'500'000'000}, {"0", 0},
                        {"20ms", 20'000'000},     {"1h", 3'600'000'000'000}};
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
