#include "scenario/expect.hpp"

#include <cmath>

#include <fmt/format.h>

namespace podhop::scenario::detail {

using manifest::Comparison;

std::string short_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  const char* unit = "ns";
  double v = static_cast<double>(ns);
  if (ns >= 1'000'000'000) {
    unit = "s";
    v /= 1e9;
  } else if (ns >= 1'000'000) {
    unit = "ms";
    v /= 1e6;
  } else if (ns >= 1'000) {
    unit = "us";
    v /= 1e3;
  }
  int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  if (std::string_view(unit) == "ns") decimals = 0;
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + unit;
}

std::string short_fraction(double v) {
  std::string s = fmt::format("{:.4f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

namespace {

std::string strip_newline(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return std::string(s);
}

std::string show_text(const std::string& s) {
  std::string t = strip_newline(s);
  if (t.size() > 60) t = t.substr(0, 57) + "...";
  return fmt::format("\"{}\"", t);
}

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return short_fraction(v);
}

// Says how far `actual` is from what `c` wanted, in the quantity's own unit.
std::string miss(const Comparison& c, double actual, manifest::Quantity q) {
  auto show = [&](double v) {
    if (q == manifest::Quantity::duration) return short_duration(std::llround(std::fabs(v)));
    return q == manifest::Quantity::fraction ? short_fraction(std::fabs(v)) : number(std::fabs(v));
  };
  switch (c.op) {
    case Comparison::Op::lt:
    case Comparison::Op::le:
      return fmt::format("{} over", show(actual - c.value));
    case Comparison::Op::gt:
    case Comparison::Op::ge:
      return fmt::format("{} under", show(c.value - actual));
    case Comparison::Op::within:
      return fmt::format("off by {}, {} allowed", show(actual - c.value), show(c.tolerance));
    case Comparison::Op::eq:
      return fmt::format("off by {}", show(actual - c.value));
  }
  return {};
}

}  // namespace

RequestChecks::RequestChecks(const manifest::Expectations& e, bool exit_codes_from_requests)
    : exit_codes_from_requests_(exit_codes_from_requests) {
  auto add = [&](Kind k, std::string what, std::string expected,
                 std::optional<Comparison> cmp = std::nullopt, std::string text = {}) {
    Check c{k, std::move(what), std::move(expected), std::move(cmp), std::move(text)};
    checks_.push_back(std::move(c));
  };
  if (e.exit_code) add(Kind::exit_code, "exitCode", e.exit_code->text, e.exit_code);
  if (e.outcome) add(Kind::outcome, "outcome", *e.outcome, std::nullopt, *e.outcome);
  if (e.status) add(Kind::status, "status", e.status->text, e.status);
  if (e.body) add(Kind::body, "body", show_text(*e.body), std::nullopt, strip_newline(*e.body));
  if (e.body_contains)
    add(Kind::body_contains, "bodyContains", fmt::format("\"{}\"", *e.body_contains), std::nullopt,
        *e.body_contains);
  if (e.served_by) add(Kind::served_by, "servedBy", *e.served_by, std::nullopt, *e.served_by);
}

void RequestChecks::record(Check& c, bool ok, const std::string& actual) {
  if (c.checked == 0) c.first_actual = actual;
  ++c.checked;
  if (!ok) {
    if (c.failed == 0) c.first_bad = actual;
    ++c.failed;
  }
}

void RequestChecks::add(const trace::RequestRecord& r) {
  for (auto& c : checks_) {
    switch (c.kind) {
      case Kind::exit_code:
        if (exit_codes_from_requests_)
          record(c, c.cmp->holds(r.exit_code), std::to_string(r.exit_code));
        break;
      case Kind::outcome: {
        std::string o(trace::to_string(r.outcome));
        record(c, o == c.text, o);
        break;
      }
      case Kind::status:
        if (r.status)
          record(c, c.cmp->holds(*r.status), std::to_string(*r.status));
        else
          record(c, false, fmt::format("none ({})", trace::to_string(r.outcome)));
        break;
      case Kind::body:
        record(c, r.outcome == trace::Outcome::ok && strip_newline(r.body) == c.text,
               show_text(r.body));
        break;
      case Kind::body_contains:
        record(c, r.outcome == trace::Outcome::ok && r.body.find(c.text) != std::string::npos,
               show_text(r.body));
        break;
      case Kind::served_by: {
        std::string who = r.served_by.value_or("");
        record(c, !who.empty() && pod_matches(who, c.text),
               who.empty() ? fmt::format("none ({})", trace::to_string(r.outcome)) : who);
        break;
      }
    }
  }
}

void RequestChecks::add_exit_code(int code) {
  for (auto& c : checks_)
    if (c.kind == Kind::exit_code) record(c, c.cmp->holds(code), std::to_string(code));
}

void RequestChecks::add_stdout(const std::string& out) {
  for (auto& c : checks_) {
    if (c.kind == Kind::body) record(c, strip_newline(out) == c.text, show_text(out));
    if (c.kind == Kind::body_contains)
      record(c, out.find(c.text) != std::string::npos, show_text(out));
  }
}

void RequestChecks::results(std::vector<ExpectationResult>& out) const {
  for (const auto& c : checks_) {
    ExpectationResult r;
    r.what = c.what;
    r.expected = c.expected;
    if (c.checked == 0) {
      r.actual = "no request";
      r.passed = false;
      r.detail = "the step made no request to check";
    } else if (c.checked == 1) {
      r.actual = c.failed ? c.first_bad : c.first_actual;
      r.passed = c.failed == 0;
    } else if (c.failed == 0) {
      r.actual = fmt::format("all {} requests: {}", c.checked, c.first_actual);
    } else {
      r.actual =
          fmt::format("{} of {} requests missed, first: {}", c.failed, c.checked, c.first_bad);
      r.passed = false;
    }
    if (!r.passed && r.detail.empty() && c.checked > 1)
      r.detail = fmt::format(
          "{} of {} requests ({}) missed", c.failed, c.checked,
          short_fraction(static_cast<double>(c.failed) / static_cast<double>(c.checked)));
    out.push_back(std::move(r));
  }
}

void check_aggregates(const manifest::Expectations& e, const StepReport& report,
                      std::vector<ExpectationResult>& out) {
  const auto n = report.requests;
  if (e.success_rate) {
    ExpectationResult r;
    r.what = "successRate";
    r.expected = e.success_rate->text;
    const double rate = report.success_rate();
    const std::uint64_t ok = report.outcome_count("ok");
    r.actual = fmt::format("{} ({} of {})", short_fraction(rate), ok, n);
    r.passed = n > 0 && e.success_rate->holds(rate);
    if (n == 0)
      r.detail = "no requests";
    else if (!r.passed)
      r.detail = miss(*e.success_rate, rate, manifest::Quantity::fraction);
    out.push_back(std::move(r));
  }
  if (e.requests) {
    ExpectationResult r;
    r.what = "requests";
    r.expected = e.requests->text;
    r.actual = std::to_string(n);
    r.passed = e.requests->holds(static_cast<double>(n));
    if (!r.passed) r.detail = miss(*e.requests, static_cast<double>(n), manifest::Quantity::number);
    out.push_back(std::move(r));
  }
  for (const auto& [key, cmp] : e.share) {
    ExpectationResult r;
    r.what = fmt::format("share[{}]", key);
    r.expected = cmp.text;
    const double s = report.share(key);
    r.actual = fmt::format("{} ({} of {})", short_fraction(s), report.served(key), n);
    r.passed = n > 0 && cmp.holds(s);
    if (n == 0)
      r.detail = "no requests";
    else if (!r.passed)
      r.detail = miss(cmp, s, manifest::Quantity::fraction);
    out.push_back(std::move(r));
  }
  for (const auto& [key, cmp] : e.latency) {
    ExpectationResult r;
    r.what = fmt::format("latency.{}", key);
    r.expected = cmp.text;
    const auto& h = report.latency;
    std::int64_t v = 0;
    if (key == "p50") v = h.percentile(50).ns;
    if (key == "p90") v = h.percentile(90).ns;
    if (key == "p99") v = h.percentile(99).ns;
    if (key == "max") v = h.max().ns;
    if (key == "mean") v = h.mean().ns;
    if (h.empty()) {
      r.actual = "none";
      r.passed = false;
      r.detail = "no request got a response";
    } else {
      r.actual = short_duration(v);
      r.passed = cmp.holds(static_cast<double>(v));
      if (!r.passed) r.detail = miss(cmp, static_cast<double>(v), manifest::Quantity::duration);
    }
    out.push_back(std::move(r));
  }
}

}  // namespace podhop::scenario::detail
