#pragma once
// Fluent builders of model objects for tests.
//
// Each builder starts from a name, takes chained setters and turns into the model object
// (implicitly, or with build()), with the API defaults the manifest loader would have
// applied (a Service port's targetPort, traffic policies, container port protocols...), so
// a state built by hand looks like a loaded one. add() puts an object into a ClusterState
// the way the loader does: stamped with the next creation index.
//
//   model::ClusterState st = testing::state(testing::cluster().nodes(3));
//   testing::add(st, testing::deployment("web").replicas(3).image("nginx").port(80, "http"));
//   testing::add(st, testing::service("web").selector("app", "web").port(80, "http"));
//   controllers::reconcile(st);
//
// Setters on a pod spec (image, port, probe...) apply to the container added last; the
// first of them adds a container named "app" when there is none yet.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "podhop/model/cluster_state.hpp"

namespace podhop::testing {

// ---------------------------------------------------------------------------------------
// Shared parts

/// metadata setters, shared by every builder.
template <typename Self>
class MetaBuilder {
 public:
  explicit MetaBuilder(std::string name, std::string ns) {
    meta_.name = std::move(name);
    meta_.namespace_ = std::move(ns);
  }
  Self& ns(std::string n) {
    meta_.namespace_ = std::move(n);
    return self();
  }
  Self& label(std::string k, std::string v) {
    meta_.labels.set(std::move(k), std::move(v));
    return self();
  }
  Self& annotation(std::string k, std::string v) {
    meta_.annotations.set(std::move(k), std::move(v));
    return self();
  }
  /// Where the object was "declared": errors about it name this location.
  Self& at(std::string file, int line, int column = 1) {
    meta_.source = {std::move(file), line, column};
    return self();
  }

 protected:
  Self& self() { return static_cast<Self&>(*this); }
  model::ObjectMeta meta_;
};

/// Pod spec setters: containers, ports, probes, placement. Shared by pods and workloads.
template <typename Self>
class PodSpecBuilder {
 public:
  /// Adds a container; later container setters apply to it.
  Self& container(std::string name, std::string image) {
    model::Container c;
    c.name = std::move(name);
    c.image = std::move(image);
    spec_.containers.push_back(std::move(c));
    init_ = false;
    return me();
  }
  /// Adds a sidecar: an init container with restartPolicy Always (its ports count for
  /// endpoints).
  Self& sidecar(std::string name, std::string image) {
    model::Container c;
    c.name = std::move(name);
    c.image = std::move(image);
    c.restart_policy = "Always";
    spec_.init_containers.push_back(std::move(c));
    init_ = true;
    return me();
  }
  /// Adds a plain init container (runs to completion; its ports never count).
  Self& init_container(std::string name, std::string image) {
    model::Container c;
    c.name = std::move(name);
    c.image = std::move(image);
    spec_.init_containers.push_back(std::move(c));
    init_ = true;
    return me();
  }
  Self& image(std::string image) {
    current().image = std::move(image);
    return me();
  }
  /// A containerPort of the current container.
  Self& port(std::int32_t number, std::string name = {},
             model::Protocol protocol = model::Protocol::TCP, std::int32_t host_port = 0) {
    current().ports.push_back({std::move(name), number, protocol, host_port});
    return me();
  }
  Self& env(std::string name, std::string value) {
    current().env.push_back({std::move(name), std::move(value), false});
    return me();
  }
  /// An httpGet readiness probe on the current container.
  Self& readiness_probe(std::string path, std::int32_t port) {
    model::Probe p;
    p.path = std::move(path);
    p.port = model::IntOrString::of(port);
    current().readiness_probe = p;
    return me();
  }
  /// spec.nodeName.
  Self& node_name(std::string n) {
    spec_.node_name = std::move(n);
    return me();
  }
  Self& hostname(std::string h) {
    spec_.hostname = std::move(h);
    return me();
  }
  Self& subdomain(std::string s) {
    spec_.subdomain = std::move(s);
    return me();
  }
  Self& host_network(bool on = true) {
    spec_.host_network = on;
    return me();
  }
  Self& node_selector(std::string k, std::string v) {
    spec_.node_selector.set(std::move(k), std::move(v));
    return me();
  }
  Self& dns_policy(model::DnsPolicy p) {
    spec_.dns_policy = p;
    return me();
  }

