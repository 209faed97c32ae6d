#pragma once
// kube-proxy on one node: the routing verdict for a new connection.
//
// The tables (controllers/tables.hpp) are shared by every node and immutable; a KubeProxy
// holds only what one node's kernel would hold: conntrack (an established connection keeps
// its endpoint), the ClientIP affinity lists (xt_recent, one per endpoint chain, keyed by
// source IP), the IPVS round-robin cursors, and its own random stream for the iptables
// `statistic --mode random` cascade.
//
// The iptables cascade gives rule i (0-based, of n) probability 1/(n-i), which makes every
// endpoint equally likely (1/n). We draw one uniform index in [0, n) instead: the same
// distribution with one draw instead of up to n-1. The trace still names the per-endpoint
// probability (1/n).
//
// A stage: route() takes the connection and returns a small, exhaustive Verdict; it never
// logs and never throws.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "podhop/controllers/tables.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/core/rng.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::dataplane {

/// Where a connection comes from, as kube-proxy tells sources apart.
enum class SourceKind : std::uint8_t {
  /// A pod IP (inside the cluster pod CIDR: kube-proxy's local detector). Normally a pod on
  /// this node; a pod on another node reaching this node's NodePort counts the same.
  pod,
  /// This node itself (host processes, hostNetwork pods): `--src-type LOCAL`.
  node,
  /// Anything else: clients outside the cluster, other nodes' host IPs, the cloud LB.
  external,
};
std::string_view to_string(SourceKind k);

/// A connection's 5-tuple: the conntrack key.
struct ConnectionTuple {
  core::Ipv4 source_ip;
  std::int32_t source_port = 0;
  core::Ipv4 dst_ip;
  std::int32_t dst_port = 0;
  model::Protocol protocol = model::Protocol::TCP;
  bool operator==(const ConnectionTuple&) const = default;
};

/// The first packet of a connection as it reaches this node's kube-proxy.
struct NewConnection {
  core::Ipv4 source_ip;
  /// The client's ephemeral port. Together with the rest it is the conntrack key: send the
  /// same tuple again to reuse an established connection (and its endpoint).
  std::int32_t source_port = 0;
  SourceKind source_kind = SourceKind::pod;
  core::Ipv4 dst_ip;
  std::int32_t dst_port = 0;
  model::Protocol protocol = model::Protocol::TCP;
  core::SimTime time;
  /// Fill Verdict::rule and Verdict::why. Off for bulk traffic: the verdict is the same,
  /// only the words are skipped (they cost allocations).
  bool explain = true;

  ConnectionTuple tuple() const { return {source_ip, source_port, dst_ip, dst_port, protocol}; }
};

/// What kube-proxy did with a connection.
enum class VerdictKind : std::uint8_t {
  /// No kube-proxy rule matched: the packet goes on unchanged.
  not_a_service,
  /// DNAT to an endpoint.
  dnat,
  /// The Service has no endpoints: ICMP port unreachable, "connection refused" at once.
  reject,
  /// Silently dropped: the client times out. ITP/ETP Local without a local endpoint,
  /// a source outside loadBalancerSourceRanges, an unknown port on a cluster IP.
  drop,
};
std::string_view to_string(VerdictKind k);

/// The verdict for one connection. Fields past `kind` are meaningful as documented.
struct Verdict {
  VerdictKind kind = VerdictKind::not_a_service;

  // --- dnat (and the service fields also for reject/drop when a Service matched)
  core::Ipv4 endpoint_ip;
  std::int32_t endpoint_port = 0;
  /// Slot in ClusterState::pods of the endpoint, kNoIndex for an outside address.
  std::uint32_t pod_slot = controllers::kNoIndex;
  /// Slot in ClusterState::nodes of the endpoint's node, kNoIndex when unknown.
  std::uint32_t node_index = controllers::kNoIndex;
  /// SNAT to this node's IP: the endpoint sees `snat_ip` as the client address.
  bool masquerade = false;
  core::Ipv4 snat_ip;
  /// The Service port that matched (kNoIndex for not_a_service and the cluster-IP
  /// blackhole), and how it was addressed.
  controllers::ServicePortId service_port = controllers::kNoIndex;
  controllers::DestinationKind destination = controllers::DestinationKind::cluster_ip;
  /// True when conntrack answered: an established connection reused its endpoint.
  bool established = false;

  /// The chain path as iptables would name it ("KUBE-SVC-... -> KUBE-SEP-..."), or the
  /// comment of the filter rule that decided ("default/app2-svc has no endpoints",
  /// "default/web:http has no local endpoints", "KUBE-PROXY-FIREWALL: ..."); see
  /// docs/kube-proxy.md. Empty unless explain.
  std::string rule;
  /// One line for the trace: "3 ready endpoints, picked 10.244.0.7:8080 with p=1/3".
  std::string why;
};

