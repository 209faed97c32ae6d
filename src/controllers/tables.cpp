#include "podhop/controllers/tables.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "podhop/core/check.hpp"
#include "podhop/core/rng.hpp"
#include "podhop/core/strings.hpp"

namespace podhop::controllers {

namespace {

// ---------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4). kube-proxy names its chains with sha256 + base32; the controllers
// module does not link a crypto library, and chain names are built once per table build,
// so a small local implementation is enough.

class Sha256 {
 public:
  void update(std::string_view data) {
    for (char c : data) {
      block_[fill_++] = static_cast<std::uint8_t>(c);
      if (fill_ == 64) {
        compress();
        fill_ = 0;
      }
      length_bits_ += 8;
    }
  }

  std::array<std::uint8_t, 32> finish() {
    const std::uint64_t bits = length_bits_;
    block_[fill_++] = 0x80;
    if (fill_ > 56) {
      while (fill_ < 64) block_[fill_++] = 0;
      compress();
      fill_ = 0;
    }
    while (fill_ < 56) block_[fill_++] = 0;
    for (int i = 7; i >= 0; --i) block_[fill_++] = static_cast<std::uint8_t>(bits >> (8 * i));
    compress();
    std::array<std::uint8_t, 32> out{};
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t j = 0; j < 4; ++j)
        out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
    return out;
  }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress() {
    static constexpr std::array<std::uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{block_[4 * i]} << 24) | (std::uint32_t{block_[4 * i + 1]} << 16) |
             (std::uint32_t{block_[4 * i + 2]} << 8) | std::uint32_t{block_[4 * i + 3]};
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6],
                  h = h_[7];
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + s1 + ch + k[i] + w[i];
      const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, 64> block_{};
  std::size_t fill_ = 0;
  std::uint64_t length_bits_ = 0;
};

// RFC 4648 base32 (standard alphabet) of the first bytes of `data`, `chars` characters.
std::string base32_prefix(const std::array<std::uint8_t, 32>& data, std::size_t chars) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve(chars);
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t i = 0;
  while (out.size() < chars) {
    if (bits < 5) {
      buffer = (buffer << 8) | data[i++];
      bits += 8;
    }
    out.push_back(alphabet[(buffer >> (bits - 5)) & 31u]);
    bits -= 5;
  }
  return out;
}

using core::lower;

std::uint64_t node_port_key(std::int32_t node_port, model::Protocol proto) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(node_port)) << 8) |
         static_cast<std::uint64_t>(proto);
}

std::uint64_t vip_key(core::Ipv4 ip, std::int32_t port, model::Protocol proto) {
  return (std::uint64_t{ip.value} << 24) |
         (static_cast<std::uint64_t>(static_cast<std::uint16_t>(port)) << 8) |
         static_cast<std::uint64_t>(proto);
}

template <typename Map, typename Key>
std::optional<typename Map::mapped_type> lookup(const Map& map, const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

template <typename V, typename K>
std::optional<V> lookup(const detail::FlatIndex<V, K>& index, K key) {
  const V* v = index.find(key);
  if (v == nullptr) return std::nullopt;
  return *v;
}

bool is_terminal(const model::Pod& pod) {
  return pod.status.phase == model::PodPhase::Succeeded ||
         pod.status.phase == model::PodPhase::Failed;
}

// Finds the bucket for key in a bucket list sorted by key.
const HintBucket* find_bucket(const std::vector<HintBucket>& buckets, std::string_view key) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), key,
                             [](const HintBucket& b, std::string_view k) { return b.key < k; });
  if (it == buckets.end() || it->key != key) return nullptr;
  return &*it;
}

// Groups (key, endpoint index) pairs into buckets sorted by key; indices stay ascending.
std::vector<HintBucket> make_buckets(std::vector<std::pair<std::string, std::uint32_t>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<HintBucket> out;
  for (auto& [key, idx] : pairs) {
    if (out.empty() || out.back().key != key) out.push_back(HintBucket{key, {}});
    out.back().endpoints.push_back(idx);
  }
  return out;
}

// The topology hints of one endpoint (hints.forZones, hints.forNodes), kept only while the
// port's buckets are built.
struct EndpointHints {
  std::vector<std::string> zones;
  std::vector<std::string> nodes;
};

void derive_hints(ProxyServicePort& sp, const std::vector<std::uint32_t>& ready,
                  const std::vector<EndpointHints>& hints);

