#pragma once
// The network of one cluster: what the data plane derives from the ClusterState once per
// change (kube-proxy tables, the DNS zone and server, the apps of every pod, one kube-proxy
// per node), where every address lives, and how long a packet takes between two places.
//
// Every question here is a hash lookup or an index: the pipeline asks them per packet.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "podhop/controllers/dns_zone.hpp"
#include "podhop/controllers/tables.hpp"
#include "podhop/core/check.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/dataplane/app_queue.hpp"
#include "podhop/dataplane/apps.hpp"
#include "podhop/dataplane/dns.hpp"
#include "podhop/dataplane/kube_proxy.hpp"
#include "podhop/dataplane/request.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::dataplane {

using controllers::kNoIndex;

/// What kind of thing owns an address.
enum class PlaceKind : std::uint8_t {
  pod,              // a pod IP (hostNetwork pods share their node's IP: node)
  node,             // a node's InternalIP
  external_host,    // a host of the simulated internet (Cluster externalHosts)
  upstream_dns,     // the nodes' upstream resolver (ClusterConfig::node_nameserver)
  external_client,  // the client outside the cluster (issue 4 makes it a full peer)
  nowhere,          // nobody: packets to it are lost
};
std::string_view to_string(PlaceKind k);

/// Where an address lives.
struct Place {
  PlaceKind kind = PlaceKind::nowhere;
  std::uint32_t node = kNoIndex;  // the node for pods and nodes
  std::uint32_t pod = kNoIndex;   // slot in ClusterState::pods
  std::uint32_t host = kNoIndex;  // index in ClusterConfig::external_hosts

  /// Inside the cluster's network (a pod or a node).
  bool in_cluster() const { return kind == PlaceKind::pod || kind == PlaceKind::node; }
};

/// A client resolved against the cluster: its address, node and resolver configuration.
struct Client {
  ClientKind kind = ClientKind::pod;
  std::string name;  // "default/app1", "minikube", "external"
  core::Ipv4 ip;
  std::uint32_t node = kNoIndex;  // the node it runs on; kNoIndex for external clients
  std::uint32_t pod = kNoIndex;   // slot in ClusterState::pods
  std::string node_name;          // empty for external clients
  /// What kube-proxy calls this source (pod IPs are in the cluster CIDR; hostNetwork pods
  /// and nodes are the node itself).
  SourceKind source_kind = SourceKind::pod;
  std::shared_ptr<const ResolvConf> resolv_conf;
  std::shared_ptr<const HostsFile> hosts;  // null for nodes and external clients
};

/// Why a client could not be found, in kubectl's words.
struct ClientError {
  std::string message;  // `pods "x" not found`, `nodes "x" not found`
};

/// The address of the simulated outside client (the host running minikube).
inline constexpr std::string_view kExternalClientIp = "192.168.49.1";

/// The derived data plane of a cluster. Not copyable or movable: stages keep pointers into
/// it. Call rebuild() after every change of the state.
class Network {
 public:
  /// Builds everything from a reconciled state. `state` must outlive the Network.
  Network(const model::ClusterState& state, std::uint64_t seed);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  /// Rebuilds the derived tables from `state` (which must outlive the Network). Kube-proxy
  /// state (conntrack, affinity) carries over to nodes that still exist.
  void rebuild(const model::ClusterState& state);

  // --- Propagation (docs/time.md). By default a rebuild reaches every kube-proxy and the
  // --- ingress view at once (one-shot commands). With deferred propagation, the cluster
  // --- clock decides when: each node's kube-proxy keeps running the rules it was last
  // --- programmed with until program_node(), and the ingress view keeps the state of an
  // --- earlier rebuild until program_ingress().

  /// Turns deferred propagation on or off (off: everything is brought up to date now).
  void set_deferred_propagation(bool deferred);
  bool deferred_propagation() const { return deferred_; }
  /// Programs node's kube-proxy with the tables of build `generation` (the newest when it
  /// is 0 or no longer kept). A generation older than what the node runs changes nothing.
  void program_node(std::uint32_t node, std::uint64_t generation = 0);
  /// The generation of the tables node's kube-proxy runs.
  std::uint64_t node_generation(std::uint32_t node) const;
  /// The ingress view becomes the state of build `generation` (0: the newest).
  void program_ingress(std::uint64_t generation = 0);
  /// True when every kube-proxy and the ingress view run the newest build.
  bool fully_propagated() const;
  /// What the ingress controller sees: the state and tables of the build it was last
  /// programmed with (the newest unless propagation is deferred). Its router rebuilds when
  /// ingress_generation() changes.
  const model::ClusterState& ingress_state() const;
  const controllers::ServiceTables& ingress_tables() const;
  std::uint64_t ingress_generation() const { return ingress_generation_; }

