#include <catch2/catch.hpp>

#include "podhop/dataplane/network.hpp"
#include "podhop/simulation.hpp"
#include "support/two_nodes.hpp"

using podhop::Simulation;
using podhop::core::Duration;
using podhop::core::Ipv4;
using namespace podhop::dataplane;

namespace {

using podhop::testing::kTwoNodes;

Ipv4 ip(const char* s) {
  return *Ipv4::parse(s);
}

}  // namespace

TEST_CASE("every address is found where it lives", "[dataplane]") {
  Simulation sim;
  REQUIRE(sim.load_text(kTwoNodes).ok());
  Network& net = sim.network();
  const auto* a = sim.state().pods.find("default", "a");
  const auto* node_b = sim.state().nodes.find("", "node-b");
  REQUIRE(a != nullptr);
  REQUIRE(node_b != nullptr);

  Place pa = net.locate(a->status.pod_ip);
  CHECK(pa.kind == PlaceKind::pod);
  CHECK(net.node_name(pa.node) == "node-a");
  CHECK(net.pod_name(pa.pod) == "default/a");

  Place pb = net.locate(node_b->internal_ip);
  CHECK(pb.kind == PlaceKind::node);
  CHECK(net.node_name(pb.node) == "node-b");

  CHECK(net.locate(ip("93.184.215.14")).kind == PlaceKind::external_host);

  CHECK(net.locate(ip("192.168.49.1")).kind == PlaceKind::upstream_dns);
  CHECK(net.locate(ip("10.1.2.3")).kind == PlaceKind::nowhere);
}

TEST_CASE("a hop costs the cluster's same-node, cross-node or external latency", "[dataplane]") {
  Simulation sim;
  REQUIRE(sim.load_text(kTwoNodes).ok());
  Network& net = sim.network();
  auto a = *net.tables().node_by_name("node-a");
  auto b = *net.tables().node_by_name("node-b");
  CHECK(net.latency(a, a) == Duration::micros(10));
  CHECK(net.latency(a, b) == Duration::micros(100));
  CHECK(net.latency(a, kNoIndex) == Duration::millis(5));
  CHECK(net.latency(a, net.locate(ip("93.184.215.14"))) == Duration::millis(5));
  CHECK(net.describe_path(a, b) == "node node-a -> node node-b");
  CHECK(net.describe_path(a, a) == "same node node-a");
}

TEST_CASE("ephemeral ports count up per source address", "[dataplane]") {
  Simulation sim;
  Network& net = sim.network();
  CHECK(net.ephemeral_port(ip("10.244.0.5")) == 40001);
  CHECK(net.ephemeral_port(ip("10.244.0.5")) == 40002);
  CHECK(net.ephemeral_port(ip("10.244.0.6")) == 40001);
}

TEST_CASE("clients are found by kind and name, or refused in kubectl's words", "[dataplane]") {
  Simulation sim;
  REQUIRE(sim.load_text(kTwoNodes).ok());
  Network& net = sim.network();
  auto pod = net.client(ClientRef::pod("default", "a"));
  REQUIRE(pod);
  CHECK(pod->node_name == "node-a");
  CHECK(pod->source_kind == SourceKind::pod);
  CHECK(pod->resolv_conf->ndots == 5);
  auto node = net.client(ClientRef::node("node-b"));
  REQUIRE(node);
  CHECK(node->source_kind == SourceKind::node);
  CHECK(node->ip == sim.state().nodes.find("", "node-b")->internal_ip);
  ClientError err;
  CHECK_FALSE(net.client(ClientRef::pod("default", "zz"), &err));
  CHECK(err.message == "pods \"zz\" not found");
  CHECK_FALSE(net.client(ClientRef::node("zz"), &err));
  CHECK(err.message == "nodes \"zz\" not found");
}

namespace {

// A Service with one endpoint pod on node-a, in a two-node cluster with the ingress addon.
constexpr const char* kServiceOnA = R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: two}
spec:
  nodes: [{name: node-a}, {name: node-b}]
  addons: [ingress]
---
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
spec:
  nodeName: node-a
  containers: [{name: a, image: example/echo:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  selector: {app: a}
  ports: [{port: 80, targetPort: 8080}]
)";

Verdict route_to(KubeProxy& proxy, Ipv4 vip, std::int32_t source_port) {
  NewConnection c;
  c.source_ip = ip("10.244.1.9");
  c.source_port = source_port;
  c.dst_ip = vip;
  c.dst_port = 80;
  return proxy.route(c);
}

}  // namespace