// Fills the derived lists of a Service port from its (sorted) endpoints: the rules of
// pkg/proxy/topology.go CategorizeEndpoints, precomputed for every node at once. `hints`
// is parallel to sp.endpoints (empty when no endpoint carries any).
void derive_lists(ProxyServicePort& sp, const std::vector<EndpointHints>& hints) {
  const auto n = static_cast<std::uint32_t>(sp.endpoints.size());
  std::vector<std::uint32_t> ready;
  std::vector<std::uint32_t> serving_terminating;
  for (std::uint32_t i = 0; i < n; ++i) {
    const ProxyEndpoint& ep = sp.endpoints[i];
    if (ep.ready)
      ready.push_back(i);
    else if (ep.serving && ep.terminating)
      serving_terminating.push_back(i);
  }
  sp.cluster_terminating_fallback = ready.empty() && !serving_terminating.empty();
  sp.cluster_endpoints = ready.empty() ? serving_terminating : ready;

  // Local lists, per node holding an endpoint, only for ports that route by them (kube-proxy
  // categorizes local endpoints only when svcInfo.UsesLocalEndpoints(): ITP or ETP Local).
  // At 20,000 Cluster-policy ports they would be most of the tables. Endpoints are sorted by
  // IP, not by node, so gather (node, index) pairs first.
  if (!sp.uses_local_endpoints()) return derive_hints(sp, ready, hints);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> by_node;
  for (std::uint32_t i = 0; i < n; ++i)
    if (sp.endpoints[i].node_index != kNoIndex) by_node.emplace_back(sp.endpoints[i].node_index, i);
  std::sort(by_node.begin(), by_node.end());
  std::vector<core::Ipv4> ready_ips;
  std::vector<NodeLocalEndpoints> locals;
  std::vector<std::uint32_t> indices;
  for (std::size_t b = 0; b < by_node.size();) {
    std::size_t e = b;
    while (e < by_node.size() && by_node[e].first == by_node[b].first) ++e;
    NodeLocalEndpoints local;
    local.node_index = by_node[b].first;
    local.first = static_cast<std::uint32_t>(indices.size());
    ready_ips.clear();
    for (std::size_t k = b; k < e; ++k) {
      const ProxyEndpoint& ep = sp.endpoints[by_node[k].second];
      if (ep.ready) {
        indices.push_back(by_node[k].second);
        ready_ips.push_back(ep.ip);
      }
    }
    if (indices.size() == local.first) {
      for (std::size_t k = b; k < e; ++k) {
        const ProxyEndpoint& ep = sp.endpoints[by_node[k].second];
        if (ep.serving && ep.terminating) indices.push_back(by_node[k].second);
      }
      local.terminating_fallback = indices.size() != local.first;
    }
    local.count = static_cast<std::uint32_t>(indices.size() - local.first);
    ready_ips.erase(std::unique(ready_ips.begin(), ready_ips.end()), ready_ips.end());
    local.ready_ips = static_cast<std::uint32_t>(ready_ips.size());  // endpoints sorted by IP
    if (local.count != 0) locals.push_back(local);
    b = e;
  }
  sp.local_endpoints = locals;
  sp.local_indices = indices;
  derive_hints(sp, ready, hints);
}

