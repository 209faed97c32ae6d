// The tutorial's ClusterIP and DNS half, as a reader types it, through the public facade.
#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cli/curl_output.hpp"
#include "podhop/simulation.hpp"

using podhop::ExecResult;
using podhop::Simulation;

namespace {

Simulation seed_cluster() {
  Simulation sim({.seed = 1});
  auto report = sim.load({PODHOP_SOURCE_DIR "/examples/seed/manifests"});
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

bool any_hop_contains(const ExecResult& r, std::string_view text, std::string_view stage = {}) {
  return std::any_of(r.hops.begin(), r.hops.end(), [&](const auto& h) {
    return (stage.empty() || h.stage == stage) && h.detail.find(text) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("app1 reaches app2 through app1-svc and answers Hello world", "[scenario]") {
  Simulation sim = seed_cluster();
  auto r = sim.exec("app1", {"curl", "-s", "http://app1-svc.default.svc.cluster.local:8888"});
  INFO(r.stderr_text);
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text == "Hello world");
  CHECK(r.stderr_text.empty());
  REQUIRE(r.requests.size() == 1);
  const auto& rec = r.requests[0];
  CHECK(rec.served_by == "default/app1");
  REQUIRE(rec.upstream.size() == 1);
  CHECK(rec.upstream[0].served_by == "default/app2");
  CHECK(rec.upstream[0].body == "Hello world");
  // The forwarded request's hops are nested one level down, inside the client's trace.
  CHECK(std::any_of(rec.hops.begin(), rec.hops.end(), [](const auto& h) { return h.depth == 1; }));
}

TEST_CASE("app2 answers on all four DNS name forms from app1", "[scenario]") {
  Simulation sim = seed_cluster();
  for (const char* name : {"app2-svc.default.svc.cluster.local", "app2-svc.default.svc",
                           "app2-svc.default", "app2-svc"}) {
    INFO(name);
    auto r = sim.exec("app1", {"curl", "-s", fmt::format("http://{}:9999", name)});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == "Hello world");
  }
}

TEST_CASE("the short name fails from another namespace after walking the search list",
          "[scenario]") {
  Simulation sim = seed_cluster();
  auto r = sim.exec("client", "other", {"curl", "-sS", "http://app2-svc:9999"});
  CHECK(r.exit_code == 6);
  CHECK(r.stderr_text == "curl: (6) Could not resolve host: app2-svc\n");
  REQUIRE(r.requests.size() == 1);
  std::vector<std::string> names;
  for (const auto& q : r.requests[0].dns) {
    if (q.type == "A") names.push_back(q.name);
    CHECK(q.rcode == "NXDOMAIN");
  }
  const std::vector<std::string> expected = {"app2-svc.other.svc.cluster.local.",
                                             "app2-svc.svc.cluster.local.",
                                             "app2-svc.cluster.local.", "app2-svc."};
  CHECK(names == expected);
  // With the namespace in the name, the same client gets through.
  auto ok = sim.exec("client", "other", {"curl", "-s", "http://app2-svc.default:9999"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.stdout_text == "Hello world");
}

TEST_CASE("cat /etc/resolv.conf shows the pod's ClusterFirst resolver", "[scenario]") {
  Simulation sim = seed_cluster();
  auto r = sim.exec("app1", {"cat", "/etc/resolv.conf"});
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text.find("nameserver 10.96.0.10\n") != std::string::npos);
  CHECK(r.stdout_text.find("search default.svc.cluster.local svc.cluster.local cluster.local") !=
        std::string::npos);
  CHECK(r.stdout_text.find("options ndots:5") != std::string::npos);
  auto other = sim.exec("client", "other", {"cat", "/etc/resolv.conf"});
  CHECK(other.stdout_text.find("search other.svc.cluster.local") != std::string::npos);
}

TEST_CASE("the ExternalName Service answers as example.com does", "[scenario]") {
  Simulation sim = seed_cluster();
  auto r = sim.exec("app1", {"curl", "-s", "http://example-svc"});
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text.find("<h1>Example Domain</h1>") != std::string::npos);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].served_by == "external/example.com");
  CHECK(r.requests[0].connected_to->ip.str() == "93.184.215.14");
  // The answer for the short name came as a CNAME to example.com.
  bool cname = false;
  for (const auto& q : r.requests[0].dns) {
    for (const auto& a : q.answers) cname = cname || a == "example.com.";
  }
  CHECK(cname);
}

TEST_CASE("the selector-less Service reaches 93.184.215.14 through its manual Endpoints",
          "[scenario]") {
  Simulation sim = seed_cluster();
  auto r = sim.exec("app1", {"curl", "-s", "http://external-svc"});
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text.find("Example Domain") != std::string::npos);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].served_by == "external/example.com");
  CHECK(any_hop_contains(r, "93.184.215.14:80", "kube-proxy"));
  // Leaving the cluster, the node masquerades the pod's address.
  CHECK(any_hop_contains(r, "SNAT"));
}

