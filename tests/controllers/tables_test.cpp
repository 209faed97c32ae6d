// The kube-proxy service tables: what is programmed, how endpoints are found and sorted,
// the precomputed Cluster/Local lists, topology buckets, the hash indices and the health
// check answers (rules file 1.6).

#include <catch2/catch.hpp>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "podhop/controllers/tables.hpp"

namespace {

using namespace podhop;
using controllers::kNoIndex;
using controllers::ServiceTables;
using model::Protocol;

core::Ipv4 ip(const char* s) {
  return *core::Ipv4::parse(s);
}

// A hand-built cluster state: what reconcile() would have produced.
struct StateBuilder {
  model::ClusterState s;

  StateBuilder& node(const char* name, const char* addr, const char* zone = "") {
    model::Node n;
    n.meta.name = name;
    n.internal_ip = ip(addr);
    n.zone = zone;
    n.index = static_cast<std::uint32_t>(s.nodes.size());
    s.nodes.upsert(std::move(n));
    return *this;
  }
  StateBuilder& pod(const char* name, const char* addr, const char* node_name,
                    bool host_network = false) {
    model::Pod p;
    p.meta.name = name;
    p.meta.namespace_ = "default";
    auto spec = std::make_shared<model::PodSpec>();
    spec->node_name = node_name;
    spec->host_network = host_network;
    p.spec = spec;
    p.status.phase = model::PodPhase::Running;
    p.status.pod_ip = ip(addr);
    p.status.ready = true;
    s.pods.upsert(std::move(p));
    return *this;
  }
  model::Service& service(const char* name, model::ServiceType type, const char* cluster_ip,
                          std::vector<model::ServicePort> ports) {
    model::Service svc;
    svc.meta.name = name;
    svc.meta.namespace_ = "default";
    svc.spec.type = type;
    if (cluster_ip != nullptr) svc.spec.cluster_ip = ip(cluster_ip);
    svc.spec.ports = std::move(ports);
    return s.services[s.services.upsert(std::move(svc))];
  }
  StateBuilder& slice(const char* name, const char* service, std::vector<model::EndpointPort> ports,
                      std::vector<model::Endpoint> endpoints) {
    model::EndpointSlice sl;
    sl.meta.name = name;
    sl.meta.namespace_ = "default";
    sl.service_name = service;
    sl.ports = std::move(ports);
    sl.endpoints = std::move(endpoints);
    s.endpoint_slices.upsert(std::move(sl));
    return *this;
  }
};

model::ServicePort sport(const char* name, std::int32_t port, Protocol proto = Protocol::TCP,
                         std::int32_t node_port = 0) {
  model::ServicePort p;
  p.name = name;
  p.port = port;
  p.protocol = proto;
  p.target_port = model::IntOrString::of(port);
  p.node_port = node_port;
  return p;
}

model::EndpointPort eport(const char* name, std::int32_t port, Protocol proto = Protocol::TCP) {
  model::EndpointPort p;
  p.name = name;
  p.port = port;
  p.protocol = proto;
  return p;
}

model::Endpoint ep(const char* addr, const char* node = "", bool ready = true, bool serving = true,
                   bool terminating = false) {
  model::Endpoint e;
  e.addresses = {addr};
  e.ip = ip(addr);
  e.node_name = node;
  e.conditions.ready = ready;
  e.conditions.serving = serving;
  e.conditions.terminating = terminating;
  return e;
}

std::vector<std::string> ips_of(const controllers::ProxyServicePort& sp,
                                std::span<const std::uint32_t> idx) {
  std::vector<std::string> out;
  for (auto i : idx) out.push_back(sp.endpoints[i].str());
  return out;
}

StateBuilder two_nodes() {
  StateBuilder b;
  b.node("node-a", "192.168.49.2", "zone-a").node("node-b", "192.168.49.3", "zone-b");
  return b;
}

}  // namespace