// Topology hint buckets (TOPO) of a Service port from its ready endpoints' hints.
void derive_hints(ProxyServicePort& sp, const std::vector<std::uint32_t>& ready,
                  const std::vector<EndpointHints>& hints) {
  // Topology hints count only when every ready endpoint has one.
  sp.all_ready_have_zone_hints = !ready.empty() && !hints.empty();
  sp.all_ready_have_node_hints = !ready.empty() && !hints.empty();
  if (hints.empty()) return;
  std::vector<std::pair<std::string, std::uint32_t>> zone_pairs;
  std::vector<std::pair<std::string, std::uint32_t>> node_pairs;
  for (std::uint32_t i : ready) {
    const EndpointHints& h = hints[i];
    if (h.zones.empty()) sp.all_ready_have_zone_hints = false;
    if (h.nodes.empty()) sp.all_ready_have_node_hints = false;
    for (const auto& z : h.zones) zone_pairs.emplace_back(z, i);
    for (const auto& nn : h.nodes) node_pairs.emplace_back(nn, i);
  }
  if (sp.all_ready_have_zone_hints) sp.zone_buckets = make_buckets(std::move(zone_pairs));
  if (sp.all_ready_have_node_hints) sp.node_buckets = make_buckets(std::move(node_pairs));
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::string proxy_chain_name(std::string_view prefix, std::string_view service_port_name,
                             model::Protocol protocol, std::string_view endpoint) {
  Sha256 sha;
  sha.update(service_port_name);
  sha.update(lower(model::to_string(protocol)));
  sha.update(endpoint);
  return std::string(prefix) + base32_prefix(sha.finish(), 16);
}

std::uint64_t service_port_key(const ServicePortName& name) {
  // FNV-1a over the fields with separators that cannot occur in Kubernetes names.
  std::uint64_t h = core::fnv1a(name.namespace_);
  h = core::fnv1a("/", h);
  h = core::fnv1a(name.name, h);
  h = core::fnv1a(":", h);
  h = core::fnv1a(name.port_name, h);
  h = core::fnv1a("/", h);
  return core::fnv1a(model::to_string(name.protocol), h);
}

std::string ServicePortName::str() const {
  if (port_name.empty()) return fmt::format("{}/{}", namespace_, name);
  return fmt::format("{}/{}:{}", namespace_, name, port_name);
}

std::string ProxyEndpoint::str() const {
  return fmt::format("{}:{}", ip, port);
}

std::string ProxyServicePort::svc_chain() const {
  return proxy_chain_name("KUBE-SVC-", name_str, name.protocol);
}

std::string ProxyServicePort::svl_chain() const {
  return proxy_chain_name("KUBE-SVL-", name_str, name.protocol);
}

std::string ProxyServicePort::ext_chain() const {
  return proxy_chain_name("KUBE-EXT-", name_str, name.protocol);
}

std::string ProxyServicePort::fw_chain() const {
  return proxy_chain_name("KUBE-FW-", name_str, name.protocol);
}

std::string ProxyServicePort::sep_chain(std::uint32_t endpoint) const {
  PODHOP_CHECK(endpoint < endpoints.size(), "endpoint index out of range");
  return proxy_chain_name("KUBE-SEP-", name_str, name.protocol, endpoints[endpoint].str());
}

const NodeLocalEndpoints* ProxyServicePort::local_for(std::uint32_t node_index) const {
  auto it = std::lower_bound(
      local_endpoints.begin(), local_endpoints.end(), node_index,
      [](const NodeLocalEndpoints& l, std::uint32_t n) { return l.node_index < n; });
  if (it == local_endpoints.end() || it->node_index != node_index) return nullptr;
  return &*it;
}

std::string_view to_string(DestinationKind k) {
  switch (k) {
    case DestinationKind::cluster_ip:
      return "cluster IP";
    case DestinationKind::external_ip:
      return "external IP";
    case DestinationKind::load_balancer_ip:
      return "loadbalancer IP";
    case DestinationKind::node_port:
      return "node port";
  }
  return "?";
}

std::uint32_t HealthCheckService::local_ready_on(std::uint32_t node_index) const {
  auto it = std::lower_bound(local_ready.begin(), local_ready.end(), node_index,
                             [](const auto& p, std::uint32_t n) { return p.first < n; });
  if (it == local_ready.end() || it->first != node_index) return 0;
  return it->second;
}

ServiceTables ServiceTables::build(const model::ClusterState& state) {
  ServiceTables t;
  t.pod_cidr_ = state.config.pod_cidr;

  // Nodes, by slot.
  const auto& nodes = state.nodes.items();
  t.nodes_.reserve(nodes.size());
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const model::Node& n = nodes[i];
    t.nodes_.push_back(
        ProxyNode{n.meta.name, n.internal_ip, n.zone, n.ready, n.meta.deletion.has_value()});
    if (!n.internal_ip.empty() && n.internal_ip.value != ~std::uint32_t{0})
      t.node_ips_.emplace(n.internal_ip.value, i);
    t.node_names_.emplace(n.meta.name, i);
  }

  // Pod IPs. A terminal pod's IP may have been handed to a new pod: live pods go in first
  // (the first insert wins).
  const auto& pods = state.pods.items();
  for (bool terminal : {false, true}) {
    for (std::uint32_t i = 0; i < pods.size(); ++i) {
      const model::Pod& p = pods[i];
      if (p.status.pod_ip.empty() || (p.spec && p.spec->host_network)) continue;
      if (p.status.pod_ip.value == ~std::uint32_t{0}) continue;  // FlatIndex's reserved key
      if (is_terminal(p) == terminal) t.pod_ips_.emplace(p.status.pod_ip.value, i);
    }
  }
  t.pod_nodes_.assign(pods.size(), kNoIndex);
  for (std::uint32_t i = 0; i < pods.size(); ++i)
    if (!pods[i].node_name.empty())
      t.pod_nodes_[i] = lookup(t.node_names_, pods[i].node_name).value_or(kNoIndex);

  // EndpointSlices grouped by their Service, in slice-name order (for deterministic
  // deduplication). The hash map is only looked up.
  std::unordered_map<std::string, std::vector<const model::EndpointSlice*>> slices_by_service;
  for (const model::EndpointSlice* s : state.endpoint_slices.sorted()) {
    if (s->service_name.empty() || s->address_type != model::AddressType::IPv4) continue;
    slices_by_service[s->meta.namespace_ + "/" + s->service_name].push_back(s);
  }

  for (const model::Service* svc : state.services.sorted()) {
    const model::ServiceSpec& spec = svc->spec;
    if (spec.type == model::ServiceType::ExternalName || spec.headless || spec.cluster_ip.empty())
      continue;
    const auto service_slot = *state.services.slot_of(svc->meta.namespace_, svc->meta.name);
    const auto slices_it = slices_by_service.find(svc->meta.namespace_ + "/" + svc->meta.name);

    std::vector<core::Ipv4> lb_ips;
    for (const auto& ing : svc->load_balancer)
      if (!ing.ip.empty()) lb_ips.push_back(ing.ip);

    std::vector<ProxyServicePort> svc_ports;
    for (const model::ServicePort& port : spec.ports) {
      ProxyServicePort sp;
      sp.name = ServicePortName{svc->meta.namespace_, svc->meta.name, port.name, port.protocol};
      sp.name_str = sp.name.str();
      sp.key = service_port_key(sp.name);
      sp.service_slot = service_slot;
      sp.type = spec.type;
      sp.cluster_ip = spec.cluster_ip;
      sp.port = port.port;
      sp.node_port = spec.type == model::ServiceType::ClusterIP ? 0 : port.node_port;
      sp.external_ips = spec.external_ips;
      sp.load_balancer_ips = lb_ips;
      sp.external_policy = spec.external_traffic_policy.value_or(model::TrafficPolicy::Cluster);
      sp.internal_policy = spec.internal_traffic_policy.value_or(model::TrafficPolicy::Cluster);
      sp.session_affinity = spec.session_affinity;
      sp.affinity_timeout = spec.affinity_timeout;
      if (spec.type == model::ServiceType::LoadBalancer)
        sp.source_ranges = spec.load_balancer_source_ranges;
      if (sp.external_policy == model::TrafficPolicy::Local)
        sp.health_check_node_port = spec.health_check_node_port;

      // Endpoints: every slice port with this port's NAME and protocol (kube-proxy keys
      // endpoints by ServicePortName, so a mismatched name means no endpoints). Hints are
      // gathered beside them (only when some endpoint has any) for the topology buckets.
      struct Gathered {
        ProxyEndpoint ep;
        const model::Endpoint* source;
      };
      std::vector<Gathered> gathered;
      bool any_hints = false;
      if (slices_it != slices_by_service.end()) {
        for (const model::EndpointSlice* slice : slices_it->second) {
          const model::EndpointPort* match = nullptr;
          for (const auto& ep_port : slice->ports)
            if (ep_port.name == port.name && ep_port.protocol == port.protocol &&
                ep_port.port.has_value()) {
              match = &ep_port;
              break;
            }
          if (match == nullptr) continue;
          for (const model::Endpoint& e : slice->endpoints) {
            if (e.ip.empty()) continue;
            ProxyEndpoint pe;
            pe.ip = e.ip;
            pe.port = *match->port;
            if (!e.node_name.empty())
              pe.node_index = lookup(t.node_names_, e.node_name).value_or(kNoIndex);
            if (e.target_ref && e.target_ref->kind == "Pod") {
              const std::string_view ns = e.target_ref->namespace_.empty()
                                              ? std::string_view(slice->meta.namespace_)
                                              : e.target_ref->namespace_.view();
              pe.pod_slot = state.pods.slot_of(ns, e.target_ref->name).value_or(kNoIndex);
            }
            if (pe.pod_slot == kNoIndex)
              pe.pod_slot = lookup(t.pod_ips_, e.ip.value).value_or(kNoIndex);
            pe.ready = e.conditions.is_ready();
            pe.serving = e.conditions.is_serving();
            pe.terminating = e.conditions.is_terminating();
            any_hints = any_hints || !e.hint_zones.empty() || !e.hint_nodes.empty();
            gathered.push_back({pe, &e});
          }
        }
      }
      // Sort by (ip, port); the first copy of a duplicate (in slice-name order) wins.
      std::stable_sort(gathered.begin(), gathered.end(), [](const Gathered& a, const Gathered& b) {
        return std::tie(a.ep.ip, a.ep.port) < std::tie(b.ep.ip, b.ep.port);
      });
      gathered.erase(std::unique(gathered.begin(), gathered.end(),
                                 [](const Gathered& a, const Gathered& b) {
                                   return a.ep.ip == b.ep.ip && a.ep.port == b.ep.port;
                                 }),
                     gathered.end());
      std::vector<ProxyEndpoint> endpoints;
      endpoints.reserve(gathered.size());
      std::vector<EndpointHints> hints;
      if (any_hints) hints.reserve(gathered.size());
      for (const Gathered& g : gathered) {
        endpoints.push_back(g.ep);
        if (any_hints) hints.push_back({g.source->hint_zones, g.source->hint_nodes});
      }
      sp.endpoints = endpoints;
      derive_lists(sp, hints);
      svc_ports.push_back(std::move(sp));
    }
    std::sort(svc_ports.begin(), svc_ports.end(),
              [](const ProxyServicePort& a, const ProxyServicePort& b) {
                return std::tie(a.name.port_name, a.name.protocol) <
                       std::tie(b.name.port_name, b.name.protocol);
              });

    // A healthCheckNodePort answers for the whole Service: distinct local ready IPs over
    // all its ports (proxy EndpointsMap.LocalReadyEndpoints).
    if (spec.health_check_node_port != 0 &&
        spec.external_traffic_policy == model::TrafficPolicy::Local && !svc_ports.empty()) {
      HealthCheckService hc;
      hc.namespace_ = svc->meta.namespace_;
      hc.name = svc->meta.name;
      hc.port = spec.health_check_node_port;
      std::vector<std::pair<std::uint32_t, core::Ipv4>> local;
      for (const auto& sp : svc_ports)
        for (const auto& ep : sp.endpoints)
          if (ep.ready && ep.node_index != kNoIndex) local.emplace_back(ep.node_index, ep.ip);
      std::sort(local.begin(), local.end());
      local.erase(std::unique(local.begin(), local.end()), local.end());
      for (const auto& [node, ip] : local) {
        if (hc.local_ready.empty() || hc.local_ready.back().first != node)
          hc.local_ready.emplace_back(node, 0);
        ++hc.local_ready.back().second;
      }
      if (t.health_check_ports_
              .emplace(hc.port, static_cast<std::uint32_t>(t.health_checks_.size()))
              .second)
        t.health_checks_.push_back(std::move(hc));
    }

    for (auto& sp : svc_ports) {
      const auto id = static_cast<ServicePortId>(t.ports_.size());
      const model::Protocol proto = sp.name.protocol;
      t.vips_.emplace(vip_key(sp.cluster_ip, sp.port, proto),
                      VipMatch{id, DestinationKind::cluster_ip});
      if (sp.cluster_ip.value != ~std::uint32_t{0})  // FlatIndex's reserved key
        t.cluster_ips_.emplace(sp.cluster_ip.value, id);
      for (core::Ipv4 ip : sp.external_ips)
        t.vips_.emplace(vip_key(ip, sp.port, proto), VipMatch{id, DestinationKind::external_ip});
      for (core::Ipv4 ip : sp.load_balancer_ips)
        t.vips_.emplace(vip_key(ip, sp.port, proto),
                        VipMatch{id, DestinationKind::load_balancer_ip});
      if (sp.node_port != 0) t.node_ports_.emplace(node_port_key(sp.node_port, proto), id);
      PODHOP_CHECK(t.by_key_.emplace(sp.key, id), "two service ports share a 64-bit key");
      t.ports_.push_back(std::move(sp));
    }
  }
  // 20,000 ports of ~400 bytes: doubling's slack alone would be 6 MB.
  t.ports_.shrink_to_fit();
  return t;
}

