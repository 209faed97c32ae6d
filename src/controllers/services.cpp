// Service addresses: cluster IPs, node ports, health check node ports, LoadBalancer IPs.
//
// Requested values are checked first, for every Service in creation order (system Services
// first: they exist before anything the user applies), with the API server's messages.
// Then every Service still missing a value gets one from a hash of (seed, namespace/name)
// into the upper ("dynamic") band of the range, probing linearly: a Service keeps its
// address when others are added, and the lower band stays free for static requests, as the
// real allocators intend (rules 1.4).

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "context.hpp"
#include "podhop/controllers/system_objects.hpp"
#include "podhop/core/rng.hpp"

namespace podhop::controllers::detail {

namespace {

bool is_system_service(const model::Service& s) {
  if (!made_by_podhop(s.meta)) return false;
  const auto& ns = s.meta.namespace_;
  const auto& n = s.meta.name;
  return (ns == "default" && n == kApiServerService) ||
         (ns == kSystemNamespace && n == kDnsService) ||
         (ns == kIngressNginxNamespace &&
          (n == kIngressNginxController || n == kIngressNginxAdmission));
}

std::vector<std::uint32_t> allocation_order(const model::ObjectTable<model::Service>& services) {
  std::vector<std::uint32_t> order(services.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& x = services[a];
    const auto& y = services[b];
    const bool sx = is_system_service(x), sy = is_system_service(y);
    if (sx != sy) return sx;
    return x.meta.creation_index < y.meta.creation_index;
  });
  return order;
}

std::string object_name(const model::Service& s) {
  return model::describe_object("Service", s.meta.name);
}

bool needs_cluster_ip(const model::Service& s) {
  return s.spec.type != model::ServiceType::ExternalName && !s.spec.headless;
}

bool needs_node_ports(const model::Service& s) {
  return s.spec.type == model::ServiceType::NodePort ||
         s.spec.type == model::ServiceType::LoadBalancer;
}

bool allocates_node_ports(const model::Service& s) {
  if (s.spec.type == model::ServiceType::NodePort) return true;
  return s.spec.type == model::ServiceType::LoadBalancer &&
         s.spec.allocate_load_balancer_node_ports.value_or(true);
}

bool needs_health_check_port(const model::Service& s) {
  return s.spec.type == model::ServiceType::LoadBalancer &&
         s.spec.external_traffic_policy == model::TrafficPolicy::Local;
}

// A range split into a static (lower) band and a dynamic (upper) band; automatic
// allocation hashes into the upper band and spills into the lower one when it is full.
struct Bands {
  std::uint64_t first = 0;  // first allocatable value
  std::uint64_t last = 0;   // last allocatable value
  std::uint64_t static_size = 0;

  std::uint64_t size() const { return last >= first ? last - first + 1 : 0; }

  /// The first free value probing from hash(key) in the dynamic band, then the static one.
  template <typename IsFree>
  std::optional<std::uint64_t> pick(std::uint64_t hash, IsFree&& free) const {
    const std::uint64_t dyn_first = first + static_size;
    if (dyn_first <= last) {
      const std::uint64_t n = last - dyn_first + 1;
      const std::uint64_t start = hash % n;
      for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t v = dyn_first + (start + i) % n;
        if (free(v)) return v;
      }
    }
    for (std::uint64_t v = first; v < dyn_first && v <= last; ++v)
      if (free(v)) return v;
    return std::nullopt;
  }
};

// The service IP allocator's bands: the network and broadcast addresses are not usable,
// the static band is min(max(16, size/16), 256) addresses (ipallocator calculateRangeOffset).
Bands cluster_ip_bands(const core::Cidr& cidr) {
  const std::uint64_t size = cidr.size();
  Bands b;
  b.first = size > 2 ? 1 : 0;
  b.last = size > 2 ? size - 2 : size - 1;
  if (size > 16)
    b.static_size = std::min<std::uint64_t>(std::max<std::uint64_t>(16, size / 16), 256);
  return b;
}

// The node port allocator's bands: min(max(16, size/32), 128) static ports
// (portallocator calculateRangeOffset): 30000-30085 static, 30086-32767 dynamic by default.
Bands node_port_bands(std::int32_t min_port, std::int32_t max_port) {
  Bands b;
  b.first = static_cast<std::uint64_t>(min_port);
  b.last = static_cast<std::uint64_t>(max_port);
  const std::uint64_t size = b.size();
  if (size > 16)
    b.static_size = std::min<std::uint64_t>(std::max<std::uint64_t>(16, size / 32), 128);
  return b;
}

std::uint64_t seeded_hash(std::uint64_t seed, const std::string& key) {
  return core::RngStream(seed, key).next_u64();
}