 protected:
  model::Container& current() {
    auto& list = init_ ? spec_.init_containers : spec_.containers;
    if (list.empty()) {
      init_ = false;
      if (spec_.containers.empty()) spec_.containers.push_back({.name = "app", .image = "app"});
      return spec_.containers.back();
    }
    return list.back();
  }
  Self& me() { return static_cast<Self&>(*this); }
  model::PodSpec spec_;
  bool init_ = false;
};

// ---------------------------------------------------------------------------------------
// Pods and workloads

/// A bare pod. Unscheduled and without status unless told (reconcile schedules it).
class PodBuilder : public MetaBuilder<PodBuilder>, public PodSpecBuilder<PodBuilder> {
 public:
  explicit PodBuilder(std::string name) : MetaBuilder(std::move(name), "default") {}
  /// status.podIP (and, with the node, where the pod runs): a pod as a dump would show it.
  PodBuilder& ip(std::string ip);
  /// The node the pod is bound to (Pod::node_name), as if already scheduled.
  PodBuilder& on_node(std::string node);
  /// Running, started and ready (or not ready).
  PodBuilder& running(bool ready = true);
  PodBuilder& phase(model::PodPhase p);
  /// deletionTimestamp set.
  PodBuilder& terminating();
  PodBuilder& owner(std::string kind, std::string name);

  model::Pod build() const;
  operator model::Pod() const { return build(); }  // NOLINT: builders convert implicitly

 private:
  model::PodStatus status_;
  std::string bound_node_;
  bool terminating_ = false;
};
PodBuilder pod(std::string name);

/// The template part of workloads: labels (also the selector), replicas.
template <typename Self>
class WorkloadBuilder : public MetaBuilder<Self>, public PodSpecBuilder<Self> {
 public:
  /// Selector and template labels default to app=<name>, as `kubectl create deployment`.
  explicit WorkloadBuilder(std::string name) : MetaBuilder<Self>(name, "default") {
    pod_labels_.set("app", name);
  }
  /// A label of the pod template, also required by the selector.
  Self& pod_label(std::string k, std::string v) {
    pod_labels_.set(std::move(k), std::move(v));
    return this->me();
  }
  /// A label of the pod template only (not in the selector).
  Self& extra_pod_label(std::string k, std::string v) {
    extra_labels_.set(std::move(k), std::move(v));
    return this->me();
  }
  Self& pod_annotation(std::string k, std::string v) {
    pod_annotations_.set(std::move(k), std::move(v));
    return this->me();
  }
  Self& replicas(std::int32_t n) {
    replicas_ = n;
    return this->me();
  }

 protected:
  model::PodTemplate make_template() const;
  model::StringMap pod_labels_;
  model::StringMap extra_labels_;
  model::StringMap pod_annotations_;
  std::int32_t replicas_ = 1;
};

class DeploymentBuilder : public WorkloadBuilder<DeploymentBuilder> {
 public:
  using WorkloadBuilder::WorkloadBuilder;
  model::Deployment build() const;
  operator model::Deployment() const { return build(); }  // NOLINT
};
DeploymentBuilder deployment(std::string name);

class ReplicaSetBuilder : public WorkloadBuilder<ReplicaSetBuilder> {
 public:
  using WorkloadBuilder::WorkloadBuilder;
  model::ReplicaSet build() const;
  operator model::ReplicaSet() const { return build(); }  // NOLINT
};
ReplicaSetBuilder replica_set(std::string name);

class ReplicationControllerBuilder : public WorkloadBuilder<ReplicationControllerBuilder> {
 public:
  using WorkloadBuilder::WorkloadBuilder;
  model::ReplicationController build() const;
  operator model::ReplicationController() const { return build(); }  // NOLINT
};
ReplicationControllerBuilder replication_controller(std::string name);

class StatefulSetBuilder : public WorkloadBuilder<StatefulSetBuilder> {
 public:
  using WorkloadBuilder::WorkloadBuilder;
  /// spec.serviceName: the governing (headless) Service, the pods' subdomain.
  StatefulSetBuilder& service_name(std::string s) {
    service_name_ = std::move(s);
    return *this;
  }
  model::StatefulSet build() const;
  operator model::StatefulSet() const { return build(); }  // NOLINT