std::optional<ServicePortId> ServiceTables::find(const ServicePortName& name) const {
  auto id = find_key(service_port_key(name));
  if (id && ports_[*id].name == name) return id;
  return std::nullopt;
}

std::optional<ServicePortId> ServiceTables::find_key(std::uint64_t key) const {
  return lookup(by_key_, key);
}

std::vector<ServicePortId> ServiceTables::ports_of_service(std::string_view ns,
                                                           std::string_view name) const {
  // ports_ is sorted by (namespace, name, ...): binary search the range.
  auto lo = std::lower_bound(ports_.begin(), ports_.end(), std::pair{ns, name},
                             [](const ProxyServicePort& p, const auto& key) {
                               return std::tie(p.name.namespace_, p.name.name) <
                                      std::tie(key.first, key.second);
                             });
  std::vector<ServicePortId> out;
  for (auto it = lo; it != ports_.end() && it->name.namespace_ == ns && it->name.name == name; ++it)
    out.push_back(static_cast<ServicePortId>(it - ports_.begin()));
  return out;
}

std::optional<VipMatch> ServiceTables::find_vip(core::Ipv4 ip, std::int32_t port,
                                                model::Protocol proto) const {
  return lookup(vips_, vip_key(ip, port, proto));
}

std::optional<ServicePortId> ServiceTables::find_cluster_ip(core::Ipv4 ip) const {
  return lookup(cluster_ips_, ip.value);
}

