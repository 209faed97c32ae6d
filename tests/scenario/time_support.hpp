#pragma once
// Helpers for the time tests: a small cluster written as a user writes it, and readers of
// what the tests look at (a pod's endpoint conditions, the pods of a Deployment).

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "podhop/model/cluster_state.hpp"
#include "podhop/simulation.hpp"

namespace podhop::time_testing {

inline core::SimTime at(double seconds) {
  return core::SimTime{static_cast<std::int64_t>(seconds * 1e9)};
}

/// A Cluster with `nodes` nodes and the given timing block (YAML flow mapping body).
inline std::string cluster(int nodes, std::string_view timing) {
  std::string y = "apiVersion: podhop.dev/v1alpha1\nkind: Cluster\nmetadata: {name: t}\nspec:\n";
  y += "  nodes:\n";
  for (int i = 1; i <= nodes; ++i) y += fmt::format("  - name: node-{}\n", i);
  y += fmt::format("  timing: {{{}}}\n", timing);
  return y;
}

/// A Deployment `name` of the default echo server (port 8080) and its ClusterIP Service on
/// port 80. `extra_container` is YAML added to the container (probe, lifecycle), indented
/// by 8 spaces; `strategy` is YAML for spec.strategy (indented by 4) or empty.
inline std::string web(std::string_view name, int replicas, std::string_view extra_container = "",
                       std::string_view strategy = "", std::string_view pod_spec_extra = "") {
  return fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: {0}}}
spec:
  replicas: {1}
  selector: {{matchLabels: {{app: {0}}}}}
{3}  template:
    metadata: {{labels: {{app: {0}}}}}
    spec:
{4}      containers:
      - name: {0}
        image: example/{0}:v1
        ports: [{{containerPort: 8080}}]
{2}---
apiVersion: v1
kind: Service
metadata: {{name: {0}}}
spec:
  selector: {{app: {0}}}
  ports: [{{port: 80, targetPort: 8080}}]
)",
                     name, replicas, extra_container, strategy, pod_spec_extra);
}

inline Simulation loaded(const std::string& yaml, std::uint64_t seed = 1) {
  Simulation sim({.seed = seed});
  auto report = sim.load_text(yaml, "time.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

/// The live (not terminating) pods whose name starts with `prefix`, sorted by name.
inline std::vector<const model::Pod*> pods_of(const Simulation& sim, std::string_view prefix) {
  std::vector<const model::Pod*> out;
  for (const auto* p : sim.state().pods.sorted())
    if (p->meta.name.starts_with(prefix) && !p->meta.deletion) out.push_back(p);
  return out;
}

/// Every pod (terminating ones too) whose name starts with `prefix`.
inline std::vector<const model::Pod*> all_pods_of(const Simulation& sim, std::string_view prefix) {
  std::vector<const model::Pod*> out;
  for (const auto* p : sim.state().pods.sorted())
    if (p->meta.name.starts_with(prefix)) out.push_back(p);
  return out;
}

/// The endpoint of `ip` in the EndpointSlices of Service `svc`, or nullptr.
inline const model::Endpoint* endpoint_of(const Simulation& sim, std::string_view svc,
                                          core::Ipv4 ip) {
  for (const auto& sl : sim.state().endpoint_slices.items()) {
    if (sl.service_name != svc) continue;
    for (const auto& e : sl.endpoints)
      if (e.ip == ip) return &e;
  }
  return nullptr;
}

/// Records every ClusterEvent as its str().
class EventLog : public ClusterObserver {
 public:
  void on_cluster_event(const ClusterEvent& e) override { lines.push_back(e.str()); }
  std::vector<std::string> lines;
};

}  // namespace podhop::time_testing
