// Reading `kind: Scenario` documents (SPEC section 6) into plain structs, with every error
// located by file:line:col and field path, like manifests. docs/scenarios.md is the format.
#include "podhop/manifest/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <fmt/format.h>

#include "manifest/convert_context.hpp"
#include "manifest/scalars.hpp"
#include "manifest/yaml_dom.hpp"

namespace podhop::manifest {

namespace fs = std::filesystem;
using namespace detail;

// ---------------------------------------------------------------------------------------
// Comparisons

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> parse_value(std::string_view s, Quantity quantity) {
  s = trim(s);
  switch (quantity) {
    case Quantity::number:
      return parse_number(s);
    case Quantity::fraction:
      if (!s.empty() && s.back() == '%') {
        auto v = parse_number(s.substr(0, s.size() - 1));
        if (!v) return std::nullopt;
        return *v / 100.0;
      }
      return parse_number(s);
    case Quantity::duration: {
      if (s == "0") return 0.0;
      // A duration needs its unit: "20" alone is ambiguous.
      if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.back()))) return std::nullopt;
      auto d = core::parse_duration(s);
      if (!d || d->ns < 0) return std::nullopt;
      return static_cast<double>(d->ns);
    }
  }
  return std::nullopt;
}

std::string_view example_of(Quantity quantity) {
  switch (quantity) {
    case Quantity::number:
      return "a number or a comparison like \"== 200\", \"< 500\" or \"100 +- 5\"";
    case Quantity::fraction:
      return "a fraction or percentage, or a comparison like \">= 0.99\", \"> 95%\" or \"0.5 "
             "+- 0.05\"";
    case Quantity::duration:
      return "a duration or a comparison like \"< 20ms\", \"<= 1.5s\" or \"10ms +- 2ms\"";
  }
  return "";
}

}  // namespace

bool Comparison::holds(double actual) const {
  // Fractions and counts computed two ways may differ in the last bit: == tolerates that.
  const double eps = 1e-9 * std::max(1.0, std::fabs(value));
  switch (op) {
    case Op::eq:
      return std::fabs(actual - value) <= eps;
    case Op::lt:
      return actual < value;
    case Op::le:
      return actual <= value + eps;
    case Op::gt:
      return actual > value;
    case Op::ge:
      return actual >= value - eps;
    case Op::within:
      return std::fabs(actual - value) <= tolerance + eps;
  }
  return false;
}

std::optional<Comparison> parse_comparison(std::string_view text, Quantity quantity,
                                           std::string* error) {
  Comparison c;
  c.text = std::string(trim(text));
  std::string_view s = trim(text);
  auto fail = [&]() -> std::optional<Comparison> {
    if (error) *error = fmt::format("must be {}", example_of(quantity));
    return std::nullopt;
  };
  struct Prefix {
    std::string_view text;
    Comparison::Op op;
  };
  static constexpr Prefix kPrefixes[] = {{">=", Comparison::Op::ge}, {"<=", Comparison::Op::le},
                                         {"==", Comparison::Op::eq}, {"<", Comparison::Op::lt},
                                         {">", Comparison::Op::gt},  {"=", Comparison::Op::eq}};
  for (const auto& p : kPrefixes) {
    if (s.substr(0, p.text.size()) == p.text) {
      c.op = p.op;
      auto v = parse_value(s.substr(p.text.size()), quantity);
      if (!v) return fail();
      c.value = *v;
      return c;
    }
  }
  std::size_t pm = s.find("+-");
  std::size_t pm_len = 2;
  if (pm == std::string_view::npos) {
    pm = s.find("\xC2\xB1");  // ±
  }
  if (pm != std::string_view::npos) {
    auto v = parse_value(s.substr(0, pm), quantity);
    auto tol = parse_value(s.substr(pm + pm_len), quantity);
    if (!v || !tol || *tol < 0) return fail();
    c.op = Comparison::Op::within;
    c.value = *v;
    c.tolerance = *tol;
    return c;
  }
  auto v = parse_value(s, quantity);
  if (!v) return fail();
  c.op = Comparison::Op::eq;
  c.value = *v;
  return c;
}