  const model::ClusterState& state() const { return *state_; }
  /// Counts the builds: 1 after construction, +1 per rebuild(). Stages that derive their own
  /// tables from the state (the ingress controller) rebuild them when this changes.
  std::uint64_t generation() const { return generation_; }
  const model::ClusterConfig& config() const { return state_->config; }
  /// The newest tables: where every address is now. Each kube-proxy routes with its own
  /// (possibly older) copy.
  const controllers::ServiceTables& tables() const { return *tables_; }
  const controllers::DnsZone& zone() const { return *zone_; }
  const DnsServer& dns_server() const { return *dns_; }
  const UpstreamResolver& upstream() const { return *upstream_; }
  const AppCatalog& apps() const { return apps_; }
  /// The kube-proxy of node slot `node`. Created on first use (most of 5,000 nodes never
  /// see a connection); its random stream is named after the node, so when it is created
  /// changes nothing.
  KubeProxy& proxy(std::uint32_t node) {
    PODHOP_CHECK(node < proxies_.size(), "node slot out of range");
    if (!proxies_[node]) create_proxy(node);
    return *proxies_[node];
  }
  std::size_t node_count() const { return proxies_.size(); }
  /// The nodes a cloud load balancer (or the route to an external IP) may hand a new
  /// connection for Service port `id` (an id of tables()) to: those whose kube-proxy's
  /// health check passes, ascending. Computed once per port and kept until the tables or
  /// a node's programming change, so a connection from outside does not ask 5,000 nodes.
  const std::vector<std::uint32_t>& lb_nodes(controllers::ServicePortId id) const;
  const std::string& node_name(std::uint32_t node) const;
  core::Ipv4 node_ip(std::uint32_t node) const;

  /// Who owns `ip`.
  Place locate(core::Ipv4 ip) const;
  /// One-way latency of a packet from a place on `from_node` (kNoIndex: outside the
  /// cluster) to `to`: same node, cross node, or the external latency when either end is
  /// outside the cluster.
  core::Duration latency(std::uint32_t from_node, const Place& to) const {
    switch (to.kind) {
      case PlaceKind::pod:
      case PlaceKind::node:
        return latency(from_node, to.node);
      case PlaceKind::upstream_dns:
        // The nodes' resolver sits on the nodes' own network (minikube's host gateway).
        return latency_.same_node;
      case PlaceKind::external_host:
      case PlaceKind::external_client:
      case PlaceKind::nowhere:
        return latency_.external;
    }
    return latency_.external;
  }
  /// One-way latency between two nodes (kNoIndex: outside).
  core::Duration latency(std::uint32_t from_node, std::uint32_t to_node) const {
    if (from_node == kNoIndex || to_node == kNoIndex) return latency_.external;
    return from_node == to_node ? latency_.same_node : latency_.cross_node;
  }
  /// "same node minikube", "minikube -> node-b", "minikube -> the simulated internet".
  std::string describe_path(std::uint32_t from_node, std::uint32_t to_node) const;

  /// The pod's name as "namespace/name".
  std::string pod_name(std::uint32_t pod) const;
  /// Writes pod_name(pod) into `out` (replacing what it held), reusing its memory.
  void assign_pod_name(std::uint32_t pod, std::string& out) const;
  /// True while the pod in `slot` still has `ip` and has not gone: a request holding the slot
  /// across events checks it before it reads the pod (the pod may have exited meanwhile;
  /// then a connection to it is reset, a new SYN to its IP finds nobody).
  bool pod_alive(std::uint32_t slot, core::Ipv4 ip) const;