 private:
  std::string service_name_;
};
StatefulSetBuilder stateful_set(std::string name);

class DaemonSetBuilder : public WorkloadBuilder<DaemonSetBuilder> {
 public:
  using WorkloadBuilder::WorkloadBuilder;
  model::DaemonSet build() const;
  operator model::DaemonSet() const { return build(); }  // NOLINT
};
DaemonSetBuilder daemon_set(std::string name);

// ---------------------------------------------------------------------------------------
// Services and endpoints

class ServiceBuilder : public MetaBuilder<ServiceBuilder> {
 public:
  explicit ServiceBuilder(std::string name) : MetaBuilder(std::move(name), "default") {}
  ServiceBuilder& type(model::ServiceType t);
  /// A selector pair (the Service then has a selector).
  ServiceBuilder& selector(std::string k, std::string v);
  /// A port with a numeric targetPort (0: same as port).
  ServiceBuilder& port(std::int32_t port, std::int32_t target = 0, std::string name = {},
                       model::Protocol protocol = model::Protocol::TCP);
  /// A port with a named targetPort.
  ServiceBuilder& port(std::int32_t port, std::string target_name, std::string name = {},
                       model::Protocol protocol = model::Protocol::TCP);
  /// nodePort of the port added last.
  ServiceBuilder& node_port(std::int32_t n);
  ServiceBuilder& cluster_ip(std::string ip);
  /// clusterIP: None.
  ServiceBuilder& headless();
  ServiceBuilder& external_name(std::string name);
  ServiceBuilder& publish_not_ready(bool on = true);
  ServiceBuilder& external_traffic_policy(model::TrafficPolicy p);
  ServiceBuilder& health_check_node_port(std::int32_t n);
  ServiceBuilder& load_balancer_ip(std::string ip);
  ServiceBuilder& load_balancer_class(std::string c);
  ServiceBuilder& allocate_load_balancer_node_ports(bool on);

  model::Service build() const;
  operator model::Service() const { return build(); }  // NOLINT

 private:
  model::ServiceSpec spec_;
};
ServiceBuilder service(std::string name);

/// A hand-written v1 Endpoints (selector-less Services).
class EndpointsBuilder : public MetaBuilder<EndpointsBuilder> {
 public:
  explicit EndpointsBuilder(std::string name) : MetaBuilder(std::move(name), "default") {
    subsets_.emplace_back();
  }
  EndpointsBuilder& address(std::string ip, std::string node = {});
  EndpointsBuilder& not_ready_address(std::string ip);
  EndpointsBuilder& port(std::int32_t port, std::string name = {},
                         model::Protocol protocol = model::Protocol::TCP);
  /// Starts a new subset; later address()/port() calls fill it.
  EndpointsBuilder& subset();

  model::Endpoints build() const;
  operator model::Endpoints() const { return build(); }  // NOLINT

 private:
  std::vector<model::EndpointSubset> subsets_;
};
EndpointsBuilder endpoints(std::string name);

/// A hand-written EndpointSlice.
class EndpointSliceBuilder : public MetaBuilder<EndpointSliceBuilder> {
 public:
  explicit EndpointSliceBuilder(std::string name) : MetaBuilder(std::move(name), "default") {}
  /// The kubernetes.io/service-name label.
  EndpointSliceBuilder& service(std::string name);
  EndpointSliceBuilder& endpoint(std::string ip, bool ready = true, std::string node = {});
  EndpointSliceBuilder& port(std::int32_t port, std::string name = {},
                             model::Protocol protocol = model::Protocol::TCP);
  /// endpointslice.kubernetes.io/managed-by.
  EndpointSliceBuilder& managed_by(std::string who);

