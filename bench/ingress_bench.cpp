// The ingress path, like the ClusterIP path: one request from outside through ingress-nginx
// (hostPort, TLS-less HTTP, the controller's routing, the proxied request to an endpoint)
// per iteration, without hop traces, as bulk traffic runs. Build with
// -DPODHOP_BUILD_BENCH=ON; the lead measures (docs/performance.md).
#include <cstdlib>

#include <benchmark/benchmark.h>

#include "podhop/dataplane/ingress.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"

namespace {

constexpr const char* kCluster = R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: bench}
spec:
  nodes: [{name: node-a}, {name: node-b}]
  addons: [ingress, ingress-dns]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/echo:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.test
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)";

podhop::Simulation loaded() {
  podhop::Simulation s;
  if (!s.load_text(kCluster, "bench.yaml").ok()) std::abort();
  return s;
}

// A whole request from outside through the controller to an endpoint.
void BM_IngressRequest(benchmark::State& state) {
  auto sim = loaded();
  auto client = sim.network().client(podhop::dataplane::ClientRef::external());
  podhop::dataplane::RequestSpec spec;
  spec.url = "http://web.test/api/items";
  spec.record_hops = false;
  for (auto _ : state) {
    auto r = sim.pipeline().run(*client, spec);
    benchmark::DoNotOptimize(r.status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IngressRequest);

// The routing decision alone (host, location, round robin).
void BM_IngressRoute(benchmark::State& state) {
  auto sim = loaded();
  podhop::dataplane::IngressRouter& router = sim.pipeline().ingress_router();
  for (auto _ : state) {
    auto d = router.route({"web.test", "/api/items", "http", ""});
    benchmark::DoNotOptimize(d.endpoint.ip);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IngressRoute);

// The same decision for bulk traffic, which reads no why text (IngressRequest::explain).
void BM_IngressRouteUntraced(benchmark::State& state) {
  auto sim = loaded();
  podhop::dataplane::IngressRouter& router = sim.pipeline().ingress_router();
  for (auto _ : state) {
    auto d = router.route({"web.test", "/api/items", "http", "", false});
    benchmark::DoNotOptimize(d.endpoint.ip);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IngressRouteUntraced);

}  // namespace

BENCHMARK_MAIN();