TEST_CASE("chain names are kube-proxy's sha256+base32 hashes of the service port name",
          "[controllers][tables]") {
  // The values the iptables proxier's own tests expect (PTEST TestLoadBalancer).
  CHECK(controllers::proxy_chain_name("KUBE-SVC-", "ns1/svc1:p80", Protocol::TCP) ==
        "KUBE-SVC-XPGD46QRK7WJZT7O");
  CHECK(controllers::proxy_chain_name("KUBE-SEP-", "ns1/svc1:p80", Protocol::TCP,
                                      "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ");
}

TEST_CASE("the service port name has no colon when the port is unnamed", "[controllers][tables]") {
  CHECK(controllers::ServicePortName{"default", "app2-svc", "", Protocol::TCP}.str() ==
        "default/app2-svc");
  CHECK(controllers::ServicePortName{"default", "web", "http", Protocol::TCP}.str() ==
        "default/web:http");
}

TEST_CASE("only Services with a cluster IP are programmed", "[controllers][tables]") {
  auto b = two_nodes();
  b.service("plain", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  b.service("headless", model::ServiceType::ClusterIP, nullptr, {sport("", 80)}).spec.headless =
      true;
  b.service("ext", model::ServiceType::ExternalName, "10.96.0.30", {sport("", 80)})
      .spec.external_name = "example.com";
  b.service("unallocated", model::ServiceType::ClusterIP, nullptr, {sport("", 80)});
  const auto t = ServiceTables::build(b.s);
  REQUIRE(t.ports().size() == 1);
  CHECK(t.ports()[0].name.name == "plain");
  CHECK_FALSE(t.find_vip(ip("10.96.0.30"), 80, Protocol::TCP));
}

TEST_CASE("rules are per port and protocol: 53/UDP and 53/TCP are two service ports",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.service("kube-dns", model::ServiceType::ClusterIP, "10.96.0.10",
            {sport("dns", 53, Protocol::UDP), sport("dns-tcp", 53, Protocol::TCP),
             sport("metrics", 9153, Protocol::TCP)});
  b.slice("kube-dns-1", "kube-dns",
          {eport("dns", 53, Protocol::UDP), eport("dns-tcp", 53), eport("metrics", 9153)},
          {ep("10.244.0.2", "node-a"), ep("10.244.1.2", "node-b")});
  const auto t = ServiceTables::build(b.s);
  REQUIRE(t.ports().size() == 3);
  // Sorted by (namespace, name, port name, protocol).
  CHECK(t.ports()[0].name_str == "default/kube-dns:dns");
  CHECK(t.ports()[1].name_str == "default/kube-dns:dns-tcp");
  const auto udp = t.find_vip(ip("10.96.0.10"), 53, Protocol::UDP);
  const auto tcp = t.find_vip(ip("10.96.0.10"), 53, Protocol::TCP);
  REQUIRE(udp);
  REQUIRE(tcp);
  CHECK(udp->port != tcp->port);
  CHECK(t.port(udp->port).name.protocol == Protocol::UDP);
  CHECK_FALSE(t.find_vip(ip("10.96.0.10"), 9153, Protocol::UDP));
  CHECK(t.is_cluster_ip(ip("10.96.0.10")));
  CHECK(t.find(controllers::ServicePortName{"default", "kube-dns", "dns", Protocol::UDP}) ==
        udp->port);
  CHECK(t.ports_of_service("default", "kube-dns").size() == 3);
  CHECK(t.ports_of_service("default", "nope").empty());
}

TEST_CASE("endpoint ports are found by the slice port NAME and protocol", "[controllers][tables]") {
  auto b = two_nodes();
  b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("http", 80)});
  b.service("manual", model::ServiceType::ClusterIP, "10.96.0.21", {sport("http", 80)});
  b.service("udp-only", model::ServiceType::ClusterIP, "10.96.0.22", {sport("http", 80)});
  b.slice("web-1", "web", {eport("http", 8080)}, {ep("10.244.0.5", "node-a")});
  // A manual slice whose port name does not match the Service port: no endpoints.
  b.slice("manual-1", "manual", {eport("web", 8080)}, {ep("10.244.0.6", "node-a")});
  // Same name, other protocol: no endpoints either.
  b.slice("udp-1", "udp-only", {eport("http", 8080, Protocol::UDP)}, {ep("10.244.0.7")});
  const auto t = ServiceTables::build(b.s);
  const auto& web = t.port(t.find_vip(ip("10.96.0.20"), 80, Protocol::TCP)->port);
  REQUIRE(web.endpoints.size() == 1);
  CHECK(web.endpoints[0].port == 8080);
  CHECK(web.has_endpoints());
  CHECK(t.port(t.find_vip(ip("10.96.0.21"), 80, Protocol::TCP)->port).endpoints.empty());
  CHECK_FALSE(t.port(t.find_vip(ip("10.96.0.22"), 80, Protocol::TCP)->port).has_endpoints());
}

