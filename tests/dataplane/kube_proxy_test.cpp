// kube-proxy's verdict per connection, checked against the packet-flow cases of the
// iptables proxier's own tests (rules file 1.6, PTEST) and issues 3 and 4.

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "podhop/controllers/tables.hpp"
#include "podhop/dataplane/kube_proxy.hpp"

namespace {

using namespace podhop;
using controllers::kNoIndex;
using controllers::ServiceTables;
using dataplane::KubeProxy;
using dataplane::NewConnection;
using dataplane::SourceKind;
using dataplane::Verdict;
using dataplane::VerdictKind;
using model::Protocol;
using model::TrafficPolicy;

core::Ipv4 ip(const char* s) {
  return *core::Ipv4::parse(s);
}

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

// A small cluster built by hand, as reconcile() would leave it: node-a (192.168.49.2,
// zone-a) and node-b (192.168.49.3, zone-b).
struct Cluster {
  model::ClusterState s;

  Cluster() {
    node("node-a", "192.168.49.2", "zone-a");
    node("node-b", "192.168.49.3", "zone-b");
  }
  void node(const char* name, const char* addr, const char* zone = "") {
    model::Node n;
    n.meta.name = name;
    n.internal_ip = ip(addr);
    n.zone = zone;
    s.nodes.upsert(std::move(n));
  }
  void pod(const char* name, const char* addr, const char* node_name) {
    model::Pod p;
    p.meta.name = name;
    p.meta.namespace_ = "default";
    auto spec = std::make_shared<model::PodSpec>();
    spec->node_name = node_name;
    p.spec = spec;
    p.status.phase = model::PodPhase::Running;
    p.status.pod_ip = ip(addr);
    s.pods.upsert(std::move(p));
  }
  model::Service& service(const char* name, model::ServiceType type, const char* cluster_ip,
                          std::vector<model::ServicePort> ports) {
    model::Service svc;
    svc.meta.name = name;
    svc.meta.namespace_ = "default";
    svc.spec.type = type;
    svc.spec.cluster_ip = ip(cluster_ip);
    svc.spec.ports = std::move(ports);
    return s.services[s.services.upsert(std::move(svc))];
  }
  void slice(const char* name, const char* service, std::vector<model::EndpointPort> ports,
             std::vector<model::Endpoint> endpoints) {
    model::EndpointSlice sl;
    sl.meta.name = name;
    sl.meta.namespace_ = "default";
    sl.service_name = service;
    sl.ports = std::move(ports);
    sl.endpoints = std::move(endpoints);
    s.endpoint_slices.upsert(std::move(sl));
  }
};

constexpr const char* kNodeA = "192.168.49.2";
constexpr const char* kNodeB = "192.168.49.3";
constexpr const char* kClusterIp = "10.96.0.20";
constexpr const char* kLbIp = "192.168.49.200";
constexpr const char* kExternalIp = "192.168.99.11";
constexpr const char* kPodA = "10.244.0.5";    // web endpoint on node-a
constexpr const char* kPodB = "10.244.1.5";    // web endpoint on node-b
constexpr const char* kClient = "10.244.0.9";  // a client pod on node-a
constexpr const char* kOutside = "203.0.113.7";
constexpr std::int32_t kNodePort = 30080;

enum class Placement { both, only_b, none };

// `web`: LoadBalancer, port http 80 -> 8080, NodePort 30080, an external IP and an LB IP.
Cluster web_cluster(TrafficPolicy etp, TrafficPolicy itp, Placement placement) {
  Cluster c;
  c.pod("web-a", kPodA, "node-a");
  c.pod("web-b", kPodB, "node-b");
  c.pod("client", kClient, "node-a");
  auto& svc = c.service("web", model::ServiceType::LoadBalancer, kClusterIp,
                        {sport("http", 80, Protocol::TCP, kNodePort)});
  svc.spec.external_ips = {ip(kExternalIp)};
  svc.spec.external_traffic_policy = etp;
  svc.spec.internal_traffic_policy = itp;
  if (etp == TrafficPolicy::Local) svc.spec.health_check_node_port = 32000;
  svc.load_balancer = {model::LoadBalancerIngress{ip(kLbIp), ""}};
  std::vector<model::Endpoint> eps;
  if (placement == Placement::both) eps.push_back(ep(kPodA, "node-a"));
  if (placement != Placement::none) eps.push_back(ep(kPodB, "node-b"));
  c.slice("web-abc", "web", {eport("http", 8080)}, eps);
  return c;
}

NewConnection conn(SourceKind kind, const char* src, const char* dst, std::int32_t port,
                   std::int32_t src_port = 40000, Protocol proto = Protocol::TCP) {
  NewConnection n;
  n.source_kind = kind;
  n.source_ip = ip(src);
  n.source_port = src_port;
  n.dst_ip = ip(dst);
  n.dst_port = port;
  n.protocol = proto;
  return n;
}

// Routes `count` new connections (distinct source ports) and collects what happened.
struct Outcome {
  std::set<VerdictKind> kinds;
  std::set<std::string> endpoints;
  std::set<bool> masq;
  Verdict last;
};
Outcome flow(KubeProxy& proxy, NewConnection c, int count = 64) {
  Outcome o;
  for (int i = 0; i < count; ++i) {
    c.source_port = 20000 + i;
    Verdict v = proxy.route(c);
    o.kinds.insert(v.kind);
    if (v.kind == VerdictKind::dnat) {
      o.endpoints.insert(fmt::format("{}:{}", v.endpoint_ip, v.endpoint_port));
      o.masq.insert(v.masquerade);
    }
    o.last = std::move(v);
  }
  return o;
}

enum class Dst { cluster_ip, node_port_a, node_port_b, lb_ip, external_ip };

NewConnection to(Dst d, SourceKind kind, const char* src) {
  switch (d) {
    case Dst::cluster_ip:
      return conn(kind, src, kClusterIp, 80);
    case Dst::node_port_a:
      return conn(kind, src, kNodeA, kNodePort);
    case Dst::node_port_b:
      return conn(kind, src, kNodeB, kNodePort);
    case Dst::lb_ip:
      return conn(kind, src, kLbIp, 80);
    case Dst::external_ip:
      return conn(kind, src, kExternalIp, 80);
  }
  return {};
}

const std::set<std::string> kBoth = {"10.244.0.5:8080", "10.244.1.5:8080"};
const std::set<std::string> kOnlyA = {"10.244.0.5:8080"};
const std::set<std::string> kOnlyB = {"10.244.1.5:8080"};
const std::set<std::string> kNone = {};

}  // namespace

