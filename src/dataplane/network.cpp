#include "podhop/dataplane/network.hpp"

#include <unordered_set>

#include <fmt/format.h>

#include "podhop/core/check.hpp"

namespace podhop::dataplane {

std::string_view to_string(PlaceKind k) {
  switch (k) {
    case PlaceKind::pod:
      return "pod";
    case PlaceKind::node:
      return "node";
    case PlaceKind::external_host:
      return "external host";
    case PlaceKind::upstream_dns:
      return "upstream resolver";
    case PlaceKind::external_client:
      return "external client";
    case PlaceKind::nowhere:
      return "nowhere";
  }
  return "unknown";
}

Network::Network(const model::ClusterState& state, std::uint64_t seed) : seed_(seed) {
  external_client_ip_ = *core::Ipv4::parse(kExternalClientIp);
  build(state);
}

void Network::rebuild(const model::ClusterState& state) {
  build(state);
}

void Network::build(const model::ClusterState& state) {
  state_ = &state;
  ++generation_;
  tables_ =
      std::make_shared<const controllers::ServiceTables>(controllers::ServiceTables::build(state));
  zone_ = std::make_unique<controllers::DnsZone>(state);
  dns_ = std::make_unique<DnsServer>(*zone_, state.config);
  upstream_ = std::make_unique<UpstreamResolver>(state.config);
  apps_ = AppCatalog(state);

  // Kube-proxies keep their state (conntrack, affinity) when the nodes are the same ones in
  // the same slots; any other change of the node list starts them afresh, as new nodes do.
  const auto& nodes = tables_->nodes();
  bool same_nodes = proxies_.size() == nodes.size();
  for (std::size_t i = 0; same_nodes && i < proxies_.size(); ++i) {
    auto it = proxy_by_node_name_.find(nodes[i].name);
    same_nodes = it != proxy_by_node_name_.end() && it->second == i;
  }
  KubeProxyConfig pc;
  pc.mode = state.config.proxy_mode;
  if (!same_nodes) {
    // New nodes start with the newest rules, whatever the propagation mode.
    proxies_.clear();
    proxy_by_node_name_.clear();
    node_tables_.assign(nodes.size(), tables_);
    node_generation_.assign(nodes.size(), generation_);
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      proxies_.push_back(std::make_unique<KubeProxy>(*tables_, i, seed_, pc));
      proxy_by_node_name_.emplace(nodes[i].name, i);
    }
  } else if (!deferred_) {
    for (std::uint32_t i = 0; i < proxies_.size(); ++i) {
      node_tables_[i] = tables_;
      node_generation_[i] = generation_;
      proxies_[i]->set_tables(*tables_);
    }
  } else {
    for (auto& p : proxies_) p->set_live_tables(*tables_);
  }

  Build b;
  b.generation = generation_;
  b.tables = tables_;
  if (deferred_ && same_nodes) {
    // The ingress controller will see this build later: keep the state as it is now.
    if (state.config.has_addon("ingress"))
      b.state = std::make_shared<const model::ClusterState>(state);
    builds_.push_back(std::move(b));
  } else {
    builds_.clear();
    builds_.push_back(std::move(b));
    ingress_tables_ = tables_;
    ingress_state_ = nullptr;
    ingress_generation_ = generation_;
  }
  drop_unused_builds();

  external_hosts_.clear();
  for (std::uint32_t i = 0; i < state.config.external_hosts.size(); ++i)
    external_hosts_.emplace(state.config.external_hosts[i].ip, i);

  resolv_cache_.assign(state.pods.size(), nullptr);
  hosts_cache_.assign(state.pods.size(), nullptr);
  node_resolv_ = std::make_shared<const ResolvConf>(node_resolv_conf(state.config));

  // App queues of pods whose slot was compacted away: no request can hold them any more.
  // (Erasing visits the map in hash order, which reaches no output.)
  if (!app_queues_.empty()) {
    std::unordered_set<std::uint64_t> present;
    for (const auto& p : state.pods.items()) present.insert(p.meta.creation_index);
    std::erase_if(app_queues_, [&](const auto& q) { return !present.contains(q.first >> 8); });
  }
}

