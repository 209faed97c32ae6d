#pragma once
// A small settled cluster, built by hand the way reconcile would leave it, for the DNS
// tests (zone, server, resolver, tools): the tutorial's Services plus a headless
// StatefulSet-style Service, an ExternalName and a selector-less Service with manual
// Endpoints.

#include <memory>
#include <string>
#include <vector>

#include "podhop/model/cluster_state.hpp"

namespace podhop::testing_dns {

inline core::Ipv4 ip(std::string_view s) {
  return *core::Ipv4::parse(s);
}

inline void add_namespace(model::ClusterState& st, std::string name) {
  model::Namespace ns;
  ns.meta.name = std::move(name);
  st.namespaces.upsert(std::move(ns));
}

inline model::Service& add_service(model::ClusterState& st, std::string ns, std::string name,
                                   std::string cluster_ip,
                                   std::vector<model::ServicePort> ports = {}) {
  model::Service s;
  s.meta.namespace_ = std::move(ns);
  s.meta.name = std::move(name);
  s.spec.has_selector = true;
  if (cluster_ip == "None")
    s.spec.headless = true;
  else if (!cluster_ip.empty())
    s.spec.cluster_ip = ip(cluster_ip);
  s.spec.ports = std::move(ports);
  auto slot = st.services.upsert(std::move(s));
  return st.services[slot];
}

inline model::ServicePort port(std::string name, std::int32_t p,
                               model::Protocol proto = model::Protocol::TCP) {
  model::ServicePort sp;
  sp.name = std::move(name);
  sp.port = p;
  sp.protocol = proto;
  sp.target_port = model::IntOrString::of(p);
  return sp;
}

struct Ep {
  std::string ip;
  bool ready = true;
  std::string hostname;
  std::string pod;  // targetRef
};

inline model::EndpointSlice& add_slice(model::ClusterState& st, std::string ns, std::string service,
                                       std::vector<Ep> eps,
                                       std::vector<model::EndpointPort> ports) {
  model::EndpointSlice sl;
  sl.meta.namespace_ = ns;
  sl.meta.name = service + "-" + std::to_string(st.endpoint_slices.size());
  sl.service_name = service;
  sl.managed = true;
  sl.ports = std::move(ports);
  for (const auto& e : eps) {
    model::Endpoint ep;
    ep.addresses = {e.ip};
    ep.ip = ip(e.ip);
    ep.conditions.ready = e.ready;
    ep.hostname = e.hostname;
    if (!e.pod.empty()) ep.target_ref = model::ObjectRef{"Pod", ns, e.pod};
    sl.endpoints.push_back(std::move(ep));
  }
  auto slot = st.endpoint_slices.upsert(std::move(sl));
  return st.endpoint_slices[slot];
}

inline model::EndpointPort ep_port(std::string name, std::int32_t p,
                                   model::Protocol proto = model::Protocol::TCP) {
  model::EndpointPort e;
  e.name = std::move(name);
  e.port = p;
  e.protocol = proto;
  return e;
}

inline model::Pod& add_pod(model::ClusterState& st, std::string ns, std::string name,
                           std::string pod_ip, model::PodSpec spec = {}) {
  model::Pod p;
  p.meta.namespace_ = std::move(ns);
  p.meta.name = std::move(name);
  p.status.pod_ip = ip(pod_ip);
  p.status.ready = true;
  p.spec = std::make_shared<const model::PodSpec>(std::move(spec));
  auto slot = st.pods.upsert(std::move(p));
  return st.pods[slot];
}

/// The tutorial cluster (examples/seed) plus the cases the DNS rules name.
inline model::ClusterState tutorial_cluster() {
  model::ClusterState st;
  model::apply_cluster_defaults(st.config);
  for (const char* ns : {"default", "kube-system", "other"}) add_namespace(st, ns);

  add_service(st, "default", "kubernetes", "10.96.0.1", {port("https", 443)});
  add_service(st, "kube-system", "kube-dns", "10.96.0.10",
              {port("dns", 53, model::Protocol::UDP), port("dns-tcp", 53), port("metrics", 9153)});
  add_slice(
      st, "kube-system", "kube-dns", {{"10.244.0.2", true, "", "coredns-5dd5756b68-abcde"}},
      {ep_port("dns", 53, model::Protocol::UDP), ep_port("dns-tcp", 53), ep_port("metrics", 9153)});

  // app1 and app2 behind their Services (named port "http" on app2-svc only).
  add_pod(st, "default", "app1", "10.244.0.5");
  add_pod(st, "default", "app2", "10.244.0.6");
  add_service(st, "default", "app1-svc", "10.96.0.11", {port("", 8888)});
  add_slice(st, "default", "app1-svc", {{"10.244.0.5", true, "", "app1"}}, {ep_port("", 8080)});
  add_service(st, "default", "app2-svc", "10.96.0.12", {port("http", 8888)});
  add_slice(st, "default", "app2-svc", {{"10.244.0.6", true, "", "app2"}}, {ep_port("http", 8080)});

  // A Service whose selector matches nothing: no endpoints, still an A record.
  add_service(st, "default", "empty-svc", "10.96.0.13", {port("http", 80)});

  // A headless Service with StatefulSet-like pods: web-0 and web-1 ready, web-2 not.
  add_service(st, "default", "web", "None", {port("http", 80), port("", 9090)});
  add_slice(st, "default", "web",
            {{"10.244.0.20", true, "web-0", "web-0"},
             {"10.244.0.21", true, "web-1", "web-1"},
             {"10.244.0.22", false, "web-2", "web-2"}},
            {ep_port("http", 80), ep_port("", 9090)});

  // A headless Service without hostnames and without ports.
  add_service(st, "default", "bare", "None");
  add_slice(st, "default", "bare", {{"10.244.0.30"}, {"10.244.0.31"}}, {});

  // A headless Service with no ready endpoint.
  add_service(st, "default", "cold", "None", {port("http", 80)});
  add_slice(st, "default", "cold", {{"10.244.0.40", false}}, {ep_port("http", 80)});

  // The same, publishing not-ready addresses.
  auto& warm = add_service(st, "default", "warm", "None", {port("http", 80)});
  warm.spec.publish_not_ready_addresses = true;
  add_slice(st, "default", "warm", {{"10.244.0.41", false}}, {ep_port("http", 80)});

  // ExternalName Services.
  auto& ext = add_service(st, "default", "example-svc", "");
  ext.spec.type = model::ServiceType::ExternalName;
  ext.spec.external_name = "example.com";
  ext.spec.has_selector = false;
  auto& alias = add_service(st, "default", "alias-svc", "");
  alias.spec.type = model::ServiceType::ExternalName;
  alias.spec.external_name = "app2-svc.default.svc.cluster.local";
  auto& nowhere = add_service(st, "default", "nowhere-svc", "");
  nowhere.spec.type = model::ServiceType::ExternalName;
  nowhere.spec.external_name = "no-such-host.example.org";
  auto& byip = add_service(st, "default", "byip-svc", "");
  byip.spec.type = model::ServiceType::ExternalName;
  byip.spec.external_name = "93.184.215.14";

  // The selector-less Service with manual Endpoints (no EndpointSlice mirrored yet).
  auto& manual = add_service(st, "default", "external-svc", "10.96.0.14", {port("", 80)});
  manual.spec.has_selector = false;
  model::Endpoints eps;
  eps.meta.namespace_ = "default";
  eps.meta.name = "external-svc";
  model::EndpointSubset subset;
  subset.addresses.push_back({ip("93.184.215.14"), "", "", std::nullopt});
  subset.ports.push_back(ep_port("", 80));
  eps.subsets.push_back(subset);
  st.endpoints.upsert(std::move(eps));

  // A pod with hostname/subdomain under a headless Service named like its subdomain,
  // whose slice does not carry the hostname (podhop derives it as the controller would).
  model::PodSpec spec;
  spec.hostname = "db-host";
  spec.subdomain = "dbs";
  add_pod(st, "default", "db-pod", "10.244.0.50", spec);
  add_service(st, "default", "dbs", "None", {port("pg", 5432)});
  add_slice(st, "default", "dbs", {{"10.244.0.50", true, "", "db-pod"}}, {ep_port("pg", 5432)});

  // A client in another namespace.
  add_pod(st, "other", "client", "10.244.0.60");
  st.now = core::SimTime{42'000'000'000};  // 42 s after the start
  return st;
}

}  // namespace podhop::testing_dns