std::optional<ServicePortId> ServiceTables::find_node_port(std::int32_t node_port,
                                                           model::Protocol proto) const {
  return lookup(node_ports_, node_port_key(node_port, proto));
}

const HealthCheckService* ServiceTables::find_health_check(std::int32_t port) const {
  auto it = health_check_ports_.find(port);
  return it == health_check_ports_.end() ? nullptr : &health_checks_[it->second];
}

std::optional<std::uint32_t> ServiceTables::node_by_ip(core::Ipv4 ip) const {
  return lookup(node_ips_, ip.value);
}

std::optional<std::uint32_t> ServiceTables::node_by_name(std::string_view name) const {
  return lookup(node_names_, name);
}

std::optional<std::uint32_t> ServiceTables::pod_by_ip(core::Ipv4 ip) const {
  return lookup(pod_ips_, ip.value);
}

std::span<const std::uint32_t> ServiceTables::cluster_endpoints_for(ServicePortId id,
                                                                    std::uint32_t node_index,
                                                                    std::string_view* mode) const {
  const ProxyServicePort& sp = ports_[id];
  if (mode) *mode = {};
  if (node_index < nodes_.size()) {
    const ProxyNode& node = nodes_[node_index];
    // TOPO topologyModeFromHints: same-node hints first, then same-zone hints; each only
    // when every ready endpoint carries one and one names this node (zone).
    if (sp.all_ready_have_node_hints) {
      if (const HintBucket* b = find_bucket(sp.node_buckets, node.name)) {
        if (mode) *mode = "PreferSameNode";
        return b->endpoints;
      }
    }
    if (sp.all_ready_have_zone_hints && !node.zone.empty()) {
      if (const HintBucket* b = find_bucket(sp.zone_buckets, node.zone)) {
        if (mode) *mode = "PreferSameZone";
        return b->endpoints;
      }
    }
  }
  return sp.cluster_endpoints;
}

