#pragma once
// The inside of podhop::Simulation, shared by the facade's source files.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "podhop/core/check.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/engine/simulator.hpp"
#include "podhop/model/cluster_state.hpp"
#include "podhop/simulation.hpp"
#include "scenario/cluster_clock.hpp"

namespace podhop {

struct Simulation::Impl {
  std::uint64_t seed = 1;
  /// What the user applied, as loaded: no system objects, nothing derived. Each load adds
  /// to it, and the cluster is derived from it afresh, so a Cluster object that comes with
  /// the manifests shapes the system objects too (CoreDNS lands on its nodes, not on the
  /// default node an empty cluster starts with).
  model::ClusterState applied;
  /// The settled cluster: `applied` after reconcile().
  model::ClusterState state;
  /// Simulated time for everything that happens after the cluster settled.
  engine::Simulator sim;
  /// What the data plane derives from `state` (kube-proxy tables, DNS zone, apps), and
  /// the pipeline that runs requests through it. Built by on_state_changed().
  std::unique_ptr<dataplane::Network> network;
  std::unique_ptr<dataplane::Pipeline> pipeline;
  /// Programs added by front ends (nslookup, dig), by name; ordered, never hashed.
  std::map<std::string, ExecTool, std::less<>> tools;
  /// What makes the cluster change over time (pods start, terminate; controllers react;
  /// kube-proxies lag). Created with the network.
  std::unique_ptr<scenario::ClusterClock> clock;
  /// `state` without its tombstones (pods gone whose slot a request may still hold), what
  /// Simulation::state() shows once there are any; rebuilt when view_stale.
  mutable model::ClusterState view;
  mutable bool view_stale = true;

  /// The cluster as users see it: `state`, less the tombstones.
  const model::ClusterState& visible_state() const {
    if (!clock || clock->tombstones() == 0) return state;
    if (view_stale) {
      view = state;
      view.pods.erase_if([](const model::Pod& p) { return p.removed; });
      view_stale = false;
    }
    return view;
  }

  /// Called after every successful change of `state`: rebuilds the derived lookup tables.
  void on_state_changed() {
    if (!network) {
      network = std::make_unique<dataplane::Network>(state, seed);
      pipeline = std::make_unique<dataplane::Pipeline>(sim, *network, seed);
      clock = std::make_unique<scenario::ClusterClock>(*this);
    } else {
      network->rebuild(state);
    }
    view_stale = true;
  }
};

}  // namespace podhop
