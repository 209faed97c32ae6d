#include "podhop/repeat.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"

namespace podhop {

namespace {

// Nearest-rank percentile of sorted values.
core::Duration percentile(const std::vector<core::Duration>& sorted, int p) {
  if (sorted.empty()) return {};
  std::size_t rank = (sorted.size() * static_cast<std::size_t>(p) + 99) / 100;
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

std::string share(int n, int total) {
  if (total == 0) return "0.0%";
  return fmt::format("{:.1f}%", 100.0 * n / total);
}

}  // namespace

bool run_repeat(Simulation& sim, const dataplane::CurlOptions& options,
                const dataplane::ClientRef& from, RepeatSummary& out, std::string& error) {
  dataplane::ClientError client_error;
  auto client = sim.network().client(from, &client_error);
  if (!client) {
    error = fmt::format("Error from server (NotFound): {}", client_error.message);
    return false;
  }
  out = RepeatSummary{};
  out.url = options.urls.empty() ? std::string() : options.urls.front();
  out.keepalive = options.keepalive;
  out.from = from.kind == dataplane::ClientKind::external
                 ? std::string("external")
                 : fmt::format("{} {}", dataplane::to_string(from.kind), client->name);
  const int n = std::max(1, options.repeat);
  std::vector<core::Duration> elapsed;
  elapsed.reserve(static_cast<std::size_t>(n));
  dataplane::Pipeline& pipeline = sim.pipeline();
  const model::ClusterState& state = sim.state();
  for (int i = 0; i < n; ++i) {
    dataplane::RequestSpec spec = options.request_for(out.url);
    spec.record_hops = false;
    spec.keep_alive = options.keepalive;
    spec.reuse_connection = options.keepalive;
    trace::RequestRecord r = pipeline.run(*client, std::move(spec));
    ++out.requests;
    ++out.outcomes[std::string(trace::to_string(r.outcome))];
    if (r.status) ++out.statuses[*r.status];
    if (r.outcome != trace::Outcome::ok && out.first_error.empty()) {
      out.first_error = r.error;
      out.first_error_code = r.exit_code;
    }
    if (r.served_by && r.outcome == trace::Outcome::ok) {
      ++out.by_pod[*r.served_by];
      const std::string& who = *r.served_by;
      auto slash = who.find('/');
      if (slash != std::string::npos) {
        if (const model::Pod* pod = state.pods.find(who.substr(0, slash), who.substr(slash + 1)))
          ++out.by_node[pod->node_name];
      }
    }
    elapsed.push_back(r.elapsed);
  }
  pipeline.close_connections(client->ip);
  std::sort(elapsed.begin(), elapsed.end(), [](auto a, auto b) { return a.ns < b.ns; });
  out.p50 = percentile(elapsed, 50);
  out.p90 = percentile(elapsed, 90);
  out.p99 = percentile(elapsed, 99);
  out.max = elapsed.empty() ? core::Duration{} : elapsed.back();
  return true;
}

std::string render_repeat_text(const RepeatSummary& s) {
  std::string out =
      fmt::format("{} requests from {} to {} ({})\n", s.requests, s.from, s.url,
                  s.keepalive ? "one kept-alive connection" : "each on a new connection");
  std::vector<std::string> outcomes;
  for (const auto& [k, v] : s.outcomes) outcomes.push_back(fmt::format("{} {}", k, v));
  out += fmt::format("outcomes: {}\n", fmt::join(outcomes, ", "));
  if (!s.statuses.empty()) {
    std::vector<std::string> st;
    for (const auto& [k, v] : s.statuses) st.push_back(fmt::format("{} x{}", k, v));
    out += fmt::format("status: {}\n", fmt::join(st, ", "));
  }
  if (!s.first_error.empty())
    out += fmt::format("first failure: curl: ({}) {}\n", s.first_error_code, s.first_error);
  std::size_t width = 4;
  for (const auto& [k, v] : s.by_pod) width = std::max(width, k.size());
  for (const auto& [k, v] : s.by_node) width = std::max(width, k.size());
  out += "served by pod:\n";
  if (s.by_pod.empty()) out += "  (none)\n";
  for (const auto& [k, v] : s.by_pod)
    out += fmt::format("  {:<{}}  {:>7}  {:>6}\n", k, width, v, share(v, s.requests));
  out += "served by node:\n";
  if (s.by_node.empty()) out += "  (none)\n";
  for (const auto& [k, v] : s.by_node)
    out += fmt::format("  {:<{}}  {:>7}  {:>6}\n", k, width, v, share(v, s.requests));
  out += fmt::format("latency: p50 {}  p90 {}  p99 {}  max {}\n", core::format_duration(s.p50),
                     core::format_duration(s.p90), core::format_duration(s.p99),
                     core::format_duration(s.max));
  return out;
}

nlohmann::ordered_json repeat_json(const RepeatSummary& s) {
  nlohmann::ordered_json j;
  j["requests"] = s.requests;
  j["outcomes"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : s.outcomes) j["outcomes"][k] = v;
  j["by_pod"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : s.by_pod) j["by_pod"][k] = v;
  j["by_node"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : s.by_node) j["by_node"][k] = v;
  j["latency_ns"] = {{"p50", s.p50.ns}, {"p90", s.p90.ns}, {"p99", s.p99.ns}, {"max", s.max.ns}};
  return j;
}

}  // namespace podhop