HealthCheckResponse ServiceTables::health_check_response(const HealthCheckService& hc,
                                                         std::uint32_t node_index) const {
  const std::uint32_t count = hc.local_ready_on(node_index);
  const bool healthy = true;  // podhop's kube-proxy never falls behind on its syncs
  HealthCheckResponse r;
  r.status = count != 0 && healthy ? 200 : 503;
  // The body kube-proxy's service health server writes: dedented, tab-indented JSON.
  r.body = fmt::format(
      "{{\n\t\"service\": {{\n\t\t\"namespace\": \"{}\",\n\t\t\"name\": \"{}\"\n\t}},\n"
      "\t\"localEndpoints\": {},\n\t\"serviceProxyHealthy\": {}\n}}",
      hc.namespace_, hc.name, count, healthy);
  r.headers.set("Content-Type", "application/json");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("X-Load-Balancing-Endpoint-Weight", std::to_string(count));
  return r;
}

bool ServiceTables::lb_health_check_passes(ServicePortId id, std::uint32_t node_index) const {
  if (node_index >= nodes_.size()) return false;
  const ProxyNode& node = nodes_[node_index];
  if (!node.ready || node.deleting) return false;
  const ProxyServicePort& sp = ports_[id];
  if (sp.external_policy != model::TrafficPolicy::Local) return true;  // :10256/healthz
  if (sp.health_check_node_port != 0)
    if (const HealthCheckService* hc = find_health_check(sp.health_check_node_port))
      return hc->local_ready_on(node_index) > 0;
  // ETP Local without a health check port (not a LoadBalancer): local ready endpoints.
  const NodeLocalEndpoints* local = sp.local_for(node_index);
  return local != nullptr && local->ready_ips > 0;
}

}  // namespace podhop::controllers