TEST_CASE("packet flows: source x service address x traffic policy x endpoint placement",
          "[dataplane][kube-proxy]") {
  using TP = TrafficPolicy;
  using SK = SourceKind;
  struct Row {
    const char* name;
    TP etp;
    TP itp;
    Placement placement;
    SK source;
    const char* src;
    Dst dst;
    VerdictKind kind;
    std::set<std::string> endpoints;
    bool masq;
  };
  // kube-proxy runs on node-a in every row (node_port_b is another node's address).
  const std::vector<Row> rows = {
      // ETP Cluster (PTEST TestExternalTrafficPolicyCluster)
      {"pod to cluster IP hits both, unmasqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::pod, kClient, Dst::cluster_ip, VerdictKind::dnat, kBoth, false},
      {"node to cluster IP is masqueraded", TP::Cluster, TP::Cluster, Placement::both, SK::node,
       kNodeA, Dst::cluster_ip, VerdictKind::dnat, kBoth, true},
      {"external to cluster IP is masqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::external, kOutside, Dst::cluster_ip, VerdictKind::dnat, kBoth, true},
      {"pod to external IP hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::pod, kClient, Dst::external_ip, VerdictKind::dnat, kBoth, true},
      {"external to external IP hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::external, kOutside, Dst::external_ip, VerdictKind::dnat, kBoth, true},
      {"pod to LB IP hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both, SK::pod,
       kClient, Dst::lb_ip, VerdictKind::dnat, kBoth, true},
      {"external to LB IP hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::external, kOutside, Dst::lb_ip, VerdictKind::dnat, kBoth, true},
      {"pod to NodePort hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both, SK::pod,
       kClient, Dst::node_port_a, VerdictKind::dnat, kBoth, true},
      {"external to NodePort hits both, masqueraded", TP::Cluster, TP::Cluster, Placement::both,
       SK::external, kOutside, Dst::node_port_a, VerdictKind::dnat, kBoth, true},
      {"node to NodePort is masqueraded", TP::Cluster, TP::Cluster, Placement::both, SK::node,
       kNodeA, Dst::node_port_a, VerdictKind::dnat, kBoth, true},
      {"ETP Cluster forwards to another node's endpoint", TP::Cluster, TP::Cluster,
       Placement::only_b, SK::external, kOutside, Dst::node_port_a, VerdictKind::dnat, kOnlyB,
       true},
      {"another node's IP is not this node's NodePort", TP::Cluster, TP::Cluster, Placement::both,
       SK::external, kOutside, Dst::node_port_b, VerdictKind::not_a_service, kNone, false},

      // ETP Local (PTEST TestExternalTrafficPolicyLocal)
      {"ETP Local: pod to cluster IP hits both", TP::Local, TP::Cluster, Placement::both, SK::pod,
       kClient, Dst::cluster_ip, VerdictKind::dnat, kBoth, false},
      {"ETP Local: pod to external IP hits both, unmasqueraded", TP::Local, TP::Cluster,
       Placement::both, SK::pod, kClient, Dst::external_ip, VerdictKind::dnat, kBoth, false},
      {"ETP Local: external to external IP hits only local", TP::Local, TP::Cluster,
       Placement::both, SK::external, kOutside, Dst::external_ip, VerdictKind::dnat, kOnlyA, false},
      {"ETP Local: pod to LB IP hits both, unmasqueraded", TP::Local, TP::Cluster, Placement::both,
       SK::pod, kClient, Dst::lb_ip, VerdictKind::dnat, kBoth, false},
      {"ETP Local: external to LB IP hits only local, unmasqueraded", TP::Local, TP::Cluster,
       Placement::both, SK::external, kOutside, Dst::lb_ip, VerdictKind::dnat, kOnlyA, false},
      {"ETP Local: pod to NodePort hits both, unmasqueraded", TP::Local, TP::Cluster,
       Placement::both, SK::pod, kClient, Dst::node_port_a, VerdictKind::dnat, kBoth, false},
      {"ETP Local: external to NodePort hits only local, unmasqueraded", TP::Local, TP::Cluster,
       Placement::both, SK::external, kOutside, Dst::node_port_a, VerdictKind::dnat, kOnlyA, false},
      {"ETP Local: node to NodePort hits both, masqueraded", TP::Local, TP::Cluster,
       Placement::both, SK::node, kNodeA, Dst::node_port_a, VerdictKind::dnat, kBoth, true},
      {"ETP Local: node to LB IP hits both, masqueraded", TP::Local, TP::Cluster, Placement::both,
       SK::node, kNodeA, Dst::lb_ip, VerdictKind::dnat, kBoth, true},
      {"ETP Local, no local endpoint: external to NodePort is dropped", TP::Local, TP::Cluster,
       Placement::only_b, SK::external, kOutside, Dst::node_port_a, VerdictKind::drop, kNone,
       false},
      {"ETP Local, no local endpoint: external to LB IP is dropped", TP::Local, TP::Cluster,
       Placement::only_b, SK::external, kOutside, Dst::lb_ip, VerdictKind::drop, kNone, false},
      {"ETP Local, no local endpoint: external to external IP is dropped", TP::Local, TP::Cluster,
       Placement::only_b, SK::external, kOutside, Dst::external_ip, VerdictKind::drop, kNone,
       false},
      {"ETP Local, no local endpoint: pod to NodePort is short-circuited", TP::Local, TP::Cluster,
       Placement::only_b, SK::pod, kClient, Dst::node_port_a, VerdictKind::dnat, kOnlyB, false},
      {"ETP Local, no local endpoint: node to LB IP goes to all, masqueraded", TP::Local,
       TP::Cluster, Placement::only_b, SK::node, kNodeA, Dst::lb_ip, VerdictKind::dnat, kOnlyB,
       true},
      {"ETP Local never affects the cluster IP", TP::Local, TP::Cluster, Placement::only_b, SK::pod,
       kClient, Dst::cluster_ip, VerdictKind::dnat, kOnlyB, false},

      // ITP Local
      {"ITP Local: pod to cluster IP hits only local", TP::Cluster, TP::Local, Placement::both,
       SK::pod, kClient, Dst::cluster_ip, VerdictKind::dnat, kOnlyA, false},
      {"ITP Local, no local endpoint: pod to cluster IP is dropped", TP::Cluster, TP::Local,
       Placement::only_b, SK::pod, kClient, Dst::cluster_ip, VerdictKind::drop, kNone, false},
      {"ITP Local, no local endpoint: node to cluster IP is dropped", TP::Cluster, TP::Local,
       Placement::only_b, SK::node, kNodeA, Dst::cluster_ip, VerdictKind::drop, kNone, false},
      {"ITP Local does not affect external traffic", TP::Cluster, TP::Local, Placement::only_b,
       SK::external, kOutside, Dst::node_port_a, VerdictKind::dnat, kOnlyB, true},

      // No endpoints at all: REJECT everywhere, whatever the policies
      {"no endpoints: pod to cluster IP is rejected", TP::Cluster, TP::Cluster, Placement::none,
       SK::pod, kClient, Dst::cluster_ip, VerdictKind::reject, kNone, false},
      {"no endpoints: external to NodePort is rejected", TP::Cluster, TP::Cluster, Placement::none,
       SK::external, kOutside, Dst::node_port_a, VerdictKind::reject, kNone, false},
      {"no endpoints: external to LB IP is rejected", TP::Cluster, TP::Cluster, Placement::none,
       SK::external, kOutside, Dst::lb_ip, VerdictKind::reject, kNone, false},
      {"no endpoints, ETP Local: rejected, not dropped", TP::Local, TP::Cluster, Placement::none,
       SK::external, kOutside, Dst::node_port_a, VerdictKind::reject, kNone, false},
      {"no endpoints, ITP Local: rejected, not dropped", TP::Cluster, TP::Local, Placement::none,
       SK::pod, kClient, Dst::cluster_ip, VerdictKind::reject, kNone, false},
  };

  for (const Row& row : rows) {
    SECTION(row.name) {
      const Cluster c = web_cluster(row.etp, row.itp, row.placement);
      const auto tables = ServiceTables::build(c.s);
      KubeProxy proxy(tables, 0, 42);
      const Outcome o = flow(proxy, to(row.dst, row.source, row.src));
      REQUIRE(o.kinds == std::set<VerdictKind>{row.kind});
      CHECK(o.endpoints == row.endpoints);
      if (row.kind == VerdictKind::dnat) {
        CHECK(o.masq == std::set<bool>{row.masq});
        CHECK(o.last.snat_ip == (row.masq ? ip(kNodeA) : core::Ipv4{}));
        CHECK(o.last.service_port == 0u);
      }
    }
  }
}

TEST_CASE("REJECT and DROP name the rules kube-proxy writes", "[dataplane][kube-proxy]") {
  SECTION("no endpoints") {
    const auto tables = ServiceTables::build(
        web_cluster(TrafficPolicy::Cluster, TrafficPolicy::Cluster, Placement::none).s);
    KubeProxy proxy(tables, 0, 1);
    const Verdict v = proxy.route(to(Dst::cluster_ip, SourceKind::pod, kClient));
    CHECK(v.kind == VerdictKind::reject);
    CHECK(v.rule == "default/web:http has no endpoints");
    CHECK(v.why.find("connection refused") != std::string::npos);
  }
  SECTION("an unnamed port has no colon in the comment") {
    Cluster c;
    c.service("app2-svc", model::ServiceType::ClusterIP, "10.96.0.30", {sport("", 8080)});
    const auto tables = ServiceTables::build(c.s);
    KubeProxy proxy(tables, 0, 1);
    const Verdict v = proxy.route(conn(SourceKind::pod, kClient, "10.96.0.30", 8080));
    CHECK(v.kind == VerdictKind::reject);
    CHECK(v.rule == "default/app2-svc has no endpoints");
  }
  SECTION("ETP Local without a local endpoint") {
    const auto tables = ServiceTables::build(
        web_cluster(TrafficPolicy::Local, TrafficPolicy::Cluster, Placement::only_b).s);
    KubeProxy proxy(tables, 0, 1);
    const Verdict v = proxy.route(to(Dst::node_port_a, SourceKind::external, kOutside));
    CHECK(v.kind == VerdictKind::drop);
    CHECK(v.rule == "default/web:http has no local endpoints");
    CHECK(v.why.rfind("ETP Local: no local endpoint on node-a", 0) == 0);
    CHECK(v.destination == controllers::DestinationKind::node_port);
  }
  SECTION("a dnat walks KUBE-EXT, KUBE-SVC and KUBE-SEP") {
    const auto tables = ServiceTables::build(
        web_cluster(TrafficPolicy::Cluster, TrafficPolicy::Cluster, Placement::only_b).s);
    KubeProxy proxy(tables, 0, 1);
    const auto& sp = tables.port(0);
    const Verdict v = proxy.route(to(Dst::node_port_a, SourceKind::external, kOutside));
    CHECK(v.rule == "KUBE-NODEPORTS -> " + sp.ext_chain() + " -> " + sp.svc_chain() + " -> " +
                        sp.sep_chain(0));
    CHECK(v.why ==
          "1 ready endpoint, picked 10.244.1.5:8080 with p=1/1; masquerade to "
          "192.168.49.2 (externalTrafficPolicy Cluster)");
    CHECK(v.pod_slot == *tables.pod_by_ip(ip(kPodB)));
  }
}

TEST_CASE("the trace line names the endpoints and the pick", "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("app2-svc", model::ServiceType::ClusterIP, "10.96.0.30", {sport("", 80)});
  c.slice("app2-1", "app2-svc", {eport("", 8080)},
          {ep("10.244.0.7", "node-a"), ep("10.244.1.7", "node-b"), ep("10.244.1.8", "node-b")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 3);
  const Verdict v = proxy.route(conn(SourceKind::pod, kClient, "10.96.0.30", 80));
  REQUIRE(v.kind == VerdictKind::dnat);
  CHECK(v.why == fmt::format("3 ready endpoints, picked {}:8080 with p=1/3", v.endpoint_ip));
  CHECK(v.rule.rfind(tables.port(0).svc_chain() + " -> KUBE-SEP-", 0) == 0);

  NewConnection quiet = conn(SourceKind::pod, kClient, "10.96.0.30", 80, 40001);
  quiet.explain = false;
  const Verdict q = proxy.route(quiet);
  CHECK(q.kind == VerdictKind::dnat);
  CHECK(q.rule.empty());
  CHECK(q.why.empty());
}

TEST_CASE("a cluster IP on an unknown port blackholes; other addresses pass through",
          "[dataplane][kube-proxy]") {
  const auto tables = ServiceTables::build(
      web_cluster(TrafficPolicy::Cluster, TrafficPolicy::Cluster, Placement::both).s);
  KubeProxy proxy(tables, 0, 1);
  const Verdict wrong_port = proxy.route(conn(SourceKind::pod, kClient, kClusterIp, 443));
  CHECK(wrong_port.kind == VerdictKind::drop);
  CHECK(wrong_port.service_port == kNoIndex);
  CHECK(wrong_port.why.find("no port 443/TCP") != std::string::npos);
  const Verdict wrong_proto =
      proxy.route(conn(SourceKind::pod, kClient, kClusterIp, 80, 40000, Protocol::UDP));
  CHECK(wrong_proto.kind == VerdictKind::drop);
  CHECK(proxy.route(conn(SourceKind::pod, kClient, "93.184.215.14", 80)).kind ==
        VerdictKind::not_a_service);
  CHECK(proxy.route(conn(SourceKind::pod, kClient, kLbIp, 81)).kind == VerdictKind::not_a_service);
  CHECK(proxy.route(conn(SourceKind::pod, kClient, kPodB, 8080)).kind ==
        VerdictKind::not_a_service);
}

TEST_CASE("loadBalancerSourceRanges filter the LB IP, not the NodePort",
          "[dataplane][kube-proxy]") {
  // PTEST TestLoadBalancer: the node IP 192.168.0.2 is inside an allowed range.
  Cluster c;
  c.s.nodes = {};
  c.node("node-a", "192.168.0.2");
  auto& svc = c.service("svc1", model::ServiceType::LoadBalancer, "172.30.0.41",
                        {sport("p80", 80, Protocol::TCP, 3001)});
  svc.load_balancer = {model::LoadBalancerIngress{ip("1.2.3.4"), ""},
                       model::LoadBalancerIngress{ip("5.6.7.8"), ""}};
  svc.spec.load_balancer_source_ranges = {*core::Cidr::parse("192.168.0.0/24"),
                                          *core::Cidr::parse("203.0.113.0/25")};
  c.slice("svc1-1", "svc1", {eport("p80", 80)}, {ep("10.180.0.1")});
  const auto tables = ServiceTables::build(c.s);

  struct Row {
    const char* name;
    SourceKind kind;
    const char* src;
    const char* dst;
    std::int32_t port;
    VerdictKind verdict;
    bool masq;
  };
  const std::vector<Row> rows = {
      {"pod to cluster IP", SourceKind::pod, "10.0.0.2", "172.30.0.41", 80, VerdictKind::dnat,
       false},
      {"external to nodePort", SourceKind::external, "203.0.113.1", "192.168.0.2", 3001,
       VerdictKind::dnat, true},
      {"nodePort bypasses LoadBalancerSourceRanges", SourceKind::external, "203.0.113.130",
       "192.168.0.2", 3001, VerdictKind::dnat, true},
      {"accepted external to LB1", SourceKind::external, "203.0.113.1", "1.2.3.4", 80,
       VerdictKind::dnat, true},
      {"accepted external to LB2", SourceKind::external, "203.0.113.1", "5.6.7.8", 80,
       VerdictKind::dnat, true},
      {"blocked external to LB1", SourceKind::external, "203.0.113.130", "1.2.3.4", 80,
       VerdictKind::drop, false},
      {"blocked external to LB2", SourceKind::external, "203.0.113.130", "5.6.7.8", 80,
       VerdictKind::drop, false},
      {"pod to LB1 (blocked by LoadBalancerSourceRanges)", SourceKind::pod, "10.0.0.2", "1.2.3.4",
       80, VerdictKind::drop, false},
      {"node to LB1 (allowed by LoadBalancerSourceRanges)", SourceKind::node, "192.168.0.2",
       "1.2.3.4", 80, VerdictKind::dnat, true},
      {"same node to LB1, SNATted to LB1 (implicitly allowed)", SourceKind::node, "1.2.3.4",
       "1.2.3.4", 80, VerdictKind::dnat, true},
  };
  for (const Row& row : rows) {
    SECTION(row.name) {
      KubeProxy proxy(tables, 0, 1);
      const Verdict v = proxy.route(conn(row.kind, row.src, row.dst, row.port));
      REQUIRE(v.kind == row.verdict);
      if (v.kind == VerdictKind::dnat) {
        CHECK(v.endpoint_ip == ip("10.180.0.1"));
        CHECK(v.masquerade == row.masq);
      } else {
        CHECK(v.rule == "KUBE-PROXY-FIREWALL: \"default/svc1:p80 traffic not accepted by " +
                            tables.port(0).fw_chain() + "\"");
      }
    }
  }
}

TEST_CASE("the LB IP as source is allowed only when the node IP is in a range",
          "[dataplane][kube-proxy]") {
  Cluster c;  // node-a is 192.168.49.2, outside the range
  auto& svc = c.service("svc1", model::ServiceType::LoadBalancer, "172.30.0.41",
                        {sport("p80", 80, Protocol::TCP, 3001)});
  svc.load_balancer = {model::LoadBalancerIngress{ip("1.2.3.4"), ""}};
  svc.spec.load_balancer_source_ranges = {*core::Cidr::parse("203.0.113.0/25")};
  c.slice("svc1-1", "svc1", {eport("p80", 80)}, {ep("10.180.0.1")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1);
  CHECK(proxy.route(conn(SourceKind::node, "1.2.3.4", "1.2.3.4", 80)).kind == VerdictKind::drop);
}

TEST_CASE("hairpin: an endpoint reaching itself through the VIP is masqueraded",
          "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("svc1", model::ServiceType::ClusterIP, "172.30.0.41", {sport("p80", 80)});
  c.slice("svc1-1", "svc1", {eport("p80", 80)}, {ep("10.180.0.1", "node-a")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1);
  const Verdict self = proxy.route(conn(SourceKind::pod, "10.180.0.1", "172.30.0.41", 80));
  CHECK(self.kind == VerdictKind::dnat);
  CHECK(self.masquerade);
  CHECK(self.snat_ip == ip(kNodeA));
  CHECK(self.why.find("hairpin") != std::string::npos);
  const Verdict other = proxy.route(conn(SourceKind::pod, "10.180.0.2", "172.30.0.41", 80));
  CHECK_FALSE(other.masquerade);
}

TEST_CASE("ClientIP affinity sticks within the timeout and moves after it",
          "[dataplane][kube-proxy]") {
  Cluster c;
  auto& svc = c.service("sticky", model::ServiceType::ClusterIP, "10.96.0.40", {sport("", 80)});
  svc.spec.session_affinity = model::SessionAffinity::ClientIP;
  svc.spec.affinity_timeout = core::Duration::seconds(100);
  c.slice("sticky-1", "sticky", {eport("", 80)},
          {ep("10.244.0.11", "node-a"), ep("10.244.0.12", "node-a"), ep("10.244.1.11", "node-b"),
           ep("10.244.1.12", "node-b")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 9);

  auto at = [](const char* src, int port, std::int64_t seconds) {
    NewConnection n = conn(SourceKind::pod, src, "10.96.0.40", 80, port);
    n.time = core::SimTime{} + core::Duration::seconds(seconds);
    return n;
  };
  constexpr int kClients = 60;
  std::vector<core::Ipv4> first(kClients);
  for (int i = 0; i < kClients; ++i) {
    const std::string src = fmt::format("10.244.0.{}", 100 + i);
    first[i] = proxy.route(at(src.c_str(), 1000, 0)).endpoint_ip;
  }
  SECTION("every new connection within the timeout, the timer restarting each time") {
    for (int i = 0; i < kClients; ++i) {
      const std::string src = fmt::format("10.244.0.{}", 100 + i);
      for (int k = 1; k <= 5; ++k) {
        // 90 s apart: 450 s after the first, but never 100 s after the previous.
        const Verdict v = proxy.route(at(src.c_str(), 1000 + k, 90 * k));
        REQUIRE(v.endpoint_ip == first[i]);
        CHECK(v.why.find("ClientIP affinity") != std::string::npos);
      }
    }
  }
  SECTION("after the timeout the pick is random again") {
    int kept = 0;
    for (int i = 0; i < kClients; ++i) {
      const std::string src = fmt::format("10.244.0.{}", 100 + i);
      const Verdict v = proxy.route(at(src.c_str(), 2000, 101));
      CHECK(v.why.find("ClientIP affinity") == std::string::npos);
      kept += v.endpoint_ip == first[i] ? 1 : 0;
    }
    // 1 in 4 expected to land on the same endpoint by chance; all 60 would mean stuck.
    CHECK(kept < kClients / 2);
  }
}

TEST_CASE("affinity is per source IP and per node", "[dataplane][kube-proxy]") {
  Cluster c;
  auto& svc = c.service("sticky", model::ServiceType::ClusterIP, "10.96.0.40", {sport("", 80)});
  svc.spec.session_affinity = model::SessionAffinity::ClientIP;
  std::vector<model::Endpoint> eps;
  for (int i = 0; i < 16; ++i)
    eps.push_back(ep(fmt::format("10.244.0.{}", 20 + i).c_str(), "node-a"));
  c.slice("sticky-1", "sticky", {eport("", 80)}, eps);
  const auto tables = ServiceTables::build(c.s);
  KubeProxy on_a(tables, 0, 5);
  KubeProxy on_b(tables, 1, 5);
  // On node-b the same client has no entry yet: after node-a pinned it, node-b picks on its
  // own; over 20 clients at least one must differ (16 endpoints).
  int differ = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string src = fmt::format("10.244.3.{}", i + 1);
    const auto a1 = on_a.route(conn(SourceKind::pod, src.c_str(), "10.96.0.40", 80, 1)).endpoint_ip;
    const auto a2 = on_a.route(conn(SourceKind::pod, src.c_str(), "10.96.0.40", 80, 2)).endpoint_ip;
    const auto b1 = on_b.route(conn(SourceKind::pod, src.c_str(), "10.96.0.40", 80, 1)).endpoint_ip;
    CHECK(a1 == a2);
    differ += a1 != b1 ? 1 : 0;
  }
  CHECK(differ > 0);
}

TEST_CASE("an established connection keeps its endpoint; a new one picks again",
          "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  std::vector<model::Endpoint> eps;
  for (int i = 0; i < 8; ++i)
    eps.push_back(ep(fmt::format("10.244.1.{}", 10 + i).c_str(), "node-b"));
  c.slice("web-1", "web", {eport("", 80)}, eps);
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 11);

  const NewConnection keep = conn(SourceKind::pod, kClient, "10.96.0.20", 80, 45000);
  const Verdict first = proxy.route(keep);
  REQUIRE(first.kind == VerdictKind::dnat);
  CHECK_FALSE(first.established);
  for (int i = 0; i < 50; ++i) {
    const Verdict again = proxy.route(keep);
    REQUIRE(again.endpoint_ip == first.endpoint_ip);
    CHECK(again.established);
    CHECK(again.why.rfind("conntrack:", 0) == 0);
  }
  CHECK(proxy.conntrack_size() == 1);

  // New connections (new source ports) spread; closing the kept one forgets it.
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 50; ++i)
    seen.insert(
        proxy.route(conn(SourceKind::pod, kClient, "10.96.0.20", 80, 46000 + i)).endpoint_ip.value);
  CHECK(seen.size() > 1);
  proxy.close(keep.tuple());
  CHECK_FALSE(proxy.route(keep).established);
}

TEST_CASE("conntrack keeps every open flow's endpoint through many opens and closes",
          "[dataplane][kube-proxy]") {
  // Thousands of flows from many sources, closed in a scattered order while others open:
  // the table grows and shifts entries on every close, and must still find each open flow
  // (same endpoint, established) and forget each closed one.
  Cluster c;
  c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  std::vector<model::Endpoint> eps;
  for (int i = 0; i < 16; ++i)
    eps.push_back(ep(fmt::format("10.244.1.{}", 10 + i).c_str(), "node-b"));
  c.slice("web-1", "web", {eport("", 80)}, eps);
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 5);

  std::map<std::pair<int, int>, std::uint32_t> open;  // (source, port) -> endpoint IP
  auto flow_of = [](int source, int port) {
    return conn(SourceKind::pod, fmt::format("10.244.0.{}", source).c_str(), "10.96.0.20", 80,
                port);
  };
  core::RngStream rng(3, "conntrack-test");
  for (int round = 0; round < 6000; ++round) {
    const int source = static_cast<int>(rng.uniform(40)) + 2;
    const int port = 40000 + static_cast<int>(rng.uniform(200));
    const NewConnection nc = flow_of(source, port);
    auto it = open.find({source, port});
    if (it == open.end()) {
      const Verdict v = proxy.route(nc);
      REQUIRE(v.kind == VerdictKind::dnat);
      REQUIRE_FALSE(v.established);
      open.emplace(std::pair{source, port}, v.endpoint_ip.value);
    } else if (rng.uniform(3) == 0) {
      proxy.close(nc.tuple());
      open.erase(it);
    } else {
      const Verdict v = proxy.route(nc);
      REQUIRE(v.established);
      REQUIRE(v.endpoint_ip.value == it->second);
    }
    REQUIRE(proxy.conntrack_size() == open.size());
  }
  for (const auto& [key, endpoint] : open) {
    const Verdict v = proxy.route(flow_of(key.first, key.second));
    REQUIRE(v.established);
    CHECK(v.endpoint_ip.value == endpoint);
  }
}

TEST_CASE("a conntrack table closed down to empty takes new flows where lookups find them",
          "[dataplane][kube-proxy]") {
  // The table keeps its slots when its last flow closes; a new flow must go to its own home
  // slot (where a lookup starts), not wherever the empty table's lookup stopped.
  Cluster c;
  c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  c.slice("web-1", "web", {eport("", 80)},
          {ep("10.244.1.10", "node-b"), ep("10.244.1.11", "node-b")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 9);
  for (int round = 0; round < 3; ++round) {
    std::vector<NewConnection> flows;
    for (int i = 0; i < 40; ++i) {
      flows.push_back(conn(SourceKind::pod, kClient, "10.96.0.20", 80, 41000 + 7 * i + round));
      REQUIRE_FALSE(proxy.route(flows.back()).established);
    }
    for (const NewConnection& f : flows) REQUIRE(proxy.route(f).established);
    for (const NewConnection& f : flows) proxy.close(f.tuple());
    REQUIRE(proxy.conntrack_size() == 0);
  }
  const NewConnection late = conn(SourceKind::pod, kClient, "10.96.0.20", 80, 50001);
  CHECK_FALSE(proxy.route(late).established);
  CHECK(proxy.route(late).established);
  CHECK(proxy.conntrack_size() == 1);
}

TEST_CASE("UDP conntrack entries expire after 30 s without traffic", "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("kube-dns", model::ServiceType::ClusterIP, "10.96.0.10",
            {sport("dns", 53, Protocol::UDP)});
  c.slice("kube-dns-1", "kube-dns", {eport("dns", 53, Protocol::UDP)},
          {ep("10.244.0.2", "node-a"), ep("10.244.0.3", "node-a")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1);
  NewConnection q = conn(SourceKind::pod, kClient, "10.96.0.10", 53, 51000, Protocol::UDP);
  CHECK_FALSE(proxy.route(q).established);
  q.time = core::SimTime{} + core::Duration::seconds(29);
  CHECK(proxy.route(q).established);  // refreshed at 29 s
  q.time = core::SimTime{} + core::Duration::seconds(58);
  CHECK(proxy.route(q).established);
  q.time = core::SimTime{} + core::Duration::seconds(89);
  CHECK_FALSE(proxy.route(q).established);
  // Other flows' stale entries are swept as time passes.
  for (int i = 0; i < 100; ++i) {
    NewConnection other = q;
    other.source_port = 52000 + i;
    proxy.route(other);
  }
  NewConnection late = q;
  late.source_port = 60000;
  late.time = core::SimTime{} + core::Duration::seconds(200);
  proxy.route(late);
  CHECK(proxy.conntrack_size() == 1);
}

TEST_CASE("a DNS query goes through the same lookup as any connection", "[dataplane][kube-proxy]") {
  Cluster c;
  c.pod("coredns-1", "10.244.0.2", "node-a");
  c.service("kube-dns", model::ServiceType::ClusterIP, "10.96.0.10",
            {sport("dns", 53, Protocol::UDP), sport("dns-tcp", 53, Protocol::TCP)});
  c.slice("kube-dns-1", "kube-dns", {eport("dns", 53, Protocol::UDP), eport("dns-tcp", 53)},
          {ep("10.244.0.2", "node-a")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1);
  const Verdict udp =
      proxy.route(conn(SourceKind::pod, kClient, "10.96.0.10", 53, 33000, Protocol::UDP));
  REQUIRE(udp.kind == VerdictKind::dnat);
  CHECK(udp.endpoint_ip == ip("10.244.0.2"));
  CHECK(udp.endpoint_port == 53);
  CHECK(udp.pod_slot == *c.s.pods.slot_of("default", "coredns-1"));
  CHECK(tables.port(udp.service_port).name_str == "default/kube-dns:dns");
  const Verdict tcp = proxy.route(conn(SourceKind::pod, kClient, "10.96.0.10", 53, 33001));
  CHECK(tables.port(tcp.service_port).name_str == "default/kube-dns:dns-tcp");
}

TEST_CASE("serving and terminating endpoints are the fallback when none is ready",
          "[dataplane][kube-proxy]") {
  SECTION("terminating ones are used only while no endpoint is ready") {
    Cluster c;
    c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
    c.slice("web-1", "web", {eport("", 80)},
            {ep("10.244.0.5", "node-a", false, true, true),
             ep("10.244.0.6", "node-a", false, false, true), ep("10.244.1.5", "node-b", false)});
    const auto tables = ServiceTables::build(c.s);
    KubeProxy proxy(tables, 0, 1);
    const Outcome o = flow(proxy, conn(SourceKind::pod, kClient, "10.96.0.20", 80));
    CHECK(o.endpoints == std::set<std::string>{"10.244.0.5:80"});
    CHECK(o.last.why.rfind("no ready endpoint, 1 serving+terminating endpoint", 0) == 0);
  }
  SECTION("nothing serving: REJECT") {
    Cluster c;
    c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
    c.slice("web-1", "web", {eport("", 80)},
            {ep("10.244.0.6", "node-a", false, false, true), ep("10.244.1.5", "node-b", false)});
    const auto tables = ServiceTables::build(c.s);
    KubeProxy proxy(tables, 0, 1);
    CHECK(proxy.route(conn(SourceKind::pod, kClient, "10.96.0.20", 80)).kind ==
          VerdictKind::reject);
  }
  SECTION("ETP Local: a terminating local endpoint still gets traffic, the health check fails") {
    Cluster c = web_cluster(TrafficPolicy::Local, TrafficPolicy::Cluster, Placement::none);
    c.slice("web-xyz", "web", {eport("http", 8080)},
            {ep(kPodA, "node-a", false, true, true), ep(kPodB, "node-b")});
    const auto tables = ServiceTables::build(c.s);
    KubeProxy proxy(tables, 0, 1);
    const Outcome o = flow(proxy, to(Dst::lb_ip, SourceKind::external, kOutside));
    CHECK(o.endpoints == kOnlyA);
    CHECK(o.last.why.find("1 local serving+terminating endpoint on node-a") != std::string::npos);
    const auto hc = proxy.health_check(32000);
    REQUIRE(hc);
    CHECK(hc->status == 503);
    CHECK_FALSE(proxy.lb_health_check_passes(0));
  }
}

TEST_CASE("named ports: the slice port name must match the Service port name",
          "[dataplane][kube-proxy]") {
  struct Row {
    const char* slice_port_name;
    VerdictKind kind;
  };
  for (const Row row : {Row{"http", VerdictKind::dnat}, Row{"web", VerdictKind::reject},
                        Row{"", VerdictKind::reject}}) {
    SECTION(fmt::format("slice port \"{}\"", row.slice_port_name)) {
      Cluster c;
      // A selector-less Service with a manual slice to an outside address (the tutorial's
      // example.com Service).
      c.service("external-svc", model::ServiceType::ClusterIP, "10.96.0.50", {sport("http", 80)});
      c.slice("external-svc-1", "external-svc", {eport(row.slice_port_name, 80)},
              {ep("93.184.215.14")});
      const auto tables = ServiceTables::build(c.s);
      KubeProxy proxy(tables, 0, 1);
      const Verdict v = proxy.route(conn(SourceKind::pod, kClient, "10.96.0.50", 80));
      CHECK(v.kind == row.kind);
      if (v.kind == VerdictKind::dnat) {
        CHECK(v.endpoint_ip == ip("93.184.215.14"));
        CHECK(v.pod_slot == kNoIndex);
        CHECK(v.node_index == kNoIndex);
      }
    }
  }
}

TEST_CASE("iptables mode spreads connections evenly over the endpoints",
          "[dataplane][kube-proxy]") {
  // With N connections over n endpoints each count is Binomial(N, 1/n). The bounds are
  // 4.5 standard deviations (a false alarm about once in 150,000 seeds); a picker biased
  // by even 2 points (e.g. the cascade with 1/n at every rule, or modulo bias) fails them,
  // and so does the chi-square bound.
  for (int n : {2, 3, 5, 7}) {
    SECTION(fmt::format("{} endpoints", n)) {
      Cluster c;
      c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
      std::vector<model::Endpoint> eps;
      for (int i = 0; i < n; ++i)
        eps.push_back(ep(fmt::format("10.244.0.{}", 10 + i).c_str(), "node-a"));
      c.slice("web-1", "web", {eport("", 80)}, eps);
      const auto tables = ServiceTables::build(c.s);
      KubeProxy proxy(tables, 0, 2024);
      constexpr int kConnections = 60000;
      std::map<std::uint32_t, int> counts;
      NewConnection nc = conn(SourceKind::pod, kClient, "10.96.0.20", 80);
      nc.explain = false;
      for (int i = 0; i < kConnections; ++i) {
        nc.source_port = i;  // each a new connection
        ++counts[proxy.route(nc).endpoint_ip.value];
        proxy.close(nc.tuple());
      }
      REQUIRE(counts.size() == static_cast<std::size_t>(n));
      const double p = 1.0 / n;
      const double mean = kConnections * p;
      const double sd = std::sqrt(kConnections * p * (1 - p));
      double chi2 = 0;
      for (const auto& [addr, count] : counts) {
        CHECK(std::abs(count - mean) < 4.5 * sd);
        chi2 += (count - mean) * (count - mean) / mean;
      }
      // chi-square critical values at p = 0.0001 for n-1 degrees of freedom.
      const std::map<int, double> critical = {{2, 15.14}, {3, 18.42}, {5, 23.51}, {7, 27.86}};
      CHECK(chi2 < critical.at(n));
    }
  }
}

TEST_CASE("the same seed and node give the same picks; another node picks differently",
          "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  std::vector<model::Endpoint> eps;
  for (int i = 0; i < 10; ++i)
    eps.push_back(ep(fmt::format("10.244.0.{}", 10 + i).c_str(), "node-a"));
  c.slice("web-1", "web", {eport("", 80)}, eps);
  const auto tables = ServiceTables::build(c.s);
  auto run = [&](std::uint32_t node, std::uint64_t seed) {
    KubeProxy proxy(tables, node, seed);
    std::vector<std::uint32_t> picks;
    for (int i = 0; i < 40; ++i)
      picks.push_back(proxy.route(conn(SourceKind::pod, kClient, "10.96.0.20", 80, 30000 + i))
                          .endpoint_ip.value);
    return picks;
  };
  CHECK(run(0, 7) == run(0, 7));
  CHECK(run(0, 7) != run(1, 7));
  CHECK(run(0, 7) != run(0, 8));
}

TEST_CASE("ipvs mode round-robins per virtual server", "[dataplane][kube-proxy]") {
  Cluster c = web_cluster(TrafficPolicy::Cluster, TrafficPolicy::Cluster, Placement::none);
  c.slice("web-2", "web", {eport("http", 8080)},
          {ep("10.244.1.9", "node-b"), ep("10.244.0.7", "node-a"), ep("10.244.0.10", "node-a")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1, dataplane::KubeProxyConfig{model::ProxyMode::ipvs});
  std::vector<std::string> order;
  for (int i = 0; i < 7; ++i) {
    const Verdict v = proxy.route(conn(SourceKind::pod, kClient, kClusterIp, 80, 100 + i));
    order.push_back(fmt::format("{}", v.endpoint_ip));
  }
  CHECK(order == std::vector<std::string>{"10.244.0.7", "10.244.0.10", "10.244.1.9", "10.244.0.7",
                                          "10.244.0.10", "10.244.1.9", "10.244.0.7"});
  // The NodePort is its own virtual server: its cursor starts at the first endpoint.
  const Verdict np = proxy.route(to(Dst::node_port_a, SourceKind::external, kOutside));
  CHECK(np.endpoint_ip == ip("10.244.0.7"));
  CHECK(np.rule.rfind("IPVS TCP 192.168.49.2:30080 rr", 0) == 0);
  // No localhost NodePorts in ipvs mode.
  CHECK(proxy.route(conn(SourceKind::node, "127.0.0.1", "127.0.0.1", kNodePort)).kind ==
        VerdictKind::not_a_service);
}

TEST_CASE("localhost NodePorts work from the node in iptables mode, masqueraded",
          "[dataplane][kube-proxy]") {
  const auto tables = ServiceTables::build(
      web_cluster(TrafficPolicy::Cluster, TrafficPolicy::Cluster, Placement::both).s);
  KubeProxy proxy(tables, 0, 1);
  const Verdict v = proxy.route(conn(SourceKind::node, "127.0.0.1", "127.0.0.1", kNodePort));
  CHECK(v.kind == VerdictKind::dnat);
  CHECK(v.masquerade);
}

TEST_CASE("topology hints keep traffic in the zone when every endpoint has one",
          "[dataplane][kube-proxy]") {
  Cluster c;
  c.service("web", model::ServiceType::ClusterIP, "10.96.0.20", {sport("", 80)});
  auto hinted = [](const char* addr, const char* node, const char* zone) {
    auto e = ep(addr, node);
    e.hint_zones = {zone};
    return e;
  };
  c.slice("web-1", "web", {eport("", 80)},
          {hinted("10.244.0.5", "node-a", "zone-a"), hinted("10.244.0.6", "node-a", "zone-a"),
           hinted("10.244.1.5", "node-b", "zone-b")});
  const auto tables = ServiceTables::build(c.s);
  KubeProxy on_a(tables, 0, 1);
  KubeProxy on_b(tables, 1, 1);
  const Outcome a = flow(on_a, conn(SourceKind::pod, kClient, "10.96.0.20", 80));
  const Outcome b = flow(on_b, conn(SourceKind::pod, "10.244.1.9", "10.96.0.20", 80));
  CHECK(a.endpoints == std::set<std::string>{"10.244.0.5:80", "10.244.0.6:80"});
  CHECK(b.endpoints == std::set<std::string>{"10.244.1.5:80"});
  CHECK(a.last.why.find("hinted for zone zone-a (PreferSameZone)") != std::string::npos);
}

TEST_CASE("the health check node port answers 200 or 503 per node", "[dataplane][kube-proxy]") {
  const auto tables = ServiceTables::build(
      web_cluster(TrafficPolicy::Local, TrafficPolicy::Cluster, Placement::only_b).s);
  KubeProxy on_a(tables, 0, 1);
  KubeProxy on_b(tables, 1, 1);
  const auto a = on_a.health_check(32000);
  const auto b = on_b.health_check(32000);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->status == 503);
  CHECK(b->status == 200);
  CHECK(b->body.find("\"localEndpoints\": 1") != std::string::npos);
  CHECK(*b->headers.get("X-Load-Balancing-Endpoint-Weight") == "1");
  CHECK_FALSE(on_a.health_check(32001));
  CHECK_FALSE(on_a.lb_health_check_passes(0));
  CHECK(on_b.lb_health_check_passes(0));
  // The health check port is accepted, not DNATed: the node's own server answers.
  const Verdict v = on_a.route(conn(SourceKind::external, kOutside, kNodeA, 32000));
  CHECK(v.kind == VerdictKind::not_a_service);
  CHECK(v.why.find("healthCheckNodePort of default/web") != std::string::npos);

  const auto z = on_a.healthz(core::SimTime{} + core::Duration::seconds(2));
  CHECK(z.status == 200);
  CHECK(z.body ==
        R"({"lastUpdated": "2.000000s","currentTime": "2.000000s", "nodeEligible": true})");
}

TEST_CASE("after a rebuild, state follows the Service port by name", "[dataplane][kube-proxy]") {
  Cluster c;
  auto& svc = c.service("web", model::ServiceType::ClusterIP, "10.96.0.20",
                        {sport("", 80), sport("dns", 53, Protocol::UDP)});
  svc.spec.session_affinity = model::SessionAffinity::ClientIP;
  std::vector<model::Endpoint> eps;
  for (int i = 0; i < 8; ++i)
    eps.push_back(ep(fmt::format("10.244.0.{}", 10 + i).c_str(), "node-a"));
  c.slice("web-1", "web", {eport("", 80), eport("dns", 53, Protocol::UDP)}, eps);
  auto tables = ServiceTables::build(c.s);
  KubeProxy proxy(tables, 0, 1);

  const NewConnection tcp = conn(SourceKind::pod, kClient, "10.96.0.20", 80, 41000);
  const NewConnection udp = conn(SourceKind::pod, kClient, "10.96.0.20", 53, 41001, Protocol::UDP);
  const Verdict t1 = proxy.route(tcp);
  const Verdict u1 = proxy.route(udp);

  // A Service sorting first shifts every id; the UDP endpoint disappears.
  c.service("aaa", model::ServiceType::ClusterIP, "10.96.0.5", {sport("", 80)});
  auto& slice_eps = c.s.endpoint_slices.find("default", "web-1")->endpoints;
  std::erase_if(slice_eps, [&](const model::Endpoint& e) { return e.ip == u1.endpoint_ip; });
  const bool tcp_endpoint_kept = t1.endpoint_ip != u1.endpoint_ip;
  tables = ServiceTables::build(c.s);
  proxy.set_tables(tables);

  const Verdict t2 = proxy.route(tcp);
  CHECK(t2.established);
  CHECK(t2.endpoint_ip == t1.endpoint_ip);
  CHECK(tables.port(t2.service_port).name_str == "default/web");
  const Verdict u2 = proxy.route(udp);
  CHECK_FALSE(u2.established);  // flushed: its endpoint is gone
  CHECK(u2.endpoint_ip != u1.endpoint_ip);
  if (tcp_endpoint_kept) {
    // Affinity survived the rebuild: a new connection from the client goes where it went.
    const Verdict t3 = proxy.route(conn(SourceKind::pod, kClient, "10.96.0.20", 80, 41002));
    CHECK(t3.endpoint_ip == t1.endpoint_ip);
    CHECK(t3.why.find("ClientIP affinity") != std::string::npos);
  }
}
