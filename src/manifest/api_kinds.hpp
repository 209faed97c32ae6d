#pragma once
// Which (apiVersion, kind) pairs podhop simulates, which ones Kubernetes removed, and what
// happens to everything else.

#include <cstdint>
#include <string>
#include <string_view>

namespace podhop::manifest::detail {

enum class Kind : std::uint8_t {
  pod,
  service,
  endpoints,
  namespace_,
  node,
  secret,
  replication_controller,
  deployment,
  replica_set,
  stateful_set,
  daemon_set,
  endpoint_slice,
  ingress,
  ingress_class,
  cluster,
  app,
};

/// What to do with a document of some apiVersion and kind.
struct KindResolution {
  enum class What : std::uint8_t {
    simulated,      // convert it (kind is set)
    wrong_version,  // a simulated kind in a version the API does not serve: error
    ignored,        // a kind podhop does not simulate: counted
    scenario,       // podhop.dev/v1alpha1 Scenario: read by the scenario module
    list,           // kind List (or FooList): its items are objects
  };
  What what = What::ignored;
  Kind kind = Kind::pod;
  /// For wrong_version: kubectl's error with a hint. For ignored kinds whose version
  /// Kubernetes removed: a warning.
  std::string message;
};

KindResolution resolve_kind(std::string_view api_version, std::string_view kind);

/// Whether objects of this kind live in a namespace.
bool is_namespaced(Kind kind);

/// The kind's name as written in manifests ("Service").
std::string_view kind_name(Kind kind);

}  // namespace podhop::manifest::detail
