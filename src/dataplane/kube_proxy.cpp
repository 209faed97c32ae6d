#include "podhop/dataplane/kube_proxy.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "podhop/core/check.hpp"

namespace podhop::dataplane {

using controllers::DestinationKind;
using controllers::kNoIndex;
using controllers::ProxyEndpoint;
using controllers::ProxyServicePort;
using controllers::ServicePortId;
using model::TrafficPolicy;

namespace {

constexpr core::Ipv4 kLocalhost{0x7f000001u};  // 127.0.0.1

std::string plural(std::size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

std::string format_seconds(core::Duration d) {
  return core::format_duration(d);
}

// The endpoint index with this ip:port in a Service port's (sorted) endpoints.
std::optional<std::uint32_t> endpoint_index(const ProxyServicePort& sp, core::Ipv4 ip,
                                            std::int32_t port) {
  auto it = std::lower_bound(sp.endpoints.begin(), sp.endpoints.end(), std::pair{ip, port},
                             [](const ProxyEndpoint& e, const std::pair<core::Ipv4, int>& k) {
                               return std::pair{e.ip, e.port} < k;
                             });
  if (it == sp.endpoints.end() || it->ip != ip || it->port != port) return std::nullopt;
  return static_cast<std::uint32_t>(it - sp.endpoints.begin());
}

std::uint64_t virtual_server_key(core::Ipv4 ip, std::int32_t port, model::Protocol proto) {
  return (std::uint64_t{ip.value} << 32) |
         (static_cast<std::uint64_t>(static_cast<std::uint16_t>(port)) << 8) |
         static_cast<std::uint64_t>(proto);
}

}  // namespace

std::string_view to_string(SourceKind k) {
  switch (k) {
    case SourceKind::pod:
      return "pod";
    case SourceKind::node:
      return "node";
    case SourceKind::external:
      return "external";
  }
  return "?";
}

std::string_view to_string(VerdictKind k) {
  switch (k) {
    case VerdictKind::not_a_service:
      return "not_a_service";
    case VerdictKind::dnat:
      return "dnat";
    case VerdictKind::reject:
      return "reject";
    case VerdictKind::drop:
      return "drop";
  }
  return "?";
}

std::size_t KubeProxy::TupleHash::operator()(const ConnectionTuple& t) const {
  std::uint64_t h = (std::uint64_t{t.source_ip.value} << 32) ^ t.dst_ip.value;
  h ^= (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.source_port)) << 17) ^
       (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.dst_port)) << 3) ^
       static_cast<std::uint64_t>(t.protocol);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

KubeProxy::KubeProxy(const controllers::ServiceTables& tables, std::uint32_t node_index,
                     std::uint64_t seed, KubeProxyConfig config)
    : tables_(&tables), live_(&tables), node_index_(node_index), config_(config) {
  PODHOP_CHECK(node_index < tables.nodes().size(), "kube-proxy for a node the tables lack");
  node_ip_ = tables.nodes()[node_index].ip;
  rng_ = core::RngStream(seed, "kube-proxy/" + tables.nodes()[node_index].name);
}

// ---------------------------------------------------------------------------------------
// conntrack

const std::string& KubeProxy::node_name() const {
  return tables_->nodes()[node_index_].name;
}

// ---------------------------------------------------------------------------------------
// The conntrack table

void KubeProxy::ConntrackTable::insert(const Place& p, const ConnectionTuple& key,
                                       const ConntrackEntry& entry) {
  std::size_t i = p.index;
  if ((size_ + 1) * 4 > hashes_.size() * 3) {
    grow();
    i = probe(key, p.hash);
  }
  hashes_[i] = p.hash;
  slots_[i] = Slot{key, entry};
  ++size_;
}

void KubeProxy::ConntrackTable::erase(const ConnectionTuple& key, std::uint32_t h) {
  if (size_ == 0) return;
  std::size_t i = probe(key, h);
  if (hashes_[i] == 0) return;
  // Backward shift: pull later members of the probe run into the hole, so lookups never
  // meet a tombstone.
  const std::size_t mask = hashes_.size() - 1;
  for (std::size_t j = (i + 1) & mask; hashes_[j] != 0; j = (j + 1) & mask) {
    const std::size_t k = hashes_[j] & mask;
    // Slot j may stay when its home lies cyclically in (i, j].
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    hashes_[i] = hashes_[j];
    slots_[i] = slots_[j];
    i = j;
  }
  hashes_[i] = 0;
  --size_;
}

