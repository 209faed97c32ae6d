#pragma once
// DNS as podhop simulates it: the messages, the cluster DNS server (CoreDNS with the
// kubernetes plugin, kubeadm's Corefile) and the pod's stub resolver (glibc).
//
// A query is one unit with the fields the stages need, not packet bytes. The pipeline
// carries each query as a packet from the client to the kube-dns Service IP, through
// kube-proxy, to a CoreDNS pod, and back; this header only answers and walks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {
class DnsZone;  // controllers/dns_zone.hpp: the records derived from the cluster
}

namespace podhop::dataplane {

enum class DnsType : std::uint16_t { A = 1, CNAME = 5, SOA = 6, PTR = 12, TXT = 16, AAAA = 28, SRV = 33, ANY = 255 };
std::string_view to_string(DnsType t);
std::optional<DnsType> parse_dns_type(std::string_view s);  // case-insensitive "a", "SRV"

enum class Rcode : std::uint8_t { NOERROR = 0, SERVFAIL = 2, NXDOMAIN = 3, REFUSED = 5 };
std::string_view to_string(Rcode r);

/// One resource record. `data` is the presentation form of the rdata ("10.96.0.12",
/// "example.com.", "0 100 8080 app2-svc.default.svc.cluster.local.").
struct DnsRecord {
  std::string name;  // absolute, with the trailing dot
  DnsType type = DnsType::A;
  std::uint32_t ttl = 5;
  std::string data;
  core::Ipv4 ip;  // for A records
};

struct DnsQuery {
  std::string name;  // absolute, with the trailing dot
  DnsType type = DnsType::A;
};

/// What a DNS server answered. NODATA is NOERROR with an empty answer section.
struct DnsAnswer {
  Rcode rcode = Rcode::NOERROR;
  bool authoritative = false;
  std::vector<DnsRecord> answer;
  std::vector<DnsRecord> authority;   // the zone SOA on NXDOMAIN/NODATA
  std::vector<DnsRecord> additional;
  /// Where the answer came from: "cluster" (the kubernetes plugin) or "upstream".
  std::string source;
  /// Why, for the trace: "Service default/app2-svc ClusterIP", "no Service app2-svc in
  /// namespace other", "forwarded to the simulated internet"...
  std::string detail;
};

/// CoreDNS as kubeadm and minikube configure it: the kubernetes plugin for the cluster
/// domain and reverse zones (pods insecure, ttl 30), `forward . /etc/resolv.conf` for the
/// rest, answered from the cluster's externalHosts (the simulated internet).
class DnsServer {
 public:
  DnsServer(const controllers::DnsZone& zone, const model::ClusterConfig& config);
  /// Answers one query. Never throws; unknown names are NXDOMAIN with the SOA.
  DnsAnswer answer(const DnsQuery& query) const;

 private:
  const controllers::DnsZone* zone_;
  const model::ClusterConfig* config_;
};

/// A pod's /etc/resolv.conf.
struct ResolvConf {
  std::vector<core::Ipv4> nameservers;
  std::vector<std::string> searches;
  int ndots = 1;  // glibc default; ClusterFirst pods get 5
  std::vector<std::string> options;  // as written, e.g. "ndots:5", "single-request-reopen"
  /// The file as kubelet writes it.
  std::string render() const;
};

/// The resolv.conf kubelet gives `pod` on `node` (dnsPolicy, dnsConfig, hostNetwork).
ResolvConf resolv_conf_for(const model::Pod& pod, const model::ClusterConfig& config,
                           core::Ipv4 cluster_dns_ip);
/// What a node (and a hostNetwork/Default pod) uses: the node's own resolver.
ResolvConf node_resolv_conf(const model::ClusterConfig& config);

/// The outcome of a whole name lookup (getaddrinfo).
struct Resolution {
  bool ok = false;
  core::Ipv4 address;              // the first A answer when ok
  std::vector<core::Ipv4> addresses;
  std::string canonical_name;      // the name that answered (after CNAMEs), absolute
  std::vector<DnsQuery> queries;   // every query sent, in order
  std::vector<DnsAnswer> answers;  // the answer to each query, same order
};

/// glibc's search-list walk (res_search) for `name` with `conf`, as getaddrinfo drives it:
/// A and AAAA for each candidate. Feed it answers one at a time:
///
///   SearchWalk walk(name, conf);
///   while (auto q = walk.next_query()) walk.on_answer(server_answer(*q));
///   Resolution r = walk.result();
///
/// The walk stops at the first candidate with an address; NXDOMAIN and NODATA move on.
class SearchWalk {
 public:
  SearchWalk(std::string_view name, const ResolvConf& conf);
  /// The next query to send, or nullopt when the walk is over.
  std::optional<DnsQuery> next_query();
  void on_answer(const DnsAnswer& answer);
  const Resolution& result() const { return result_; }
  /// The candidate names in the order they will be tried (for tests and the trace).
  const std::vector<std::string>& candidates() const { return candidates_; }

 private:
  std::vector<std::string> candidates_;
  std::size_t candidate_ = 0;
  int type_index_ = 0;  // 0: A, 1: AAAA
  bool done_ = false;
  bool candidate_has_address_ = false;
  Resolution result_;
};

}  // namespace podhop::dataplane
