#pragma once
// A Deployment's rollout history as Kubernetes keeps it in annotations: what the deployment
// controller writes (src/controllers/workloads.cpp) and what `kubectl rollout undo` reads
// (Simulation::rollout_undo). One list, so the two cannot disagree.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "podhop/model/meta.hpp"

namespace podhop::controllers {

/// The label the controller adds to a ReplicaSet's selector, labels and template.
inline constexpr std::string_view kPodTemplateHashLabel = "pod-template-hash";
inline constexpr std::string_view kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr std::string_view kRevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";
inline constexpr std::string_view kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr std::string_view kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

/// deploymentutil's annotationsToSkip: kubectl's last-applied configuration and the
/// controller's own bookkeeping. The controller does not copy them from a Deployment to its
/// ReplicaSet, and a rollback leaves the Deployment's own.
inline bool is_rollout_bookkeeping(std::string_view key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == "deprecated.deployment.rollback.to";
}

/// The revision in a ReplicaSet's (or Deployment's) annotations; 0 when there is none.
inline std::int64_t revision_number(const model::StringMap& annotations) {
  const std::string* r = annotations.get(kRevisionAnnotation);
  return r != nullptr ? std::atoll(r->c_str()) : 0;
}

}  // namespace podhop::controllers