void allocate_cluster_ips(Context& ctx, const std::vector<std::uint32_t>& order) {
  auto& st = ctx.state;
  const auto& cidr = st.config.service_cidr;
  const Bands bands = cluster_ip_bands(cidr);
  std::unordered_set<std::uint32_t> used;  // offsets in the range; lookups only

  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!needs_cluster_ip(s) || s.spec.cluster_ip.empty()) continue;
    const auto ip = s.spec.cluster_ip;
    const std::uint64_t off = ip.value - cidr.base.value;
    const std::string value = fmt::format("[]string{{\"{}\"}}", ip.str());
    if (!cidr.contains(ip) || off < bands.first || off > bands.last) {
      ctx.diags.error(s.meta.source, object_name(s), "spec.clusterIPs",
                      fmt::format("Invalid value: {}: failed to allocate IP {}: the provided IP "
                                  "({}) is not in the valid range. The range of valid IPs is {}",
                                  value, ip.str(), ip.str(), cidr.str()));
    } else if (!used.insert(static_cast<std::uint32_t>(off)).second) {
      ctx.diags.error(s.meta.source, object_name(s), "spec.clusterIPs",
                      fmt::format("Invalid value: {}: failed to allocate IP {}: provided IP is "
                                  "already allocated",
                                  value, ip.str()));
    }
  }
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!needs_cluster_ip(s) || !s.spec.cluster_ip.empty()) continue;
    auto off = bands.pick(
        seeded_hash(ctx.options.seed, "cluster-ip/" + ns_name(s.meta.namespace_, s.meta.name)),
        [&](std::uint64_t v) { return !used.contains(static_cast<std::uint32_t>(v)); });
    if (!off) {
      ctx.diags.error(s.meta.source, object_name(s), "",
                      "Internal error occurred: failed to allocate a serviceIP: range is full");
      continue;
    }
    used.insert(static_cast<std::uint32_t>(*off));
    s.spec.cluster_ip = cidr.at(*off);
  }
}

class NodePorts {
 public:
  NodePorts(Context& ctx) : ctx_(ctx) {
    const auto& cfg = ctx.state.config;
    min_ = cfg.node_port_min;
    max_ = cfg.node_port_max;
    bands_ = node_port_bands(min_, max_);
  }

  /// Takes a requested port; false (and an error at `field`) when it cannot be had. The
  /// allocator is one bitmap for every protocol (kubernetes#20092): only ports of one
  /// Service with the same port number may share a node port.
  bool take(const model::Service& s, const std::string& field, std::int32_t port) {
    if (port < min_ || port > max_) {
      ctx_.diags.error(s.meta.source, object_name(s), field,
                       fmt::format("Invalid value: {}: provided port is not in the valid range. "
                                   "The range of valid ports is {}-{}",
                                   port, min_, max_));
      return false;
    }
    if (!used_.insert(port).second) {
      ctx_.diags.error(s.meta.source, object_name(s), field,
                       fmt::format("Invalid value: {}: provided port is already allocated", port));
      return false;
    }
    return true;
  }

  std::optional<std::int32_t> next(const model::Service& s, const std::string& what) {
    auto v = bands_.pick(
        seeded_hash(ctx_.options.seed,
                    fmt::format("node-port/{}/{}", ns_name(s.meta.namespace_, s.meta.name), what)),
        [&](std::uint64_t p) { return !used_.contains(static_cast<std::int32_t>(p)); });
    if (!v) {
      ctx_.diags.error(s.meta.source, object_name(s), "",
                       "Internal error occurred: failed to allocate a nodePort: range is full");
      return std::nullopt;
    }
    used_.insert(static_cast<std::int32_t>(*v));
    return static_cast<std::int32_t>(*v);
  }

 private:
  Context& ctx_;
  std::int32_t min_ = 30000;
  std::int32_t max_ = 32767;
  Bands bands_;
  std::unordered_set<std::int32_t> used_;  // lookups only
};

