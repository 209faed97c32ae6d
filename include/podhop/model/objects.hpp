#pragma once
// Value types for the Kubernetes objects podhop simulates, stripped to the fields the
// simulation uses. Everything is a plain struct; YAML is converted at the edge (manifest/)
// and derived fields are filled by controllers/.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/meta.hpp"
#include "podhop/model/string_pool.hpp"

namespace podhop::model {

using core::Cidr;
using core::Duration;
using core::Ipv4;
using core::SimTime;

// ---------------------------------------------------------------------------------------
// Pods

struct ContainerPort {
  std::string name;
  std::int32_t container_port = 0;
  Protocol protocol = Protocol::TCP;
  std::int32_t host_port = 0;
};

/// An env var. `value_from` is set for valueFrom entries, which podhop cannot resolve;
/// $(VAR) references to them stay unexpanded, as in Kubernetes when the var is unknown.
struct EnvVar {
  std::string name;
  std::string value;
  bool value_from = false;
};

/// A probe: readiness decides when a pod becomes an endpoint.
struct Probe {
  enum class Handler : std::uint8_t { http_get, tcp_socket, exec, grpc };
  Handler handler = Handler::http_get;
  IntOrString port;
  std::string path;
  Duration initial_delay;                   // initialDelaySeconds, default 0
  Duration period = Duration::seconds(10);  // periodSeconds
  Duration timeout = Duration::seconds(1);  // timeoutSeconds
  std::int32_t success_threshold = 1;
  std::int32_t failure_threshold = 3;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> startup_probe;
  /// lifecycle.preStop: a sleep (sleep action, or exec "sleep N"), when known.
  std::optional<Duration> pre_stop_sleep;
  bool has_pre_stop = false;
  /// "Always" on an init container makes it a sidecar (its ports count for endpoints).
  std::string restart_policy;
};

enum class DnsPolicy : std::uint8_t { ClusterFirst, ClusterFirstWithHostNet, Default, None };
std::string_view to_string(DnsPolicy p);

struct PodDnsOption {
  std::string name;
  std::optional<std::string> value;
};

struct PodDnsConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDnsOption> options;
};

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
};

struct PodSpec {
  std::vector<Container> containers;
  std::vector<Container> init_containers;
  std::string node_name;
  std::string hostname;
  std::string subdomain;
  DnsPolicy dns_policy = DnsPolicy::ClusterFirst;
  std::optional<PodDnsConfig> dns_config;
  std::vector<HostAlias> host_aliases;
  bool host_network = false;
  StringMap node_selector;
  Duration termination_grace_period = Duration::seconds(30);
  std::string restart_policy = "Always";
};

/// A pod template: the part of a workload that becomes each pod. The spec is shared by
/// every pod the workload creates (150,000 pods, one spec each workload).
struct PodTemplate {
  StringMap labels;
  StringMap annotations;
  std::shared_ptr<const PodSpec> spec;
};

enum class PodPhase : std::uint8_t { Pending, Running, Succeeded, Failed, Unknown };
std::string_view to_string(PodPhase p);

struct PodStatus {
  PodPhase phase = PodPhase::Pending;
  Ipv4 pod_ip;
  Ipv4 host_ip;
  /// The Ready condition.
  bool ready = false;
  /// All containers started (Running).
  bool started = false;
  std::int32_t restarts = 0;
  /// For `get pods` STATUS when it is not the phase: "Terminating", "ContainerCreating".
  /// A shared string: 8 bytes, empty for almost every pod.
  SharedStr reason;
};

struct Pod {
  ObjectMeta meta;
  std::shared_ptr<const PodSpec> spec;  // never null once loaded
  PodStatus status;
  /// The node the pod is bound to: spec.nodeName as written, or the scheduler's choice
  /// (controllers/). Read this, not spec->node_name: it lives outside the spec so that the
  /// pods of one template keep sharing their PodSpec. Empty while unscheduled. A shared
  /// string: the pods on a node hold one block (the scheduler's).
  SharedStr node_name;
  /// A tombstone: the pod is gone from the API (its containers exited after termination)
  /// but keeps its slot in ClusterState::pods until no request in flight can hold that slot
  /// (Simulation compacts the table then). Phase Succeeded, no IP, not ready; no controller,
  /// table or printer counts it (Simulation::state() hides it).
  bool removed = false;
};