TEST_CASE("endpoints of all slices are merged, deduplicated and sorted by IP then port",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  b.slice("web-b", "web", {eport("", 8080)}, {ep("10.244.0.10", "node-a"), ep("10.244.1.5")});
  b.slice("web-a", "web", {eport("", 8080)}, {ep("10.244.0.7", "node-a"), ep("10.244.1.5")});
  b.slice("web-c", "web", {eport("", 9090)}, {ep("10.244.0.7", "node-a")});
  const auto t = ServiceTables::build(b.s);
  const auto& sp = t.ports()[0];
  std::vector<std::string> all;
  for (const auto& e : sp.endpoints) all.push_back(e.str());
  // Numeric IP order (10.244.0.7 before 10.244.0.10), then port.
  CHECK(all == std::vector<std::string>{"10.244.0.7:8080", "10.244.0.7:9090", "10.244.0.10:8080",
                                        "10.244.1.5:8080"});
  CHECK(sp.sep_chain(0).rfind("KUBE-SEP-", 0) == 0);
  CHECK(sp.sep_chain(0).size() == 25);
  CHECK(sp.svc_chain().rfind("KUBE-SVC-", 0) == 0);
}

TEST_CASE("endpoints know their node, and their pod unless they are outside addresses",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.pod("web-1", "10.244.0.5", "node-a").pod("web-2", "10.244.1.5", "node-b");
  b.pod("hostnet", "192.168.49.2", "node-a", true);
  b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  auto with_ref = ep("10.244.1.5", "node-b");
  with_ref.target_ref = model::ObjectRef{"Pod", "default", "web-2"};
  b.slice("web-1", "web", {eport("", 8080)},
          {ep("10.244.0.5", "node-a"), with_ref, ep("93.184.215.14"), ep("10.244.2.9", "gone")});
  const auto t = ServiceTables::build(b.s);
  const auto& eps = t.ports()[0].endpoints;
  REQUIRE(eps.size() == 4);
  CHECK(eps[0].pod_slot == *b.s.pods.slot_of("default", "web-1"));  // by pod IP
  CHECK(eps[0].node_index == 0);
  CHECK(eps[1].pod_slot == *b.s.pods.slot_of("default", "web-2"));  // by targetRef
  CHECK(eps[1].node_index == 1);
  CHECK(eps[2].ip == ip("10.244.2.9"));
  CHECK(eps[2].node_index == kNoIndex);  // unknown node
  CHECK(eps[3].pod_slot == kNoIndex);    // outside address
  CHECK(eps[3].node_index == kNoIndex);
  // hostNetwork pods share the node IP and are not in the pod IP index.
  CHECK_FALSE(t.pod_by_ip(ip("192.168.49.2")));
  CHECK(t.pod_by_ip(ip("10.244.0.5")) == b.s.pods.slot_of("default", "web-1"));
  CHECK(t.node_by_ip(ip("192.168.49.3")) == 1u);
  CHECK(t.node_by_name("node-b") == 1u);
}

TEST_CASE("the Cluster list is the ready endpoints, else the serving and terminating ones",
          "[controllers][tables]") {
  struct Row {
    const char* name;
    std::vector<model::Endpoint> endpoints;
    std::vector<std::string> cluster;
    bool fallback;
  };
  const std::vector<Row> rows = {
      {"ready ones only",
       {ep("10.244.0.5", "node-a"), ep("10.244.0.6", "node-a", false, true, true),
        ep("10.244.1.5", "node-b", false, false, false)},
       {"10.244.0.5:80"},
       false},
      {"no ready: serving+terminating",
       {ep("10.244.0.6", "node-a", false, true, true),
        ep("10.244.1.5", "node-b", false, false, true)},
       {"10.244.0.6:80"},
       true},
      {"not serving is never used", {ep("10.244.1.5", "node-b", false, false, false)}, {}, false},
      {"nil conditions count as ready",
       {[] {
         auto e = ep("10.244.0.9", "node-a");
         e.conditions = {};
         return e;
       }()},
       {"10.244.0.9:80"},
       false},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      auto b = two_nodes();
      b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
      b.slice("web-1", "web", {eport("", 80)}, row.endpoints);
      const auto t = ServiceTables::build(b.s);
      const auto& sp = t.ports()[0];
      CHECK(ips_of(sp, sp.cluster_endpoints) == row.cluster);
      CHECK(sp.cluster_terminating_fallback == row.fallback);
      CHECK(sp.has_endpoints() == !row.cluster.empty());
    }
  }
}