void Network::set_deferred_propagation(bool deferred) {
  if (deferred && !deferred_ && state_ != nullptr && state_->config.has_addon("ingress")) {
    // From now on the live state changes ahead of the ingress view: keep what it sees.
    ingress_state_ = std::make_shared<const model::ClusterState>(*state_);
    if (!builds_.empty() && builds_.back().generation == ingress_generation_)
      builds_.back().state = ingress_state_;
  }
  deferred_ = deferred;
  if (deferred_) return;
  for (std::uint32_t i = 0; i < proxies_.size(); ++i) program_node(i);
  program_ingress();
}

const Network::Build* Network::find_build(std::uint64_t generation) const {
  for (const auto& b : builds_)
    if (b.generation == generation) return &b;
  return nullptr;
}

void Network::drop_unused_builds() {
  // Keep the newest build and every build newer than the oldest one still in use: a node
  // may yet be programmed with any of them.
  std::uint64_t oldest = ingress_generation_;
  for (auto g : node_generation_) oldest = std::min(oldest, g);
  std::erase_if(builds_, [&](const Build& b) {
    return b.generation < oldest && b.generation != generation_;
  });
}

void Network::program_node(std::uint32_t node, std::uint64_t generation) {
  PODHOP_CHECK(node < proxies_.size(), "node slot out of range");
  const Build* b = generation == 0 ? nullptr : find_build(generation);
  if (b == nullptr) b = &builds_.back();
  if (b->generation <= node_generation_[node]) return;
  node_tables_[node] = b->tables;
  node_generation_[node] = b->generation;
  proxies_[node]->set_tables(*b->tables);
  if (b->tables != tables_) proxies_[node]->set_live_tables(*tables_);
  drop_unused_builds();
}

std::uint64_t Network::node_generation(std::uint32_t node) const {
  PODHOP_CHECK(node < node_generation_.size(), "node slot out of range");
  return node_generation_[node];
}

void Network::program_ingress(std::uint64_t generation) {
  const Build* b = generation == 0 ? nullptr : find_build(generation);
  if (b == nullptr) b = &builds_.back();
  if (b->generation <= ingress_generation_) return;
  ingress_tables_ = b->tables;
  // The newest build's state is the live one only while nothing changed since it was built;
  // its copy (kept when deferred) says exactly what the controller saw.
  ingress_state_ = b->state;
  ingress_generation_ = b->generation;
  drop_unused_builds();
}

bool Network::fully_propagated() const {
  if (ingress_generation_ != generation_) return false;
  for (auto g : node_generation_)
    if (g != generation_) return false;
  return true;
}

const model::ClusterState& Network::ingress_state() const {
  return ingress_state_ ? *ingress_state_ : *state_;
}

const controllers::ServiceTables& Network::ingress_tables() const {
  return *ingress_tables_;
}

const std::string& Network::node_name(std::uint32_t node) const {
  PODHOP_CHECK(node < tables_->nodes().size(), "node slot out of range");
  return tables_->nodes()[node].name;
}

core::Ipv4 Network::node_ip(std::uint32_t node) const {
  PODHOP_CHECK(node < tables_->nodes().size(), "node slot out of range");
  return tables_->nodes()[node].ip;
}

Place Network::locate(core::Ipv4 ip) const {
  Place p;
  if (auto pod = tables_->pod_by_ip(ip)) {
    p.kind = PlaceKind::pod;
    p.pod = *pod;
    const auto& name = state_->pods[*pod].node_name;
    if (auto n = tables_->node_by_name(name)) p.node = *n;
    return p;
  }
  if (auto node = tables_->node_by_ip(ip)) {
    p.kind = PlaceKind::node;
    p.node = *node;
    return p;
  }
  if (auto it = external_hosts_.find(ip); it != external_hosts_.end()) {
    p.kind = PlaceKind::external_host;
    p.host = it->second;
    return p;
  }
  if (ip == state_->config.node_nameserver) {
    p.kind = PlaceKind::upstream_dns;
    return p;
  }
  if (ip == external_client_ip_) {
    p.kind = PlaceKind::external_client;
    return p;
  }
  return p;
}

core::Duration Network::latency(std::uint32_t from_node, std::uint32_t to_node) const {
  const auto& lat = state_->config.latency;
  if (from_node == kNoIndex || to_node == kNoIndex) return lat.external;
  return from_node == to_node ? lat.same_node : lat.cross_node;
}

