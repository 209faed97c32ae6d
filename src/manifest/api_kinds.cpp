#include "manifest/api_kinds.hpp"

#include <array>

#include <fmt/format.h>

namespace podhop::manifest::detail {

namespace {

struct Served {
  std::string_view kind;
  std::string_view api_version;
  Kind id;
};

// The kinds podhop simulates, in the one version each that it reads.
constexpr std::array<Served, 16> kServed = {{
    {"Pod", "v1", Kind::pod},
    {"Service", "v1", Kind::service},
    {"Endpoints", "v1", Kind::endpoints},
    {"Namespace", "v1", Kind::namespace_},
    {"Node", "v1", Kind::node},
    {"Secret", "v1", Kind::secret},
    {"ReplicationController", "v1", Kind::replication_controller},
    {"Deployment", "apps/v1", Kind::deployment},
    {"ReplicaSet", "apps/v1", Kind::replica_set},
    {"StatefulSet", "apps/v1", Kind::stateful_set},
    {"DaemonSet", "apps/v1", Kind::daemon_set},
    {"EndpointSlice", "discovery.k8s.io/v1", Kind::endpoint_slice},
    {"Ingress", "networking.k8s.io/v1", Kind::ingress},
    {"IngressClass", "networking.k8s.io/v1", Kind::ingress_class},
    {"Cluster", "podhop.dev/v1alpha1", Kind::cluster},
    {"App", "podhop.dev/v1alpha1", Kind::app},
}};

struct Removed {
  std::string_view kind;
  std::string_view api_version;
  std::string_view release;      // the Kubernetes release that stopped serving it
  std::string_view replacement;  // apiVersion to use instead; empty when the kind is gone
};

// From the Kubernetes deprecated API migration guide.
constexpr std::array<Removed, 33> kRemoved = {{
    {"Deployment", "extensions/v1beta1", "1.16", "apps/v1"},
    {"Deployment", "apps/v1beta1", "1.16", "apps/v1"},
    {"Deployment", "apps/v1beta2", "1.16", "apps/v1"},
    {"DaemonSet", "extensions/v1beta1", "1.16", "apps/v1"},
    {"DaemonSet", "apps/v1beta2", "1.16", "apps/v1"},
    {"ReplicaSet", "extensions/v1beta1", "1.16", "apps/v1"},
    {"ReplicaSet", "apps/v1beta1", "1.16", "apps/v1"},
    {"ReplicaSet", "apps/v1beta2", "1.16", "apps/v1"},
    {"StatefulSet", "apps/v1beta1", "1.16", "apps/v1"},
    {"StatefulSet", "apps/v1beta2", "1.16", "apps/v1"},
    {"NetworkPolicy", "extensions/v1beta1", "1.16", "networking.k8s.io/v1"},
    {"PodSecurityPolicy", "extensions/v1beta1", "1.16", "policy/v1beta1"},
    {"Ingress", "extensions/v1beta1", "1.22", "networking.k8s.io/v1"},
    {"Ingress", "networking.k8s.io/v1beta1", "1.22", "networking.k8s.io/v1"},
    {"IngressClass", "networking.k8s.io/v1beta1", "1.22", "networking.k8s.io/v1"},
    {"ClusterRole", "rbac.authorization.k8s.io/v1beta1", "1.22", "rbac.authorization.k8s.io/v1"},
    {"ClusterRoleBinding", "rbac.authorization.k8s.io/v1beta1", "1.22",
     "rbac.authorization.k8s.io/v1"},
    {"Role", "rbac.authorization.k8s.io/v1beta1", "1.22", "rbac.authorization.k8s.io/v1"},
    {"RoleBinding", "rbac.authorization.k8s.io/v1beta1", "1.22", "rbac.authorization.k8s.io/v1"},
    {"CustomResourceDefinition", "apiextensions.k8s.io/v1beta1", "1.22", "apiextensions.k8s.io/v1"},
    {"MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1beta1", "1.22",
     "admissionregistration.k8s.io/v1"},
    {"ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1beta1", "1.22",
     "admissionregistration.k8s.io/v1"},
    {"PriorityClass", "scheduling.k8s.io/v1beta1", "1.22", "scheduling.k8s.io/v1"},
    {"StorageClass", "storage.k8s.io/v1beta1", "1.22", "storage.k8s.io/v1"},
    {"Lease", "coordination.k8s.io/v1beta1", "1.22", "coordination.k8s.io/v1"},
    {"CronJob", "batch/v1beta1", "1.25", "batch/v1"},
    {"EndpointSlice", "discovery.k8s.io/v1beta1", "1.25", "discovery.k8s.io/v1"},
    {"PodDisruptionBudget", "policy/v1beta1", "1.25", "policy/v1"},
    {"PodSecurityPolicy", "policy/v1beta1", "1.25", ""},
    {"HorizontalPodAutoscaler", "autoscaling/v2beta1", "1.25", "autoscaling/v2"},
    {"HorizontalPodAutoscaler", "autoscaling/v2beta2", "1.26", "autoscaling/v2"},
    {"RuntimeClass", "node.k8s.io/v1beta1", "1.25", "node.k8s.io/v1"},
    {"FlowSchema", "flowcontrol.apiserver.k8s.io/v1beta2", "1.29",
     "flowcontrol.apiserver.k8s.io/v1"},
}};

const Removed* find_removed(std::string_view api_version, std::string_view kind) {
  for (const auto& r : kRemoved)
    if (r.kind == kind && r.api_version == api_version) return &r;
  return nullptr;
}

}  // namespace

KindResolution resolve_kind(std::string_view api_version, std::string_view kind) {
  KindResolution res;
  if (kind == "Scenario" && api_version == "podhop.dev/v1alpha1") {
    res.what = KindResolution::What::scenario;
    return res;
  }
  if (kind == "List" || (kind.size() > 4 && kind.substr(kind.size() - 4) == "List")) {
    res.what = KindResolution::What::list;
    return res;
  }
  for (const auto& s : kServed) {
    if (s.kind != kind) continue;
    if (s.api_version == api_version) {
      res.what = KindResolution::What::simulated;
      res.kind = s.id;
      return res;
    }
    res.what = KindResolution::What::wrong_version;
    res.kind = s.id;
    res.message = fmt::format("no matches for kind \"{}\" in version \"{}\"", kind, api_version);
    if (const Removed* r = find_removed(api_version, kind)) {
      res.message += fmt::format(" ({} {} was removed in Kubernetes {}: use apiVersion {}",
                                 api_version, kind, r->release, s.api_version);
      if (kind == "Ingress")
        res.message +=
            ", where a backend is written service: {name: ..., port: {number: ...}} and every path "
            "needs a pathType";
      res.message += ")";
    } else {
      res.message += fmt::format(" (use apiVersion {})", s.api_version);
    }
    return res;
  }
  res.what = KindResolution::What::ignored;
  if (const Removed* r = find_removed(api_version, kind)) {
    res.message = fmt::format(
        "{} {} was removed in Kubernetes {}{}: a real cluster answers no matches for kind \"{}\" "
        "in version "
        "\"{}\"; podhop does not simulate {} and ignores it",
        api_version, kind, r->release,
        r->replacement.empty() ? std::string(" with no replacement")
                               : fmt::format(" (use apiVersion {})", r->replacement),
        kind, api_version, kind);
  }
  return res;
}

bool is_namespaced(Kind kind) {
  switch (kind) {
    case Kind::namespace_:
    case Kind::node:
    case Kind::ingress_class:
    case Kind::cluster:
    case Kind::app:
      return false;
    default:
      return true;
  }
}

std::string_view kind_name(Kind kind) {
  for (const auto& s : kServed)
    if (s.id == kind) return s.kind;
  return "";
}

}  // namespace podhop::manifest::detail