TEST_CASE("Local lists exist only for Local-policy ports and nodes holding endpoints",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.node("node-c", "192.168.49.4");
  b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)})
      .spec.internal_traffic_policy = model::TrafficPolicy::Local;
  b.service("cluster", model::ServiceType::ClusterIP, "10.96.0.21", {sport("", 80)});
  const std::vector<model::Endpoint> eps = {
      ep("10.244.0.5", "node-a"), ep("10.244.0.6", "node-a", false, true, true),
      ep("10.244.1.5", "node-b", false, true, true), ep("10.244.1.6", "node-b", false, false)};
  b.slice("web-1", "web", {eport("", 80)}, eps);
  b.slice("cluster-1", "cluster", {eport("", 80)}, eps);
  const auto t = ServiceTables::build(b.s);
  // As kube-proxy, only ports with a Local policy have them.
  const auto& cluster = t.port(*t.find({"default", "cluster", "", Protocol::TCP}));
  CHECK_FALSE(cluster.uses_local_endpoints());
  CHECK(cluster.local_endpoints.empty());
  CHECK(cluster.local_for(0) == nullptr);
  const auto& sp = t.port(*t.find({"default", "web", "", Protocol::TCP}));
  REQUIRE(sp.uses_local_endpoints());
  REQUIRE(sp.local_endpoints.size() == 2);
  const auto* a = sp.local_for(0);
  const auto* bb = sp.local_for(1);
  REQUIRE(a != nullptr);
  REQUIRE(bb != nullptr);
  CHECK(ips_of(sp, sp.endpoints_of(*a)) == std::vector<std::string>{"10.244.0.5:80"});
  CHECK_FALSE(a->terminating_fallback);
  CHECK(a->ready_ips == 1);
  CHECK(ips_of(sp, sp.endpoints_of(*bb)) == std::vector<std::string>{"10.244.1.5:80"});
  CHECK(bb->terminating_fallback);
  CHECK(bb->ready_ips == 0);
  CHECK(sp.local_for(2) == nullptr);  // node-c holds nothing
}

TEST_CASE("topology hints apply only when every ready endpoint has one for this node or zone",
          "[controllers][tables]") {
  auto hinted = [](const char* addr, const char* node, const char* zone) {
    auto e = ep(addr, node);
    e.hint_zones = {zone};
    e.hint_nodes = {node};
    return e;
  };
  SECTION("all hinted: same node preferred, then same zone") {
    auto b = two_nodes();
    b.node("node-a2", "192.168.49.4", "zone-a");
    b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
    b.slice("web-1", "web", {eport("", 80)},
            {hinted("10.244.0.5", "node-a", "zone-a"), hinted("10.244.1.5", "node-b", "zone-b"),
             hinted("10.244.1.6", "node-b", "zone-b")});
    const auto t = ServiceTables::build(b.s);
    std::string_view mode;
    CHECK(ips_of(t.ports()[0], t.cluster_endpoints_for(0, 1, &mode)) ==
          std::vector<std::string>{"10.244.1.5:80", "10.244.1.6:80"});
    CHECK(mode == "PreferSameNode");
    // node-a2 has no node hint: zone hints decide (zone-a).
    CHECK(ips_of(t.ports()[0], t.cluster_endpoints_for(0, 2, &mode)) ==
          std::vector<std::string>{"10.244.0.5:80"});
    CHECK(mode == "PreferSameZone");
  }
  SECTION("one ready endpoint without a hint: hints ignored") {
    auto b = two_nodes();
    b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
    b.slice("web-1", "web", {eport("", 80)},
            {hinted("10.244.0.5", "node-a", "zone-a"), ep("10.244.1.5", "node-b")});
    const auto t = ServiceTables::build(b.s);
    std::string_view mode = "x";
    CHECK(t.cluster_endpoints_for(0, 0, &mode).size() == 2);
    CHECK(mode.empty());
  }
  SECTION("no hint for this zone: hints ignored") {
    auto b = two_nodes();
    b.node("node-c", "192.168.49.4", "zone-c");
    b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
    auto e1 = ep("10.244.0.5", "node-a");
    e1.hint_zones = {"zone-a"};
    auto e2 = ep("10.244.1.5", "node-b");
    e2.hint_zones = {"zone-b"};
    b.slice("web-1", "web", {eport("", 80)}, {e1, e2});
    const auto t = ServiceTables::build(b.s);
    CHECK(t.cluster_endpoints_for(0, 2).size() == 2);
    CHECK(t.cluster_endpoints_for(0, 0).size() == 1);
  }
}

