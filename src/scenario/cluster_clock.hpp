#pragma once
// The cluster clock: what makes the cluster change over simulated time once it is loaded.
//
// It plays kubelet (containers start after Timing::container_start, readiness from the
// readinessProbe, graceful termination with preStop and the grace period), the controllers
// (one reconcile() without settling, Timing::controller_delay after an API change: a
// ReplicaSet replaces pods, a rolling update takes its next step, EndpointSlices are
// rewritten) and the propagation of what the controllers wrote (each node's kube-proxy
// after Timing::endpoint_propagation plus its own jitter, ingress-nginx after
// Timing::ingress_propagation). docs/time.md describes the model and its sources.
//
// Everything runs as events on the Simulation's one engine::Simulator: a handler captures
// the clock and a 64-bit id, never a std::function. Pods are known by their creation_index
// (unique in a cluster), so an event meant for a pod that has been replaced finds nothing.
//
// Slots: a pod that has gone stays in ClusterState::pods as a tombstone (Pod::removed)
// until no request is in flight and every kube-proxy and the ingress view run the newest
// rules; then compact() erases the tombstones and rebuilds the data plane. So a request that
// holds a pod slot across events never sees another pod there (docs/time.md, "Slots").

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "podhop/core/rng.hpp"
#include "podhop/core/time.hpp"
#include "podhop/engine/simulator.hpp"
#include "podhop/simulation.hpp"

namespace podhop::scenario {

class ClusterClock {
 public:
  /// The clock of `impl`, which must outlive it (it lives inside it).
  explicit ClusterClock(Simulation::Impl& impl);
  ClusterClock(const ClusterClock&) = delete;
  ClusterClock& operator=(const ClusterClock&) = delete;

  /// The cluster was loaded and settled: forget every pending change.
  void reset();
  /// The API changed now (delete, scale, rollout): kubelet reacts at once (a deleted pod
  /// starts terminating), the controllers after Timing::controller_delay.
  void api_changed();
  /// The controllers already ran now (apply reconciles as it admits the objects): start the
  /// lifecycle of what they created and propagate what they wrote.
  void reconciled();
  /// Erases tombstones when nothing can hold their slots any more. True when it did.
  bool compact();
  /// Tombstones in the state now.
  std::size_t tombstones() const { return tombstones_; }

  void set_observer(ClusterObserver* observer) { observer_ = observer; }

 private:
  struct Track {
    std::string namespace_;
    std::string name;
    engine::EventId start;
    engine::EventId ready;
    engine::EventId exit;
    bool start_scheduled = false;
    bool exit_scheduled = false;
  };

  void begin_time();
  void request_sync();
  void on_sync();
  void scan();
  void publish(bool program);
  void on_start(std::uint64_t uid);
  void on_ready(std::uint64_t uid);
  void on_sigterm(std::uint64_t uid);
  void on_program_node(std::uint64_t packed);
  void on_program_ingress(std::uint64_t generation);
  // The live pod a track names, or nullptr when it was replaced or is gone.
  model::Pod* pod_of(std::uint64_t uid);
  void emit(ClusterEvent::Kind kind, const model::Pod* pod, std::string name = {},
            std::uint64_t generation = 0);
  void kubelet_event(const model::Pod& pod, std::string_view reason, std::string message,
                     std::string_view type = "Normal");

  Simulation::Impl& impl_;
  std::unordered_map<std::uint64_t, Track> tracks_;  // by creation_index; lookups only
  engine::EventId sync_;
  std::vector<core::RngStream> node_rng_;  // "kube-proxy-sync/<node>", by node slot
  std::uint64_t last_sync_generation_ = 0;
  std::size_t tombstones_ = 0;
  ClusterObserver* observer_ = nullptr;
};

}  // namespace podhop::scenario
