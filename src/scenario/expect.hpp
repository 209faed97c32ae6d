#pragma once
// Checking a step's expectations (internal to the scenario module).
//
// Per-request expectations (exitCode, outcome, status, body, bodyContains, servedBy) are
// checked on every request of a traffic step as it completes, counting the ones that miss,
// so nothing is kept per request. For exec and curl steps they are checked once, on the
// command (exit code) and its last request (a redirect followed with -L ends at the last
// one). Aggregate expectations (successRate, requests, share, latency) are checked on the
// step's report when it ends.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "podhop/manifest/scenario.hpp"
#include "podhop/scenario/report.hpp"
#include "podhop/trace/result.hpp"

namespace podhop::scenario::detail {

/// A duration for people: three significant digits ("2.05ms", "23.4ms", "1.5s").
std::string short_duration(std::int64_t ns);
/// A fraction for people: up to four decimals, trailing zeros dropped ("0.98", "1").
std::string short_fraction(double v);

/// Counts, over many requests, how many satisfy each per-request expectation.
class RequestChecks {
 public:
  /// `exit_codes_from_requests`: exitCode is checked on each request's curl exit code
  /// (traffic); otherwise only add_exit_code() checks it (exec and curl: the command's code).
  explicit RequestChecks(const manifest::Expectations& e, bool exit_codes_from_requests = true);
  /// Checks one request.
  void add(const trace::RequestRecord& r);
  /// Checks the command's exit code (exec and curl steps).
  void add_exit_code(int code);
  /// Checks `stdout` for body and bodyContains (a command that sent no request).
  void add_stdout(const std::string& out);
  /// Appends one result per expectation checked, in the order of the file.
  void results(std::vector<ExpectationResult>& out) const;

 private:
  enum class Kind : std::uint8_t { exit_code, outcome, status, body, body_contains, served_by };
  struct Check {
    Kind kind;
    std::string what;
    std::string expected;
    std::optional<manifest::Comparison> cmp;
    std::string text;
    std::uint64_t checked = 0;
    std::uint64_t failed = 0;
    std::string first_actual;  // the first value seen
    std::string first_bad;     // the first value that missed
  };
  void record(Check& c, bool ok, const std::string& actual);
  std::vector<Check> checks_;
  bool exit_codes_from_requests_ = true;
};

/// Appends the aggregate expectations (successRate, requests, share, latency) checked on a
/// finished step's report.
void check_aggregates(const manifest::Expectations& e, const StepReport& report,
                      std::vector<ExpectationResult>& out);

}  // namespace podhop::scenario::detail