TEST_CASE("node ports, external IPs and LoadBalancer IPs are indexed", "[controllers][tables]") {
  auto b = two_nodes();
  auto& svc = b.service("web", model::ServiceType::LoadBalancer, "10.96.0.20",
                        {sport("http", 80, Protocol::TCP, 30080)});
  svc.spec.external_ips = {ip("192.168.99.11")};
  svc.load_balancer = {model::LoadBalancerIngress{ip("192.168.49.200"), ""}};
  const auto t = ServiceTables::build(b.s);
  CHECK(t.find_node_port(30080, Protocol::TCP) == 0u);
  CHECK_FALSE(t.find_node_port(30080, Protocol::UDP));
  CHECK(t.find_vip(ip("192.168.99.11"), 80, Protocol::TCP)->kind ==
        controllers::DestinationKind::external_ip);
  CHECK(t.find_vip(ip("192.168.49.200"), 80, Protocol::TCP)->kind ==
        controllers::DestinationKind::load_balancer_ip);
  CHECK(t.find_vip(ip("10.96.0.20"), 80, Protocol::TCP)->kind ==
        controllers::DestinationKind::cluster_ip);
  CHECK_FALSE(t.find_vip(ip("192.168.49.200"), 81, Protocol::TCP));
  CHECK(t.ports()[0].externally_accessible());
}

TEST_CASE("the health check node port counts distinct local ready IPs over all ports",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.node("node-c", "192.168.49.4");
  auto& svc = b.service(
      "web", model::ServiceType::LoadBalancer, "10.96.0.20",
      {sport("http", 80, Protocol::TCP, 30080), sport("https", 443, Protocol::TCP, 30443)});
  svc.spec.external_traffic_policy = model::TrafficPolicy::Local;
  svc.spec.health_check_node_port = 32000;
  b.slice("web-1", "web", {eport("http", 8080), eport("https", 8443)},
          {ep("10.244.0.5", "node-a"), ep("10.244.0.6", "node-a"),
           ep("10.244.1.5", "node-b", false, true, true)});
  const auto t = ServiceTables::build(b.s);
  const auto* hc = t.find_health_check(32000);
  REQUIRE(hc != nullptr);
  CHECK(t.find_health_check(32001) == nullptr);
  // Two pods on node-a, each with two ports: 2, not 4 (TestHealthCheck counts IPs).
  CHECK(hc->local_ready_on(0) == 2);
  // Only a terminating endpoint on node-b: 0, although traffic still goes to it.
  CHECK(hc->local_ready_on(1) == 0);
  CHECK(hc->local_ready_on(2) == 0);

  const auto ok = t.health_check_response(*hc, 0);
  CHECK(ok.status == 200);
  CHECK(ok.body ==
        "{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"web\"\n\t},\n"
        "\t\"localEndpoints\": 2,\n\t\"serviceProxyHealthy\": true\n}");
  REQUIRE(ok.headers.get("X-Load-Balancing-Endpoint-Weight") != nullptr);
  CHECK(*ok.headers.get("X-Load-Balancing-Endpoint-Weight") == "2");
  CHECK(*ok.headers.get("Content-Type") == "application/json");
  const auto bad = t.health_check_response(*hc, 1);
  CHECK(bad.status == 503);
  CHECK(bad.body.find("\"localEndpoints\": 0") != std::string::npos);

  // What the cloud load balancer concludes per node.
  CHECK(t.lb_health_check_passes(0, 0));
  CHECK_FALSE(t.lb_health_check_passes(0, 1));
  CHECK_FALSE(t.lb_health_check_passes(0, 2));
}