// ---------------------------------------------------------------------------------------
// Services and endpoints

enum class ServiceType : std::uint8_t { ClusterIP, NodePort, LoadBalancer, ExternalName };
std::string_view to_string(ServiceType t);

enum class TrafficPolicy : std::uint8_t { Cluster, Local };
std::string_view to_string(TrafficPolicy t);

enum class SessionAffinity : std::uint8_t { None, ClientIP };

struct ServicePort {
  std::string name;
  Protocol protocol = Protocol::TCP;
  std::int32_t port = 0;
  IntOrString target_port;     // defaulted to `port` when unset
  std::int32_t node_port = 0;  // 0 = none (yet)
  std::string app_protocol;
};

struct ServiceSpec {
  ServiceType type = ServiceType::ClusterIP;
  /// A Service with no selector (absent or empty) gets no endpoints from the controller.
  bool has_selector = false;
  StringMap selector;
  std::vector<ServicePort> ports;
  /// clusterIP: "None" makes the Service headless; an empty cluster_ip and !headless
  /// means not yet allocated (or ExternalName).
  bool headless = false;
  Ipv4 cluster_ip;
  std::vector<Ipv4> external_ips;
  std::string external_name;
  SessionAffinity session_affinity = SessionAffinity::None;
  Duration affinity_timeout = Duration::seconds(10800);
  std::optional<TrafficPolicy> external_traffic_policy;
  std::optional<TrafficPolicy> internal_traffic_policy;
  std::int32_t health_check_node_port = 0;
  std::vector<Cidr> load_balancer_source_ranges;
  std::optional<bool> allocate_load_balancer_node_ports;
  std::string load_balancer_ip;  // deprecated field, honoured when in the pool
  std::string load_balancer_class;
  bool publish_not_ready_addresses = false;
  std::string traffic_distribution;  // PreferClose | PreferSameZone | PreferSameNode | ""
  std::string ip_family_policy = "SingleStack";
  std::vector<std::string> ip_families;  // as given; podhop simulates IPv4
};

struct LoadBalancerIngress {
  Ipv4 ip;
  std::string hostname;
};

struct Service {
  ObjectMeta meta;
  ServiceSpec spec;
  std::vector<LoadBalancerIngress> load_balancer;  // status.loadBalancer.ingress
};

struct EndpointPort {
  std::string name;
  std::optional<std::int32_t> port;  // nil in a slice means "all ports" (headless, no ports)
  Protocol protocol = Protocol::TCP;
  std::string app_protocol;
};

/// One address of a legacy Endpoints subset. A compact record (150,000 of them at the
/// published limits): the words are shared strings, the node name shared by every address on
/// the node, the targetRef's name with the EndpointSlice endpoint of the same pod.
struct EndpointAddress {
  Ipv4 ip;
  SharedStr hostname;
  SharedStr node_name;
  std::optional<ObjectRef> target_ref;
};

struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> not_ready_addresses;
  std::vector<EndpointPort> ports;
};

/// v1 Endpoints (legacy, deprecated since 1.33 but still what the tutorial writes by hand).
struct Endpoints {
  ObjectMeta meta;
  std::vector<EndpointSubset> subsets;
  /// True when derived by podhop's endpoints controller; false when the user wrote it.
  bool managed = false;
};

struct EndpointConditions {
  std::optional<bool> ready;
  std::optional<bool> serving;
  std::optional<bool> terminating;
  // nil ready/serving count as true, nil terminating as false (discovery/v1 comments).
  bool is_ready() const { return ready.value_or(true); }
  bool is_serving() const { return serving.value_or(true); }
  bool is_terminating() const { return terminating.value_or(false); }
};

enum class AddressType : std::uint8_t { IPv4, IPv6, FQDN };
std::string_view to_string(AddressType t);

