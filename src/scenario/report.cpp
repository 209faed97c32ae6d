#include "podhop/scenario/report.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "scenario/expect.hpp"

namespace podhop::scenario {

using detail::short_duration;
using detail::short_fraction;

bool pod_matches(std::string_view pod, std::string_view key) {
  if (key.empty()) return false;
  std::string_view subject = pod;
  if (key.find('/') == std::string_view::npos) {
    auto slash = pod.find('/');
    if (slash != std::string_view::npos) subject = pod.substr(slash + 1);
  }
  if (subject == key) return true;
  return subject.size() > key.size() && subject.substr(0, key.size()) == key &&
         subject[key.size()] == '-';
}

std::uint64_t StepReport::outcome_count(std::string_view outcome) const {
  for (const auto& [what, n] : outcomes)
    if (what == outcome) return n;
  return 0;
}

double StepReport::success_rate() const {
  if (requests == 0) return 1.0;
  return static_cast<double>(outcome_count("ok")) / static_cast<double>(requests);
}

std::uint64_t StepReport::served(std::string_view key) const {
  for (const auto& [node, n] : by_node)
    if (node == key) return n;
  std::uint64_t total = 0;
  for (const auto& [pod, n] : by_pod)
    if (pod_matches(pod, key)) total += n;
  return total;
}

double StepReport::share(std::string_view key) const {
  if (requests == 0) return 0.0;
  return static_cast<double>(served(key)) / static_cast<double>(requests);
}

std::size_t ScenarioReport::failed_steps() const {
  return static_cast<std::size_t>(
      std::count_if(steps.begin(), steps.end(), [](const StepReport& s) { return !s.passed; }));
}

std::size_t ScenarioReport::expectation_count() const {
  std::size_t n = 0;
  for (const auto& s : steps) n += s.expectations.size();
  return n;
}

std::size_t ScenarioReport::failed_expectations() const {
  std::size_t n = 0;
  for (const auto& s : steps)
    for (const auto& e : s.expectations) n += e.passed ? 0 : 1;
  return n;
}

nlohmann::ordered_json to_json(const ScenarioReport& report) {
  nlohmann::ordered_json doc;
  doc["passed"] = report.passed;
  auto& steps = doc["steps"] = nlohmann::ordered_json::array();
  for (const auto& s : report.steps) {
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["passed"] = s.passed;
    j["requests"] = s.requests;
    auto& outcomes = j["outcomes"] = nlohmann::ordered_json::object();
    for (const auto& [k, n] : s.outcomes) outcomes[k] = n;
    auto& by_pod = j["by_pod"] = nlohmann::ordered_json::object();
    for (const auto& [k, n] : s.by_pod) by_pod[k] = n;
    auto& by_node = j["by_node"] = nlohmann::ordered_json::object();
    for (const auto& [k, n] : s.by_node) by_node[k] = n;
    auto& lat = j["latency_ns"] = nlohmann::ordered_json::object();
    if (s.latency.empty()) {
      lat["p50"] = lat["p90"] = lat["p99"] = lat["max"] = nullptr;
    } else {
      lat["p50"] = s.latency.percentile(50).ns;
      lat["p90"] = s.latency.percentile(90).ns;
      lat["p99"] = s.latency.percentile(99).ns;
      lat["max"] = s.latency.max().ns;
    }
    auto& exps = j["expectations"] = nlohmann::ordered_json::array();
    for (const auto& e : s.expectations) {
      nlohmann::ordered_json x;
      x["what"] = e.what;
      x["expected"] = e.expected;
      x["actual"] = e.actual;
      x["passed"] = e.passed;
      exps.push_back(std::move(x));
    }
    steps.push_back(std::move(j));
  }
  return doc;
}

namespace {

std::string percent(std::uint64_t n, std::uint64_t total) {
  if (total == 0) return "0%";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(n) / static_cast<double>(total));
}

/// Prints "by pod" / "by node" rows, at most `limit` of them.
constexpr std::size_t kLimit = 20;

std::size_t name_width(const std::vector<std::pair<std::string, std::uint64_t>>& rows) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < rows.size() && i < kLimit; ++i)
    width = std::max(width, rows[i].first.size());
  return width;
}

