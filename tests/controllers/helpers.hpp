#pragma once
// Helpers for the controllers tests: a text dump of everything reconcile() derives (to
// compare two states), and short lookups.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/controllers/reconcile.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::testing {

/// Every derived field of the state, one object per line, in table order (so a change in
/// order counts as a change too).
std::string dump(const model::ClusterState& st);

/// Pods whose name starts with prefix, sorted by name.
std::vector<const model::Pod*> pods_named(const model::ClusterState& st, std::string_view prefix);

/// The managed EndpointSlices of a Service, sorted by name.
std::vector<const model::EndpointSlice*> slices_of(const model::ClusterState& st,
                                                   std::string_view ns, std::string_view svc);

/// Events with this reason about this object name (read with ->, as pointers were).
std::vector<std::optional<model::Event>> events_about(const model::ClusterState& st,
                                                      std::string_view name,
                                                      std::string_view reason = {});

/// Runs reconcile and returns its diagnostics as text (empty when clean).
std::string reconcile_text(model::ClusterState& st, const controllers::ReconcileOptions& o = {});

}  // namespace podhop::testing
