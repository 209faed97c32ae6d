#pragma once
// podhop's own kinds (apiVersion podhop.dev/v1alpha1): Cluster and App. Scenario lives in
// the scenario module's types (it is read by manifest/ too, see model/scenario.hpp when it
// exists).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/meta.hpp"

namespace podhop::model {

enum class ProxyMode : std::uint8_t { iptables, ipvs };
std::string_view to_string(ProxyMode m);

struct ClusterNodeConfig {
  std::string name;
  std::optional<core::Ipv4> ip;  // default 192.168.49.2, .3, ... in order
  std::string zone;
  StringMap labels;
};

struct ExternalHost {
  std::string name;
  core::Ipv4 ip;
};

struct Latency {
  core::Duration same_node = core::Duration::micros(50);
  core::Duration cross_node = core::Duration::micros(300);
  core::Duration external = core::Duration::millis(20);
};

/// spec.timing: how long things take once the cluster runs in simulated time (after load,
/// through Simulation's time API). docs/time.md gives each default with its source.
struct Timing {
  /// A pod scheduled and given its IP -> its containers run (image present: kubelet creates
  /// the sandbox and starts the containers).
  core::Duration container_start = core::Duration::seconds(1);
  /// An API change -> the controllers have reacted (ReplicaSet creates or removes pods,
  /// EndpointSlices rewritten, rollout steps).
  core::Duration controller_delay = core::Duration::millis(100);
  /// An EndpointSlice change -> a node's kube-proxy has programmed it (each node on its own).
  core::Duration endpoint_propagation = core::Duration::seconds(1);
  /// Each node adds its own uniform draw in [0, jitter) to endpoint_propagation for every
  /// change (stream "kube-proxy-sync/<node>"), so nodes program at different times.
  core::Duration propagation_jitter;
  /// An EndpointSlice or Ingress change -> ingress-nginx has reloaded its backends.
  core::Duration ingress_propagation = core::Duration::seconds(1);
  /// How long CoreDNS caches answers of the cluster domain: 0 (kubeadm >= 1.32 writes
  /// `cache 30 { disable success cluster.local; disable denial cluster.local }`); set it to
  /// 30s for the older Corefile, whose plain `cache 30` kept `ttl 30` answers 30 s.
  core::Duration dns_cache;
};

/// kind: Cluster. Every field has the documented default, so an absent Cluster object is
/// the same as `ClusterConfig{}` with the defaults applied by `with_defaults()`.
struct ClusterConfig {
  std::string name = "podhop";
  core::SourceLocation source;
  bool declared = false;                 // a Cluster object was given
  std::vector<ClusterNodeConfig> nodes;  // empty: one node "node-1" (see with_defaults)
  core::Cidr pod_cidr = *core::Cidr::parse("10.244.0.0/16");
  core::Cidr service_cidr = *core::Cidr::parse("10.96.0.0/12");
  std::string cluster_domain = "cluster.local";
  ProxyMode proxy_mode = ProxyMode::iptables;
  std::vector<std::string> addons;
  /// loadBalancer: "pending" (no pool) or a range "a.b.c.d-a.b.c.e".
  bool load_balancer_pending = true;
  core::Ipv4 lb_pool_first;
  core::Ipv4 lb_pool_last;
  std::vector<ExternalHost> external_hosts;  // example.com added by with_defaults
  Latency latency;
  Timing timing;
  std::int32_t node_port_min = 30000;
  std::int32_t node_port_max = 32767;
  /// The node's own resolv.conf search domains (appended to pods' ClusterFirst search).
  std::vector<std::string> node_search_domains;
  /// The upstream resolver the nodes use (what Default pods get as nameserver).
  core::Ipv4 node_nameserver = *core::Ipv4::parse("192.168.49.1");

  bool has_addon(std::string_view addon) const;
};

/// Fills in what an absent field means: one node "node-1", example.com as external host.
void apply_cluster_defaults(ClusterConfig& config);

/// `respond`: a fixed answer.
struct AppRespond {
  std::int32_t status = 200;
  std::string body;
  StringMap headers;
  core::Duration latency;
};

/// `forward`: make a request through the whole path and answer with what came back.
struct AppForward {
  std::string url;  // may hold $(VAR) references, expanded from the container env
  std::string method = "GET";
  StringMap headers;
};

/// How long one request keeps a worker busy.
enum class ServiceTimeDistribution : std::uint8_t {
  fixed,        // always `service_time`
  exponential,  // exponentially distributed with mean `service_time`
};
inline std::string_view to_string(ServiceTimeDistribution d) {
  return d == ServiceTimeDistribution::exponential ? "exponential" : "fixed";
}

/// How much work an app can do at once (issue 5, "Load"): `workers` requests are served at
/// a time, the others wait in a queue of at most `queue` (then 503). Per pod.
struct AppCapacity {
  core::Duration service_time;  // per request (the mean for exponential); 0 = instantaneous
  ServiceTimeDistribution distribution = ServiceTimeDistribution::fixed;
  std::int32_t workers = 0;  // 0 = unlimited
  std::int32_t queue = -1;   // -1 = unbounded; beyond it the app answers 503
  /// True when the app has any limit or cost (otherwise requests never wait).
  bool limited() const { return workers > 0 || service_time.ns > 0; }
};

/// kind: App — what a container image does when it receives a request.
struct AppSpec {
  std::string image;  // exact, or a pattern ending in '*'
  std::optional<AppRespond> respond;
  std::optional<AppForward> forward;
  std::vector<std::int32_t> ports;  // listening ports when the container declares none
  AppCapacity capacity;
};

struct App {
  ObjectMeta meta;
  AppSpec spec;
};

}  // namespace podhop::model
