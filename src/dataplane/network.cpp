#include "podhop/dataplane/network.hpp"

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
  tables_ = controllers::ServiceTables::build(state);
  zone_ = std::make_unique<controllers::DnsZone>(state);
  dns_ = std::make_unique<DnsServer>(*zone_, state.config);
  upstream_ = std::make_unique<UpstreamResolver>(state.config);
  apps_ = AppCatalog(state);

  // Kube-proxies keep their state (conntrack, affinity) when the nodes are the same ones in
  // the same slots; any other change of the node list starts them afresh, as new nodes do.
  bool same_nodes = proxies_.size() == tables_.nodes().size();
  for (std::size_t i = 0; same_nodes && i < proxies_.size(); ++i) {
    auto it = proxy_by_node_name_.find(tables_.nodes()[i].name);
    same_nodes = it != proxy_by_node_name_.end() && it->second == i;
  }
  KubeProxyConfig pc;
  pc.mode = state.config.proxy_mode;
  if (same_nodes) {
    for (auto& p : proxies_) p->set_tables(tables_);
  } else {
    proxies_.clear();
    proxy_by_node_name_.clear();
    for (std::uint32_t i = 0; i < tables_.nodes().size(); ++i) {
      proxies_.push_back(std::make_unique<KubeProxy>(tables_, i, seed_, pc));
      proxy_by_node_name_.emplace(tables_.nodes()[i].name, i);
    }
  }

  external_hosts_.clear();
  for (std::uint32_t i = 0; i < state.config.external_hosts.size(); ++i)
    external_hosts_.emplace(state.config.external_hosts[i].ip, i);

  resolv_cache_.assign(state.pods.size(), nullptr);
  hosts_cache_.assign(state.pods.size(), nullptr);
  node_resolv_ = std::make_shared<const ResolvConf>(node_resolv_conf(state.config));
}

const std::string& Network::node_name(std::uint32_t node) const {
  PODHOP_CHECK(node < tables_.nodes().size(), "node slot out of range");
  return tables_.nodes()[node].name;
}

core::Ipv4 Network::node_ip(std::uint32_t node) const {
  PODHOP_CHECK(node < tables_.nodes().size(), "node slot out of range");
  return tables_.nodes()[node].ip;
}

Place Network::locate(core::Ipv4 ip) const {
  Place p;
  if (auto pod = tables_.pod_by_ip(ip)) {
    p.kind = PlaceKind::pod;
    p.pod = *pod;
    const auto& name = state_->pods[*pod].node_name;
    if (auto n = tables_.node_by_name(name)) p.node = *n;
    return p;
  }
  if (auto node = tables_.node_by_ip(ip)) {
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
  if (from_node == kNoIndex && to_node == kNoIndex) return "outside the cluster";
  if (from_node == kNoIndex) return fmt::format("from outside to node {}", node_name(to_node));
  if (to_node == kNoIndex)
    return fmt::format("node {} -> the simulated internet", node_name(from_node));
  if (from_node == to_node) return fmt::format("same node {}", node_name(from_node));
  return fmt::format("node {} -> node {}", node_name(from_node), node_name(to_node));
}

std::string Network::pod_name(std::uint32_t pod) const {
  const auto& p = state_->pods[pod];
  return fmt::format("{}/{}", p.meta.namespace_, p.meta.name);
}

std::optional<Client> Network::pod_client(std::uint32_t slot) const {
  if (slot >= state_->pods.size()) return std::nullopt;
  const model::Pod& pod = state_->pods[slot];
  if (pod.status.pod_ip.empty() && !pod.spec->host_network) return std::nullopt;
  Client c;
  c.kind = ClientKind::pod;
  c.name = pod_name(slot);
  c.pod = slot;
  c.node_name = pod.node_name;
  if (auto n = tables_.node_by_name(pod.node_name)) c.node = *n;
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
      if (!slot) {
        if (error) error->message = fmt::format("pods \"{}\" not found", ref.name);
        return std::nullopt;
      }
      auto c = pod_client(*slot);
      if (!c && error)
        error->message = fmt::format("pod {}/{} has no IP yet", ref.namespace_, ref.name);
      return c;
    }
    case ClientKind::node: {
      auto node = tables_.node_by_name(ref.name);
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