/// An endpoint's `addresses` as written. Almost every endpoint has one IPv4 address in its
/// canonical text: that one is kept as 4 bytes, and a list only when it is anything else
/// (several addresses, an FQDN, a non-canonical spelling such as "010.0.0.1").
class EndpointAddresses {
 public:
  EndpointAddresses() = default;
  EndpointAddresses(std::initializer_list<std::string> list) {
    assign(std::vector<std::string>(list));
  }
  EndpointAddresses(std::vector<std::string> list) { assign(std::move(list)); }  // NOLINT
  EndpointAddresses(const EndpointAddresses& o)
      : list_(o.list_ ? std::make_unique<std::vector<std::string>>(*o.list_) : nullptr),
        ip_(o.ip_),
        single_(o.single_) {}
  EndpointAddresses(EndpointAddresses&&) noexcept = default;
  EndpointAddresses& operator=(const EndpointAddresses& o) {
    if (this != &o) *this = EndpointAddresses(o);
    return *this;
  }
  EndpointAddresses& operator=(EndpointAddresses&&) noexcept = default;

  /// One address, the canonical text of ip: 4 bytes, no list.
  static EndpointAddresses of(Ipv4 ip) {
    EndpointAddresses a;
    a.ip_ = ip;
    a.single_ = true;
    return a;
  }
  std::size_t size() const { return list_ ? list_->size() : (single_ ? 1 : 0); }
  bool empty() const { return size() == 0; }
  /// The i-th address, as written.
  std::string operator[](std::size_t i) const { return list_ ? (*list_)[i] : ip_.str(); }
  std::string front() const { return (*this)[0]; }
  /// Every address, as written.
  std::vector<std::string> list() const;
  /// True when the list is kept as one 4-byte IPv4 address.
  bool compact() const { return single_; }
  bool operator==(const std::vector<std::string>& other) const { return list() == other; }
  bool operator==(const EndpointAddresses& other) const { return list() == other.list(); }

 private:
  void assign(std::vector<std::string> list);

  std::unique_ptr<std::vector<std::string>> list_;  // null when empty or compact
  Ipv4 ip_;
  bool single_ = false;
};

/// A list of names that is almost always empty (an endpoint's hints): 8 bytes, a list on the
/// heap only when there are names. Reads as a std::vector<std::string>.
class NameList {
 public:
  NameList() = default;
  NameList(std::initializer_list<std::string> names) { assign(std::vector<std::string>(names)); }
  NameList(std::vector<std::string> names) { assign(std::move(names)); }  // NOLINT
  NameList(const NameList& o)
      : names_(o.names_ ? std::make_unique<std::vector<std::string>>(*o.names_) : nullptr) {}
  NameList(NameList&&) noexcept = default;
  NameList& operator=(const NameList& o) {
    if (this != &o) *this = NameList(o);
    return *this;
  }
  NameList& operator=(NameList&&) noexcept = default;

  const std::vector<std::string>& get() const { return names_ ? *names_ : none(); }
  operator const std::vector<std::string>&() const { return get(); }  // NOLINT
  bool empty() const { return !names_; }
  std::size_t size() const { return get().size(); }
  std::vector<std::string>::const_iterator begin() const { return get().begin(); }
  std::vector<std::string>::const_iterator end() const { return get().end(); }
  const std::string& operator[](std::size_t i) const { return get()[i]; }
  bool operator==(const std::vector<std::string>& o) const { return get() == o; }
  bool operator==(const NameList& o) const { return get() == o.get(); }
  /// True when the names are on the heap (never for an empty list).
  bool allocated() const { return names_ != nullptr; }

 private:
  void assign(std::vector<std::string> names) {
    if (names.empty())
      names_.reset();
    else
      names_ = std::make_unique<std::vector<std::string>>(std::move(names));
  }
  static const std::vector<std::string>& none() {
    static const std::vector<std::string> empty;  // immutable: not state
    return empty;
  }
  std::unique_ptr<std::vector<std::string>> names_;  // null when empty
};

/// One endpoint of an EndpointSlice. A compact record (150,000 of them at the published
/// limits, about 100 bytes each): the words are shared strings (a StringPool hands the
/// controllers one block per node name and zone), the address list is kept only when it is
/// not the canonical text of `ip`, the hints only when there are some.
struct Endpoint {
  EndpointAddresses addresses;  // as written
  Ipv4 ip;                      // the first address, parsed (IPv4 slices)
  EndpointConditions conditions;
  SharedStr hostname;
  SharedStr node_name;
  SharedStr zone;
  std::optional<ObjectRef> target_ref;
  NameList hint_zones;  // hints.forZones[].name
  NameList hint_nodes;  // hints.forNodes[].name
};

