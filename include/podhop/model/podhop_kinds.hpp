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

/// kind: Cluster. Every field has the documented default, so an absent Cluster object is
/// the same as `ClusterConfig{}` with the defaults applied by `with_defaults()`.
struct ClusterConfig {
  std::string name = "podhop";
  core::SourceLocation source;
  bool declared = false;  // a Cluster object was given
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

/// How much work an app can do at once (issue: scenarios under load).
struct AppCapacity {
  core::Duration service_time;  // per request; 0 = instantaneous
  std::int32_t workers = 0;     // 0 = unlimited
  std::int32_t queue = -1;      // -1 = unbounded; beyond it the app answers 503
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
