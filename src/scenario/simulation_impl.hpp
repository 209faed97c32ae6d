#pragma once
// The inside of podhop::Simulation, shared by the facade's source files.

#include <cstdint>

#include "podhop/core/check.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop {

struct Simulation::Impl {
  std::uint64_t seed = 1;
  model::ClusterState state;

  /// Called after every successful change of `state`: rebuild derived lookup tables here.
  void on_state_changed() {}
};

}  // namespace podhop
