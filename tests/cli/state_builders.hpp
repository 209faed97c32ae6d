#pragma once
// Small builders of hand-made ClusterStates for the CLI's printer and command tests: only
// the fields the printers read, set the way the controllers would have set them.

#include <memory>
#include <string>
#include <vector>

#include "podhop/model/cluster_state.hpp"

namespace podhop::cli::testing {

inline core::Ipv4 ip(const char* text) {
  return *core::Ipv4::parse(text);
}

inline model::ObjectMeta meta(std::string ns, std::string name, model::StringMap labels = {}) {
  model::ObjectMeta m;
  m.namespace_ = std::move(ns);
  m.name = std::move(name);
  m.labels = std::move(labels);
  return m;
}

/// A running, ready pod with one container listening on `ports`.
inline model::Pod running_pod(std::string ns, std::string name, model::StringMap labels,
                              const char* pod_ip, std::string node,
                              std::vector<std::int32_t> ports = {8080},
                              std::string image = "app:v1") {
  model::Pod p;
  p.meta = meta(std::move(ns), name, std::move(labels));
  auto spec = std::make_shared<model::PodSpec>();
  model::Container c;
  c.name = name;
  c.image = std::move(image);
  for (auto port : ports) c.ports.push_back({.container_port = port});
  spec->containers.push_back(c);
  p.spec = spec;
  p.node_name = std::move(node);
  p.status.phase = model::PodPhase::Running;
  p.status.pod_ip = ip(pod_ip);
  p.status.host_ip = ip("192.168.49.2");
  p.status.ready = true;
  p.status.started = true;
  return p;
}

inline model::Service service(std::string ns, std::string name, model::ServiceType type,
                              const char* cluster_ip, std::vector<model::ServicePort> ports,
                              model::StringMap selector = {}) {
  model::Service s;
  s.meta = meta(std::move(ns), std::move(name));
  s.spec.type = type;
  if (cluster_ip) s.spec.cluster_ip = ip(cluster_ip);
  s.spec.ports = std::move(ports);
  s.spec.has_selector = !selector.empty();
  s.spec.selector = std::move(selector);
  if (type != model::ServiceType::ExternalName) {
    s.spec.ip_families = {"IPv4"};
    s.spec.internal_traffic_policy = model::TrafficPolicy::Cluster;
  }
  if (type == model::ServiceType::NodePort || type == model::ServiceType::LoadBalancer)
    s.spec.external_traffic_policy = model::TrafficPolicy::Cluster;
  return s;
}

inline model::ServicePort port(std::int32_t port, std::int32_t target, std::int32_t node_port = 0,
                               std::string name = "") {
  model::ServicePort p;
  p.name = std::move(name);
  p.port = port;
  p.target_port = model::IntOrString::of(target);
  p.node_port = node_port;
  return p;
}

inline model::Endpoints endpoints(std::string ns, std::string name,
                                  std::vector<const char*> ready_ips, std::int32_t port,
                                  std::string port_name = "") {
  model::Endpoints e;
  e.meta = meta(std::move(ns), std::move(name));
  model::EndpointSubset ss;
  for (const char* a : ready_ips) ss.addresses.push_back({.ip = ip(a)});
  ss.ports.push_back({.name = std::move(port_name), .port = port});
  if (!ready_ips.empty()) e.subsets.push_back(ss);
  return e;
}

inline model::Node node(std::string name, const char* internal_ip, std::uint32_t index) {
  model::Node n;
  n.meta = meta("", std::move(name));
  n.internal_ip = ip(internal_ip);
  n.index = index;
  n.pod_cidr = *core::Cidr::parse("10.244.0.0/24");
  return n;
}

/// A minikube-like cluster: node "minikube", pods app1 and app2, their Services, the
/// Endpoints, an Ingress on app.test.
inline model::ClusterState seed_like_state() {
  model::ClusterState s;
  s.nodes.upsert(node("minikube", "192.168.49.2", 0));
  s.namespaces.upsert({meta("", "default")});
  s.pods.upsert(running_pod("default", "app1", {{"app", "app1"}}, "10.244.0.5", "minikube"));
  s.pods.upsert(running_pod("default", "app2", {{"app", "app2"}}, "10.244.0.6", "minikube"));
  s.services.upsert(service("default", "app1-svc", model::ServiceType::ClusterIP, "10.96.0.12",
                            {port(8888, 8080)}, {{"app", "app1"}}));
  s.services.upsert(service("default", "app1-nodeport", model::ServiceType::NodePort, "10.96.0.20",
                            {port(8888, 8080, 30008)}, {{"app", "app1"}}));
  auto external = service("default", "example-svc", model::ServiceType::ExternalName, nullptr, {});
  external.spec.external_name = "example.com";
  s.services.upsert(external);
  s.endpoints.upsert(endpoints("default", "app1-svc", {"10.244.0.5"}, 8080));
  s.endpoints.upsert(endpoints("default", "app1-nodeport", {"10.244.0.5"}, 8080));
  model::Ingress ing;
  ing.meta = meta("default", "app-ingress");
  ing.spec.ingress_class_name = "nginx";
  model::IngressRule rule;
  rule.host = "app.test";
  rule.has_http = true;
  model::HttpIngressPath path;
  path.path = "/app1";
  path.backend.service = model::IngressServiceBackend{.name = "app1-svc", .port_number = 8888};
  rule.paths.push_back(path);
  ing.spec.rules.push_back(rule);
  ing.load_balancer.push_back({.ip = ip("192.168.49.2")});
  s.ingresses.upsert(ing);
  return s;
}

}  // namespace podhop::cli::testing