bool Expectations::empty() const {
  return !exit_code && !outcome && !status && !body && !body_contains && !served_by &&
         !success_rate && !requests && share.empty() && latency.empty();
}

std::string_view action_name(const Action& action) {
  static constexpr std::string_view kNames[] = {"exec",  "curl",  "traffic", "delete",
                                                "scale", "apply", "rollout", "wait"};
  return kNames[action.index()];
}

// ---------------------------------------------------------------------------------------
// Reading

namespace {

constexpr std::string_view kActionKeys[] = {"exec",  "curl",  "traffic", "delete",
                                            "scale", "apply", "rollout", "wait"};

/// Levenshtein distance, for "did you mean" hints on misspelt fields.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Reads one Scenario document; errors go to the context.
class StepReader {
 public:
  StepReader(Ctx& c, std::string base_dir) : c_(c), base_dir_(std::move(base_dir)) {}

  /// Every key of `map` must be one of `known`; the others get an error with a hint.
  void check_keys(const YNode* map, std::initializer_list<std::string_view> known) {
    map = resolve(map);
    if (!map || !map->is_map()) return;
    for (const YNode* v = map->first; v; v = v->next) {
      std::string_view key = v->key_text();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string_view best;
      std::size_t best_d = 3;
      for (auto k : known) {
        std::size_t d = edit_distance(key, k);
        if (d < best_d) {
          best_d = d;
          best = k;
        }
      }
      std::string msg;
      if (!best.empty()) {
        msg = fmt::format("unknown field; did you mean {}?", q(best));
      } else {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        msg = fmt::format("unknown field (known fields: {})", list);
      }
      c_.error_at(v->key ? v->key : v, msg, key);
    }
  }

  /// Any scalar as text (numbers and booleans as written).
  std::optional<std::string> text(const YNode* n, std::string_view field) {
    n = resolve(n);
    if (!n || n->is_null()) return std::nullopt;
    if (n->is_scalar()) return n->value;
    c_.decode_error_at(
        n, fmt::format("cannot unmarshal {} into a field of type string", json_type_of(n)), field);
    return std::nullopt;
  }

  /// A string that must be there and not empty.
  std::string required_text(const YNode* map, std::string_view field) {
    const YNode* n = find_key(map, field);
    auto v = text(n, field);
    if (!v && (!n || resolve(n)->is_null())) {
      c_.error_at(map, msg_required(), field);
      return {};
    }
    if (v && v->empty()) c_.error_at(n, msg_required(), field);
    return v.value_or("");
  }

  /// A string, or a list of strings (kept apart: a string is split when the step runs).
  void words(const YNode* n, std::string_view field, std::vector<std::string>& list,
             std::string& line) {
    n = resolve(n);
    if (!n || n->is_null()) return;
    if (n->is_seq()) {
      Scope s(c_, field);
      std::uint32_t i = 0;
      for (const YNode* item : Children(n)) {
        Scope si(c_, i++);
        if (auto t = text(item, {})) list.push_back(*t);
      }
      return;
    }
    if (auto t = text(n, field)) line = *t;
  }

  std::optional<Comparison> comparison(const YNode* n, std::string_view field, Quantity quantity) {
    n = resolve(n);
    if (!n || n->is_null()) return std::nullopt;
    auto t = text(n, field);
    if (!t) return std::nullopt;
    std::string why;
    auto c = parse_comparison(*t, quantity, &why);
    if (!c) c_.error_at(n, msg_invalid(q(*t), why), field);
    return c;
  }

  std::optional<core::Duration> duration(const YNode* n, std::string_view field) {
    return read_duration(c_, n, field);
  }

  std::string resolve_path(const std::string& p) const {
    if (p == "-" || fs::path(p).is_absolute()) return p;
    return (fs::path(base_dir_) / p).lexically_normal().string();
  }

  void validate_from(const YNode* n, const std::string& from, std::string_view field) {
    if (from == "external") return;
    auto slash = from.find('/');
    std::string_view kind = std::string_view(from).substr(0, slash);
    if (slash != std::string::npos && slash + 1 < from.size() && (kind == "node" || kind == "pod"))
      return;
    c_.error_at(n, msg_invalid(q(from), "must be external, node/NAME or pod/NAME"), field);
  }

