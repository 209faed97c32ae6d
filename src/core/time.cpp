#include "podhop/core/time.hpp"

#include <cctype>
#include <cmath>

namespace podhop::core {

namespace {

std::optional<std::int64_t> unit_ns(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "µs") return 1000;
  if (u == "ms") return 1000 * 1000;
  if (u == "s") return 1000LL * 1000 * 1000;
  if (u == "m") return 60LL * 1000 * 1000 * 1000;
  if (u == "h") return 3600LL * 1000 * 1000 * 1000;
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, Duration bare_unit) {
  // Trim spaces.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;

  std::int64_t total = 0;
  bool any_unit = false;
  std::size_t i = 0;
  while (i < text.size()) {
    // Number: digits with an optional fraction, kept exact as integer and fraction digits.
    std::int64_t whole = 0;
    std::int64_t frac = 0;
    std::int64_t frac_scale = 1;
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      whole = whole * 10 + (text[i] - '0');
      if (whole > 1'000'000'000'000LL) return std::nullopt;
      ++i;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (frac_scale < 1'000'000'000) {
          frac = frac * 10 + (text[i] - '0');
          frac_scale *= 10;
        }
        ++i;
      }
    }
    if (i == start || (i == start + 1 && text[start] == '.')) return std::nullopt;
    std::size_t ustart = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    std::int64_t mult = 0;
    if (unit.empty()) {
      if (any_unit || i != text.size() || ustart != text.size()) return std::nullopt;
      mult = bare_unit.ns;
    } else {
      auto m = unit_ns(unit);
      if (!m) return std::nullopt;
      mult = *m;
      any_unit = true;
    }
    total += whole * mult + (frac * mult) / frac_scale;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  std::int64_t ns = d.ns;
  std::string sign;
  if (ns < 0) {
    sign = "-";
    ns = -ns;
  }
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
    }
    return s;
  };
  auto scaled = [&](std::int64_t unit, const char* suffix) {
    return sign + trim(fmt::format("{}.{:0{}}", ns / unit, ns % unit,
                                   unit == 1000 ? 3 : (unit == 1000000 ? 6 : 9))) +
           suffix;
  };
  if (ns == 0) return "0s";
  if (ns < 1000) return fmt::format("{}{}ns", sign, ns);
  if (ns < 1000000) return scaled(1000, "us");
  if (ns < 1000000000) return scaled(1000000, "ms");
  const std::int64_t s = 1000000000;
  if (ns < 60 * s) return scaled(s, "s");
  std::int64_t minutes = ns / (60 * s);
  std::int64_t rest = ns % (60 * s);
  std::string out = sign;
  if (minutes >= 60) {
    out += fmt::format("{}h", minutes / 60);
    minutes %= 60;
  }
  // As Go's time.Duration prints: every unit below the largest is written, zero or not
  // ("1m0s", "1h0m0s").
  out += fmt::format("{}m", minutes);
  out += rest ? trim(fmt::format("{}.{:09}", rest / s, rest % s)) + "s" : std::string("0s");
  return out;
}

std::string format_time(SimTime t) {
  std::int64_t ns = t.ns;
  const char* sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  return fmt::format("{}{}.{:06}s", sign, ns / 1000000000, (ns % 1000000000) / 1000);
}

}  // namespace podhop::core
