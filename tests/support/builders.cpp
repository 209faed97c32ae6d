#include "support/builders.hpp"

#include <fmt/format.h>

#include "podhop/core/check.hpp"

namespace podhop::testing {

namespace {

core::Ipv4 parse_ip(const std::string& text) {
  auto ip = core::Ipv4::parse(text);
  PODHOP_CHECK(ip.has_value(), "test builder given a bad IPv4 address");
  return *ip;
}

template <typename T>
void stamp_and_upsert(model::ClusterState& s, model::ObjectTable<T>& table, T o) {
  o.meta.creation_index = s.next_creation_index++;
  o.meta.created = s.now;
  table.upsert(std::move(o));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Pods and workloads

PodBuilder& PodBuilder::ip(std::string ip) {
  status_.pod_ip = parse_ip(ip);
  return *this;
}
PodBuilder& PodBuilder::on_node(std::string node) {
  bound_node_ = std::move(node);
  return *this;
}
PodBuilder& PodBuilder::running(bool ready) {
  status_.phase = model::PodPhase::Running;
  status_.started = true;
  status_.ready = ready;
  return *this;
}
PodBuilder& PodBuilder::phase(model::PodPhase p) {
  status_.phase = p;
  return *this;
}
PodBuilder& PodBuilder::terminating() {
  terminating_ = true;
  return *this;
}
PodBuilder& PodBuilder::owner(std::string kind, std::string name) {
  meta_.owner = {std::move(kind), std::move(name)};
  return *this;
}

model::Pod PodBuilder::build() const {
  model::Pod p;
  p.meta = meta_;
  p.meta.api_version = "v1";
  if (terminating_) p.meta.deletion = core::SimTime{};
  auto spec = spec_;
  if (spec.containers.empty()) spec.containers.push_back({.name = "app", .image = "app"});
  p.spec = std::make_shared<const model::PodSpec>(std::move(spec));
  p.status = status_;
  p.node_name = bound_node_;
  return p;
}
PodBuilder pod(std::string name) {
  return PodBuilder(std::move(name));
}

template <typename Self>
model::PodTemplate WorkloadBuilder<Self>::make_template() const {
  model::PodTemplate t;
  t.labels = pod_labels_;
  for (const auto& [k, v] : extra_labels_) t.labels.set(k, v);
  t.annotations = pod_annotations_;
  auto spec = this->spec_;
  if (spec.containers.empty()) spec.containers.push_back({.name = "app", .image = "app"});
  t.spec = std::make_shared<const model::PodSpec>(std::move(spec));
  return t;
}

model::Deployment DeploymentBuilder::build() const {
  model::Deployment d;
  d.meta = meta_;
  d.meta.api_version = "apps/v1";
  d.replicas = replicas_;
  d.selector.match_labels = pod_labels_;
  d.pod_template = make_template();
  return d;
}
DeploymentBuilder deployment(std::string name) {
  return DeploymentBuilder(std::move(name));
}

model::ReplicaSet ReplicaSetBuilder::build() const {
  model::ReplicaSet r;
  r.meta = meta_;
  r.meta.api_version = "apps/v1";
  r.replicas = replicas_;
  r.selector.match_labels = pod_labels_;
  r.pod_template = make_template();
  return r;
}
ReplicaSetBuilder replica_set(std::string name) {
  return ReplicaSetBuilder(std::move(name));
}

model::ReplicationController ReplicationControllerBuilder::build() const {
  model::ReplicationController r;
  r.meta = meta_;
  r.meta.api_version = "v1";
  r.replicas = replicas_;
  r.selector = pod_labels_;
  r.pod_template = make_template();
  return r;
}
ReplicationControllerBuilder replication_controller(std::string name) {
  return ReplicationControllerBuilder(std::move(name));
}

model::StatefulSet StatefulSetBuilder::build() const {
  model::StatefulSet s;
  s.meta = meta_;
  s.meta.api_version = "apps/v1";
  s.replicas = replicas_;
  s.selector.match_labels = pod_labels_;
  s.service_name = service_name_;
  s.pod_template = make_template();
  return s;
}
StatefulSetBuilder stateful_set(std::string name) {
  return StatefulSetBuilder(std::move(name));
}

model::DaemonSet DaemonSetBuilder::build() const {
  model::DaemonSet d;
  d.meta = meta_;
  d.meta.api_version = "apps/v1";
  d.selector.match_labels = pod_labels_;
  d.pod_template = make_template();
  return d;
}
DaemonSetBuilder daemon_set(std::string name) {
  return DaemonSetBuilder(std::move(name));
}

// ---------------------------------------------------------------------------------------
// Services and endpoints

ServiceBuilder& ServiceBuilder::type(model::ServiceType t) {
  spec_.type = t;
  return *this;
}
ServiceBuilder& ServiceBuilder::selector(std::string k, std::string v) {
  spec_.has_selector = true;
  spec_.selector.set(std::move(k), std::move(v));
  return *this;
}
ServiceBuilder& ServiceBuilder::port(std::int32_t port, std::int32_t target, std::string name,
                                     model::Protocol protocol) {
  model::ServicePort p;
  p.name = std::move(name);
  p.port = port;
  p.protocol = protocol;
  p.target_port = model::IntOrString::of(target == 0 ? port : target);
  spec_.ports.push_back(std::move(p));
  return *this;
}
ServiceBuilder& ServiceBuilder::port(std::int32_t port, std::string target_name, std::string name,
                                     model::Protocol protocol) {
  model::ServicePort p;
  p.name = std::move(name);
  p.port = port;
  p.protocol = protocol;
  p.target_port = model::IntOrString::of(std::move(target_name));
  spec_.ports.push_back(std::move(p));
  return *this;
}
ServiceBuilder& ServiceBuilder::node_port(std::int32_t n) {
  PODHOP_CHECK(!spec_.ports.empty(), "node_port() needs a port() before it");
  spec_.ports.back().node_port = n;
  return *this;
}
ServiceBuilder& ServiceBuilder::cluster_ip(std::string ip) {
  spec_.cluster_ip = parse_ip(ip);
  return *this;
}
ServiceBuilder& ServiceBuilder::headless() {
  spec_.headless = true;
  return *this;
}
ServiceBuilder& ServiceBuilder::external_name(std::string name) {
  spec_.type = model::ServiceType::ExternalName;
  spec_.external_name = std::move(name);
  return *this;
}
ServiceBuilder& ServiceBuilder::publish_not_ready(bool on) {
  spec_.publish_not_ready_addresses = on;
  return *this;
}
ServiceBuilder& ServiceBuilder::external_traffic_policy(model::TrafficPolicy p) {
  spec_.external_traffic_policy = p;
  return *this;
}
ServiceBuilder& ServiceBuilder::health_check_node_port(std::int32_t n) {
  spec_.health_check_node_port = n;
  return *this;
}
ServiceBuilder& ServiceBuilder::load_balancer_ip(std::string ip) {
  spec_.load_balancer_ip = std::move(ip);
  return *this;
}
ServiceBuilder& ServiceBuilder::load_balancer_class(std::string c) {
  spec_.load_balancer_class = std::move(c);
  return *this;
}
ServiceBuilder& ServiceBuilder::allocate_load_balancer_node_ports(bool on) {
  spec_.allocate_load_balancer_node_ports = on;
  return *this;
}

model::Service ServiceBuilder::build() const {
  model::Service s;
  s.meta = meta_;
  s.meta.api_version = "v1";
  s.spec = spec_;
  // The API defaults (rules 1.1).
  const auto t = s.spec.type;
  if (t != model::ServiceType::ExternalName && !s.spec.internal_traffic_policy)
    s.spec.internal_traffic_policy = model::TrafficPolicy::Cluster;
  if ((t == model::ServiceType::NodePort || t == model::ServiceType::LoadBalancer) &&
      !s.spec.external_traffic_policy)
    s.spec.external_traffic_policy = model::TrafficPolicy::Cluster;
  if (t == model::ServiceType::LoadBalancer && !s.spec.allocate_load_balancer_node_ports)
    s.spec.allocate_load_balancer_node_ports = true;
  return s;
}
ServiceBuilder service(std::string name) {
  return ServiceBuilder(std::move(name));
}

EndpointsBuilder& EndpointsBuilder::address(std::string ip, std::string node) {
  subsets_.back().addresses.push_back({parse_ip(ip), {}, std::move(node), std::nullopt});
  return *this;
}
EndpointsBuilder& EndpointsBuilder::not_ready_address(std::string ip) {
  subsets_.back().not_ready_addresses.push_back({parse_ip(ip), {}, {}, std::nullopt});
  return *this;
}
EndpointsBuilder& EndpointsBuilder::port(std::int32_t port, std::string name,
                                         model::Protocol protocol) {
  subsets_.back().ports.push_back({std::move(name), port, protocol, {}});
  return *this;
}
EndpointsBuilder& EndpointsBuilder::subset() {
  subsets_.emplace_back();
  return *this;
}
model::Endpoints EndpointsBuilder::build() const {
  model::Endpoints e;
  e.meta = meta_;
  e.meta.api_version = "v1";
  e.subsets = subsets_;
  e.managed = false;
  return e;
}
EndpointsBuilder endpoints(std::string name) {
  return EndpointsBuilder(std::move(name));
}

EndpointSliceBuilder& EndpointSliceBuilder::service(std::string name) {
  meta_.labels.set("kubernetes.io/service-name", name);
  slice_.service_name = std::move(name);
  return *this;
}
EndpointSliceBuilder& EndpointSliceBuilder::endpoint(std::string ip, bool ready, std::string node) {
  model::Endpoint e;
  e.ip = parse_ip(ip);
  e.addresses = {std::move(ip)};
  e.conditions.ready = ready;
  e.node_name = std::move(node);
  slice_.endpoints.push_back(std::move(e));
  return *this;
}
EndpointSliceBuilder& EndpointSliceBuilder::port(std::int32_t port, std::string name,
                                                 model::Protocol protocol) {
  slice_.ports.push_back({std::move(name), port, protocol, {}});
  return *this;
}
EndpointSliceBuilder& EndpointSliceBuilder::managed_by(std::string who) {
  meta_.labels.set("endpointslice.kubernetes.io/managed-by", std::move(who));
  return *this;
}
model::EndpointSlice EndpointSliceBuilder::build() const {
  model::EndpointSlice s = slice_;
  s.meta = meta_;
  s.meta.api_version = "discovery.k8s.io/v1";
  s.managed = false;
  return s;
}
EndpointSliceBuilder endpoint_slice(std::string name) {
  return EndpointSliceBuilder(std::move(name));
}

// ---------------------------------------------------------------------------------------
// Ingress

IngressBuilder& IngressBuilder::class_name(std::string c) {
  spec_.ingress_class_name = std::move(c);
  return *this;
}
IngressBuilder& IngressBuilder::rule(std::string host, std::string path, std::string service,
                                     std::int32_t port, model::PathType type) {
  model::HttpIngressPath p;
  p.path = std::move(path);
  p.path_type = type;
  p.backend.service = model::IngressServiceBackend{std::move(service), port, {}};
  for (auto& r : spec_.rules) {
    if (r.host == host) {
      r.paths.push_back(std::move(p));
      return *this;
    }
  }
  model::IngressRule r;
  r.host = std::move(host);
  r.has_http = true;
  r.paths.push_back(std::move(p));
  spec_.rules.push_back(std::move(r));
  return *this;
}
IngressBuilder& IngressBuilder::default_backend(std::string service, std::int32_t port) {
  model::IngressBackend b;
  b.service = model::IngressServiceBackend{std::move(service), port, {}};
  spec_.default_backend = std::move(b);
  return *this;
}
model::Ingress IngressBuilder::build() const {
  model::Ingress i;
  i.meta = meta_;
  i.meta.api_version = "networking.k8s.io/v1";
  i.spec = spec_;
  return i;
}
IngressBuilder ingress(std::string name) {
  return IngressBuilder(std::move(name));
}

IngressClassBuilder& IngressClassBuilder::controller(std::string c) {
  controller_ = std::move(c);
  return *this;
}
IngressClassBuilder& IngressClassBuilder::default_class() {
  default_ = true;
  meta_.annotations.set("ingressclass.kubernetes.io/is-default-class", "true");
  return *this;
}
model::IngressClass IngressClassBuilder::build() const {
  model::IngressClass c;
  c.meta = meta_;
  c.meta.api_version = "networking.k8s.io/v1";
  c.controller = controller_;
  c.is_default = default_;
  return c;
}
IngressClassBuilder ingress_class(std::string name) {
  return IngressClassBuilder(std::move(name));
}

// ---------------------------------------------------------------------------------------
// Cluster shape

NodeBuilder& NodeBuilder::ip(std::string ip) {
  node_.internal_ip = parse_ip(ip);
  return *this;
}
NodeBuilder& NodeBuilder::zone(std::string z) {
  meta_.labels.set("topology.kubernetes.io/zone", z);
  node_.zone = std::move(z);
  return *this;
}
NodeBuilder& NodeBuilder::pod_cidr(std::string cidr) {
  auto c = core::Cidr::parse(cidr);
  PODHOP_CHECK(c.has_value(), "test builder given a bad CIDR");
  node_.pod_cidr = *c;
  return *this;
}
NodeBuilder& NodeBuilder::not_ready() {
  node_.ready = false;
  return *this;
}
model::Node NodeBuilder::build() const {
  model::Node n = node_;
  n.meta = meta_;
  n.meta.api_version = "v1";
  return n;
}
NodeBuilder node(std::string name) {
  return NodeBuilder(std::move(name));
}

model::Namespace namespace_object(std::string name) {
  model::Namespace n;
  n.meta.name = std::move(name);
  n.meta.api_version = "v1";
  return n;
}

ClusterBuilder& ClusterBuilder::nodes(int n) {
  for (int i = 1; i <= n; ++i) config_.nodes.push_back({.name = fmt::format("node-{}", i)});
  config_.declared = true;
  return *this;
}
ClusterBuilder& ClusterBuilder::node(std::string name, std::string zone) {
  config_.nodes.push_back({.name = std::move(name), .zone = std::move(zone)});
  config_.declared = true;
  return *this;
}
ClusterBuilder& ClusterBuilder::addon(std::string a) {
  config_.addons.push_back(std::move(a));
  return *this;
}
ClusterBuilder& ClusterBuilder::lb_pool(std::string first, std::string last) {
  config_.load_balancer_pending = false;
  config_.lb_pool_first = parse_ip(first);
  config_.lb_pool_last = parse_ip(last);
  return *this;
}
ClusterBuilder& ClusterBuilder::pod_cidr(std::string cidr) {
  auto c = core::Cidr::parse(cidr);
  PODHOP_CHECK(c.has_value(), "test builder given a bad CIDR");
  config_.pod_cidr = *c;
  return *this;
}
ClusterBuilder& ClusterBuilder::service_cidr(std::string cidr) {
  auto c = core::Cidr::parse(cidr);
  PODHOP_CHECK(c.has_value(), "test builder given a bad CIDR");
  config_.service_cidr = *c;
  return *this;
}
ClusterBuilder& ClusterBuilder::node_port_range(std::int32_t min, std::int32_t max) {
  config_.node_port_min = min;
  config_.node_port_max = max;
  return *this;
}
model::ClusterConfig ClusterBuilder::build() const {
  return config_;
}
ClusterBuilder cluster() {
  return ClusterBuilder();
}

model::ClusterState state(const model::ClusterConfig& config) {
  model::ClusterState s;
  s.config = config;
  return s;
}

// ---------------------------------------------------------------------------------------
// add()

void add(model::ClusterState& s, model::Pod o) {
  stamp_and_upsert(s, s.pods, std::move(o));
}
void add(model::ClusterState& s, model::Service o) {
  stamp_and_upsert(s, s.services, std::move(o));
}
void add(model::ClusterState& s, model::Endpoints o) {
  stamp_and_upsert(s, s.endpoints, std::move(o));
}
void add(model::ClusterState& s, model::EndpointSlice o) {
  stamp_and_upsert(s, s.endpoint_slices, std::move(o));
}
void add(model::ClusterState& s, model::Deployment o) {
  stamp_and_upsert(s, s.deployments, std::move(o));
}
void add(model::ClusterState& s, model::ReplicaSet o) {
  stamp_and_upsert(s, s.replica_sets, std::move(o));
}
void add(model::ClusterState& s, model::ReplicationController o) {
  stamp_and_upsert(s, s.replication_controllers, std::move(o));
}
void add(model::ClusterState& s, model::StatefulSet o) {
  stamp_and_upsert(s, s.stateful_sets, std::move(o));
}
void add(model::ClusterState& s, model::DaemonSet o) {
  stamp_and_upsert(s, s.daemon_sets, std::move(o));
}
void add(model::ClusterState& s, model::Ingress o) {
  stamp_and_upsert(s, s.ingresses, std::move(o));
}
void add(model::ClusterState& s, model::IngressClass o) {
  stamp_and_upsert(s, s.ingress_classes, std::move(o));
}
void add(model::ClusterState& s, model::Node o) {
  stamp_and_upsert(s, s.nodes, std::move(o));
}
void add(model::ClusterState& s, model::Namespace o) {
  stamp_and_upsert(s, s.namespaces, std::move(o));
}

}  // namespace podhop::testing
