#pragma once
// What one reconcile run shares between the controllers: the state, the options, the
// diagnostics, the node index and the event recorder. Private to controllers/.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "podhop/controllers/reconcile.hpp"
#include "podhop/controllers/revisions.hpp"
#include "podhop/core/diagnostic.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers::detail {

// Event sources as `kubectl describe` shows them in the "From" column.
inline constexpr std::string_view kScheduler = "default-scheduler";
inline constexpr std::string_view kKubelet = "kubelet";
inline constexpr std::string_view kDeploymentController = "deployment-controller";
inline constexpr std::string_view kReplicaSetController = "replicaset-controller";
inline constexpr std::string_view kReplicationController = "replication-controller";
inline constexpr std::string_view kStatefulSetController = "statefulset-controller";
inline constexpr std::string_view kDaemonSetController = "daemonset-controller";
inline constexpr std::string_view kLoadBalancerController = "metallb-controller";

// Well-known labels.
inline constexpr std::string_view kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr std::string_view kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr std::string_view kSliceController = "endpointslice-controller.k8s.io";
inline constexpr std::string_view kMirroringController = "endpointslicemirroring-controller.k8s.io";
inline constexpr std::string_view kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
inline constexpr std::string_view kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";

/// The object an event is about, as views of its words: recording an event copies no string.
struct EventRef {
  std::string_view kind;
  std::string_view namespace_;
  std::string_view name;
};

/// Mutable context of one reconcile() call.
struct Context {
  Context(model::ClusterState& s, const ReconcileOptions& o);

  model::ClusterState& state;
  const ReconcileOptions& options;
  core::Diagnostics diags;
  /// The words the objects a reconcile creates repeat (apiVersion, owner kinds, a
  /// ReplicaSet's generateName): one shared block each for this run.
  model::StringPool words;

  /// Slots in state.nodes by node index (node i at position i). Filled by the node
  /// controller; the nodes table is not modified afterwards, so the slots stay valid.
  std::vector<std::uint32_t> node_slots;
  /// Node name -> node index.
  std::unordered_map<std::string, std::uint32_t> node_index;

  /// The node index of every pod, by slot in state.pods (-1: unbound or unknown node).
  /// Filled by the scheduler; pods are neither added nor removed after it, so the slots
  /// stay valid for the rest of the run. Saves a name lookup per pod in every later pass.
  std::vector<std::int32_t> pod_node;

  /// A spec shared by templates that have none (a bug in the caller's input, handled
  /// gracefully rather than crashing).
  std::shared_ptr<const model::PodSpec> empty_spec;

  /// The node with this index.
  const model::Node& node_at(std::uint32_t index) const { return state.nodes[node_slots[index]]; }
  /// The node called name, or nullptr.
  const model::Node* node_named(std::string_view name) const;
  /// The index of the node called name, or -1.
  std::int64_t index_of_node(std::string_view name) const;

  /// The shared block of a name (a pod's, a node's) for this run: the pod's events, its
  /// EndpointSlice endpoint and its legacy address all hold this one block.
  const model::SharedStr& shared_name(std::string_view name);

  /// The shared block of the name of the node with this index: the pods on a node hold one.
  const model::SharedStr& node_name_block(std::uint32_t index);

  /// A map with the entries of m, shared with every earlier map of this run that has the
  /// same entries (the annotations of ReplicaSets of one Deployment annotation set and size).
  model::StringMap shared_map(const model::StringMap& m);

  /// Metadata for an object a controller creates now: stamped with the next creation index
  /// and the current simulated time.
  model::ObjectMeta new_meta(std::string ns, std::string name, std::string api_version);

  /// Records an event about `involved` (when options.record_events).
  /// `message_arg` is the word of the message that varies between events of one kind (see
  /// model::EventDraft); empty means the involved object's name.
  void event(const EventRef& involved, std::string_view type, std::string_view reason,
             std::string_view message, std::string_view source, std::string_view message_arg = {});
  /// Records a Warning unless an identical one about the same object is already recorded:
  /// a condition that lasts across reconciles stays one event (kubectl shows it once, with
  /// a count), which keeps reconcile idempotent.
  void warning_once(EventRef involved, std::string_view reason, std::string message,
                    std::string_view source);

 private:
  static std::string event_key(std::string_view kind, std::string_view ns, std::string_view name,
                               std::string_view reason, std::string_view message);
  std::unordered_set<std::string> warnings_seen_;   // lookups only
  std::vector<model::SharedStr> node_name_blocks_;  // by node index, filled on first use
  model::SharedStr last_shared_;                    // shared_name's last answer
  std::map<std::string, model::StringMap, std::less<>> shared_maps_;  // lookups only
  bool warnings_indexed_ = false;
};

/// The object an event is about: `kind` and the object's metadata (which must outlive it).
EventRef ref(std::string_view kind, const model::ObjectMeta& meta);

/// "ns/name", the key kubectl messages and events use.
std::string ns_name(std::string_view ns, std::string_view name);

// The controllers, in the order reconcile() runs them.
void reconcile_nodes(Context& ctx);
void reconcile_namespaces(Context& ctx);
void ensure_system_objects(Context& ctx);
void reconcile_workloads(Context& ctx);
void schedule_pods(Context& ctx);
void assign_pod_ips(Context& ctx);
void update_pod_status(Context& ctx);
void allocate_service_addresses(Context& ctx);
void reconcile_endpoints(Context& ctx);
void reconcile_ingresses(Context& ctx);

/// True for objects podhop made itself (system objects, derived objects): they carry no
/// source location. Only those are garbage-collected or refreshed.
inline bool made_by_podhop(const model::ObjectMeta& meta) {
  return !meta.source.known();
}

}  // namespace podhop::controllers::detail