  // --- actions --------------------------------------------------------------------------

  ExecAction exec(const YNode* n) {
    ExecAction a;
    Scope s(c_, "exec");
    if (!expect_map(c_, n, {})) {
      if (resolve(n) && resolve(n)->is_null()) c_.error_at(n, msg_required());
      return a;
    }
    check_keys(n, {"pod", "namespace", "container", "command"});
    a.pod = required_text(n, "pod");
    if (auto ns = text(find_key(n, "namespace"), "namespace")) a.namespace_ = *ns;
    if (auto ct = text(find_key(n, "container"), "container")) a.container = *ct;
    const YNode* cmd = find_key(n, "command");
    words(cmd, "command", a.argv, a.command);
    if (a.argv.empty() && trim(a.command).empty())
      c_.error_at(cmd ? cmd : n, msg_required("the command to run, such as \"curl -s URL\""),
                  "command");
    return a;
  }

  CurlAction curl(const YNode* n) {
    CurlAction a;
    Scope s(c_, "curl");
    if (!expect_map(c_, n, {})) {
      if (resolve(n) && resolve(n)->is_null()) c_.error_at(n, msg_required());
      return a;
    }
    check_keys(n, {"from", "url", "args"});
    if (auto f = text(find_key(n, "from"), "from")) {
      a.from = *f;
      validate_from(find_key(n, "from"), a.from, "from");
    }
    a.url = required_text(n, "url");
    words(find_key(n, "args"), "args", a.args, a.args_line);
    return a;
  }

  std::optional<double> rate(const YNode* n) {
    n = resolve(n);
    if (!n || n->is_null()) return std::nullopt;
    auto t = text(n, "rate");
    if (!t) return std::nullopt;
    std::string_view s = trim(*t);
    double per = 1.0;  // seconds per unit
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
      std::string_view unit = trim(s.substr(slash + 1));
      s = trim(s.substr(0, slash));
      if (unit == "s" || unit == "sec" || unit == "second")
        per = 1.0;
      else if (unit == "ms")
        per = 1e-3;
      else if (unit == "m" || unit == "min" || unit == "minute")
        per = 60.0;
      else if (unit == "h" || unit == "hour")
        per = 3600.0;
      else
        per = -1;
    }
    auto v = parse_number(s);
    if (!v || per <= 0 || *v <= 0) {
      c_.error_at(n, msg_invalid(q(*t), "must be a rate like 500/s (per s, ms, m or h)"), "rate");
      return std::nullopt;
    }
    return *v / per;
  }

  std::optional<std::int64_t> positive_int(const YNode* n, std::string_view field,
                                           std::int64_t min) {
    auto v = read_int(c_, n, field, "int64");
    if (v && *v < min) {
      c_.error_at(n, msg_invalid(std::to_string(*v), fmt::format("must be at least {}", min)),
                  field);
      return std::nullopt;
    }
    return v;
  }

