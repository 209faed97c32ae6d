#pragma once
// The controllers Kubernetes runs, as pure functions of the ClusterState.
//
// reconcile() brings the cluster to its settled state, the state one-shot commands act on:
// system objects (namespaces, the `kubernetes` Service, CoreDNS behind kube-dns, the
// ingress-nginx addon), nodes, workloads expanded into pods with kubectl-style names,
// scheduling, pod IPs, cluster IPs and node ports, EndpointSlices and Endpoints, and
// LoadBalancer and Ingress status. It is idempotent and deterministic for a given seed.
// docs/controllers.md says what each controller does and why each choice is made so.

#include <cstdint>

#include "podhop/core/diagnostic.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {

/// How reconcile() runs: the seed of every name and address it draws, and how far it
/// takes the cluster.
struct ReconcileOptions {
  std::uint64_t seed = 1;
  /// When true (one-shot commands), every pod is started and, where it has a readiness
  /// probe, ready, and pods that were terminating are gone (their grace period is over). Scenarios drive readiness over time instead: with false, new pods are
  /// scheduled and get their IP but stay Pending ("ContainerCreating"), and pods a
  /// controller removes get a deletion time (Terminating) instead of vanishing.
  bool settle = true;
  /// Record Events (kubectl describe's "Events:"). A 150,000-pod cluster records about
  /// 750,000 of them; benchmarks that only route traffic may turn them off.
  bool record_events = true;
  /// The EndpointSlice controller's --max-endpoints-per-slice.
  std::int32_t max_endpoints_per_slice = 100;
};

/// Runs every controller once over `state`. Allocation failures (a requested nodePort
/// already taken, a clusterIP outside the range) come back as errors naming the object's
/// file, line and field, in kubectl's words; the rest of the state is still reconciled, and
/// the offending field is left as it was requested. Warnings point at wiring a user would
/// want to know about (a manual EndpointSlice whose port names match no Service port).
core::Diagnostics reconcile(model::ClusterState& state, const ReconcileOptions& options = {});

}  // namespace podhop::controllers