TEST_CASE("with deferred propagation a node keeps its rules until it is programmed",
          "[dataplane]") {
  Simulation sim;
  REQUIRE(sim.load_text(kServiceOnA).ok());
  Network& net = sim.network();
  podhop::model::ClusterState state = sim.state();  // a copy the test changes
  const Ipv4 vip = state.services.find("default", "svc")->spec.cluster_ip;
  const Ipv4 pod_ip = state.pods.find("default", "a")->status.pod_ip;
  REQUIRE(route_to(net.proxy(1), vip, 40001).kind == VerdictKind::dnat);

  net.set_deferred_propagation(true);
  // The pod goes: its EndpointSlice entry and its IP with it.
  for (auto& sl : state.endpoint_slices.items())
    if (sl.service_name == "svc") sl.endpoints.clear();
  state.pods.find("default", "a")->status.pod_ip = {};
  net.rebuild(state);
  const std::uint64_t newest = net.generation();
  CHECK(net.node_generation(1) < newest);
  CHECK_FALSE(net.fully_propagated());

  // node-b still DNATs to the old endpoint; the verdict names no pod (nobody has the IP).
  Verdict old = route_to(net.proxy(1), vip, 40002);
  CHECK(old.kind == VerdictKind::dnat);
  CHECK(old.endpoint_ip == pod_ip);
  CHECK(old.pod_slot == kNoIndex);
  CHECK(net.locate(pod_ip).kind == PlaceKind::nowhere);
  CHECK_FALSE(net.pod_alive(0, pod_ip));

  net.program_node(1, newest);
  CHECK(net.node_generation(1) == newest);
  CHECK(route_to(net.proxy(1), vip, 40003).kind == VerdictKind::reject);
  // node-a was not programmed yet.
  CHECK(route_to(net.proxy(0), vip, 40004).kind == VerdictKind::dnat);

  // The ingress view keeps the old state until it is programmed.
  CHECK(net.ingress_generation() < newest);
  const auto* seen = net.ingress_state().pods.find("default", "a");
  REQUIRE(seen != nullptr);
  CHECK(seen->status.pod_ip == pod_ip);
  net.program_ingress();
  CHECK(net.ingress_generation() == newest);
  CHECK(net.ingress_state().pods.find("default", "a")->status.pod_ip.empty());

  net.program_node(0);
  CHECK(net.fully_propagated());
  net.set_deferred_propagation(false);
  net.rebuild(sim.state());  // back to the simulation's own state before it goes
}

TEST_CASE("the nodes a load balancer may pick are those whose health check passes", "[dataplane]") {
  // ETP Local: only node-a holds an endpoint, so only node-a passes the health check. The
  // list is kept per port and follows each node's own rules when propagation lags.
  Simulation sim;
  REQUIRE(sim.load_text(std::string(kServiceOnA) + R"(---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: a}
  ports: [{port: 80, targetPort: 8080}]
)")
              .ok());
  Network& net = sim.network();
  auto ids = net.tables().ports_of_service("default", "lb");
  REQUIRE(ids.size() == 1);
  CHECK(net.lb_nodes(ids[0]) == std::vector<std::uint32_t>{0});
  for (std::uint32_t n = 0; n < net.node_count(); ++n)
    CHECK(net.proxy(n).lb_health_check_passes(ids[0]) ==
          (n == 0));  // the same answer, node by node
  // ETP Cluster (kube-proxy's healthz): every ready node.
  auto svc = net.tables().ports_of_service("default", "svc");
  REQUIRE(svc.size() == 1);
  CHECK(net.lb_nodes(svc[0]) == std::vector<std::uint32_t>{0, 1});

  // The endpoint goes, deferred: node-b is programmed, node-a still runs the old rules.
  podhop::model::ClusterState state = sim.state();
  net.set_deferred_propagation(true);
  for (auto& sl : state.endpoint_slices.items())
    if (sl.service_name == "lb") sl.endpoints.clear();
  net.rebuild(state);
  ids = net.tables().ports_of_service("default", "lb");
  REQUIRE(ids.size() == 1);
  CHECK(net.lb_nodes(ids[0]) == std::vector<std::uint32_t>{0});
  net.program_node(0);
  CHECK(net.lb_nodes(ids[0]).empty());
  CHECK_FALSE(net.proxy(0).lb_health_check_passes(ids[0]));
  net.program_node(1);
  net.program_ingress();
  net.set_deferred_propagation(false);
  net.rebuild(sim.state());
}