TEST_CASE("a Service with no endpoints refuses the connection at once", "[scenario]") {
  Simulation sim = seed_cluster();
  auto report = sim.load_text(R"(
apiVersion: v1
kind: Service
metadata: {name: nobody-svc}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
)");
  REQUIRE(report.ok());
  auto r = sim.exec("app1", {"curl", "-sS", "http://nobody-svc"});
  CHECK(r.exit_code == 7);
  CHECK(r.stderr_text ==
        "curl: (7) Failed to connect to nobody-svc port 80 after 0 ms: Couldn't connect to "
        "server\n");
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].outcome == podhop::trace::Outcome::connection_refused);
  CHECK(any_hop_contains(r, "REJECT"));
}

TEST_CASE("a port the pod does not listen on is refused, and the trace names its ports",
          "[scenario]") {
  Simulation sim = seed_cluster();
  const auto* app2 = sim.state().pods.find("default", "app2");
  REQUIRE(app2 != nullptr);
  auto r =
      sim.exec("app1", {"curl", "-s", fmt::format("http://{}:9090/", app2->status.pod_ip.str())});
  CHECK(r.exit_code == 7);
  CHECK(any_hop_contains(r, "it listens on 8080/TCP"));
}

TEST_CASE("a pod reaching itself through its Service sees the node's address (hairpin)",
          "[scenario]") {
  Simulation sim = seed_cluster();
  auto report = sim.load_text(R"(
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  containers:
  - {name: echo, image: example/echo:1, ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo-svc}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
)");
  REQUIRE(report.ok());
  const auto* node = sim.state().nodes.find("", "minikube");
  REQUIRE(node != nullptr);
  auto self = sim.exec("echo", {"curl", "-s", "http://echo-svc"});
  CHECK(self.exit_code == 0);
  CHECK(self.stdout_text.find(node->internal_ip.str()) != std::string::npos);
  // From another pod, no masquerade: the echo server sees the client's pod IP.
  const auto* app1 = sim.state().pods.find("default", "app1");
  auto other = sim.exec("app1", {"curl", "-s", "http://echo-svc"});
  CHECK(other.stdout_text.find(app1->status.pod_ip.str()) != std::string::npos);
  CHECK(other.stdout_text.find(node->internal_ip.str()) == std::string::npos);
}

TEST_CASE("the same seed gives the same hops, byte for byte", "[scenario]") {
  auto run = [] {
    Simulation sim = seed_cluster();
    auto r = sim.exec("app1", {"curl", "-s", "http://app2-svc:9999"});
    std::string out;
    for (const auto& h : r.hops) out += podhop::trace::format_hop_line(h) + "\n";
    return out;
  };
  CHECK(run() == run());
}

TEST_CASE("exec answers like kubectl for unknown pods and programs", "[scenario]") {
  Simulation sim = seed_cluster();
  auto missing = sim.exec("nope", {"hostname"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.stderr_text == "Error from server (NotFound): pods \"nope\" not found\n");
  auto unknown = sim.exec("app1", {"frobnicate"});
  CHECK(unknown.exit_code == 126);
  CHECK(unknown.stderr_text.find("exec: \"frobnicate\": executable file not found in $PATH") !=
        std::string::npos);
  auto host = sim.exec("app1", {"hostname"});
  CHECK(host.stdout_text == "app1\n");
  auto env = sim.exec("app1", {"env"});
  CHECK(env.stdout_text.find("APP2_HOST=app2-svc\n") != std::string::npos);
  CHECK(env.stdout_text.find("KUBERNETES_SERVICE_HOST=10.96.0.1\n") != std::string::npos);
}

TEST_CASE(
    "nslookup and dig run once their tools are added, each query a packet through the "
    "cluster",
    "[scenario]") {
  Simulation sim = seed_cluster();
  podhop::cli::install_dns_tools(sim);
  auto r = sim.exec("app1", {"nslookup", "app2-svc"});
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text.find("Name:\tapp2-svc.default.svc.cluster.local\n") != std::string::npos);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].dns.size() >= 1);
  CHECK(any_hop_contains(r, "kube-system/kube-dns:dns DNAT"));
  auto d = sim.exec("app1", {"dig", "+short", "app2-svc.default.svc.cluster.local"});
  CHECK(d.exit_code == 0);
  const auto* svc = sim.state().services.find("default", "app2-svc");
  CHECK(d.stdout_text == svc->spec.cluster_ip.str() + "\n");
}

TEST_CASE("sh -c runs simple commands joined by && and ||", "[scenario]") {
  Simulation sim = seed_cluster();
  auto both = sim.exec("app1", {"sh", "-c", "curl -s http://app2-svc:9999 && echo"});
  CHECK(both.exit_code == 0);
  CHECK(both.stdout_text == "Hello world\n");
  auto fallback = sim.exec("app1", {"sh", "-c", "curl -s http://nope:9999 || echo failed"});
  CHECK(fallback.exit_code == 0);
  CHECK(fallback.stdout_text == "failed\n");
  auto missing = sim.exec("app1", {"sh", "-c", "wget -qO- http://app2-svc:9999"});
  CHECK(missing.exit_code == 127);
  CHECK(missing.stderr_text == "sh: 1: wget: not found\n");
}
