// Service addresses: cluster IPs, node ports, health check ports, LoadBalancer status, and
// the API server's words when a request cannot be met.

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

const model::Service& svc(const model::ClusterState& st, std::string_view name,
                          std::string_view ns = "default") {
  const auto* s = st.services.find(ns, name);
  REQUIRE(s != nullptr);
  return *s;
}

std::string ip_of(const model::ClusterState& st, std::string_view name) {
  return svc(st, name).spec.cluster_ip.str();
}

}  // namespace

TEST_CASE("the kubernetes Service gets .1 and kube-dns .10 of the service range",
          "[controllers][services]") {
  auto st = testing::state();
  controllers::reconcile(st);
  CHECK(ip_of(st, "kubernetes") == "10.96.0.1");
  CHECK(svc(st, "kube-dns", "kube-system").spec.cluster_ip.str() == "10.96.0.10");
}

TEST_CASE("allocated cluster IPs come from the upper band of the range",
          "[controllers][services]") {
  auto st = testing::state();
  for (int i = 0; i < 20; ++i) add(st, testing::service(fmt::format("s{}", i)).port(80));
  controllers::reconcile(st);
  const auto cidr = st.config.service_cidr;
  for (int i = 0; i < 20; ++i) {
    const auto ip = svc(st, fmt::format("s{}", i)).spec.cluster_ip;
    CHECK(cidr.contains(ip));
    CHECK(ip.value - cidr.base.value > 256);  // past the static band (.1 - .256)
  }
}

TEST_CASE("headless and ExternalName Services get no cluster IP", "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("hl").headless().selector("app", "x").port(80));
  add(st, testing::service("ext").external_name("example.com"));
  controllers::reconcile(st);
  CHECK(svc(st, "hl").spec.cluster_ip.empty());
  CHECK(svc(st, "ext").spec.cluster_ip.empty());
}

TEST_CASE("a requested cluster IP inside the range and free is kept", "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("fixed").cluster_ip("10.96.0.50").port(80));
  CHECK(testing::reconcile_text(st).empty());
  CHECK(ip_of(st, "fixed") == "10.96.0.50");
}

TEST_CASE("a cluster IP that cannot be had is an error in the API server's words",
          "[controllers][services]") {
  struct Case {
    const char* requested;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"10.0.0.5",
       "svc.yaml:3:1: error: Service \"bad\": spec.clusterIPs: Invalid value: "
       "[]string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is "
       "not in the valid range. The range of valid IPs is 10.96.0.0/12\n"},
      {"10.96.0.0",
       "svc.yaml:3:1: error: Service \"bad\": spec.clusterIPs: Invalid value: "
       "[]string{\"10.96.0.0\"}: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) "
       "is not in the valid range. The range of valid IPs is 10.96.0.0/12\n"},
      {"10.96.0.10",
       "svc.yaml:3:1: error: Service \"bad\": spec.clusterIPs: Invalid value: "
       "[]string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already "
       "allocated\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.requested);
    auto st = testing::state();
    add(st, testing::service("bad").cluster_ip(c.requested).port(80).at("svc.yaml", 3));
    CHECK(testing::reconcile_text(st) == c.message);
  }
}

TEST_CASE("of two Services asking for one cluster IP, the older one gets it",
          "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("first").cluster_ip("10.96.0.50").port(80));
  add(st, testing::service("second").cluster_ip("10.96.0.50").port(80).at("b.yaml", 7));
  auto diags = controllers::reconcile(st);
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.items()[0].object == "Service \"second\"");
  CHECK(diags.items()[0].where.line == 7);
}

TEST_CASE("adding a Service does not move the cluster IPs or node ports of the others",
          "[controllers][services]") {
  auto build = [](bool extra) {
    auto st = testing::state();
    add(st, testing::service("a").type(model::ServiceType::NodePort).port(80));
    if (extra) add(st, testing::service("x").type(model::ServiceType::NodePort).port(80));
    add(st, testing::service("b").type(model::ServiceType::NodePort).port(80));
    controllers::reconcile(st);
    return st;
  };
  auto without = build(false);
  auto with = build(true);
  for (const char* name : {"a", "b"}) {
    CAPTURE(name);
    CHECK(ip_of(without, name) == ip_of(with, name));
    CHECK(svc(without, name).spec.ports[0].node_port == svc(with, name).spec.ports[0].node_port);
  }
}