struct EndpointSlice {
  ObjectMeta meta;
  AddressType address_type = AddressType::IPv4;
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;
  /// The kubernetes.io/service-name label: the Service this slice belongs to.
  std::string service_name;
  /// True when derived by podhop (managed-by endpointslice-controller.k8s.io or the
  /// mirroring controller); false when the user wrote it.
  bool managed = false;
};

// ---------------------------------------------------------------------------------------
// Cluster-scoped and other core kinds

struct Namespace {
  ObjectMeta meta;
};

struct Node {
  ObjectMeta meta;
  Ipv4 internal_ip;
  std::string zone;  // topology.kubernetes.io/zone
  Cidr pod_cidr;
  bool ready = true;
  /// Position among the cluster's nodes (0-based), used for pod CIDRs and spreading.
  std::uint32_t index = 0;
  /// The last pod IP handed out on this node (host-local IPAM's "last reserved IP"): the
  /// next pod gets the following free address, so a freed IP is not reused at once.
  Ipv4 last_pod_ip;
};

struct Secret {
  ObjectMeta meta;
  std::string type = "Opaque";
  /// data (base64-decoded) merged with stringData, sorted by key.
  StringMap data;
};

// ---------------------------------------------------------------------------------------
// Workloads

struct Deployment {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate pod_template;
  std::string strategy = "RollingUpdate";  // or Recreate
  IntOrString max_surge = IntOrString::of(std::string("25%"));
  IntOrString max_unavailable = IntOrString::of(std::string("25%"));
  std::int32_t min_ready_seconds = 0;
};

struct ReplicaSet {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate pod_template;
  /// Pod names drawn so far (controllers/), so a replacement pod never reuses a name.
  std::uint32_t pod_names_drawn = 0;
};

struct ReplicationController {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  StringMap selector;  // defaults to the template labels
  PodTemplate pod_template;
  /// Pod names drawn so far (controllers/), so a replacement pod never reuses a name.
  std::uint32_t pod_names_drawn = 0;
};

struct StatefulSet {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  LabelSelector selector;
  std::string service_name;
  PodTemplate pod_template;
  std::string pod_management_policy = "OrderedReady";
};

struct DaemonSet {
  ObjectMeta meta;
  LabelSelector selector;
  PodTemplate pod_template;
  /// Pod names drawn so far (controllers/), so a replacement pod never reuses a name.
  std::uint32_t pod_names_drawn = 0;
};

// ---------------------------------------------------------------------------------------
// Ingress

struct IngressServiceBackend {
  std::string name;
  std::int32_t port_number = 0;  // exactly one of port_number / port_name
  std::string port_name;
};

struct TypedLocalObjectReference {
  std::string api_group;
  std::string kind;
  std::string name;
};

struct IngressBackend {
  std::optional<IngressServiceBackend> service;
  std::optional<TypedLocalObjectReference> resource;
};

enum class PathType : std::uint8_t { Exact, Prefix, ImplementationSpecific };
std::string_view to_string(PathType t);

struct HttpIngressPath {
  std::string path;
  PathType path_type = PathType::Prefix;
  IngressBackend backend;
};

struct IngressRule {
  std::string host;  // empty: every host
  bool has_http = false;
  std::vector<HttpIngressPath> paths;
};

struct IngressTls {
  std::vector<std::string> hosts;
  std::string secret_name;
};

struct IngressSpec {
  std::optional<std::string> ingress_class_name;
  std::optional<IngressBackend> default_backend;
  std::vector<IngressRule> rules;
  std::vector<IngressTls> tls;
};

struct Ingress {
  ObjectMeta meta;
  IngressSpec spec;
  std::vector<LoadBalancerIngress> load_balancer;  // status.loadBalancer.ingress
  /// The class the ingress ended up with: spec, annotation kubernetes.io/ingress.class, or
  /// the default class when it was admitted. Filled by controllers.
  std::string effective_class;
};

struct IngressClass {
  ObjectMeta meta;
  std::string controller;
  /// ingressclass.kubernetes.io/is-default-class: "true"
  bool is_default = false;
};

/// The object an Event is about, its words interned.
struct EventObject {
  IStr kind;
  IStr namespace_;
  IStr name;
};