core::Duration Network::latency(std::uint32_t from_node, const Place& to) const {
  const auto& lat = state_->config.latency;
  switch (to.kind) {
    case PlaceKind::pod:
    case PlaceKind::node:
      return latency(from_node, to.node);
    case PlaceKind::upstream_dns:
      // The nodes' resolver sits on the nodes' own network (minikube's host gateway).
      return lat.same_node;
    case PlaceKind::external_host:
    case PlaceKind::external_client:
    case PlaceKind::nowhere:
      return lat.external;
  }
  return lat.external;
}

std::string Network::describe_path(std::uint32_t from_node, std::uint32_t to_node) const {
  // Plain concatenation into one allocation: the pipeline asks for this on every
  // connection.
  if (from_node == kNoIndex && to_node == kNoIndex) return "outside the cluster";
  std::string out;
  out.reserve(40 + (from_node == kNoIndex ? 0 : node_name(from_node).size()) +
              (to_node == kNoIndex ? 0 : node_name(to_node).size()));
  if (from_node == kNoIndex) {
    out = "from outside to node ";
    out += node_name(to_node);
  } else if (to_node == kNoIndex) {
    out = "node ";
    out += node_name(from_node);
    out += " -> the simulated internet";
  } else if (from_node == to_node) {
    out = "same node ";
    out += node_name(from_node);
  } else {
    out = "node ";
    out += node_name(from_node);
    out += " -> node ";
    out += node_name(to_node);
  }
  return out;
}

std::string Network::pod_name(std::uint32_t pod) const {
  const auto& p = state_->pods[pod];
  std::string out;
  out.reserve(p.meta.namespace_.size() + 1 + p.meta.name.size());
  out += p.meta.namespace_;
  out += '/';
  out += p.meta.name;
  return out;
}

bool Network::pod_alive(std::uint32_t slot, core::Ipv4 ip) const {
  if (slot >= state_->pods.size()) return false;
  const model::Pod& pod = state_->pods[slot];
  return !pod.removed && pod.status.pod_ip == ip;
}

DnsAnswer Network::dns_answer(std::uint32_t server_pod, const DnsQuery& query, core::SimTime now) {
  return *dns_answer_shared(server_pod, query, now);
}