TEST_CASE("the seed decides the allocated addresses", "[controllers][services]") {
  auto ips = [](std::uint64_t seed) {
    auto st = testing::state();
    add(st, testing::service("a").port(80));
    add(st, testing::service("b").type(model::ServiceType::NodePort).port(80));
    controllers::reconcile(st, {.seed = seed});
    return ip_of(st, "a") + " " + ip_of(st, "b") + " " +
           std::to_string(svc(st, "b").spec.ports[0].node_port);
  };
  CHECK(ips(1) == ips(1));
  CHECK(ips(1) != ips(2));
}

TEST_CASE("node ports are allocated in the dynamic band, requested ones kept",
          "[controllers][services]") {
  auto st = testing::state();
  add(st,
      testing::service("auto").type(model::ServiceType::NodePort).port(80).port(443, 0, "https"));
  add(st, testing::service("fixed").type(model::ServiceType::NodePort).port(8888).node_port(30008));
  CHECK(testing::reconcile_text(st).empty());
  for (const auto& p : svc(st, "auto").spec.ports) {
    CHECK(p.node_port >= 30086);
    CHECK(p.node_port <= 32767);
  }
  CHECK(svc(st, "auto").spec.ports[0].node_port != svc(st, "auto").spec.ports[1].node_port);
  CHECK(svc(st, "fixed").spec.ports[0].node_port == 30008);
}

TEST_CASE("a node port that cannot be had is an error in the API server's words",
          "[controllers][services]") {
  SECTION("out of range") {
    auto st = testing::state();
    add(st, testing::service("np")
                .type(model::ServiceType::NodePort)
                .port(80)
                .node_port(80)
                .at("np.yaml", 2));
    CHECK(testing::reconcile_text(st) ==
          "np.yaml:2:1: error: Service \"np\": spec.ports[0].nodePort: Invalid value: 80: "
          "provided port is not in the valid range. The range of valid ports is 30000-32767\n");
  }
  SECTION("already allocated, whatever the protocol (one allocator for all)") {
    auto st = testing::state();
    add(st, testing::service("one").type(model::ServiceType::NodePort).port(80).node_port(30080));
    add(st, testing::service("two")
                .type(model::ServiceType::NodePort)
                .port(53, 0, "dns", model::Protocol::UDP)
                .node_port(30080)
                .at("two.yaml", 9));
    CHECK(testing::reconcile_text(st) ==
          "two.yaml:9:1: error: Service \"two\": spec.ports[0].nodePort: Invalid value: 30080: "
          "provided port is already allocated\n");
  }
  SECTION("the configured range is the one quoted") {
    auto st = testing::state(testing::cluster().nodes(1).node_port_range(31000, 31010));
    add(st, testing::service("np").type(model::ServiceType::NodePort).port(80).node_port(30000));
    CHECK(testing::reconcile_text(st).find("The range of valid ports is 31000-31010") !=
          std::string::npos);
  }
}

TEST_CASE("ports with the same number on TCP and UDP share one node port",
          "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("dns")
              .type(model::ServiceType::NodePort)
              .port(53, 0, "dns", model::Protocol::UDP)
              .port(53, 0, "dns-tcp", model::Protocol::TCP));
  CHECK(testing::reconcile_text(st).empty());
  const auto& ports = svc(st, "dns").spec.ports;
  CHECK(ports[0].node_port != 0);
  CHECK(ports[0].node_port == ports[1].node_port);
  // And the pair is accepted again on the next reconcile.
  CHECK(testing::reconcile_text(st).empty());
}

TEST_CASE("LoadBalancer node ports follow allocateLoadBalancerNodePorts",
          "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("with").type(model::ServiceType::LoadBalancer).port(80));
  add(st, testing::service("without")
              .type(model::ServiceType::LoadBalancer)
              .allocate_load_balancer_node_ports(false)
              .port(80)
              .port(81, 0, "asked")
              .node_port(30081));
  controllers::reconcile(st);
  CHECK(svc(st, "with").spec.ports[0].node_port != 0);
  CHECK(svc(st, "without").spec.ports[0].node_port == 0);
  CHECK(svc(st, "without").spec.ports[1].node_port == 30081);
}

TEST_CASE("LoadBalancer with externalTrafficPolicy Local gets a health check node port",
          "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("local")
              .type(model::ServiceType::LoadBalancer)
              .external_traffic_policy(model::TrafficPolicy::Local)
              .port(80));
  add(st, testing::service("cluster").type(model::ServiceType::LoadBalancer).port(80));
  controllers::reconcile(st);
  const auto hc = svc(st, "local").spec.health_check_node_port;
  CHECK(hc >= 30086);
  CHECK(hc != svc(st, "local").spec.ports[0].node_port);
  CHECK(svc(st, "cluster").spec.health_check_node_port == 0);
}