void print_counts(std::ostream& out, std::string_view label,
                  const std::vector<std::pair<std::string, std::uint64_t>>& rows,
                  std::uint64_t total, std::size_t width) {
  for (std::size_t i = 0; i < rows.size() && i < kLimit; ++i) {
    out << fmt::format("      {:<8} {:<{}}  {:>8}  {:>6}\n", i == 0 ? label : "", rows[i].first,
                       width, rows[i].second, percent(rows[i].second, total));
  }
  if (rows.size() > kLimit) {
    std::uint64_t rest = 0;
    for (std::size_t i = kLimit; i < rows.size(); ++i) rest += rows[i].second;
    out << fmt::format("      {:<8} ... and {} more with {} requests ({})\n", "",
                       rows.size() - kLimit, rest, percent(rest, total));
  }
}

}  // namespace

void print_report(std::ostream& out, const ScenarioReport& report) {
  out << fmt::format("Scenario {} (seed {})\n", report.name, report.seed);
  for (const auto& s : report.steps) {
    out << '\n';
    // Three significant digits: a reader compares steps, the JSON has no times at all.
    std::string when = s.started == s.ended ? fmt::format("at {}", short_duration(s.started.ns))
                                            : fmt::format("{} -> {}", short_duration(s.started.ns),
                                                          short_duration(s.ended.ns));
    out << fmt::format("[{}] {}  {}  ({})\n", s.index, s.passed ? "PASS" : "FAIL", s.name, when);
    if (!s.description.empty() && s.description != s.name)
      out << fmt::format("      {}\n", s.description);
    if (s.late_by)
      out << fmt::format(
          "      started {} after its `at` time: the step before it ran until then\n",
          core::format_duration(*s.late_by));
    if (!s.message.empty()) {
      std::istringstream lines(s.message);
      std::string line;
      while (std::getline(lines, line)) out << fmt::format("      {}\n", line);
    }
    if (s.exit_code) out << fmt::format("      exit code {}\n", *s.exit_code);
    if (s.requests > 0 || s.action == "traffic") {
      std::string outcomes;
      for (const auto& [k, n] : s.outcomes)
        outcomes += fmt::format("{}{} {}", outcomes.empty() ? "" : ", ", k, n);
      out << fmt::format("      requests {}{}{}\n", s.requests, outcomes.empty() ? "" : ": ",
                         outcomes);
      const std::size_t width = std::max(name_width(s.by_pod), name_width(s.by_node));
      print_counts(out, "by pod", s.by_pod, s.requests, width);
      print_counts(out, "by node", s.by_node, s.requests, width);
      if (!s.latency.empty()) {
        out << fmt::format("      latency  p50 {}  p90 {}  p99 {}  max {}\n",
                           short_duration(s.latency.percentile(50).ns),
                           short_duration(s.latency.percentile(90).ns),
                           short_duration(s.latency.percentile(99).ns),
                           short_duration(s.latency.max().ns));
      }
    }
    std::size_t what_w = 0, exp_w = 0;
    for (const auto& e : s.expectations) {
      what_w = std::max(what_w, e.what.size());
      exp_w = std::max(exp_w, e.expected.size());
    }
    for (const auto& e : s.expectations) {
      out << fmt::format("      {:<4}  {:<{}}  {:<{}}  actual {}{}\n", e.passed ? "ok" : "FAIL",
                         e.what, what_w, e.expected, exp_w, e.actual,
                         e.passed || e.detail.empty() ? "" : ": " + e.detail);
    }
  }
  out << '\n';
  const std::size_t failed = report.failed_steps();
  if (report.passed) {
    out << fmt::format("PASSED: {} step{}, {} expectation{} met, {} simulated\n",
                       report.steps.size(), report.steps.size() == 1 ? "" : "s",
                       report.expectation_count(), report.expectation_count() == 1 ? "" : "s",
                       short_duration(report.duration.ns));
  } else {
    std::string names;
    for (const auto& s : report.steps)
      if (!s.passed) names += fmt::format("{}[{}] {}", names.empty() ? "" : ", ", s.index, s.name);
    out << fmt::format("FAILED: {} of {} step{} ({} of {} expectation{} not met): {}\n", failed,
                       report.steps.size(), report.steps.size() == 1 ? "" : "s",
                       report.failed_expectations(), report.expectation_count(),
                       report.expectation_count() == 1 ? "" : "s", names);
  }
}

std::string to_text(const ScenarioReport& report) {
  std::ostringstream out;
  print_report(out, report);
  return out.str();
}

}  // namespace podhop::scenario