/// Per-node kube-proxy settings.
struct KubeProxyConfig {
  model::ProxyMode mode = model::ProxyMode::iptables;
  /// --masquerade-all: masquerade every ClusterIP connection.
  bool masquerade_all = false;
  /// Conntrack lifetimes, refreshed on every reuse: kube-proxy sets TCP established to
  /// 24h (conntrack.tcpEstablishedTimeout); UDP keeps the kernel's 30s.
  core::Duration tcp_timeout = core::Duration::seconds(86400);
  core::Duration udp_timeout = core::Duration::seconds(30);
};

/// One node's kube-proxy. Holds a pointer to the tables: keep them alive, and call
/// set_tables() after every rebuild.
class KubeProxy {
 public:
  /// The kube-proxy of node `node_index` (slot in ClusterState::nodes). Its random stream
  /// is named "kube-proxy/<node name>" under `seed`.
  KubeProxy(const controllers::ServiceTables& tables, std::uint32_t node_index, std::uint64_t seed,
            KubeProxyConfig config = {});

  /// The verdict for a connection: conntrack first (same tuple, not expired: same
  /// endpoint), then the rules. Records the new connection in conntrack and refreshes
  /// affinity. Never throws.
  Verdict route(const NewConnection& connection);

  /// The connection ended (TCP close): forget its conntrack entry.
  void close(const ConnectionTuple& tuple);

  /// Points at freshly built tables (after a cluster change): the rules this node runs and
  /// the live tables are then the same. Affinity and round-robin state follow their Service
  /// port by name; UDP conntrack entries to endpoints that are gone are flushed, as
  /// kube-proxy does; TCP entries stay (the pod may be gone: the pipeline finds out when it
  /// tries to reach it).
  void set_tables(const controllers::ServiceTables& tables);
  /// The cluster's newest tables while this node still runs older rules (its sync lags,
  /// docs/time.md). Routing keeps using the programmed rules; a verdict names its Service
  /// port, pod and node in the live tables (the ids callers hold), so a pod that has gone
  /// since the rules were written comes back as pod_slot kNoIndex: nobody has that IP now.
  /// Both tables must outlive their use here.
  void set_live_tables(const controllers::ServiceTables& live);
  /// True when this node's rules are the live tables.
  bool up_to_date() const { return tables_ == live_; }

  /// The HTTP answer of this node's health check server on `port` (a
  /// healthCheckNodePort), or nullopt when no Service uses that port.
  std::optional<controllers::HealthCheckResponse> health_check(std::int32_t port) const;
  /// kube-proxy's :10256/healthz on this node (200 when the node is up and not deleting);
  /// `now` fills the body's lastUpdated/currentTime.
  controllers::HealthCheckResponse healthz(core::SimTime now = {}) const;
  /// Whether a cloud LB's health check of this node passes for a Service port (an id of
  /// the live tables).
  bool lb_health_check_passes(controllers::ServicePortId id) const;

  std::uint32_t node_index() const { return node_index_; }
  core::Ipv4 node_ip() const { return node_ip_; }
  /// Live conntrack entries (expired ones may linger until the next route()).
  std::size_t conntrack_size() const { return conntrack_.size(); }

 private:
  // The conntrack hash (a 64-bit mix: the table takes its low bits).
  struct TupleHash {
    std::size_t operator()(const ConnectionTuple& t) const;
  };
  // What conntrack pins for a connection: the DNAT and SNAT decision. The pod and node of
  // the endpoint are looked up again on every hit (slots move when the tables rebuild).
  struct ConntrackEntry {
    std::uint64_t service_key = 0;  // ProxyServicePort::key
    core::Ipv4 endpoint_ip;
    std::int32_t endpoint_port = 0;
    bool masquerade = false;
    controllers::DestinationKind destination = controllers::DestinationKind::cluster_ip;
    core::SimTime expires;
  };
  struct AffinityEntry {
    core::Ipv4 endpoint_ip;
    std::int32_t endpoint_port = 0;
    core::SimTime last_seen;
  };
  // Conntrack: open addressing with linear probing and backward-shift deletion. A flow
  // costs no allocation (a std::unordered_map allocates a node per flow and frees it at
  // close: twice per request in bulk traffic). The probe runs over a separate array of
  // 4-byte hashes (16 to a cache line), so a miss or a long probe run reads one or two lines
  // and a hit one more for its slot. Never iterated where the order could reach output.
  class ConntrackTable {
   public:
    // Where a lookup ended: the slot holding the key, or the free slot where it would go.
    // Valid for insert() as long as the table is not changed in between.
    struct Place {
      std::size_t index = 0;
      std::uint32_t hash = 0;
      bool found = false;
    };
    Place lookup(const ConnectionTuple& key) const {
      const std::uint32_t h = hash_of(key);
      if (hashes_.empty()) return Place{0, h, false};  // insert() grows the table first
      const std::size_t i = probe(key, h);
      return Place{i, h, hashes_[i] != 0};
    }
    ConntrackEntry& at(const Place& p) { return slots_[p.index].entry; }
    // The entry of key, whose hash_of() is h, or nullptr.
    ConntrackEntry* find(const ConnectionTuple& key, std::uint32_t h) {
      if (hashes_.empty()) return nullptr;
      const std::size_t i = probe(key, h);
      return hashes_[i] != 0 ? &slots_[i].entry : nullptr;
    }
    // Adds key, which lookup() did not find at `p`.
    void insert(const Place& p, const ConnectionTuple& key, const ConntrackEntry& entry);
    void erase(const ConnectionTuple& key) { erase(key, hash_of(key)); }
    void erase(const ConnectionTuple& key, std::uint32_t h);
    // The key's hash, kept in hashes_ (0: the slot is free; a hash is never 0), so a probe
    // compares hashes first and a deletion's backward shift never rehashes. Its low bits
    // pick the home slot (tables stay far below 2^32 slots).
    static std::uint32_t hash_of(const ConnectionTuple& key) {
      return static_cast<std::uint32_t>(TupleHash{}(key)) | 1u;
    }
    std::size_t size() const { return size_; }
    // Erases every entry `pred(key, entry)` selects.
    template <typename Pred>
    void erase_if(Pred pred) {
      std::vector<ConnectionTuple> doomed;
      for (std::size_t i = 0; i < slots_.size(); ++i)
        if (hashes_[i] != 0 && pred(slots_[i].key, slots_[i].entry))
          doomed.push_back(slots_[i].key);
      for (const ConnectionTuple& k : doomed) erase(k);
    }

