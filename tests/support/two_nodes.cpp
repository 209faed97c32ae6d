#include "support/two_nodes.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

namespace podhop::testing {

const char* const kTwoNodes = R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: two}
spec:
  nodes: [{name: node-a}, {name: node-b}]
  latency: {sameNode: 10us, crossNode: 100us, external: 5ms}
---
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec:
  nodeName: node-a
  containers: [{name: a, image: example/echo:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: web}}
spec:
  nodeName: node-b
  containers: [{name: b, image: example/echo:1, ports: [{containerPort: 8080}]}]
)";

const char* const kWebService = R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";

Simulation loaded(std::string_view yaml) {
  Simulation sim;
  auto report = sim.load_text(yaml);
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

Simulation two_nodes_with_web() {
  return loaded(std::string(kTwoNodes) + "---" + kWebService);
}

std::string pod_url(const Simulation& sim, std::string_view pod, int port) {
  const auto* p = sim.state().pods.find("default", pod);
  REQUIRE(p != nullptr);
  return fmt::format("http://{}:{}/", p->status.pod_ip.str(), port);
}

dataplane::Client pod_client(Simulation& sim, std::string_view pod) {
  auto client = sim.network().client(dataplane::ClientRef::pod("default", std::string(pod)));
  REQUIRE(client.has_value());
  return *client;
}

}  // namespace podhop::testing
