#pragma once
// Which container port a Service port means on a given pod (podutil.FindPort).
//
// Used by the EndpointSlice controller, and by whatever else needs the same answer (port
// forwarding to svc/NAME, `describe`), so that every part of podhop resolves a named
// targetPort the way Kubernetes does: per pod, by name AND protocol.

#include <cstdint>
#include <optional>

#include "podhop/model/objects.hpp"

namespace podhop::controllers {

/// The port number a Service port's targetPort resolves to on a pod with this spec:
/// - a number is used as it is (the pod's declared ports are not checked);
/// - unset means the Service port's own number (the API default);
/// - a name is looked up in spec.containers[*].ports[*] by name and protocol, then in the
///   sidecar init containers (restartPolicy Always); the first match wins.
/// nullopt when the pod declares no port of that name and protocol: that pod is left out
/// of the Service port's endpoints.
std::optional<std::int32_t> find_pod_port(const model::PodSpec& spec,
                                          const model::ServicePort& port);

}  // namespace podhop::controllers
