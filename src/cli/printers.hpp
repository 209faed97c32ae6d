#pragma once
// kubectl-like output: the text/tabwriter table layout, ages, timestamps, the resource kinds
// and their names, objects as the API server returns them (JSON), and the YAML and JSON
// text kubectl prints for them.
//
// Everything here is a pure function of a ClusterState, so printers are tested on
// hand-built states without loading manifests.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podhop/core/time.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::cli {

using Json = nlohmann::ordered_json;

/// The Kubernetes version podhop simulates: `version`, node VERSION and nodeInfo show it.
inline constexpr std::string_view kKubernetesVersion = "v1.30.0";
/// podhop's own version (the CMake project version).
std::string_view podhop_version();

// ---------------------------------------------------------------------------------------
// Layout

/// Lays out text as Go's text/tabwriter does with flags 0 and ' ' as padding character
/// (kubectl get uses padding 3, kubectl describe padding 2): cells end at '\t', each
/// column of a block of consecutive lines is as wide as its widest cell plus `padding`,
/// and the last cell of a line is never padded.
std::string tabwrite(std::string_view text, int padding);

/// A table as kubectl get prints it: a header row and rows of cells.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  /// The table through tabwrite(padding 3), with a trailing newline per row.
  std::string str() const;
};

// ---------------------------------------------------------------------------------------
// Time

/// kubectl's duration.HumanDuration: "0s", "119s", "2m5s", "15m", "3h20m", "2d3h", "3y".
std::string human_duration(core::Duration d);

/// AGE of something created at `created`: human_duration(state.now - created).
std::string age(const model::ClusterState& state, core::SimTime created);

/// The wall-clock instant a simulated time stands for in timestamps: simulated time 0 is
/// 2025-01-01T00:00:00Z, so outputs never depend on when podhop runs.
/// RFC 3339 ("2025-01-01T00:00:05Z"), as in creationTimestamp.
std::string rfc3339(core::SimTime t);
/// RFC 1123 with numeric zone ("Wed, 01 Jan 2025 00:00:05 +0000"), as in kubectl describe.
std::string rfc1123z(core::SimTime t);

// ---------------------------------------------------------------------------------------
// Resource kinds

enum class Resource : std::uint8_t {
  pods,
  services,
  endpoints,
  endpoint_slices,
  ingresses,
  ingress_classes,
  nodes,
  deployments,
  replica_sets,
  stateful_sets,
  daemon_sets,
  replication_controllers,
  namespaces,
  secrets,
  events,
};

/// What kubectl knows about a resource type.
struct ResourceInfo {
  Resource resource;
  std::string_view plural;       // "pods"
  std::string_view singular;     // "pod"
  std::string_view short_name;   // "po"; empty when none
  std::string_view kind;         // "Pod"
  std::string_view group;        // "" for the core group, "apps", "networking.k8s.io"...
  std::string_view api_version;  // "v1", "apps/v1"
  bool namespaced = true;

  /// "pod", "deployment.apps", "ingress.networking.k8s.io": the -o name prefix.
  std::string qualified_singular() const;
};

/// Every resource podhop lists, in kubectl's discovery order.
const std::vector<ResourceInfo>& resources();

/// The resource named by `name` as kubectl accepts it: plural, singular, short name or Kind
/// (any case), optionally qualified by its group ("deployments.apps"). nullptr when unknown.
const ResourceInfo* find_resource(std::string_view name);

const ResourceInfo& resource_info(Resource r);

/// One object of the state, whatever its kind. Events have no ObjectMeta: `meta` is null
/// and `object` points to a model::Event.
struct Item {
  const ResourceInfo* info = nullptr;
  const model::ObjectMeta* meta = nullptr;
  const void* object = nullptr;
  /// Keeps `object` alive when it is a value made for the listing (an Event: the log keeps
  /// compact records, not Event objects).
  std::shared_ptr<const void> keep;

  template <typename T>
  const T& as() const {
    return *static_cast<const T*>(object);
  }
  const std::string& name() const;
  const std::string& namespace_() const;
};

/// The objects of one resource sorted by (namespace, name), those of namespace `ns` only
/// when it is set (cluster-scoped kinds ignore it). Events are sorted by namespace and,
/// within one, come in the order they happened.
std::vector<Item> list_items(const model::ClusterState& state, const ResourceInfo& info,
                             const std::optional<std::string>& ns);

/// The object named `name` in `ns`; nullopt when it does not exist.
std::optional<Item> find_item(const model::ClusterState& state, const ResourceInfo& info,
                              const std::string& ns, const std::string& name);