  TrafficAction traffic(const YNode* n) {
    TrafficAction a;
    Scope s(c_, "traffic");
    if (!expect_map(c_, n, {})) {
      if (resolve(n) && resolve(n)->is_null()) c_.error_at(n, msg_required());
      return a;
    }
    check_keys(n, {"from", "url", "args", "rate", "users", "thinkTime", "duration", "requests",
                   "keepAlive", "timeout"});
    if (auto f = text(find_key(n, "from"), "from")) {
      a.from = *f;
      validate_from(find_key(n, "from"), a.from, "from");
    }
    a.url = required_text(n, "url");
    words(find_key(n, "args"), "args", a.args, a.args_line);
    a.rate = rate(find_key(n, "rate"));
    a.users = positive_int(find_key(n, "users"), "users", 1);
    if (auto t = duration(find_key(n, "thinkTime"), "thinkTime")) a.think_time = *t;
    a.duration = duration(find_key(n, "duration"), "duration");
    if (a.duration && a.duration->ns == 0)
      c_.error_at(find_key(n, "duration"), msg_invalid(q("0"), "must be longer than 0"),
                  "duration");
    a.requests = positive_int(find_key(n, "requests"), "requests", 1);
    if (auto k = read_bool(c_, find_key(n, "keepAlive"), "keepAlive")) a.keep_alive = *k;
    if (auto t = duration(find_key(n, "timeout"), "timeout")) {
      if (t->ns == 0)
        c_.error_at(find_key(n, "timeout"), msg_invalid(q("0"), "must be longer than 0"),
                    "timeout");
      else
        a.timeout = *t;
    }
    const bool has_rate = find_key(n, "rate") != nullptr;
    const bool has_users = find_key(n, "users") != nullptr;
    if (has_rate && has_users)
      c_.error_at(find_key(n, "users"),
                  msg_forbidden("rate (open loop) and users (closed loop) exclude each other"),
                  "users");
    else if (!has_rate && !has_users)
      c_.error_at(n, msg_required("rate (open loop, such as 500/s) or users (closed loop)"),
                  "rate");
    if (has_rate && find_key(n, "thinkTime"))
      c_.error_at(find_key(n, "thinkTime"),
                  msg_forbidden("thinkTime applies to users (closed loop), not to rate"),
                  "thinkTime");
    if (!find_key(n, "duration") && !find_key(n, "requests"))
      c_.error_at(n, msg_required("duration (such as 10s) or requests (a count)"), "duration");
    return a;
  }

