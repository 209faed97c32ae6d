// What the built-in apps answer on the request path: the default echo server shows the
// client a proxy in front reported, nginx's error pages end lines with CRLF.
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "podhop/dataplane/network.hpp"
#include "podhop/simulation.hpp"

using podhop::Simulation;
using namespace podhop::dataplane;

namespace {

constexpr const char* kCluster = R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: one}
spec:
  nodes: [{name: node-a}]
  addons: [ingress]
---
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  nodeName: node-a
  containers: [{name: echo, image: example/echo:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: node-a
  containers: [{name: web, image: "nginx:1.25", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: echo}
spec:
  rules:
  - host: echo.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
)";

Simulation cluster() {
  Simulation sim;
  auto report = sim.load_text(kCluster, "apps.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

std::string pod_ip(const Simulation& sim, std::string_view name) {
  return sim.state().pods.find("default", name)->status.pod_ip.str();
}

}  // namespace

TEST_CASE("the echo server shows X-Forwarded-For and X-Real-IP from ingress-nginx", "[dataplane]") {
  Simulation sim = cluster();
  const std::string node_ip = sim.network().node_ip(0).str();
  auto r =
      sim.curl({"-s", "--resolve", fmt::format("echo.test:80:{}", node_ip), "http://echo.test/x"},
               ClientRef::external());
  REQUIRE(r.exit_code == 0);
  INFO(r.stdout_text);
  CHECK(r.stdout_text.find("X-Forwarded-For: 192.168.49.1\n") != std::string::npos);
  CHECK(r.stdout_text.find("X-Real-IP: 192.168.49.1\n") != std::string::npos);
}

TEST_CASE("the echo server shows no forwarding lines for a direct request", "[dataplane]") {
  Simulation sim = cluster();
  auto plain = sim.exec("web", {"curl", "-s", fmt::format("http://{}:8080/", pod_ip(sim, "echo"))});
  CHECK(plain.stdout_text.find("X-Forwarded-For") == std::string::npos);
  CHECK(plain.stdout_text.find("X-Real-IP") == std::string::npos);
  auto told = sim.exec("web", {"curl", "-s", "-H", "x-forwarded-for: 1.2.3.4",
                               fmt::format("http://{}:8080/", pod_ip(sim, "echo"))});
  CHECK(told.stdout_text.find("X-Forwarded-For: 1.2.3.4\n") != std::string::npos);
}

TEST_CASE("nginx's built-in error page ends its lines with CRLF", "[dataplane]") {
  Simulation sim = cluster();
  auto r = sim.exec("echo", {"curl", "-s", fmt::format("http://{}/missing", pod_ip(sim, "web"))});
  CHECK(r.stdout_text ==
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
        "Found</h1></center>\r\n<hr><center>nginx/1.25.0</center>\r\n</body>\r\n</html>\r\n");
}