/// A Kubernetes Event, as `kubectl describe` lists them under "Events:". What EventLog's
/// reads give: a view of one of its compact records, every word interned in the log's pool.
/// The words of a message that vary from event to event (the pod a ReplicaSet created, the
/// involved object's namespace and name) are cut out of `message_text` and put back by
/// message(), so that 150,000 "Created pod: NAME" share one text. Record events through
/// EventLog::record.
struct Event {
  EventObject involved;  // the object it is about
  IStr type;             // Normal | Warning
  IStr reason;           // Scheduled, Pulled, Created, Started, ScalingReplicaSet...
  IStr source;           // the component: default-scheduler, kubelet, deployment-controller...
  core::SimTime at;
  IStr message_text;
  IStr message_arg;
  /// Its position in the log (events are named after it).
  std::size_t index = 0;

  /// The message, as kubectl prints it.
  std::string message() const;
  bool is_warning() const { return type == "Warning"; }
};

/// What EventLog::record takes: an event in plain words.
struct EventDraft {
  std::string_view kind;
  std::string_view namespace_;
  std::string_view name;
  std::string_view type = "Normal";
  std::string_view reason;
  std::string_view message;
  std::string_view source;
  core::SimTime at;
  /// A word of the message that differs from event to event (a pod's name): the rest of the
  /// message is then shared. Without one, the involved object's namespace and name are cut
  /// out where the message has them. Only a hint: the
  /// message reads the same either way.
  std::string_view message_arg;
  /// Optionally, a shared block with the text of `name` or of `message_arg` (a pod's name):
  /// the log's pool keeps that block instead of a copy of the text.
  const SharedStr* shared_word = nullptr;
};

/// The events of a cluster, in the order they happened: 24-byte records of ids into string
/// pools (760,000 of them at the published limits), read as Event values. Copies share the
/// pools (they only grow, so ids stay valid), so copying a ClusterState copies the records,
/// never their words.
class EventLog {
 public:
  /// Iterates the events as Event values.
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Event;
    using difference_type = std::ptrdiff_t;
    using reference = Event;
    using pointer = void;
    const_iterator() = default;
    const_iterator(const EventLog* log, std::size_t i) : log_(log), i_(i) {}
    Event operator*() const { return (*log_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    const_iterator& operator--() {
      --i_;
      return *this;
    }
    const_iterator& operator+=(difference_type n) {
      i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n);
      return *this;
    }
    const_iterator operator+(difference_type n) const { return const_iterator(*this) += n; }
    difference_type operator-(const const_iterator& o) const {
      return static_cast<difference_type>(i_) - static_cast<difference_type>(o.i_);
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    auto operator<=>(const const_iterator& o) const { return i_ <=> o.i_; }

   private:
    const EventLog* log_ = nullptr;
    std::size_t i_ = 0;
  };

  /// Appends an event.
  void record(const EventDraft& d);

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  /// The i-th event.
  Event operator[](std::size_t i) const;
  Event back() const { return (*this)[items_.size() - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, items_.size()}; }
  void clear() { items_.clear(); }
  void swap(EventLog& other) noexcept {
    items_.swap(other.items_);
    pools_.swap(other.pools_);
  }
  void reserve(std::size_t n) { items_.reserve(n); }
  /// Gives back the room the records grew into but do not use.
  void shrink_to_fit() { items_.shrink_to_fit(); }

 private:
  // The words of a few hundred kinds (kind, type, reason, source: 16-bit ids) apart from
  // the words of many (names, namespaces, messages: 32-bit ids). An event's kind, type and
  // source come as one of a few dozen triples, and its time as one of the times events
  // were recorded at (a reconcile records thousands at one time): ids of those too.
  struct Pools {
    StringPool few;
    StringPool many;
    std::vector<std::array<std::uint16_t, 3>> triples;  // kind, type, source ids in `few`
    std::map<std::array<std::uint16_t, 3>, std::uint16_t> triple_ids;  // lookups only
    std::vector<core::SimTime> times;
  };
  struct Record {
    std::uint32_t namespace_, name, message_text, message_arg, at;
    std::uint16_t triple, reason;
  };
  /// The 16-bit id of a word of `few`.
  static std::uint16_t few_id(StringPool& few, std::string_view word);
  std::shared_ptr<Pools> pools_ = std::make_shared<Pools>();
  std::vector<Record> items_;
};

/// An object of a kind podhop does not simulate: counted and reported once as ignored.
struct IgnoredObject {
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;
  core::SourceLocation source;
};

}  // namespace podhop::model
