#pragma once
// The cluster's DNS zone as CoreDNS's kubernetes plugin sees it (kubeadm's Corefile:
// `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa
// ip6.arpa }`).
//
// Built once per cluster change from a settled ClusterState (after reconcile has allocated
// cluster IPs and written EndpointSlices). A query is parsed the way the plugin parses it
// (`[_port._proto.|endpoint.]service.namespace.svc.zone`, `ip.namespace.pod.zone`) and then
// answered with a few hash lookups: no scan over Services or endpoints per query. The zone
// knows which names exist (NXDOMAIN versus NODATA); the DNS server (dataplane) turns what it
// finds into records of the asked type. docs/dns.md lists the rules and their sources.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "podhop/controllers/tables.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {

/// Wall-clock time of simulated time 0 (2025-01-01T00:00:00Z), in Unix seconds. The SOA
/// serial (CoreDNS writes the time of the last API change) and dig's ";; WHEN:" line are
/// derived from it, so both are the same on every run.
inline constexpr std::int64_t kSimulatedEpochUnix = 1735689600;

/// One SRV record the zone answers: priority 0, CoreDNS's weight, the port and the target.
struct ZoneSrv {
  std::uint16_t priority = 0;
  std::uint16_t weight = 100;
  std::int32_t port = 0;
  std::string target;    // absolute: "app2-svc.default.svc.cluster.local."
  core::Ipv4 target_ip;  // the address the additional section gives for the target
};

enum class ZoneStatus : std::uint8_t {
  outside,   // not the kubernetes plugin's to answer: forward upstream
  nxdomain,  // in the zone, and the name does not exist
  found,     // the name exists; the records below may still be empty (NODATA)
};

/// What the zone holds for one query name.
struct ZoneRecords {
  ZoneStatus status = ZoneStatus::outside;
  /// The zone the name fell in, as written in the query ("cluster.local.", "in-addr.arpa.");
  /// empty when outside. CoreDNS keeps the query's case in the SOA owner.
  std::string zone;
  bool reverse = false;  // a name under in-addr.arpa: only PTR queries are answered here
  bool apex = false;     // the zone name itself (NS, SOA)
  std::vector<core::Ipv4> a;
  std::string cname;  // an ExternalName target, absolute; empty when none
  std::vector<ZoneSrv> srv;
  std::vector<std::string> ptr;  // PTR targets, absolute
  /// dns-version.<zone>: the schema version, answered to TXT queries only (any other type
  /// is NXDOMAIN, as CoreDNS does).
  std::string txt;
  /// One short line for the hop trace: which object answered, or why nothing did.
  std::string detail;
};

/// An endpoint address as DNS names it: its hostname, or its dashed IP. 8 bytes (the
/// limits cluster has 150,000): the hostname is an index into the zone's hostnames.
struct ZoneAddress {
  /// ZoneAddress::hostname of an address named by its dashed IP ("10-244-0-5").
  static constexpr std::uint32_t kDashedIp = 0xFFFFFFFFu;
  core::Ipv4 ip;
  std::uint32_t hostname = kDashedIp;  // DnsZone::label() gives the label either way
};

/// A port of an endpoint group; port < 0 means the group declared no ports (headless
/// Services without ports), which gives addresses but no SRV records.
struct ZonePort {
  std::string name;
  std::int32_t port = -1;
  model::Protocol protocol = model::Protocol::TCP;
};

/// The ready addresses of one EndpointSlice (or legacy Endpoints subset) and its ports.
struct ZoneSubset {
  std::vector<ZoneAddress> addresses;
  std::vector<ZonePort> ports;
};

/// A Service as the zone holds it.
struct ZoneService {
  std::string namespace_;
  std::string name;
  model::ServiceType type = model::ServiceType::ClusterIP;
  bool headless = false;
  core::Ipv4 cluster_ip;      // empty when not allocated, headless or ExternalName
  std::string external_name;  // ExternalName only, as written
  std::vector<ZonePort> ports;
  std::vector<ZoneSubset> subsets;
  std::size_t ready_addresses = 0;
};

/// The records CoreDNS serves for a cluster.
class DnsZone {
 public:
  /// An empty zone for the default domain (cluster.local).
  DnsZone();
  /// Derives the zone from `state` (Services, EndpointSlices or, for Services with none,
  /// Endpoints, Namespaces, the kube-dns Service, config.cluster_domain).
  explicit DnsZone(const model::ClusterState& state);

  /// Looks up one query name (absolute or not; any case). Never scans.
  ZoneRecords lookup(std::string_view qname) const;

  /// "cluster.local." (lowercase, absolute).
  const std::string& domain() const { return domain_; }
  /// The SOA serial: the wall-clock second of the last cluster change, as CoreDNS writes it.
  std::uint32_t serial() const { return serial_; }
  /// The kube-dns ClusterIP (ns.dns.<zone>, the NS record); empty when there is none.
  core::Ipv4 dns_ip() const { return dns_ip_; }
  /// The Service, or nullptr (case-insensitive).
  const ZoneService* find_service(std::string_view ns, std::string_view name) const;
  bool has_namespace(std::string_view ns) const;
  std::size_t service_count() const { return services_.size(); }
  /// The DNS label of an address of this zone: "web-0" or "10-244-0-5" (lowercase).
  std::string label(const ZoneAddress& address) const;

 private:
  struct AddressRef {
    std::uint32_t subset;
    std::uint32_t address;
  };
  // An endpoint address of some Service, found by its IP.
  struct IpRef {
    core::Ipv4 ip;
    std::uint32_t service;
    std::uint32_t subset;
    std::uint32_t address;
  };
  // The refs of one IP: a run of ip_refs_ (empty when no endpoint has it).
  std::span<const IpRef> refs_of(core::Ipv4 ip) const;

  void lookup_cluster(std::string_view base, ZoneRecords& out) const;
  void lookup_service(const ZoneService& svc, std::uint32_t index, std::string_view endpoint,
                      std::string_view port, std::string_view protocol, ZoneRecords& out) const;
  void lookup_reverse(std::string_view base, ZoneRecords& out) const;
  std::string service_fqdn(const ZoneService& svc, std::string_view zone) const;

  std::string domain_ = "cluster.local.";
  std::uint32_t serial_ = 0;
  core::Ipv4 dns_ip_;
  std::vector<ZoneService> services_;
  std::unordered_map<std::string, std::uint32_t> service_index_;  // "ns/name" -> slot
  std::unordered_set<std::string> namespaces_;
  /// Hostname labels (lowercase) of the addresses that have one (ZoneAddress::hostname).
  std::vector<std::string> hostnames_;
  /// "<service slot>/<hostname>" -> the addresses of that Service with the hostname.
  /// Addresses named by their dashed IP are found through ip_refs_ instead (a label
  /// string per pod would double the zone at 150,000 pods).
  std::unordered_map<std::string, std::vector<AddressRef>> by_hostname_;
  /// Every endpoint address, sorted by (ip, service, subset, address); ip_first_ maps an
  /// IP to the first of its run (lookups only).
  std::vector<IpRef> ip_refs_;
  detail::FlatIndex<std::uint32_t, std::uint32_t> ip_first_;
  /// ClusterIP -> the first Service (in (namespace, name) order) that has it.
  detail::FlatIndex<std::uint32_t, std::uint32_t> cluster_ips_;
};

}  // namespace podhop::controllers