TEST_CASE("without a pool LoadBalancer Services stay pending", "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("lb").type(model::ServiceType::LoadBalancer).port(80));
  controllers::reconcile(st);
  CHECK(svc(st, "lb").load_balancer.empty());
  CHECK(testing::events_about(st, "lb").empty());
}

TEST_CASE("with a pool LoadBalancer Services get its addresses in creation order",
          "[controllers][services]") {
  auto st = testing::state(testing::cluster().nodes(1).lb_pool("192.168.49.200", "192.168.49.202"));
  add(st, testing::service("a").type(model::ServiceType::LoadBalancer).port(80));
  add(st, testing::service("b").type(model::ServiceType::LoadBalancer).port(80));
  add(st, testing::service("wants")
              .type(model::ServiceType::LoadBalancer)
              .load_balancer_ip("192.168.49.200")
              .port(80));
  add(st, testing::service("late").type(model::ServiceType::LoadBalancer).port(80));
  add(st, testing::service("classy")
              .type(model::ServiceType::LoadBalancer)
              .load_balancer_class("example.com/other")
              .port(80));
  controllers::reconcile(st);
  auto lb = [&](const char* name) {
    const auto& l = svc(st, name).load_balancer;
    return l.empty() ? std::string("<pending>") : l.front().ip.str();
  };
  CHECK(lb("wants") == "192.168.49.200");  // spec.loadBalancerIP honoured first
  CHECK(lb("a") == "192.168.49.201");
  CHECK(lb("b") == "192.168.49.202");
  CHECK(lb("late") == "<pending>");    // pool exhausted
  CHECK(lb("classy") == "<pending>");  // another implementation's Service

  auto allocated = testing::events_about(st, "a", "IPAllocated");
  REQUIRE(allocated.size() == 1);
  CHECK(allocated[0]->message() == "Assigned IP [\"192.168.49.201\"]");
  CHECK(allocated[0]->source == "metallb-controller");
  auto failed = testing::events_about(st, "late", "AllocationFailed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->type == "Warning");
  CHECK(failed[0]->message() == "Failed to allocate IP for \"default/late\": no available IPs");

  // Nothing moves, nothing new is said on the next reconcile.
  const auto events = st.events.size();
  controllers::reconcile(st);
  CHECK(lb("a") == "192.168.49.201");
  CHECK(st.events.size() == events);
}

TEST_CASE("a requested loadBalancerIP outside the pool is refused", "[controllers][services]") {
  auto st = testing::state(testing::cluster().nodes(1).lb_pool("192.168.49.200", "192.168.49.210"));
  add(st, testing::service("lb")
              .type(model::ServiceType::LoadBalancer)
              .load_balancer_ip("10.1.1.1")
              .port(80));
  controllers::reconcile(st);
  CHECK(svc(st, "lb").load_balancer.empty());
  auto failed = testing::events_about(st, "lb", "AllocationFailed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->message() ==
        "Failed to allocate IP for \"default/lb\": \"10.1.1.1\" is not allowed in config");
}

TEST_CASE("a requested healthCheckNodePort already taken is refused", "[controllers][services]") {
  auto st = testing::state();
  add(st, testing::service("np").type(model::ServiceType::NodePort).port(80).node_port(30100));
  add(st, testing::service("lb")
              .type(model::ServiceType::LoadBalancer)
              .external_traffic_policy(model::TrafficPolicy::Local)
              .health_check_node_port(30100)
              .port(80)
              .at("lb.yaml", 6));
  CHECK(testing::reconcile_text(st) ==
        "lb.yaml:6:1: error: Service \"lb\": spec.healthCheckNodePort: Invalid value: 30100: "
        "provided port is already allocated\n");
}

TEST_CASE("a full node port range is an internal error for the Service that finds it full",
          "[controllers][services]") {
  auto st = testing::state(testing::cluster().nodes(1).node_port_range(30000, 30001));
  add(st, testing::service("a").type(model::ServiceType::NodePort).port(80));
  add(st, testing::service("b").type(model::ServiceType::NodePort).port(80));
  add(st, testing::service("c").type(model::ServiceType::NodePort).port(80).at("c.yaml", 1));
  CHECK(testing::reconcile_text(st) ==
        "c.yaml:1:1: error: Service \"c\": Internal error occurred: failed to allocate a "
        "nodePort: range is full\n");
}
