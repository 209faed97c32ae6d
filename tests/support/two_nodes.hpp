#pragma once
// The two-node cluster the data plane tests share: a Cluster of node-a and node-b
// (sameNode 10us, crossNode 100us, external 5ms) with an echo pod on each, "a" on node-a
// and "b" on node-b, both labelled app=web. Tests append their own documents to it.

#include <string>
#include <string_view>

#include "podhop/dataplane/network.hpp"
#include "podhop/simulation.hpp"

namespace podhop::testing {

/// The Cluster and the pods a and b, as YAML documents (no trailing "---").
extern const char* const kTwoNodes;
/// A Service "web" selecting app=web, port 80 to targetPort 8080.
extern const char* const kWebService;

/// A Simulation loaded from yaml; the test fails (REQUIRE) with the diagnostics when the
/// load does not succeed.
Simulation loaded(std::string_view yaml);
/// kTwoNodes and kWebService, loaded.
Simulation two_nodes_with_web();
/// "http://<pod IP>:<port>/" of a pod in the default namespace.
std::string pod_url(const Simulation& sim, std::string_view pod, int port = 8080);
/// The client of a pod in the default namespace, as `exec` would use it.
dataplane::Client pod_client(Simulation& sim, std::string_view pod);

}  // namespace podhop::testing