  DeleteAction delete_(const YNode* n) {
    DeleteAction a;
    Scope s(c_, "delete");
    const YNode* r = resolve(n);
    if (r && r->is_map()) {
      check_keys(n, {"kind", "name", "namespace"});
      a.kind = required_text(n, "kind");
      a.name = required_text(n, "name");
      if (auto ns = text(find_key(n, "namespace"), "namespace")) a.namespace_ = *ns;
      return a;
    }
    auto t = text(n, {});
    if (!t) {
      if (!r || r->is_null()) c_.error_at(n, msg_required("KIND/NAME, such as pod/app2"));
      return a;
    }
    auto slash = t->find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= t->size()) {
      c_.error_at(n, msg_invalid(q(*t), "must be KIND/NAME, such as pod/app2"));
      return a;
    }
    a.kind = t->substr(0, slash);
    a.name = t->substr(slash + 1);
    return a;
  }

  ScaleAction scale(const YNode* n) {
    ScaleAction a;
    Scope s(c_, "scale");
    if (!expect_map(c_, n, {})) {
      if (resolve(n) && resolve(n)->is_null()) c_.error_at(n, msg_required());
      return a;
    }
    static constexpr std::string_view kKinds[] = {"deployment", "replicaset", "statefulset",
                                                  "replicationcontroller"};
    check_keys(n, {"deployment", "replicaset", "statefulset", "replicationcontroller", "replicas",
                   "namespace"});
    for (auto k : kKinds) {
      if (const YNode* v = find_key(n, k)) {
        if (!a.kind.empty()) {
          c_.error_at(
              v, msg_forbidden(fmt::format("scale one workload per step ({} and {})", a.kind, k)),
              k);
          continue;
        }
        a.kind = std::string(k);
        a.name = text(v, k).value_or("");
      }
    }
    if (a.kind.empty())
      c_.error_at(n,
                  msg_required("the workload: deployment, replicaset, statefulset or "
                               "replicationcontroller"),
                  "deployment");
    const YNode* rep = find_key(n, "replicas");
    if (!rep) {
      c_.error_at(n, msg_required(), "replicas");
    } else if (auto v = read_int32(c_, rep, "replicas")) {
      if (*v < 0)
        c_.error_at(rep, msg_invalid(std::to_string(*v), "must be greater than or equal to 0"),
                    "replicas");
      a.replicas = *v;
    }
    if (auto ns = text(find_key(n, "namespace"), "namespace")) a.namespace_ = *ns;
    return a;
  }

  ApplyAction apply(const YNode* n) {
    ApplyAction a;
    std::vector<std::string> list;
    std::string one;
    words(n, "apply", list, one);
    if (!one.empty()) list.push_back(one);
    if (list.empty()) c_.error_at(n, msg_required("a file or folder of manifests"), "apply");
    for (const auto& p : list) a.paths.push_back(resolve_path(p));
    return a;
  }

  RolloutAction rollout(const YNode* n) {
    RolloutAction a;
    Scope s(c_, "rollout");
    if (!expect_map(c_, n, {})) {
      if (resolve(n) && resolve(n)->is_null()) c_.error_at(n, msg_required());
      return a;
    }
    check_keys(n, {"deployment", "image", "container", "namespace", "undo", "toRevision"});
    a.deployment = required_text(n, "deployment");
    const YNode* undo = find_key(n, "undo");
    const std::optional<bool> u = read_bool(c_, undo, "undo");
    // An unreadable undo is its own error: nothing else is asked of the step.
    if (const YNode* ru = resolve(undo); ru != nullptr && !ru->is_null() && !u) return a;
    a.undo = u.value_or(false);
    if (!a.undo) {
      // kubectl set image
      a.image = required_text(n, "image");
      if (const YNode* tr = find_key(n, "toRevision"))
        c_.error_at(tr, msg_forbidden("toRevision applies to undo: true"), "toRevision");
    } else {
      // kubectl rollout undo [--to-revision=N]
      if (const YNode* im = find_key(n, "image"))
        c_.error_at(im, msg_forbidden("undo takes the image of an earlier revision, not one given"),
                    "image");
      if (const YNode* ct = find_key(n, "container"))
        c_.error_at(ct, msg_forbidden("container applies to image, not to undo"), "container");
      if (const YNode* tr = find_key(n, "toRevision")) {
        if (auto v = read_int32(c_, tr, "toRevision")) {
          if (*v < 0)
            c_.error_at(
                tr, msg_invalid(std::to_string(*v), "must be 0 (the previous revision) or more"),
                "toRevision");
          else
            a.to_revision = *v;
        }
      }
    }
    if (auto ct = text(find_key(n, "container"), "container"); ct && !a.undo) a.container = *ct;
    if (auto ns = text(find_key(n, "namespace"), "namespace")) a.namespace_ = *ns;
    return a;
  }

  WaitAction wait(const YNode* n) {
    WaitAction a;
    Scope s(c_, "wait");
    const YNode* r = resolve(n);
    if (r && r->is_scalar()) {
      a.duration = duration(n, {});
      return a;
    }
    if (!expect_map(c_, n, {})) {
      if (!r || r->is_null())
        c_.error_at(n, msg_required("a duration, or one of rollout, ready, endpoints"));
      return a;
    }
    check_keys(n, {"duration", "rollout", "ready", "endpoints", "count", "namespace", "timeout"});
    int conditions = 0;
    if (const YNode* d = find_key(n, "duration")) {
      ++conditions;
      a.duration = duration(d, "duration");
    }
    if (const YNode* ro = find_key(n, "rollout")) {
      ++conditions;
      a.rollout = text(ro, "rollout").value_or("");
      if (a.rollout.empty()) c_.error_at(ro, msg_required("a Deployment's name"), "rollout");
    }
    if (const YNode* rd = find_key(n, "ready")) {
      ++conditions;
      std::string t = text(rd, "ready").value_or("");
      auto slash = t.find('/');
      static constexpr std::string_view kKinds[] = {"pod", "deployment", "replicaset",
                                                    "statefulset"};
      std::string kind = slash == std::string::npos ? "" : t.substr(0, slash);
      if (kind == "po") kind = "pod";
      if (kind == "deploy") kind = "deployment";
      if (kind == "rs") kind = "replicaset";
      if (kind == "sts") kind = "statefulset";
      if (slash == std::string::npos || slash + 1 >= t.size() ||
          std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
        c_.error_at(rd,
                    msg_invalid(q(t),
                                "must be pod/NAME, deployment/NAME, replicaset/NAME or "
                                "statefulset/NAME"),
                    "ready");
      } else {
        a.ready_kind = kind;
        a.ready_name = t.substr(slash + 1);
      }
    }
    if (const YNode* ep = find_key(n, "endpoints")) {
      ++conditions;
      a.endpoints = text(ep, "endpoints").value_or("");
      if (a.endpoints.empty()) c_.error_at(ep, msg_required("a Service's name"), "endpoints");
    }
    if (const YNode* cnt = find_key(n, "count")) {
      if (!find_key(n, "endpoints"))
        c_.error_at(cnt, msg_forbidden("count applies to endpoints"), "count");
      if (auto v = positive_int(cnt, "count", 0)) a.count = *v;
    }
    if (auto ns = text(find_key(n, "namespace"), "namespace")) a.namespace_ = *ns;
    if (auto t = duration(find_key(n, "timeout"), "timeout")) a.timeout = *t;
    if (conditions == 0)
      c_.error_at(n, msg_required("one of duration, rollout, ready, endpoints"), "duration");
    else if (conditions > 1)
      c_.error_at(n, msg_forbidden("wait for one thing per step: duration, rollout, ready or "
                                   "endpoints"));
    return a;
  }

  // --- expectations ---------------------------------------------------------------------

  Expectations expect(const YNode* n, bool makes_requests, std::string_view action) {
    Expectations e;
    Scope s(c_, "expect");
    if (!expect_map(c_, n, {})) return e;
    check_keys(n, {"exitCode", "outcome", "status", "body", "bodyContains", "servedBy",
                   "successRate", "requests", "share", "latency"});
    if (!makes_requests) {
      c_.error_at(n, msg_forbidden(fmt::format("a {} step sends no requests: nothing to expect "
                                               "(expect on a later exec, curl or traffic step)",
                                               action)));
      return e;
    }
    e.exit_code = comparison(find_key(n, "exitCode"), "exitCode", Quantity::number);
    if (const YNode* o = find_key(n, "outcome")) {
      e.outcome = text(o, "outcome");
      static constexpr std::string_view kOutcomes[] = {
          "ok", "dns_failure", "connection_refused", "timeout", "tls_error", "reset"};
      if (e.outcome &&
          std::find(std::begin(kOutcomes), std::end(kOutcomes), *e.outcome) == std::end(kOutcomes))
        c_.error_at(o,
                    msg_not_supported(q(*e.outcome), {"ok", "dns_failure", "connection_refused",
                                                      "timeout", "tls_error", "reset"}),
                    "outcome");
    }
    e.status = comparison(find_key(n, "status"), "status", Quantity::number);
    e.body = text(find_key(n, "body"), "body");
    e.body_contains = text(find_key(n, "bodyContains"), "bodyContains");
    e.served_by = text(find_key(n, "servedBy"), "servedBy");
    e.success_rate = comparison(find_key(n, "successRate"), "successRate", Quantity::fraction);
    e.requests = comparison(find_key(n, "requests"), "requests", Quantity::number);
    if (const YNode* sh = find_key(n, "share"); sh && expect_map(c_, sh, "share")) {
      Scope ss(c_, "share");
      for_each_entry(sh, [&](std::string_view key, const YNode* v) {
        KeyScope ks(c_, key);
        if (auto cmp = comparison(v, {}, Quantity::fraction))
          e.share.emplace_back(std::string(key), std::move(*cmp));
      });
    }
    if (const YNode* la = find_key(n, "latency"); la && expect_map(c_, la, "latency")) {
      Scope ls(c_, "latency");
      check_keys(la, {"p50", "p90", "p99", "max", "mean"});
      for_each_entry(la, [&](std::string_view key, const YNode* v) {
        if (key != "p50" && key != "p90" && key != "p99" && key != "max" && key != "mean") return;
        if (auto cmp = comparison(v, key, Quantity::duration))
          e.latency.emplace_back(std::string(key), std::move(*cmp));
      });
    }
    return e;
  }

  // --- a step ---------------------------------------------------------------------------

  std::optional<Step> step(const YNode* n, std::uint32_t index) {
    Scope s(c_, index);
    n = resolve(n);
    if (!n || !n->is_map()) {
      c_.decode_error_at(n, fmt::format("cannot unmarshal {} into a step (an object)",
                                        n ? json_type_of(n) : "null"));
      return std::nullopt;
    }
    check_keys(n, {"name", "at", "expect", "exec", "curl", "traffic", "delete", "scale", "apply",
                   "rollout", "wait"});
    Step st;
    st.name = text(find_key(n, "name"), "name").value_or("");
    st.at = duration(find_key(n, "at"), "at");
    std::vector<std::string_view> found;
    for (auto k : kActionKeys)
      if (find_key(n, k)) found.push_back(k);
    if (found.empty()) {
      // A misspelt action already has its "unknown field" error, which says more.
      bool unknown = false;
      static constexpr std::string_view kOther[] = {"name", "at", "expect"};
      for (const YNode* v = n->first; v; v = v->next) {
        const auto key = v->key_text();
        unknown =
            unknown || std::find(std::begin(kOther), std::end(kOther), key) == std::end(kOther);
      }
      if (!unknown)
        c_.error_at(n, msg_required("one action: exec, curl, traffic, delete, scale, apply, "
                                    "rollout or wait"));
      return std::nullopt;
    }
    if (found.size() > 1) {
      c_.error_at(find_key(n, found[1]),
                  msg_forbidden(fmt::format("a step has one action; this one has {} and {}",
                                            found[0], found[1])),
                  found[1]);
      return std::nullopt;
    }
    const std::string_view kind = found[0];
    const YNode* a = find_key(n, kind);
    bool requests = false;
    if (kind == "exec") {
      st.action = exec(a);
      requests = true;
    } else if (kind == "curl") {
      st.action = curl(a);
      requests = true;
    } else if (kind == "traffic") {
      st.action = traffic(a);
      requests = true;
    } else if (kind == "delete") {
      st.action = delete_(a);
    } else if (kind == "scale") {
      st.action = scale(a);
    } else if (kind == "apply") {
      st.action = apply(a);
    } else if (kind == "rollout") {
      st.action = rollout(a);
    } else {
      st.action = wait(a);
    }
    if (const YNode* e = find_key(n, "expect")) st.expect = expect(e, requests, kind);
    return st;
  }

  void read(const YNode* root, ScenarioSpec& out) {
    check_keys(root, {"apiVersion", "kind", "metadata", "spec"});
    if (const YNode* md = find_key(root, "metadata"); md && expect_map(c_, md, "metadata")) {
      Scope s(c_, "metadata");
      out.name = text(find_key(md, "name"), "name").value_or("");
    }
    const YNode* spec = find_key(root, "spec");
    if (!spec) {
      c_.error_at(root, msg_required(), "spec");
      return;
    }
    if (!expect_map(c_, spec, "spec")) return;
    Scope s(c_, "spec");
    check_keys(spec, {"seed", "manifests", "steps"});
    if (const YNode* sd = find_key(spec, "seed")) {
      if (auto v = read_int(c_, sd, "seed", "int64")) {
        if (*v < 0)
          c_.error_at(sd, msg_invalid(std::to_string(*v), "must be greater than or equal to 0"),
                      "seed");
        else
          out.seed = static_cast<std::uint64_t>(*v);
      }
    }
    if (const YNode* m = find_key(spec, "manifests")) {
      std::vector<std::string> list;
      std::string one;
      words(m, "manifests", list, one);
      if (!one.empty()) list.push_back(one);
      for (const auto& p : list) out.manifests.push_back(resolve_path(p));
    }
    const YNode* steps = find_key(spec, "steps");
    if (!steps || resolve(steps)->is_null()) {
      c_.error_at(steps ? steps : spec, msg_required("at least one step"), "steps");
      return;
    }
    if (!expect_seq(c_, steps, "steps")) return;
    Scope ss(c_, "steps");
    std::uint32_t i = 0;
    for (const YNode* item : Children(resolve(steps))) {
      auto st = step(item, i++);
      if (!st) continue;
      const YNode* r = resolve(item);
      st->where = {"", static_cast<int>(r->line + 1), static_cast<int>(r->column + 1)};
      out.steps.push_back(std::move(*st));
    }
    if (i == 0) c_.error_at(steps, msg_required("at least one step"));
  }

 private:
  Ctx& c_;
  std::string base_dir_;
};