TEST_CASE("with policy Cluster every ready node passes the LB health check",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.node("node-c", "192.168.49.4");
  b.s.nodes[2].ready = false;
  b.service("web", model::ServiceType::LoadBalancer, "10.96.0.20",
            {sport("http", 80, Protocol::TCP, 30080)});
  b.slice("web-1", "web", {eport("http", 8080)}, {ep("10.244.0.5", "node-a")});
  const auto t = ServiceTables::build(b.s);
  CHECK(t.lb_health_check_passes(0, 0));
  CHECK(t.lb_health_check_passes(0, 1));        // no local endpoint, still healthy
  CHECK_FALSE(t.lb_health_check_passes(0, 2));  // node down
  CHECK(t.find_health_check(0) == nullptr);
}

TEST_CASE("a Service port keeps its key across rebuilds while its id moves",
          "[controllers][tables]") {
  auto b = two_nodes();
  b.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("http", 80)});
  const auto before = ServiceTables::build(b.s);
  b.service("aaa", model::ServiceType::ClusterIP, "10.96.0.5", {sport("", 80)});
  const auto after = ServiceTables::build(b.s);
  const controllers::ServicePortName web{"default", "web", "http", Protocol::TCP};
  const auto id_before = before.find(web);
  const auto id_after = after.find(web);
  REQUIRE(id_before);
  REQUIRE(id_after);
  CHECK(*id_before != *id_after);
  CHECK(before.port(*id_before).key == after.port(*id_after).key);
  CHECK(after.find_key(before.port(*id_before).key) == id_after);
  CHECK(before.port(*id_before).key == controllers::service_port_key(web));
  CHECK_FALSE(after.find(controllers::ServicePortName{"default", "web", "http", Protocol::UDP}));
}

TEST_CASE("the flat index finds every key it holds and none it does not", "[controllers][tables]") {
  controllers::detail::FlatIndex<std::uint32_t> index;
  bool all_new = true;
  for (std::uint32_t i = 0; i < 20000; ++i)
    all_new = index.emplace((std::uint64_t{0x0a600000u + i} << 24) | (80u << 8), i) && all_new;
  CHECK(all_new);
  CHECK_FALSE(index.emplace(std::uint64_t{0x0a600000u} << 24 | (80u << 8), 7));  // first wins
  CHECK(index.size() == 20000);
  int wrong = 0;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const auto* v = index.find((std::uint64_t{0x0a600000u + i} << 24) | (80u << 8));
    if (v == nullptr || *v != i) ++wrong;
    if (index.find((std::uint64_t{0x0a600000u + i} << 24) | (81u << 8)) != nullptr) ++wrong;
  }
  CHECK(wrong == 0);
}

TEST_CASE("each pod's node is resolved once per build", "[controllers][tables]") {
  auto b = two_nodes();
  b.pod("web-1", "10.244.0.5", "node-a").pod("web-2", "10.244.1.5", "node-b");
  b.pod("stray", "10.244.2.5", "node-z");
  for (auto& p : b.s.pods.items()) p.node_name = p.spec->node_name;  // as the scheduler binds
  const auto t = ServiceTables::build(b.s);
  REQUIRE(b.s.pods.size() == 3);
  CHECK(t.node_of_pod(0) == 0);
  CHECK(t.node_of_pod(1) == 1);
  CHECK(t.node_of_pod(2) == controllers::kNoIndex);  // no such node
  CHECK(t.node_of_pod(0xFFFFFFF0u) == controllers::kNoIndex);
  for (std::uint32_t slot = 0; slot < b.s.pods.size(); ++slot) {
    CAPTURE(slot);
    const auto& pod = b.s.pods[slot];
    CHECK(t.node_of_pod(slot) == t.node_by_name(pod.node_name).value_or(controllers::kNoIndex));
  }
}