void KubeProxy::ConntrackTable::grow() {
  std::vector<std::uint32_t> old_hashes = std::move(hashes_);
  std::vector<Slot> old = std::move(slots_);
  // Small to start: every node a connection reaches gets a table.
  const std::size_t capacity = old.empty() ? 8 : old.size() * 2;
  hashes_.assign(capacity, 0);
  slots_.assign(capacity, Slot{});
  size_ = 0;
  for (std::size_t j = 0; j < old.size(); ++j)
    if (old_hashes[j] != 0) {
      const std::size_t i = probe(old[j].key, old_hashes[j]);
      hashes_[i] = old_hashes[j];
      slots_[i] = old[j];
      ++size_;
    }
}

// ---------------------------------------------------------------------------------------
// The expiry queue

void KubeProxy::ExpiryQueue::pop_front() {
  ++head_;
  if (head_ == items_.size()) {
    items_.clear();
    head_ = 0;
  } else if (head_ >= 1024 && 2 * head_ >= items_.size()) {
    // Amortized O(1): the dead front is at least as long as what is moved.
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

core::Duration KubeProxy::lifetime(model::Protocol p) const {
  return p == model::Protocol::UDP ? config_.udp_timeout : config_.tcp_timeout;
}

void KubeProxy::update_next_expiry() {
  next_expiry_ = core::SimTime{std::numeric_limits<std::int64_t>::max()};
  for (const ExpiryQueue& q : expiry_)
    if (!q.empty() && q.front().expires < next_expiry_) next_expiry_ = q.front().expires;
}

void KubeProxy::arm(const ConnectionTuple& tuple, std::uint32_t hash, core::SimTime expires) {
  ExpiryQueue& q = expiry_[static_cast<std::size_t>(tuple.protocol)];
  q.push_back(ExpiryQueue::Item{expires, tuple, hash});
  // The queue's first item is unchanged unless it was empty, and compaction below keeps
  // this new (live) item, so a first item only ever moves later.
  if (expires < next_expiry_ && q.size() == 1) next_expiry_ = expires;
  // Closed and refreshed connections leave stale queue elements behind (expire_conntrack
  // skips them); when they outnumber the live entries three to one, drop them (keeping the
  // order) so the queue stays bounded. Each element kept costs a conntrack lookup, so the
  // margin is wide: at 2x the queue was walked every few thousand connections.
  if (q.size() > 4 * conntrack_.size() + 4096) {
    q.erase_if([&](const auto& item) {
      const ConntrackEntry* e = conntrack_.find(item.tuple, item.hash);
      return e == nullptr || e->expires != item.expires;
    });
    update_next_expiry();
  }
}

void KubeProxy::expire_conntrack(core::SimTime now) {
  for (ExpiryQueue& q : expiry_) {
    while (!q.empty() && q.front().expires <= now) {
      const ExpiryQueue::Item& item = q.front();
      const ConntrackEntry* e = conntrack_.find(item.tuple, item.hash);
      // An entry refreshed since has a later expiry (and a later queue element).
      if (e != nullptr && e->expires <= now) conntrack_.erase(item.tuple, item.hash);
      q.pop_front();
    }
  }
  update_next_expiry();
}

void KubeProxy::remember(const NewConnection& c, const Verdict& v,
                         const ConntrackTable::Place& place) {
  const ConnectionTuple key = c.tuple();
  const core::SimTime expires = c.time + lifetime(c.protocol);
  conntrack_.insert(place, key,
                    ConntrackEntry{tables_->port(v.service_port).key, v.endpoint_ip,
                                   v.endpoint_port, v.masquerade, v.destination, expires});
  arm(key, place.hash, expires);
}

void KubeProxy::close(const ConnectionTuple& tuple) {
  conntrack_.erase(tuple);
}

Verdict KubeProxy::conntrack_hit(const NewConnection& c, const ConntrackEntry& e) const {
  Verdict v;
  v.kind = VerdictKind::dnat;
  v.established = true;
  v.endpoint_ip = e.endpoint_ip;
  v.endpoint_port = e.endpoint_port;
  v.masquerade = e.masquerade;
  v.snat_ip = e.masquerade ? node_ip_ : core::Ipv4{};
  v.destination = e.destination;
  const ProxyEndpoint* ep = nullptr;
  std::string sep_chain;
  if (auto id = tables_->find_key(e.service_key)) {
    v.service_port = *id;
    const ProxyServicePort& sp = tables_->port(*id);
    if (auto idx = endpoint_index(sp, e.endpoint_ip, e.endpoint_port)) {
      ep = &sp.endpoints[*idx];
      if (c.explain) sep_chain = sp.sep_chain(*idx);
    }
  }
  if (ep != nullptr) {
    v.pod_slot = ep->pod_slot;
    v.node_index = ep->node_index;
  } else {
    // The endpoint left the Service (its pod may be gone): the flow still goes there.
    v.pod_slot = live_->pod_by_ip(e.endpoint_ip).value_or(kNoIndex);
    if (v.pod_slot == kNoIndex) v.node_index = kNoIndex;
  }
  if (c.explain) {
    v.rule = ep != nullptr ? "conntrack ESTABLISHED (" + sep_chain + ")"
                           : std::string("conntrack ESTABLISHED");
    v.why = fmt::format("conntrack: established connection keeps {}:{}", e.endpoint_ip,
                        e.endpoint_port);
  }
  return v;
}

Verdict KubeProxy::route(const NewConnection& c) {
  if (c.time >= next_expiry_) expire_conntrack(c.time);
  const ConnectionTuple tuple = c.tuple();
  const ConntrackTable::Place place = conntrack_.lookup(tuple);
  if (place.found) {
    ConntrackEntry& e = conntrack_.at(place);
    e.expires = c.time + lifetime(c.protocol);
    const ConntrackEntry entry = e;  // arm() may compact the queue, which reads the table
    arm(tuple, place.hash, entry.expires);
    Verdict v = conntrack_hit(c, entry);
    to_live(v);
    return v;
  }
  Verdict v = route_rules(c);
  // The rules read conntrack nowhere and change it nowhere: `place` is still where the
  // new entry goes.
  if (v.kind == VerdictKind::dnat) remember(c, v, place);
  to_live(v);
  return v;
}

void KubeProxy::to_live(Verdict& v) const {
  if (live_ == tables_) return;
  if (v.service_port != kNoIndex)
    v.service_port = live_->find_key(tables_->port(v.service_port).key).value_or(kNoIndex);
  if (v.kind == VerdictKind::dnat) {
    // The pod the old rules name may have gone: what has that IP now is what answers.
    v.pod_slot = live_->pod_by_ip(v.endpoint_ip).value_or(kNoIndex);
    if (v.pod_slot == kNoIndex) v.node_index = kNoIndex;
  }
}

// ---------------------------------------------------------------------------------------
// The rules

Verdict KubeProxy::route_rules(const NewConnection& c) {
  const controllers::ServiceTables& t = *tables_;

  // KUBE-SERVICES: cluster IPs, external IPs and LoadBalancer IPs, matched on
  // (ip, port, protocol).
  if (auto m = t.find_vip(c.dst_ip, c.dst_port, c.protocol)) return route_service(c, *m);

  // The last rule of KUBE-SERVICES: destinations local to this node go to KUBE-NODEPORTS.
  // iptables mode also accepts 127.0.0.1:nodePort from the node itself (localhostNodePorts).
  const bool local_dst =
      c.dst_ip == node_ip_ || (c.dst_ip == kLocalhost && c.source_kind == SourceKind::node &&
                               config_.mode == model::ProxyMode::iptables);
  if (local_dst) {
    if (auto id = t.find_node_port(c.dst_port, c.protocol))
      return route_service(c, controllers::VipMatch{*id, DestinationKind::node_port});
    if (c.protocol == model::Protocol::TCP) {
      if (const controllers::HealthCheckService* hc = t.find_health_check(c.dst_port)) {
        Verdict v;
        if (c.explain) {
          v.rule = fmt::format("KUBE-NODEPORTS: \"{}/{} health check node port\" ACCEPT",
                               hc->namespace_, hc->name);
          v.why = fmt::format(
              "healthCheckNodePort of {}/{}: kube-proxy's health check server on {} answers",
              hc->namespace_, hc->name, node_name());
        }
        return v;
      }
    }
  }

  Verdict v;
  if (auto any = t.find_cluster_ip(c.dst_ip)) {
    // A cluster IP on a port (or protocol) the Service does not define: no rule rewrites
    // the packet, and nothing routes the service range, so it is lost (PTEST output "").
    v.kind = VerdictKind::drop;
    if (c.explain) {
      v.rule = "(no rule)";
      v.why = fmt::format(
          "{} is the cluster IP of {}/{}, which has no port {}/{}: no rule matches and the "
          "packet is lost",
          c.dst_ip, t.port(*any).name.namespace_, t.port(*any).name.name, c.dst_port,
          model::to_string(c.protocol));
    }
    return v;
  }
  if (c.explain)
    v.why = fmt::format("no Service rule for {}:{}/{}: passed through", c.dst_ip, c.dst_port,
                        model::to_string(c.protocol));
  return v;
}

std::uint32_t KubeProxy::pick(const NewConnection& c, ServicePortId id,
                              std::span<const std::uint32_t> candidates, Verdict& v,
                              bool& affinity_hit) {
  const ProxyServicePort& sp = tables_->port(id);
  const auto n = static_cast<std::uint32_t>(candidates.size());
  PODHOP_CHECK(n > 0, "pick from an empty endpoint list");
  affinity_hit = false;
  std::uint32_t chosen = 0;

  AffinityTable* affinity = nullptr;
  if (sp.session_affinity == model::SessionAffinity::ClientIP) {
    affinity = &affinity_[sp.key];
    // `-m recent --rcheck --seconds T --reap`: a client seen within T goes back to the
    // same endpoint, if that endpoint is still in this chain.
    if (auto it = affinity->find(c.source_ip); it != affinity->end()) {
      const AffinityEntry& e = it->second;
      if (c.time - e.last_seen <= sp.affinity_timeout) {
        if (auto idx = endpoint_index(sp, e.endpoint_ip, e.endpoint_port);
            idx && std::binary_search(candidates.begin(), candidates.end(), *idx)) {
          chosen = *idx;
          affinity_hit = true;
          if (c.explain)
            v.why =
                fmt::format("ClientIP affinity: {} was sent to {} {} ago (timeout {})", c.source_ip,
                            sp.endpoints[chosen].str(), format_seconds(c.time - e.last_seen),
                            format_seconds(sp.affinity_timeout));
        }
      }
    }
  }

  if (!affinity_hit) {
    if (config_.mode == model::ProxyMode::ipvs) {
      // IPVS rr: each virtual server (address:port/protocol) keeps its own cursor.
      std::uint32_t& cursor = rr_cursor_[virtual_server_key(c.dst_ip, c.dst_port, c.protocol)];
      const std::uint32_t k = cursor % n;
      chosen = candidates[k];
      cursor = k + 1;
      if (c.explain)
        v.why = fmt::format("IPVS rr over {}: {} is #{}", plural(n, "endpoint"),
                            sp.endpoints[chosen].str(), k + 1);
    } else {
      // The iptables cascade (rule i matches with 1/(n-i)) is a uniform pick over n.
      chosen = candidates[rng_.uniform(n)];
      if (c.explain) v.why = fmt::format("picked {} with p=1/{}", sp.endpoints[chosen].str(), n);
    }
  }

  if (affinity != nullptr) {
    // `--set` on the endpoint chain: the timer restarts with every new connection.
    const ProxyEndpoint& ep = sp.endpoints[chosen];
    (*affinity)[c.source_ip] = AffinityEntry{ep.ip, ep.port, c.time};
  }
  return chosen;
}

Verdict KubeProxy::route_service(const NewConnection& c, controllers::VipMatch match) {
  const controllers::ServiceTables& t = *tables_;
  const ProxyServicePort& sp = t.port(match.port);
  const bool internal = match.kind == DestinationKind::cluster_ip;

  Verdict v;
  v.service_port = match.port;
  v.destination = match.kind;

  // No usable endpoint anywhere: the filter table REJECTs, whatever the source.
  if (!sp.has_endpoints()) {
    v.kind = VerdictKind::reject;
    if (c.explain) {
      v.rule = fmt::format("{} has no endpoints", sp.name_str);
      v.why = sp.endpoints.empty()
                  ? fmt::format("{} has no endpoints: REJECT (connection refused)", sp.name_str)
                  : fmt::format(
                        "{} lists {}, none ready or serving+terminating: REJECT (connection "
                        "refused)",
                        sp.name_str, plural(sp.endpoints.size(), "endpoint"));
    }
    return v;
  }

  // loadBalancerSourceRanges: KUBE-FW lets allowed sources through to KUBE-EXT; the rest
  // falls off into KUBE-PROXY-FIREWALL's DROP. Only LB IPs are filtered, not the NodePort.
  const bool uses_fw = match.kind == DestinationKind::load_balancer_ip && !sp.source_ranges.empty();
  if (uses_fw) {
    bool allowed = false;
    bool node_allowed = false;
    for (const core::Cidr& r : sp.source_ranges) {
      allowed = allowed || r.contains(c.source_ip);
      node_allowed = node_allowed || r.contains(node_ip_);
    }
    // With the node IP allowed, traffic SNATted to the LB IP itself is allowed too.
    if (!allowed && node_allowed)
      allowed = std::find(sp.load_balancer_ips.begin(), sp.load_balancer_ips.end(), c.source_ip) !=
                sp.load_balancer_ips.end();
    if (!allowed) {
      v.kind = VerdictKind::drop;
      if (c.explain) {
        v.rule = fmt::format("KUBE-PROXY-FIREWALL: \"{} traffic not accepted by {}\"", sp.name_str,
                             sp.fw_chain());
        std::string ranges;
        for (const core::Cidr& r : sp.source_ranges)
          ranges += (ranges.empty() ? "" : ", ") + r.str();
        v.why = fmt::format("source {} is not in loadBalancerSourceRanges ({}): DROP", c.source_ip,
                            ranges);
      }
      return v;
    }
  }

  // Which endpoint list, and whether to masquerade, by destination kind, policy and source.
  std::span<const std::uint32_t> candidates;
  std::string_view topology;
  bool use_local = false;
  bool masquerade = false;
  std::string_view masq_reason;
  std::string_view policy_note;

  if (internal) {
    masquerade = config_.masquerade_all || c.source_kind != SourceKind::pod;
    if (masquerade)
      masq_reason = config_.masquerade_all ? "--masquerade-all" : "source is not a pod";
    use_local = sp.internal_policy == TrafficPolicy::Local;
    if (use_local) policy_note = "internalTrafficPolicy Local";
  } else if (sp.external_policy == TrafficPolicy::Cluster) {
    masquerade = true;
    masq_reason = "externalTrafficPolicy Cluster";
  } else if (c.source_kind == SourceKind::pod) {
    // Short-circuit: pods reaching an external address go to every endpoint, as if they
    // had gone out to the load balancer and come back, and keep their source IP.
    policy_note = "externalTrafficPolicy Local, pod source short-circuited to all endpoints";
  } else if (c.source_kind == SourceKind::node) {
    masquerade = true;
    masq_reason = "LOCAL source";
    policy_note = "externalTrafficPolicy Local, node source sent to all endpoints";
  } else {
    use_local = true;
    policy_note = "externalTrafficPolicy Local";
  }

  const controllers::NodeLocalEndpoints* local = nullptr;
  if (use_local) {
    local = sp.local_for(node_index_);
    if (local == nullptr) {
      v.kind = VerdictKind::drop;
      if (c.explain) {
        v.rule = fmt::format("{} has no local endpoints", sp.name_str);
        v.why = fmt::format("{}: no local endpoint on {} ({} elsewhere): DROP",
                            internal ? "ITP Local" : "ETP Local", node_name(),
                            plural(sp.cluster_endpoints.size(), "endpoint"));
      }
      return v;
    }
    candidates = sp.endpoints_of(*local);
  } else {
    candidates = t.cluster_endpoints_for(match.port, node_index_, &topology);
  }

  bool affinity_hit = false;
  const std::uint32_t chosen = pick(c, match.port, candidates, v, affinity_hit);
  const ProxyEndpoint& ep = sp.endpoints[chosen];

  // Hairpin: the KUBE-SEP rule `-s <epIP> -j KUBE-MARK-MASQ`.
  if (c.source_ip == ep.ip && !masquerade) {
    masquerade = true;
    masq_reason = "hairpin: the endpoint reaches itself";
  }

  v.kind = VerdictKind::dnat;
  v.endpoint_ip = ep.ip;
  v.endpoint_port = ep.port;
  v.pod_slot = ep.pod_slot;
  v.node_index = ep.node_index;
  v.masquerade = masquerade;
  v.snat_ip = masquerade ? node_ip_ : core::Ipv4{};

  if (c.explain) {
    // The chain path, as iptables -t nat would walk it.
    std::string rule;
    if (config_.mode == model::ProxyMode::ipvs) {
      rule = fmt::format("IPVS {} {}:{} rr -> {}", model::to_string(c.protocol), c.dst_ip,
                         c.dst_port, ep.str());
    } else {
      if (match.kind == DestinationKind::node_port) rule += "KUBE-NODEPORTS -> ";
      if (uses_fw) rule += sp.fw_chain() + " -> ";
      if (!internal) rule += sp.ext_chain() + " -> ";
      rule += use_local ? sp.svl_chain() : sp.svc_chain();
      rule += " -> " + sp.sep_chain(chosen);
    }
    v.rule = std::move(rule);

    // What the list was: "3 ready endpoints", "1 local ready endpoint on node-a", ...
    std::string list;
    const std::size_t n = candidates.size();
    if (use_local)
      list =
          fmt::format("{} on {}",
                      plural(n, local->terminating_fallback ? "local serving+terminating endpoint"
                                                            : "local ready endpoint"),
                      node_name());
    else if (sp.cluster_terminating_fallback)
      list = fmt::format("no ready endpoint, {}", plural(n, "serving+terminating endpoint"));
    else if (topology == "PreferSameZone")
      list = fmt::format("{} hinted for zone {} (PreferSameZone)", plural(n, "ready endpoint"),
                         t.nodes()[node_index_].zone);
    else if (topology == "PreferSameNode")
      list = fmt::format("{} hinted for node {} (PreferSameNode)", plural(n, "ready endpoint"),
                         node_name());
    else
      list = plural(n, "ready endpoint");

    std::string why;
    if (!policy_note.empty()) why = fmt::format("{}: ", policy_note);
    why += affinity_hit ? fmt::format("{}; {}", list, v.why) : fmt::format("{}, {}", list, v.why);
    if (masquerade)
      why += fmt::format("; masquerade to {} ({})", node_ip_, masq_reason);
    else if (!internal)
      why += "; client source IP kept";
    v.why = std::move(why);
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// Table changes

void KubeProxy::set_live_tables(const controllers::ServiceTables& live) {
  PODHOP_CHECK(node_index_ < live.nodes().size(), "kube-proxy's node left the tables");
  live_ = &live;
}

void KubeProxy::set_tables(const controllers::ServiceTables& tables) {
  tables_ = &tables;
  live_ = &tables;
  PODHOP_CHECK(node_index_ < tables.nodes().size(), "kube-proxy's node left the tables");
  node_ip_ = tables.nodes()[node_index_].ip;
  // Conntrack and affinity are kept by Service port key, which survives the rebuild. UDP
  // flows to endpoints that are gone or no longer serving are flushed, as kube-proxy does;
  // TCP flows stay (the endpoint would reset them; the pipeline sees that the pod is gone).
  // Visiting order does not matter: each entry is judged on its own.
  conntrack_.erase_if([&](const ConnectionTuple& key, const ConntrackEntry& e) {
    if (key.protocol != model::Protocol::UDP) return false;
    if (auto id = tables.find_key(e.service_key)) {
      const ProxyServicePort& sp = tables.port(*id);
      if (auto idx = endpoint_index(sp, e.endpoint_ip, e.endpoint_port))
        return !(sp.endpoints[*idx].ready || sp.endpoints[*idx].serving);
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Health checks

std::optional<controllers::HealthCheckResponse> KubeProxy::health_check(std::int32_t port) const {
  const controllers::HealthCheckService* hc = tables_->find_health_check(port);
  if (hc == nullptr) return std::nullopt;
  return tables_->health_check_response(*hc, node_index_);
}

controllers::HealthCheckResponse KubeProxy::healthz(core::SimTime now) const {
  const controllers::ProxyNode& node = tables_->nodes()[node_index_];
  const bool eligible = !node.deleting;
  const bool healthy = node.ready && eligible;
  controllers::HealthCheckResponse r;
  r.status = healthy ? 200 : 503;
  const std::string at = core::format_time(now);
  r.body = fmt::format(R"({{"lastUpdated": "{}","currentTime": "{}", "nodeEligible": {}}})", at, at,
                       eligible);
  r.headers.set("Content-Type", "application/json");
  r.headers.set("X-Content-Type-Options", "nosniff");
  return r;
}

bool KubeProxy::lb_health_check_passes(ServicePortId id) const {
  if (live_ != tables_) {
    // The id is the live tables'; this node answers from the rules it runs.
    auto mine = tables_->find_key(live_->port(id).key);
    if (!mine) return false;
    id = *mine;
  }
  return tables_->lb_health_check_passes(id, node_index_);
}

}  // namespace podhop::dataplane