std::shared_ptr<const DnsAnswer> Network::dns_answer_shared(std::uint32_t server_pod,
                                                            const DnsQuery& query,
                                                            core::SimTime now) {
  const core::Duration keep = state_->config.timing.dns_cache;
  if (keep.ns <= 0) return dns_->answer_shared(query);
  // One cache per CoreDNS pod (its identity survives rebuilds: the creation index).
  const std::uint64_t owner = server_pod < state_->pods.size()
                                  ? state_->pods[server_pod].meta.creation_index
                                  : std::uint64_t{server_pod};
  std::string key = std::to_string(owner);
  key += '\x1f';
  key += std::to_string(static_cast<int>(query.type));
  key += '\x1f';
  for (char c : query.name) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (auto it = dns_cache_.find(key); it != dns_cache_.end()) {
    if (now < it->second.expires) {
      // The cache plugin answers with the TTL that is left.
      auto a = std::make_shared<DnsAnswer>(*it->second.answer);
      const auto elapsed = static_cast<std::uint32_t>((now - it->second.stored).ns / 1'000'000'000);
      for (auto* rrs : {&a->answer, &a->authority, &a->additional})
        for (auto& r : *rrs) r.ttl = r.ttl > elapsed ? r.ttl - elapsed : 0;
      a->detail = fmt::format("from the cache of {} ({} left): {}", pod_name(server_pod),
                              core::format_duration(it->second.expires - now), a->detail);
      return a;
    }
    dns_cache_.erase(it);
  }
  std::shared_ptr<const DnsAnswer> a = dns_->answer_shared(query);
  if (a->source != "cluster") return a;  // the simulated internet never changes: no need
  // Kept for the configured time, at most the smallest TTL the answer carries.
  std::int64_t ttl_ns = keep.ns;
  for (const auto* rrs : {&a->answer, &a->authority})
    for (const auto& r : *rrs)
      ttl_ns = std::min<std::int64_t>(ttl_ns, core::Duration::seconds(r.ttl).ns);
  if (ttl_ns > 0) dns_cache_[key] = CachedAnswer{a, now, now + core::Duration::nanos(ttl_ns)};
  return a;
}

AppQueue* Network::app_queue(std::uint32_t slot, std::uint32_t container) {
  if (slot >= state_->pods.size() || container >= 256) return nullptr;
  const PodApps* apps = apps_.pod(slot);
  if (apps == nullptr || container >= apps->containers.size()) return nullptr;
  const model::AppCapacity& cap = apps->containers[container].capacity;
  if (!cap.limited()) return nullptr;
  const model::Pod& pod = state_->pods[slot];
  const std::uint64_t key = (pod.meta.creation_index << 8) | container;
  auto it = app_queues_.find(key);
  if (it == app_queues_.end()) {
    core::RngStream rng(seed_, fmt::format("app-queue/{}/{}/{}", pod.meta.namespace_, pod.meta.name,
                                           apps->containers[container].container));
    it = app_queues_.emplace(key, std::make_unique<AppQueue>(cap, rng)).first;
  }
  return it->second.get();
}

std::optional<Client> Network::pod_client(std::uint32_t slot) const {
  if (slot >= state_->pods.size()) return std::nullopt;
  const model::Pod& pod = state_->pods[slot];
  if (pod.removed) return std::nullopt;
  if (pod.status.pod_ip.empty() && !pod.spec->host_network) return std::nullopt;
  Client c;
  c.kind = ClientKind::pod;
  c.name = pod_name(slot);
  c.pod = slot;
  c.node_name = pod.node_name;
  if (auto n = tables_->node_by_name(pod.node_name)) c.node = *n;
  if (pod.spec->host_network) {
    c.source_kind = SourceKind::node;
    c.ip = c.node != kNoIndex ? node_ip(c.node) : pod.status.pod_ip;
  } else {
    c.source_kind = SourceKind::pod;
    c.ip = pod.status.pod_ip;
  }
  if (!resolv_cache_[slot]) {
    resolv_cache_[slot] =
        std::make_shared<const ResolvConf>(resolv_conf_for(pod, state_->config, zone_->dns_ip()));
    hosts_cache_[slot] = std::make_shared<const HostsFile>(hosts_file_for(pod, state_->config));
  }
  c.resolv_conf = resolv_cache_[slot];
  c.hosts = hosts_cache_[slot];
  return c;
}

std::optional<Client> Network::client(const ClientRef& ref, ClientError* error) const {
  switch (ref.kind) {
    case ClientKind::pod: {
      auto slot = state_->pods.slot_of(ref.namespace_, ref.name);
      if (!slot || state_->pods[*slot].removed) {
        if (error) error->message = fmt::format("pods \"{}\" not found", ref.name);
        return std::nullopt;
      }
      auto c = pod_client(*slot);
      if (!c && error)
        error->message = fmt::format("pod {}/{} has no IP yet", ref.namespace_, ref.name);
      return c;
    }
    case ClientKind::node: {
      auto node = tables_->node_by_name(ref.name);
      if (!node) {
        if (error) error->message = fmt::format("nodes \"{}\" not found", ref.name);
        return std::nullopt;
      }
      Client c;
      c.kind = ClientKind::node;
      c.name = ref.name;
      c.node = *node;
      c.node_name = ref.name;
      c.ip = node_ip(*node);
      c.source_kind = SourceKind::node;
      c.resolv_conf = node_resolv_;
      return c;
    }
    case ClientKind::external: {
      Client c;
      c.kind = ClientKind::external;
      c.name = "external";
      c.ip = external_client_ip_;
      c.source_kind = SourceKind::external;
      // The outside client asks the same resolver the nodes use: the simulated internet.
      c.resolv_conf = node_resolv_;
      return c;
    }
  }
  return std::nullopt;
}

std::uint16_t Network::ephemeral_port(core::Ipv4 source) {
  auto [it, inserted] = next_port_.try_emplace(source, std::uint16_t{40001});
  std::uint16_t port = it->second;
  // Stay inside Linux's default ip_local_port_range (32768-60999).
  it->second = port >= 60999 ? std::uint16_t{32768} : static_cast<std::uint16_t>(port + 1);
  return port;
}

}  // namespace podhop::dataplane
