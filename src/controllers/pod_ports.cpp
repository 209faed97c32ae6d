#include "podhop/controllers/pod_ports.hpp"

namespace podhop::controllers {

std::optional<std::int32_t> find_pod_port(const model::PodSpec& spec,
                                          const model::ServicePort& port) {
  const auto& target = port.target_port;
  if (target.is_int()) return target.int_value;
  if (!target.is_string()) return port.port;
  // podutil.FindPort: regular containers first, then sidecars (init containers that keep
  // running, restartPolicy Always), matching the name and the Service port's protocol.
  for (const auto& c : spec.containers)
    for (const auto& p : c.ports)
      if (p.name == target.str_value && p.protocol == port.protocol) return p.container_port;
  for (const auto& c : spec.init_containers) {
    if (c.restart_policy != "Always") continue;
    for (const auto& p : c.ports)
      if (p.name == target.str_value && p.protocol == port.protocol) return p.container_port;
  }
  return std::nullopt;
}

}  // namespace podhop::controllers