// initNodePorts (pkg/registry/core/service/storage/alloc.go): ports of one Service with the
// same port number (53/UDP and 53/TCP) share one node port, a requested one wins.
void allocate_node_ports(Context& ctx, const std::vector<std::uint32_t>& order) {
  auto& st = ctx.state;
  NodePorts ports(ctx);
  // Pass 1: every requested port, so a port allocated automatically never takes one a
  // Service asks for.
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!needs_node_ports(s)) continue;
    std::unordered_map<std::int32_t, std::int32_t> by_port;  // service port -> node port
    for (std::size_t i = 0; i < s.spec.ports.size(); ++i) {
      auto& sp = s.spec.ports[i];
      if (sp.node_port == 0) continue;
      auto it = by_port.find(sp.port);
      if (it != by_port.end() && it->second == sp.node_port) continue;
      if (ports.take(s, fmt::format("spec.ports[{}].nodePort", i), sp.node_port))
        by_port.emplace(sp.port, sp.node_port);
    }
    if (needs_health_check_port(s) && s.spec.health_check_node_port != 0)
      ports.take(s, "spec.healthCheckNodePort", s.spec.health_check_node_port);
  }
  // Pass 2: the rest, hashed.
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!needs_node_ports(s)) continue;
    if (allocates_node_ports(s)) {
      std::unordered_map<std::int32_t, std::int32_t> by_port;
      for (const auto& sp : s.spec.ports)
        if (sp.node_port != 0) by_port.try_emplace(sp.port, sp.node_port);
      for (std::size_t i = 0; i < s.spec.ports.size(); ++i) {
        auto& sp = s.spec.ports[i];
        if (sp.node_port != 0) continue;
        if (auto it = by_port.find(sp.port); it != by_port.end()) {
          sp.node_port = it->second;
          continue;
        }
        if (auto np = ports.next(s, std::to_string(i))) {
          sp.node_port = *np;
          by_port.emplace(sp.port, *np);
        }
      }
    }
    if (needs_health_check_port(s) && s.spec.health_check_node_port == 0)
      if (auto np = ports.next(s, "healthCheckNodePort")) s.spec.health_check_node_port = *np;
  }
}

// LoadBalancer status. Without a pool nothing provisions a balancer and the status stays
// empty (kubectl's <pending>); with a pool, a MetalLB-like controller hands out addresses
// in creation order, honouring spec.loadBalancerIP when it is free and in the pool.
void allocate_load_balancers(Context& ctx, const std::vector<std::uint32_t>& order) {
  auto& st = ctx.state;
  const auto& cfg = st.config;
  auto served = [&](const model::Service& s) {
    return s.spec.type == model::ServiceType::LoadBalancer && s.spec.load_balancer_class.empty();
  };
  for (auto& s : st.services.items())
    if (!served(s) || cfg.load_balancer_pending) s.load_balancer.clear();
  if (cfg.load_balancer_pending) return;

  const auto first = cfg.lb_pool_first.value;
  const auto last = cfg.lb_pool_last.value;
  auto in_pool = [&](core::Ipv4 ip) { return ip.value >= first && ip.value <= last; };
  std::unordered_set<std::uint32_t> used;  // lookups only

  // Keep what is already assigned (a second reconcile changes nothing).
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!served(s) || s.load_balancer.empty()) continue;
    const auto ip = s.load_balancer.front().ip;
    if (in_pool(ip) && used.insert(ip.value).second) {
      s.load_balancer.resize(1);
    } else {
      s.load_balancer.clear();
    }
  }
  auto failed = [&](const model::Service& s, std::string why) {
    ctx.warning_once(ref("Service", s.meta), "AllocationFailed",
                     fmt::format("Failed to allocate IP for \"{}\": {}",
                                 ns_name(s.meta.namespace_, s.meta.name), why),
                     kLoadBalancerController);
  };
  auto assign = [&](model::Service& s, core::Ipv4 ip) {
    used.insert(ip.value);
    s.load_balancer = {model::LoadBalancerIngress{ip, {}}};
    ctx.event(ref("Service", s.meta), "Normal", "IPAllocated",
              fmt::format("Assigned IP [\"{}\"]", ip.str()), kLoadBalancerController);
  };
  // Requested addresses next, then the rest from the start of the pool.
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!served(s) || !s.load_balancer.empty() || s.spec.load_balancer_ip.empty()) continue;
    auto ip = core::Ipv4::parse(s.spec.load_balancer_ip);
    if (!ip || !in_pool(*ip)) {
      failed(s, fmt::format("\"{}\" is not allowed in config", s.spec.load_balancer_ip));
    } else if (used.contains(ip->value)) {
      failed(s, fmt::format("the requested IP \"{}\" is already in use by another service",
                            s.spec.load_balancer_ip));
    } else {
      assign(s, *ip);
    }
  }
  std::uint64_t next = first;
  for (auto slot : order) {
    auto& s = st.services[slot];
    if (!served(s) || !s.load_balancer.empty() || !s.spec.load_balancer_ip.empty()) continue;
    while (next <= last && used.contains(static_cast<std::uint32_t>(next))) ++next;
    if (next > last) {
      failed(s, "no available IPs");
      continue;
    }
    assign(s, core::Ipv4{static_cast<std::uint32_t>(next)});
  }
}

}  // namespace

void allocate_service_addresses(Context& ctx) {
  const auto order = allocation_order(ctx.state.services);
  allocate_cluster_ips(ctx, order);
  allocate_node_ports(ctx, order);
  allocate_load_balancers(ctx, order);
}

}  // namespace podhop::controllers::detail