/// A label selector as `kubectl -l` takes it: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
/// `a in (x,y)`, `a notin (x)`, joined by commas. nullopt with `error` set when invalid.
std::optional<model::LabelSelector> parse_label_selector(std::string_view text, std::string* error);

// ---------------------------------------------------------------------------------------
// What kubectl derives from objects

/// The node a pod runs on: spec.nodeName, else the node holding its hostIP; "" when the
/// pod is not scheduled.
std::string pod_node_name(const model::ClusterState& state, const model::Pod& pod);

/// A node's labels as the kubelet registers them (kubernetes.io/hostname, os, arch, the
/// control-plane role on the first node, the zone) merged with its own.
model::StringMap node_labels(const model::ClusterState& state, const model::Node& node);

/// ROLES of a node from its node-role.kubernetes.io/* labels, "<none>" when it has none.
std::string node_roles(const model::StringMap& labels);

/// How many of a pod's containers are ready ("1/1" is ready_containers/containers).
int ready_containers(const model::Pod& pod);
int container_count(const model::Pod& pod);

/// STATUS as `kubectl get pods` shows it: Terminating, the status reason, or the phase.
std::string pod_status_text(const model::Pod& pod);

/// The pods whose controller is (kind, namespace, name), in name order.
std::vector<const model::Pod*> owned_pods(const model::ClusterState& state,
                                          std::string_view owner_kind, std::string_view ns,
                                          std::string_view owner_name);

/// Replica counts of a workload, as its status reports them.
struct ReplicaCounts {
  int desired = 0;
  int current = 0;    // pods that exist
  int ready = 0;      // ready pods
  int updated = 0;    // pods of the newest template
  int available = 0;  // ready pods (minReadySeconds is 0 once settled)
};

/// The counts of a Deployment (over its ReplicaSets), ReplicaSet, StatefulSet, DaemonSet or
/// ReplicationController given as an Item.
ReplicaCounts replica_counts(const model::ClusterState& state, const Item& item);

/// The ReplicaSets a Deployment owns, newest (highest creation index) first.
std::vector<const model::ReplicaSet*> deployment_replica_sets(const model::ClusterState& state,
                                                              const model::Deployment& d);

/// The ClusterIP a Service shows: the address, "None" when headless, "" when it has none.
std::string cluster_ip_text(const model::Service& svc);

/// The EXTERNAL-IP cell of `get services` (getServiceExternalIP).
std::string service_external_ip(const model::Service& svc, bool wide);

/// The PORT(S) cell of `get services`: "8888/TCP", "80:30008/TCP", joined by ','.
std::string service_ports_text(const model::Service& svc);

/// ENDPOINTS of an Endpoints object: "ip:port" joined by ',', "+ N more..." past three,
/// "<none>". When `port_names` is set only the ports with those names count.
std::string format_endpoints(const model::Endpoints& ep,
                             const std::vector<std::string>* port_names = nullptr);

/// The load-balancer addresses "ip,ip" (hostname where there is no IP).
std::string load_balancer_text(const std::vector<model::LoadBalancerIngress>& lb);

// ---------------------------------------------------------------------------------------
// Objects as JSON

/// The object as the API server returns it: apiVersion, kind, metadata, spec and status
/// with the fields the controllers derived (clusterIP(s), nodePort, podIP, conditions...).
Json api_json(const model::ClusterState& state, const Item& item);

/// The name podhop gives an Event ("app1.000000000000000c": the object and its position).
std::string event_name(const model::ClusterState& state, const model::Event& event);

/// A `kind: List` of objects, as kubectl prints several objects.
Json list_json(std::vector<Json> items);

/// Standard base64 (with padding).
std::string base64_encode(std::string_view data);

// ---------------------------------------------------------------------------------------
// Text formats

/// YAML as `kubectl -o yaml` prints it (go-yaml v2 through sigs.k8s.io/yaml): keys sorted,
/// sequences not indented under their key, strings quoted only when YAML would read them
/// as something else, long plain strings folded at 80 columns.
std::string to_yaml(const Json& doc);

/// JSON as `kubectl -o json` prints it: 4-space indent, '<', '>' and '&' escaped as Go's
/// encoder does, and a trailing newline.
std::string to_json_text(const Json& doc);

/// "a=1,b=2", or "<none>" for an empty map: labels.FormatLabels.
std::string format_labels(const model::StringMap& labels);

}  // namespace podhop::cli