   private:
    struct Slot {
      ConnectionTuple key;
      ConntrackEntry entry;
    };
    // The slot holding key (hash h), or the free slot where it would go.
    std::size_t probe(const ConnectionTuple& key, std::uint32_t h) const {
      const std::size_t mask = hashes_.size() - 1;
      std::size_t i = h & mask;
      while (hashes_[i] != 0 && !(hashes_[i] == h && slots_[i].key == key)) i = (i + 1) & mask;
      return i;
    }
    void grow();

    std::vector<std::uint32_t> hashes_;
    std::vector<Slot> slots_;
    std::size_t size_ = 0;
  };

  // Per Service port: source IP -> the endpoint it was last sent to (the xt_recent lists).
  using AffinityTable = std::unordered_map<core::Ipv4, AffinityEntry>;
  // Expiry candidates of one protocol, in the order they were (re)armed. One lifetime per
  // protocol keeps each queue sorted by expiry. A vector with a moving head: unlike
  // std::deque it holds no memory while empty (three queues on each of 5,000 nodes).
  class ExpiryQueue {
   public:
    // The connection's conntrack hash rides in what would be padding, so that sweeping the
    // queue (expiry, compaction) looks entries up without hashing their tuples again.
    struct Item {
      core::SimTime expires;
      ConnectionTuple tuple;
      std::uint32_t hash = 0;
    };
    static_assert(sizeof(Item) == 32, "an expiry item stays 32 bytes");
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }
    const Item& front() const { return items_[head_]; }
    void push_back(const Item& item) { items_.push_back(item); }
    void pop_front();
    // Drops the items `pred` selects, keeping the order of the rest.
    template <typename Pred>
    void erase_if(Pred pred) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
      std::erase_if(items_, pred);
    }

   private:
    std::vector<Item> items_;
    std::size_t head_ = 0;
  };

  Verdict route_rules(const NewConnection& c);
  Verdict route_service(const NewConnection& c, controllers::VipMatch match);
  Verdict conntrack_hit(const NewConnection& c, const ConntrackEntry& e) const;
  // Picks an endpoint index from `candidates` (affinity, then rr or random); fills v.why.
  std::uint32_t pick(const NewConnection& c, controllers::ServicePortId id,
                     std::span<const std::uint32_t> candidates, Verdict& v, bool& affinity_hit);
  void remember(const NewConnection& c, const Verdict& v, const ConntrackTable::Place& place);
  // Re-expresses a verdict of the programmed tables in the live ones.
  void to_live(Verdict& v) const;
  // Queues the expiry of the connection `tuple` (conntrack hash `hash`) at `expires`.
  void arm(const ConnectionTuple& tuple, std::uint32_t hash, core::SimTime expires);
  void expire_conntrack(core::SimTime now);
  void update_next_expiry();
  core::Duration lifetime(model::Protocol p) const;
  // The node's name (from the tables: only traces need it).
  const std::string& node_name() const;

  const controllers::ServiceTables* tables_;  // the rules this node runs
  const controllers::ServiceTables* live_;    // the newest tables (== tables_ when synced)
  std::uint32_t node_index_;
  core::Ipv4 node_ip_;
  KubeProxyConfig config_;
  core::RngStream rng_;

  ConntrackTable conntrack_;
  ExpiryQueue expiry_[3];  // by model::Protocol
  // The earliest expiry among the queues' first items (or never): route() looks at the
  // queues only once it is due.
  core::SimTime next_expiry_{std::numeric_limits<std::int64_t>::max()};
  // Affinity lists of the Service ports that use ClientIP, by ProxyServicePort::key.
  std::unordered_map<std::uint64_t, AffinityTable> affinity_;
  // IPVS: one round-robin cursor per virtual server (destination ip, port, protocol).
  std::unordered_map<std::uint64_t, std::uint32_t> rr_cursor_;
};

}  // namespace podhop::dataplane
