#pragma once
// The controllers Kubernetes runs, as pure functions of the ClusterState.
//
// reconcile() brings the cluster to its settled state, the state one-shot commands act on:
// system objects (namespaces, the `kubernetes` Service, CoreDNS behind kube-dns, the
// ingress-nginx addon), nodes, workloads expanded into pods with kubectl-style names,
// scheduling, pod IPs, cluster IPs and node ports, EndpointSlices and Endpoints, and
// LoadBalancer and Ingress status. It is idempotent and deterministic for a given seed.

#include <cstdint>

#include "podhop/core/diagnostic.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {

struct ReconcileOptions {
  std::uint64_t seed = 1;
  /// When true (one-shot commands), every pod is started and, where it has a readiness
  /// probe, ready. Scenarios drive readiness over time instead.
  bool settle = true;
};

/// Runs every controller once over `state`. Allocation failures (a requested nodePort
/// already taken, a clusterIP outside the range) come back as errors naming the object's
/// file, line and field, in kubectl's words.
core::Diagnostics reconcile(model::ClusterState& state, const ReconcileOptions& options = {});

}  // namespace podhop::controllers
