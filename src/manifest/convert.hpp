#pragma once
// Converters from a YAML object to the model, one per kind. Each applies the API defaults
// (rules 1.1) and validates the object with the API server's rules and words (rules 1.4),
// recording every finding in the Ctx. The caller decides what to do with the object when
// the Ctx holds errors (it is dropped: nothing is half-loaded).

#include <string>
#include <string_view>

#include "manifest/convert_context.hpp"
#include "podhop/model/objects.hpp"
#include "podhop/model/podhop_kinds.hpp"

namespace podhop::manifest::detail {

/// How metadata.name is validated, and whether the kind lives in a namespace.
struct MetaRules {
  bool namespaced = true;
  NameRule name_rule = NameRule::dns1123_subdomain;
};

/// Reads and validates metadata. api_version is stored as written. A namespaced object
/// without a namespace gets "default"; a cluster-scoped one gets none.
model::ObjectMeta read_metadata(Ctx& c, const YNode* root, const MetaRules& rules,
                                std::string_view api_version);

/// Validates a label map read at `field` (relative to the current path) the way
/// ValidateLabels does; `node` is the map node.
void validate_labels(Ctx& c, const YNode* node, std::string_view field);

/// Reads a pod spec at node `spec` (the current path must point at it). in_template adds
/// the workload rule that restartPolicy must be Always.
model::PodSpec read_pod_spec(Ctx& c, const YNode* spec, bool in_template);

/// Reads `spec.template` of a workload (current path: spec). Returns labels, annotations
/// and one shared PodSpec.
model::PodTemplate read_pod_template(Ctx& c, const YNode* tmpl);

/// Reads a metav1.LabelSelector at the current path + field.
model::LabelSelector read_label_selector(Ctx& c, const YNode* n, std::string_view field);

model::Pod convert_pod(Ctx& c, const YNode* root, std::string_view api_version);
model::Service convert_service(Ctx& c, const YNode* root, std::string_view api_version);
model::Endpoints convert_endpoints(Ctx& c, const YNode* root, std::string_view api_version);
model::EndpointSlice convert_endpoint_slice(Ctx& c, const YNode* root,
                                            std::string_view api_version);
model::Namespace convert_namespace(Ctx& c, const YNode* root, std::string_view api_version);
model::Node convert_node(Ctx& c, const YNode* root, std::string_view api_version);
model::Secret convert_secret(Ctx& c, const YNode* root, std::string_view api_version);
model::Deployment convert_deployment(Ctx& c, const YNode* root, std::string_view api_version);
model::ReplicaSet convert_replica_set(Ctx& c, const YNode* root, std::string_view api_version);
model::ReplicationController convert_replication_controller(Ctx& c, const YNode* root,
                                                            std::string_view api_version);
model::StatefulSet convert_stateful_set(Ctx& c, const YNode* root, std::string_view api_version);
model::DaemonSet convert_daemon_set(Ctx& c, const YNode* root, std::string_view api_version);
model::Ingress convert_ingress(Ctx& c, const YNode* root, std::string_view api_version);
model::IngressClass convert_ingress_class(Ctx& c, const YNode* root, std::string_view api_version);
/// kind: Cluster. The result replaces the cluster config (see loader).
model::ClusterConfig convert_cluster(Ctx& c, const YNode* root, std::string_view api_version);
model::App convert_app(Ctx& c, const YNode* root, std::string_view api_version);

}  // namespace podhop::manifest::detail