  model::EndpointSlice build() const;
  operator model::EndpointSlice() const { return build(); }  // NOLINT

 private:
  model::EndpointSlice slice_;
};
EndpointSliceBuilder endpoint_slice(std::string name);

// ---------------------------------------------------------------------------------------
// Ingress

class IngressBuilder : public MetaBuilder<IngressBuilder> {
 public:
  explicit IngressBuilder(std::string name) : MetaBuilder(std::move(name), "default") {}
  /// spec.ingressClassName.
  IngressBuilder& class_name(std::string c);
  /// A rule host + Prefix path -> service:port.
  IngressBuilder& rule(std::string host, std::string path, std::string service, std::int32_t port,
                       model::PathType type = model::PathType::Prefix);
  IngressBuilder& default_backend(std::string service, std::int32_t port);

  model::Ingress build() const;
  operator model::Ingress() const { return build(); }  // NOLINT

 private:
  model::IngressSpec spec_;
};
IngressBuilder ingress(std::string name);

class IngressClassBuilder : public MetaBuilder<IngressClassBuilder> {
 public:
  explicit IngressClassBuilder(std::string name) : MetaBuilder(std::move(name), "") {}
  IngressClassBuilder& controller(std::string c);
  /// ingressclass.kubernetes.io/is-default-class: "true".
  IngressClassBuilder& default_class();

  model::IngressClass build() const;
  operator model::IngressClass() const { return build(); }  // NOLINT

 private:
  std::string controller_ = "k8s.io/ingress-nginx";
  bool default_ = false;
};
IngressClassBuilder ingress_class(std::string name);

// ---------------------------------------------------------------------------------------
// Cluster shape

/// A v1 Node object (cluster-scoped).
class NodeBuilder : public MetaBuilder<NodeBuilder> {
 public:
  explicit NodeBuilder(std::string name) : MetaBuilder(std::move(name), "") {}
  NodeBuilder& ip(std::string ip);
  NodeBuilder& zone(std::string z);
  NodeBuilder& pod_cidr(std::string cidr);
  NodeBuilder& not_ready();

  model::Node build() const;
  operator model::Node() const { return build(); }  // NOLINT

 private:
  model::Node node_;
};
NodeBuilder node(std::string name);

/// A v1 Namespace.
model::Namespace namespace_object(std::string name);

/// kind: Cluster.
class ClusterBuilder {
 public:
  /// n nodes named node-1 ... node-n.
  ClusterBuilder& nodes(int n);
  /// One more node, with an optional zone.
  ClusterBuilder& node(std::string name, std::string zone = {});
  ClusterBuilder& addon(std::string a);
  /// loadBalancer: "first-last".
  ClusterBuilder& lb_pool(std::string first, std::string last);
  ClusterBuilder& pod_cidr(std::string cidr);
  ClusterBuilder& service_cidr(std::string cidr);
  ClusterBuilder& node_port_range(std::int32_t min, std::int32_t max);

  model::ClusterConfig build() const;
  operator model::ClusterConfig() const { return build(); }  // NOLINT

 private:
  model::ClusterConfig config_;
};
ClusterBuilder cluster();

/// A state with this cluster config and nothing else.
model::ClusterState state(const model::ClusterConfig& config = {});

// ---------------------------------------------------------------------------------------
// Adding objects as the loader would

void add(model::ClusterState& s, model::Pod o);
void add(model::ClusterState& s, model::Service o);
void add(model::ClusterState& s, model::Endpoints o);
void add(model::ClusterState& s, model::EndpointSlice o);
void add(model::ClusterState& s, model::Deployment o);
void add(model::ClusterState& s, model::ReplicaSet o);
void add(model::ClusterState& s, model::ReplicationController o);
void add(model::ClusterState& s, model::StatefulSet o);
void add(model::ClusterState& s, model::DaemonSet o);
void add(model::ClusterState& s, model::Ingress o);
void add(model::ClusterState& s, model::IngressClass o);
void add(model::ClusterState& s, model::Node o);
void add(model::ClusterState& s, model::Namespace o);

}  // namespace podhop::testing
