#include "podhop/dataplane/network.hpp"

#include <cstring>
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
  latency_ = state.config.latency;
  lb_nodes_.clear();
  const std::shared_ptr<const controllers::ServiceTables> previous = tables_;
  tables_ =
      std::make_shared<const controllers::ServiceTables>(controllers::ServiceTables::build(state));
  zone_ = std::make_unique<controllers::DnsZone>(state);
  dns_ = std::make_unique<DnsServer>(*zone_, state.config);
  upstream_ = std::make_unique<UpstreamResolver>(state.config);
  apps_ = AppCatalog(state);

  // Kube-proxies keep their state (conntrack, affinity) when the nodes are the same ones in
  // the same slots; any other change of the node list starts them afresh, as new nodes do.
  // (The previous tables still name the nodes the kube-proxies were made for.)
  const auto& nodes = tables_->nodes();
  bool same_nodes = previous != nullptr && proxies_.size() == nodes.size();
  for (std::size_t i = 0; same_nodes && i < proxies_.size(); ++i)
    same_nodes = previous->nodes()[i].name == nodes[i].name;
  proxy_config_ = KubeProxyConfig{};
  proxy_config_.mode = state.config.proxy_mode;
  if (!same_nodes) {
    // New nodes start with the newest rules, whatever the propagation mode. Each node's
    // kube-proxy is made when a connection first reaches it (proxy()).
    proxies_.clear();
    proxies_.resize(nodes.size());
    node_tables_.assign(nodes.size(), tables_);
    node_generation_.assign(nodes.size(), generation_);
  } else if (!deferred_) {
    for (std::uint32_t i = 0; i < proxies_.size(); ++i) {
      node_tables_[i] = tables_;
      node_generation_[i] = generation_;
      if (proxies_[i]) proxies_[i]->set_tables(*tables_);
    }
  } else {
    for (auto& p : proxies_)
      if (p) p->set_live_tables(*tables_);
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

  resolver_files_.clear();
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
  lb_nodes_.clear();
  if (proxies_[node]) {
    proxies_[node]->set_tables(*b->tables);
    if (b->tables != tables_) proxies_[node]->set_live_tables(*tables_);
  }
  drop_unused_builds();
}

void Network::create_proxy(std::uint32_t node) {
  // The node runs node_tables_[node] (maybe older than the newest); the state a new
  // KubeProxy starts with (empty conntrack, affinity, cursors) is what a kube-proxy that
  // never saw a connection holds, so making it now or at the build is the same.
  proxies_[node] = std::make_unique<KubeProxy>(*node_tables_[node], node, seed_, proxy_config_);
  if (node_tables_[node] != tables_) proxies_[node]->set_live_tables(*tables_);
}

const std::vector<std::uint32_t>& Network::lb_nodes(controllers::ServicePortId id) const {
  auto it = lb_nodes_.find(id);
  if (it != lb_nodes_.end()) return it->second;
  // KubeProxy::lb_health_check_passes without the KubeProxy: each node answers from the
  // rules it runs (node_tables_), naming the port by its key there.
  std::vector<std::uint32_t> healthy;
  const std::uint64_t key = tables_->port(id).key;
  for (std::uint32_t n = 0; n < node_tables_.size(); ++n) {
    const controllers::ServiceTables& mine = *node_tables_[n];
    std::optional<controllers::ServicePortId> own = id;
    if (&mine != tables_.get()) own = mine.find_key(key);
    if (own && mine.lb_health_check_passes(*own, n)) healthy.push_back(n);
  }
  return lb_nodes_.emplace(id, std::move(healthy)).first->second;
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
    p.node = tables_->node_of_pod(*pod);
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
  std::string out;
  assign_pod_name(pod, out);
  return out;
}

void Network::assign_pod_name(std::uint32_t pod, std::string& out) const {
  const auto& p = state_->pods[pod];
  const std::string_view ns = p.meta.namespace_;
  const std::string_view name = p.meta.name;
  // One resize and two copies: three appends would check the capacity three times.
  out.resize(ns.size() + 1 + name.size());
  char* d = out.data();
  std::memcpy(d, ns.data(), ns.size());
  d[ns.size()] = '/';
  std::memcpy(d + ns.size() + 1, name.data(), name.size());
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
  c.node = tables_->node_of_pod(slot);
  if (pod.spec->host_network) {
    c.source_kind = SourceKind::node;
    c.ip = c.node != kNoIndex ? node_ip(c.node) : pod.status.pod_ip;
  } else {
    c.source_kind = SourceKind::pod;
    c.ip = pod.status.pod_ip;
  }
  ResolverFiles& files = resolver_files_[slot];
  if (!files.resolv_conf) {
    files.resolv_conf =
        std::make_shared<const ResolvConf>(resolv_conf_for(pod, state_->config, zone_->dns_ip()));
    files.hosts = std::make_shared<const HostsFile>(hosts_file_for(pod, state_->config));
  }
  c.resolv_conf = files.resolv_conf;
  c.hosts = files.hosts;
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
