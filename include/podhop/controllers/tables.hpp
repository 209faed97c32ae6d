#pragma once
// The kube-proxy service tables: what every node's kube-proxy programs, derived once per
// cluster change from the ClusterState (after reconcile() allocated cluster IPs, node ports,
// LoadBalancer IPs and EndpointSlices). A request never scans them: every question the data
// plane asks is a hash lookup or a binary search in a small sorted list.
//
// The facts encoded here are those of kube-proxy's iptables proxier (rules file 1.6): only
// Services with a cluster IP are programmed (not headless, not ExternalName); rules are per
// Service port, keyed by (namespace, name, port name, protocol); endpoints come from every
// EndpointSlice of the Service, their port found by the slice port's NAME and protocol; the
// Cluster-policy endpoints are the ready ones, else the serving+terminating ones; the
// Local-policy endpoints of a node are its local ready ones, else its local
// serving+terminating ones (pkg/proxy/topology.go CategorizeEndpoints).
//
// Sizes: 10,000 Services x 5,000 nodes must stay small, so the per-node Local lists exist
// only for nodes that hold an endpoint of the Service port.

#include <bit>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "podhop/core/check.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {

namespace detail {

/// An insert-only open-addressing hash index from 64-bit keys to small values, in one
/// contiguous array: a lookup touches one or two cache lines, where a node-based
/// std::unordered_map costs a cache miss for the bucket and another for the node (the
/// lookup a request makes at 10,000 Services). Never iterated.
template <typename V, typename K = std::uint64_t>
class FlatIndex {
 public:
  /// Inserts key -> value unless key is present (the first insert wins); returns whether
  /// it inserted. The key with every bit set is reserved.
  bool emplace(K key, V value) {
    PODHOP_CHECK(key != kEmpty, "FlatIndex key ~0 is reserved");
    // At most 3/4 full: linear probes stay short, and the 150,000 pod IPs of the limits
    // cluster fit 256 Ki slots instead of 512 Ki.
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    for (std::size_t i = slot_of(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == key) return false;
      if (slots_[i].key == kEmpty) {
        slots_[i] = Slot{key, value};
        ++size_;
        return true;
      }
    }
  }
  /// The value for key, or nullptr.
  const V* find(K key) const {
    if (slots_.empty() || key == kEmpty) return nullptr;
    for (std::size_t i = slot_of(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  std::size_t size() const { return size_; }
  /// Bytes held (for the memory figures).
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  static constexpr K kEmpty = static_cast<K>(~K{0});
  struct Slot {
    K key = kEmpty;
    V value{};
  };
  std::size_t slot_of(K key) const {
    // Fibonacci hashing: the top bits of key * 2^64/phi.
    return static_cast<std::size_t>((std::uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t capacity = old.empty() ? 16 : old.size() * 2;
    slots_.assign(capacity, Slot{});
    shift_ = 64 - std::countr_zero(capacity);
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) emplace(s.key, s.value);
  }

  std::vector<Slot> slots_;
  int shift_ = 60;
  std::size_t size_ = 0;
};

/// An immutable array of trivially copyable items, sized exactly, in one allocation that
/// starts with its length: 8 bytes inline where a std::vector takes 24 (plus its growth
/// slack). The tables hold 20,000 Service ports of a dozen lists each at the limits, most
/// of them empty or short; each list is built in a std::vector and stored here.
template <typename T>
class CompactVec {
  static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::uint64_t));

 public:
  CompactVec() = default;
  CompactVec(const std::vector<T>& v) { assign(v.data(), v.size()); }  // NOLINT: implicit
  CompactVec(std::initializer_list<T> items) { assign(items.begin(), items.size()); }
  CompactVec(const CompactVec& o) { assign(o.data(), o.size()); }
  CompactVec(CompactVec&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  CompactVec& operator=(const CompactVec& o) {
    if (this != &o) assign(o.data(), o.size());
    return *this;
  }
  CompactVec& operator=(CompactVec&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  CompactVec& operator=(const std::vector<T>& v) {
    assign(v.data(), v.size());
    return *this;
  }
  ~CompactVec() { release(); }

  std::size_t size() const {
    if (p_ == nullptr) return 0;
    std::uint64_t n = 0;
    std::memcpy(&n, p_, sizeof n);
    return static_cast<std::size_t>(n);
  }
  bool empty() const { return p_ == nullptr; }
  const T* data() const { return p_ == nullptr ? nullptr : reinterpret_cast<const T*>(p_ + 8); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  const T& operator[](std::size_t i) const { return data()[i]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size() - 1]; }
  operator std::span<const T>() const { return {data(), size()}; }  // NOLINT: implicit

 private:
  void assign(const T* items, std::size_t n) {
    release();
    if (n == 0) return;
    p_ = static_cast<std::byte*>(::operator new(8 + n * sizeof(T)));
    const std::uint64_t len = n;
    std::memcpy(p_, &len, sizeof len);
    std::memcpy(p_ + 8, items, n * sizeof(T));
  }
  void release() {
    ::operator delete(p_);
    p_ = nullptr;
  }

  std::byte* p_ = nullptr;
};

/// Hash of std::string keys that also takes string_views, so a lookup by a name the caller
/// holds as a view allocates nothing.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace detail

/// "No such node / pod / service port": the value of an index that points nowhere.
inline constexpr std::uint32_t kNoIndex = 0xFFFFFFFFu;

/// Position of a Service port in ServiceTables::ports(). Valid for one build of the tables.
using ServicePortId = std::uint32_t;

/// kube-proxy's ServicePortName plus the protocol: the key rules are made for.
struct ServicePortName {
  std::string namespace_;
  std::string name;
  std::string port_name;  // empty for a single unnamed port
  model::Protocol protocol = model::Protocol::TCP;

  /// "default/app2-svc:http", or "default/app2-svc" for an unnamed port, as kube-proxy
  /// prints it in rule comments (ServicePortName.String()).
  std::string str() const;
  bool operator==(const ServicePortName&) const = default;
};

/// One endpoint of a Service port, as kube-proxy sees it. 20 bytes: the limits cluster has
/// 150,000 of them (its KUBE-SEP chain name is ProxyServicePort::sep_chain(), computed when a
/// trace asks for it).
struct ProxyEndpoint {
  core::Ipv4 ip;
  std::int32_t port = 0;
  /// Slot in ClusterState::nodes of the endpoint's nodeName (what "local" means to
  /// kube-proxy); kNoIndex when the slice gives no nodeName or names an unknown node.
  std::uint32_t node_index = kNoIndex;
  /// Slot in ClusterState::pods (from targetRef, else from the pod IP); kNoIndex for an
  /// address outside the cluster (a manual EndpointSlice/Endpoints to an outside host).
  std::uint32_t pod_slot = kNoIndex;
  bool ready = true;
  bool serving = true;
  bool terminating = false;

  /// "10.244.0.7:8080".
  std::string str() const;
};

/// The Local-policy endpoints of one node for one Service port.
struct NodeLocalEndpoints {
  std::uint32_t node_index = kNoIndex;
  /// The node's ready endpoints, or when it has none its serving+terminating ones (never
  /// empty): `count` indices into ProxyServicePort::endpoints, stored from `first` in
  /// ProxyServicePort::local_indices (ProxyServicePort::endpoints_of gives them).
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  /// Distinct IPs of the node's ready endpoints (what the health check counts).
  std::uint32_t ready_ips = 0;
  /// True when the endpoints are the serving+terminating fallback.
  bool terminating_fallback = false;
};

/// A topology-hint bucket: the ready endpoints whose hints name one zone or one node.
struct HintBucket {
  std::string key;                       // zone name or node name
  std::vector<std::uint32_t> endpoints;  // indices into ProxyServicePort::endpoints
};

/// Everything kube-proxy programs for one Service port.
struct ProxyServicePort {
  ServicePortName name;
  /// name.str(), kept because every trace line and reject comment uses it.
  std::string name_str;
  /// A 64-bit key of the name, stable across rebuilds of the tables (ids are not): per-node
  /// state (conntrack, affinity) is kept by key. Unique within one build (checked).
  std::uint64_t key = 0;
  /// Slot of the Service in ClusterState::services.
  std::uint32_t service_slot = kNoIndex;
  model::ServiceType type = model::ServiceType::ClusterIP;

  core::Ipv4 cluster_ip;
  std::int32_t port = 0;
  std::int32_t node_port = 0;  // 0: none
  detail::CompactVec<core::Ipv4> external_ips;
  detail::CompactVec<core::Ipv4> load_balancer_ips;  // status.loadBalancer.ingress[].ip
  model::TrafficPolicy external_policy = model::TrafficPolicy::Cluster;  // unset = Cluster
  model::TrafficPolicy internal_policy = model::TrafficPolicy::Cluster;  // unset = Cluster
  model::SessionAffinity session_affinity = model::SessionAffinity::None;
  core::Duration affinity_timeout = core::Duration::seconds(10800);
  detail::CompactVec<core::Cidr> source_ranges;  // loadBalancerSourceRanges
  std::int32_t health_check_node_port = 0;

  /// Every endpoint from every slice of the Service whose port name and protocol match,
  /// deduplicated by ip:port, sorted by IP then port (the order rules are written in).
  detail::CompactVec<ProxyEndpoint> endpoints;
  /// The Cluster-policy list before topology: ready endpoints, else serving+terminating.
  detail::CompactVec<std::uint32_t> cluster_endpoints;
  /// True when cluster_endpoints is the serving+terminating fallback.
  bool cluster_terminating_fallback = false;
  /// Local-policy lists, only for nodes holding an endpoint; sorted by node_index. Their
  /// endpoint indices are in local_indices (one flat vector, not one per node). Built only
  /// when uses_local_endpoints() (as kube-proxy does): empty for Cluster-policy ports.
  detail::CompactVec<NodeLocalEndpoints> local_endpoints;
  detail::CompactVec<std::uint32_t> local_indices;
  /// Topology hints (TOPO): usable only when EVERY ready endpoint carries a zone hint
  /// (resp. a node hint). Buckets sorted by key; present only when usable.
  bool all_ready_have_zone_hints = false;
  bool all_ready_have_node_hints = false;
  std::vector<HintBucket> zone_buckets;
  std::vector<HintBucket> node_buckets;

  /// Chain names as the iptables proxier builds them (sha256 + base32 of the port name).
  /// Computed on each call (only traces print them): KUBE-SVC-..., KUBE-SVL-...,
  /// KUBE-EXT-..., KUBE-FW-..., and the KUBE-SEP-... chain of endpoint `endpoint`.
  std::string svc_chain() const;
  std::string svl_chain() const;
  std::string ext_chain() const;
  std::string fw_chain() const;
  std::string sep_chain(std::uint32_t endpoint) const;

  /// NodePort, externalIPs or LoadBalancer IPs: reachable from outside.
  bool externally_accessible() const {
    return node_port != 0 || !external_ips.empty() || !load_balancer_ips.empty();
  }
  /// internalTrafficPolicy or externalTrafficPolicy Local: the port routes (or answers
  /// health checks) by its per-node Local lists (svcInfo.UsesLocalEndpoints()).
  bool uses_local_endpoints() const {
    return internal_policy == model::TrafficPolicy::Local ||
           external_policy == model::TrafficPolicy::Local;
  }
  /// Any ready or serving+terminating endpoint anywhere (otherwise REJECT).
  bool has_endpoints() const { return !cluster_endpoints.empty(); }
  /// The Local-policy entry of a node, or nullptr when it holds no endpoint.
  const NodeLocalEndpoints* local_for(std::uint32_t node_index) const;
  /// The endpoint indices of a Local-policy entry of this port.
  std::span<const std::uint32_t> endpoints_of(const NodeLocalEndpoints& local) const {
    return {local_indices.data() + local.first, local.count};
  }
};

/// Which kind of Service address a destination matched.
enum class DestinationKind : std::uint8_t { cluster_ip, external_ip, load_balancer_ip, node_port };
std::string_view to_string(DestinationKind k);

/// A (destination ip, port, protocol) that matched a Service port.
struct VipMatch {
  ServicePortId port = kNoIndex;
  DestinationKind kind = DestinationKind::cluster_ip;
};

/// A node as kube-proxy knows it.
struct ProxyNode {
  std::string name;
  core::Ipv4 ip;
  std::string zone;
  bool ready = true;
  bool deleting = false;  // deletionTimestamp set
};

/// A Service with a healthCheckNodePort (LoadBalancer with externalTrafficPolicy Local).
struct HealthCheckService {
  std::string namespace_;
  std::string name;
  std::int32_t port = 0;  // the healthCheckNodePort
  /// Per node, distinct local ready endpoint IPs over all the Service's ports; only nodes
  /// with at least one, sorted by node index.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> local_ready;

  /// localEndpoints of the health check answer on this node.
  std::uint32_t local_ready_on(std::uint32_t node_index) const;
};

/// What an HTTP health check endpoint answers (kube-proxy's service health server).
struct HealthCheckResponse {
  int status = 200;  // 200 or 503
  std::string body;
  /// Sorted by name: Content-Type, X-Content-Type-Options, X-Load-Balancing-Endpoint-Weight.
  model::StringMap headers;
};

/// The kube-proxy tables of a cluster. Immutable once built; rebuild on every change.
class ServiceTables {
 public:
  /// Empty tables (nothing programmed).
  ServiceTables() = default;

  /// Builds the tables from a reconciled state. Never fails: objects kube-proxy would
  /// ignore (headless, ExternalName, no cluster IP yet, non-IPv4 slices, slice ports with
  /// no number) are skipped, as kube-proxy skips them.
  static ServiceTables build(const model::ClusterState& state);

  /// Every programmed Service port, sorted by (namespace, name, port name, protocol).
  const std::vector<ProxyServicePort>& ports() const { return ports_; }
  const ProxyServicePort& port(ServicePortId id) const { return ports_[id]; }
  /// The Service port with this key, if programmed.
  std::optional<ServicePortId> find(const ServicePortName& name) const;
  /// The Service port with this ProxyServicePort::key, if programmed.
  std::optional<ServicePortId> find_key(std::uint64_t key) const;
  /// The programmed ports of one Service, in ports() order (empty when none).
  std::vector<ServicePortId> ports_of_service(std::string_view ns, std::string_view name) const;

  /// The Service port whose cluster IP, external IP or LoadBalancer IP is ip:port/proto.
  std::optional<VipMatch> find_vip(core::Ipv4 ip, std::int32_t port, model::Protocol proto) const;
  /// True when ip is some Service's cluster IP (a packet to an unknown port there
  /// blackholes instead of passing through).
  bool is_cluster_ip(core::Ipv4 ip) const { return cluster_ips_.find(ip.value) != nullptr; }
  /// Some programmed port of the Service whose cluster IP is ip (to name it in traces).
  std::optional<ServicePortId> find_cluster_ip(core::Ipv4 ip) const;
  /// The Service port owning nodePort/proto.
  std::optional<ServicePortId> find_node_port(std::int32_t node_port, model::Protocol proto) const;
  /// The Service whose healthCheckNodePort is `port`, or nullptr.
  const HealthCheckService* find_health_check(std::int32_t port) const;

  /// Nodes by slot in ClusterState::nodes.
  const std::vector<ProxyNode>& nodes() const { return nodes_; }
  /// The node whose InternalIP is ip.
  std::optional<std::uint32_t> node_by_ip(core::Ipv4 ip) const;
  /// The node named name.
  std::optional<std::uint32_t> node_by_name(std::string_view name) const;
  /// The pod (slot in ClusterState::pods) with this pod IP; hostNetwork pods are not
  /// indexed (they share the node's IP).
  std::optional<std::uint32_t> pod_by_ip(core::Ipv4 ip) const;
  /// The node slot (in nodes()) of the pod in `slot` (slot in ClusterState::pods): its
  /// spec.nodeName resolved once per build, so the data plane never hashes a name per
  /// packet. kNoIndex when unscheduled, unknown or out of range.
  std::uint32_t node_of_pod(std::uint32_t slot) const {
    return slot < pod_nodes_.size() ? pod_nodes_[slot] : kNoIndex;
  }
  /// The cluster's pod CIDR (kube-proxy's local detector, --detect-local-mode ClusterCIDR).
  const core::Cidr& pod_cidr() const { return pod_cidr_; }

  /// The Cluster-policy endpoints of a Service port as seen from a node: topology hints
  /// applied when usable there (PreferSameNode, then PreferSameZone), else cluster_endpoints.
  /// `mode` receives "PreferSameNode", "PreferSameZone" or "" (no topology).
  std::span<const std::uint32_t> cluster_endpoints_for(ServicePortId id,
                                                          std::uint32_t node_index,
                                                          std::string_view* mode = nullptr) const;

  /// The health check answer of `hc` on a node, with kube-proxy healthy.
  HealthCheckResponse health_check_response(const HealthCheckService& hc,
                                            std::uint32_t node_index) const;
  /// Whether a cloud load balancer's health check of this node passes for a Service port:
  /// with externalTrafficPolicy Local, the healthCheckNodePort answers 200 (local ready
  /// endpoints > 0); with Cluster, kube-proxy's :10256/healthz answers 200 (node up and not
  /// being deleted).
  bool lb_health_check_passes(ServicePortId id, std::uint32_t node_index) const;

 private:
  std::vector<ProxyServicePort> ports_;
  std::vector<ProxyNode> nodes_;
  std::vector<HealthCheckService> health_checks_;
  core::Cidr pod_cidr_;
  // Hash indices: lookups only, never iterated.
  detail::FlatIndex<VipMatch> vips_;                             // (ip << 24) | (port << 8) | proto
  detail::FlatIndex<ServicePortId> node_ports_;                  // (nodePort << 8) | proto
  detail::FlatIndex<ServicePortId, std::uint32_t> cluster_ips_;  // ip -> some port
  detail::FlatIndex<std::uint32_t, std::uint32_t> node_ips_;
  detail::FlatIndex<std::uint32_t, std::uint32_t> pod_ips_;
  std::vector<std::uint32_t> pod_nodes_;  // pod slot -> node slot
  detail::FlatIndex<ServicePortId> by_key_;
  std::unordered_map<std::int32_t, std::uint32_t> health_check_ports_;  // -> health_checks_
  std::unordered_map<std::string, std::uint32_t, detail::StringHash, std::equal_to<>> node_names_;
};

/// ProxyServicePort::key of a Service port name.
std::uint64_t service_port_key(const ServicePortName& name);

/// kube-proxy's chain name: prefix + the first 16 base32 characters of
/// sha256(servicePortName + protocol [+ endpoint]) (proxier.go portProtoHash).
std::string proxy_chain_name(std::string_view prefix, std::string_view service_port_name,
                             model::Protocol protocol, std::string_view endpoint = {});

}  // namespace podhop::controllers
