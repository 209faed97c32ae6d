// A scenario with 1,000,000 requests through a Service and through the ingress controller, on
// a large synthetic cluster, run by the scenario runner as `podhop run` runs it: half the
// requests from outside to a NodePort, half from outside to an Ingress host, both open loop
// at the same time. Prints the wall time of the load and of the run, simulated requests per
// second of wall time, the simulated duration, and peak RSS before and after the run (the
// run must not grow with the number of requests: percentiles come from histograms).
//
//   scenario_bench [--requests N] [--rate R] [--nodes N] [--services N] [--replicas N]
//
// Defaults: 1,000,000 requests at 100,000/s in all, 500 nodes, 1,000 Services of 10
// replicas (10,000 pods). Build with -DPODHOP_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release;
// the lead measures (docs/performance.md).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "podhop/scenario/runner.hpp"
#include "podhop/simulation.hpp"

namespace {

struct Shape {
  long requests = 1'000'000;
  double rate = 100'000;  // per second, over both paths
  int nodes = 500;
  int services = 1000;
  int replicas = 10;
};

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The cluster: nodes, Services with their Deployments, the NodePort and Ingress in front.
std::string cluster_yaml(const Shape& s) {
  std::string y =
      "apiVersion: podhop.dev/v1alpha1\nkind: Cluster\nmetadata: {name: bench}\nspec:\n"
      "  podCIDR: 100.64.0.0/10\n  addons: [ingress, ingress-dns]\n  nodes:\n";
  for (int i = 0; i < s.nodes; ++i) y += fmt::format("  - {{name: node-{:04}}}\n", i);
  for (int i = 0; i < s.services; ++i) {
    y += fmt::format(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{0:05}}}\nspec:\n"
        "  replicas: {1}\n  selector: {{matchLabels: {{app: app-{0:05}}}}}\n"
        "  template:\n    metadata: {{labels: {{app: app-{0:05}}}}}\n"
        "    spec: {{containers: [{{name: app, image: example/echo:1, ports: "
        "[{{containerPort: 8080}}]}}]}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{0:05}}}\nspec:\n"
        "  selector: {{app: app-{0:05}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n",
        i, s.replicas);
  }
  y += fmt::format(
      "---\napiVersion: v1\nkind: Service\nmetadata: {{name: front}}\nspec:\n"
      "  type: NodePort\n  selector: {{app: app-00000}}\n"
      "  ports: [{{port: 80, targetPort: 8080, nodePort: 30080}}]\n"
      "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: shop}}\nspec:\n"
      "  ingressClassName: nginx\n  rules:\n  - host: shop.test\n    http:\n      paths:\n"
      "      - {{path: /, pathType: Prefix, backend: {{service: {{name: app-{:05}, port: "
      "{{number: 80}}}}}}}}\n",
      s.services > 1 ? 1 : 0);
  return y;
}

long arg_long(int argc, char** argv, int& i) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "%s needs a value\n", argv[i]);
    std::exit(2);
  }
  return std::strtol(argv[++i], nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  Shape s;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--requests"))
      s.requests = arg_long(argc, argv, i);
    else if (!std::strcmp(argv[i], "--rate"))
      s.rate = static_cast<double>(arg_long(argc, argv, i));
    else if (!std::strcmp(argv[i], "--nodes"))
      s.nodes = static_cast<int>(arg_long(argc, argv, i));
    else if (!std::strcmp(argv[i], "--services"))
      s.services = static_cast<int>(arg_long(argc, argv, i));
    else if (!std::strcmp(argv[i], "--replicas"))
      s.replicas = static_cast<int>(arg_long(argc, argv, i));
    else {
      std::fprintf(stderr,
                   "usage: scenario_bench [--requests N] [--rate R] [--nodes N] [--services N] "
                   "[--replicas N]\n");
      return 2;
    }
  }

  const auto t_load = std::chrono::steady_clock::now();
  podhop::Simulation sim({.seed = 1});
  auto report = sim.load_text(cluster_yaml(s), "bench.yaml");
  if (!report.ok()) {
    std::fprintf(stderr, "%s", report.diagnostics.str().c_str());
    return 1;
  }
  const double load_s = seconds_since(t_load);
  const long rss_loaded = peak_rss_kb();

  namespace m = podhop::manifest;
  std::vector<m::Step> steps(2);
  const std::int64_t half = s.requests / 2;
  steps[0].name = "NodePort";
  steps[0].at = podhop::core::Duration{};
  steps[0].action = m::TrafficAction{.from = "external",
                                     .url = "http://192.168.49.2:30080/",
                                     .rate = s.rate / 2,
                                     .requests = half};
  steps[1].name = "Ingress";
  steps[1].at = podhop::core::Duration{};
  steps[1].action = m::TrafficAction{.from = "external",
                                     .url = "http://shop.test/",
                                     .rate = s.rate / 2,
                                     .requests = s.requests - half};

  podhop::scenario::Runner runner(sim);
  const auto t_run = std::chrono::steady_clock::now();
  podhop::scenario::ScenarioReport r = runner.run(steps, "bench");
  const double run_s = seconds_since(t_run);
  const long rss_run = peak_rss_kb();

  std::uint64_t done = 0;
  for (const auto& step : r.steps) done += step.requests;
  std::printf("cluster: %d nodes, %d services x %d replicas; load %.2f s, peak RSS %ld MB\n",
              s.nodes, s.services, s.replicas, load_s, rss_loaded / 1024);
  for (const auto& step : r.steps) {
    std::printf("  %-8s %9llu requests, ok %llu, p50 %lld ns, p99 %lld ns\n", step.name.c_str(),
                static_cast<unsigned long long>(step.requests),
                static_cast<unsigned long long>(step.outcome_count("ok")),
                static_cast<long long>(step.latency.percentile(50).ns),
                static_cast<long long>(step.latency.percentile(99).ns));
  }
  std::printf(
      "run: %llu requests in %.2f s wall (%.0f simulated requests/s), %.1f s simulated, "
      "peak RSS %ld MB (+%ld MB over the loaded cluster)\n",
      static_cast<unsigned long long>(done), run_s, static_cast<double>(done) / run_s,
      static_cast<double>(r.duration.ns) / 1e9, rss_run / 1024, (rss_run - rss_loaded) / 1024);
  return 0;
}