core::SourceLocation loc(const std::string& file, const YNode* n) {
  if (!n) return {file, 0, 0};
  return {file, static_cast<int>(n->line + 1), static_cast<int>(n->column + 1)};
}

}  // namespace

ScenarioLoad load_scenario_text(std::string_view text, std::string_view filename,
                                std::string_view base_dir) {
  ScenarioLoad out;
  const std::string file(filename);
  DocumentReader reader(text);
  Document doc;
  int scenarios = 0;
  bool other_documents = false;
  ScenarioSpec spec;
  spec.file = file;
  while (reader.next(doc)) {
    const YNode* root = resolve(doc.root);
    if (!root || root->is_null()) continue;
    const YNode* kind = root->is_map() ? find_key(root, "kind") : nullptr;
    const YNode* av = root->is_map() ? find_key(root, "apiVersion") : nullptr;
    const bool is_scenario = kind && kind->is_scalar() && kind->value == "Scenario" &&
                             (!av || !av->is_scalar() || av->value == "podhop.dev/v1alpha1");
    if (!is_scenario) {
      other_documents = true;
      continue;
    }
    if (av && av->is_scalar() && av->value != "podhop.dev/v1alpha1") continue;
    if (!av) {
      out.diagnostics.error(loc(file, root), "Scenario", "apiVersion",
                            msg_required("podhop.dev/v1alpha1"));
    }
    if (++scenarios > 1) {
      out.diagnostics.error(loc(file, root), "Scenario", "",
                            "a scenario file holds one Scenario; this is a second one");
      continue;
    }
    for (const auto& dup : doc.duplicate_keys)
      out.diagnostics.error(loc(file, dup.node), "", "",
                            fmt::format("key {} already set in map (first set at line {})",
                                        go_quote(dup.node->value), dup.first->line + 1));
    Ctx c(root);
    StepReader r(c, std::string(base_dir));
    r.read(root, spec);
    const YNode* md = find_key(root, "metadata");
    const YNode* nm = md && md->is_map() ? find_key(md, "name") : nullptr;
    const std::string object =
        nm && nm->is_scalar() ? fmt::format("Scenario \"{}\"", nm->value) : "Scenario";
    for (auto& e : c.errors()) {
      const YNode* at = e.node ? e.node : locate(root, e.path);
      out.diagnostics.add(
          {e.severity, loc(file, at), object, std::move(e.path), std::move(e.message)});
    }
    for (auto& st : spec.steps) st.where.file = file;
  }
  if (const auto& err = reader.error()) {
    out.diagnostics.error(
        {file, static_cast<int>(err->line + 1), static_cast<int>(err->column + 1)}, "", "",
        fmt::format("error converting YAML to JSON: yaml: {}", err->message));
  }
  if (scenarios == 0 && !out.diagnostics.has_errors())
    out.diagnostics.error({file, 0, 0}, "", "",
                          "no Scenario in the file (apiVersion: podhop.dev/v1alpha1, kind: "
                          "Scenario)");
  // Errors sorted by position, as the manifest loader reports them.
  std::vector<core::Diagnostic> items = out.diagnostics.items();
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  out.diagnostics = {};
  for (auto& d : items) out.diagnostics.add(std::move(d));
  if (!out.diagnostics.has_errors()) {
    spec.file_has_manifests = other_documents;
    if (spec.name.empty()) spec.name = fs::path(file).stem().string();
    out.scenario = std::move(spec);
  }
  return out;
}

ScenarioLoad load_scenario(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ScenarioLoad out;
    out.diagnostics.error({path, 0, 0}, "", "",
                          fmt::format("open {}: {}", path, std::strerror(errno)));
    return out;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  std::string base = fs::path(path).parent_path().string();
  if (base.empty()) base = ".";
  return load_scenario_text(ss.str(), path, base);
}

}  // namespace podhop::manifest