  /// CoreDNS pod `server_pod` answering `query` at `now`, through its cache: answers of the
  /// cluster domain are kept for Timing::dns_cache (at most their TTL) when that is set, and
  /// served from the cache with their TTL counted down. Without the cache it is
  /// dns_server().answer(query).
  DnsAnswer dns_answer(std::uint32_t server_pod, const DnsQuery& query, core::SimTime now);
  /// The same answer, shared: without the cache (or on a miss) it is the server's own
  /// cached answer, so the caller copies nothing. Bulk traffic should call this one.
  std::shared_ptr<const DnsAnswer> dns_answer_shared(std::uint32_t server_pod,
                                                     const DnsQuery& query, core::SimTime now);

  /// The worker pool and queue of container `container` (index in PodApps::containers) of
  /// the pod in `slot`, or nullptr when its app has no capacity limit (every request is
  /// served at once). Kept per pod across rebuilds; dropped once the pod is gone and its slot
  /// compacted.
  AppQueue* app_queue(std::uint32_t slot, std::uint32_t container);

  /// Resolves a client. Pods must exist and have an IP, nodes must exist.
  std::optional<Client> client(const ClientRef& ref, ClientError* error = nullptr) const;
  /// The client a pod's app uses when it forwards (cached per pod).
  std::optional<Client> pod_client(std::uint32_t pod) const;

  /// Next ephemeral port for a source address: 40001, 40002... per address, so traces read
  /// the same on every run.
  std::uint16_t ephemeral_port(core::Ipv4 source);

 private:
  void build(const model::ClusterState& state);
  void create_proxy(std::uint32_t node);

  // One build's tables, kept while a kube-proxy or the ingress view still uses them.
  struct Build {
    std::uint64_t generation = 0;
    std::shared_ptr<const controllers::ServiceTables> tables;
    std::shared_ptr<const model::ClusterState> state;  // a copy, for the ingress view only
  };
  const Build* find_build(std::uint64_t generation) const;
  void drop_unused_builds();

  const model::ClusterState* state_ = nullptr;
  std::uint64_t seed_ = 1;
  std::uint64_t generation_ = 0;
  bool deferred_ = false;
  std::shared_ptr<const controllers::ServiceTables> tables_;
  std::vector<Build> builds_;  // oldest first, the newest last
  std::vector<std::shared_ptr<const controllers::ServiceTables>> node_tables_;
  std::vector<std::uint64_t> node_generation_;
  std::shared_ptr<const controllers::ServiceTables> ingress_tables_;
  std::shared_ptr<const model::ClusterState> ingress_state_;  // null: the live state
  std::uint64_t ingress_generation_ = 0;
  struct CachedAnswer {
    std::shared_ptr<const DnsAnswer> answer;  // shared with the server's own cache
    core::SimTime stored;
    core::SimTime expires;
  };
  std::unordered_map<std::string, CachedAnswer> dns_cache_;                  // lookups only
  std::unordered_map<std::uint64_t, std::unique_ptr<AppQueue>> app_queues_;  // lookups only
  std::unique_ptr<controllers::DnsZone> zone_;
  std::unique_ptr<DnsServer> dns_;
  std::unique_ptr<UpstreamResolver> upstream_;
  AppCatalog apps_;
  // Per node slot; null until proxy() first asks for it.
  std::vector<std::unique_ptr<KubeProxy>> proxies_;
  KubeProxyConfig proxy_config_;
  std::unordered_map<core::Ipv4, std::uint32_t> external_hosts_;  // ip -> index
  core::Ipv4 external_client_ip_;
  model::Latency latency_;  // config().latency, read per packet
  // lb_nodes() by Service port id of tables(); emptied whenever a node's rules change.
  mutable std::unordered_map<controllers::ServicePortId, std::vector<std::uint32_t>> lb_nodes_;
  // Per pod slot, its resolver files, filled on first use (lookups only): a map, as few of
  // 150,000 pods are ever a client.
  struct ResolverFiles {
    std::shared_ptr<const ResolvConf> resolv_conf;
    std::shared_ptr<const HostsFile> hosts;
  };
  mutable std::unordered_map<std::uint32_t, ResolverFiles> resolver_files_;
  std::shared_ptr<const ResolvConf> node_resolv_;
  std::unordered_map<core::Ipv4, std::uint16_t> next_port_;  // lookups only
};

}  // namespace podhop::dataplane
