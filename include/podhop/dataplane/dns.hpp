#pragma once
// DNS as podhop simulates it: the messages, the cluster DNS server (CoreDNS with the
// kubernetes plugin, kubeadm's Corefile) and the pod's stub resolver (glibc).
//
// A query is one unit with the fields the stages need, not packet bytes. The pipeline
// carries each query as a packet from the client to the kube-dns Service IP, through
// kube-proxy, to a CoreDNS pod, and back; this header only answers and walks.
// docs/dns.md says which upstream behaviour each part follows, with its source.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {
class DnsZone;       // controllers/dns_zone.hpp: the records derived from the cluster
struct ZoneRecords;  // what the zone holds for one name
}  // namespace podhop::controllers

namespace podhop::dataplane {

enum class DnsType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  ANY = 255
};
std::string_view to_string(DnsType t);
std::optional<DnsType> parse_dns_type(std::string_view s);  // case-insensitive "a", "SRV"

enum class Rcode : std::uint8_t { NOERROR = 0, SERVFAIL = 2, NXDOMAIN = 3, REFUSED = 5 };
std::string_view to_string(Rcode r);

/// One resource record. `data` is the presentation form of the rdata ("10.96.0.12",
/// "example.com.", "0 100 8080 app2-svc.default.svc.cluster.local.", "\"1.1.0\"").
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
  /// The RA flag. CoreDNS's kubernetes plugin leaves it clear (dig warns "recursion
  /// requested but not available"); answers forwarded upstream carry the upstream's RA.
  bool recursion_available = false;
  std::vector<DnsRecord> answer;
  std::vector<DnsRecord> authority;   // the zone SOA on NXDOMAIN/NODATA
  std::vector<DnsRecord> additional;  // A records of SRV and NS targets (not the OPT RR)
  /// Where the answer came from: "cluster" (the kubernetes plugin) or "upstream".
  std::string source;
  /// Why, for the trace: "Service default/app2-svc ClusterIP", "no Service app2-svc in
  /// namespace other", "forwarded to the simulated internet"...
  std::string detail;

  bool nxdomain() const { return rcode == Rcode::NXDOMAIN; }
  /// NOERROR with no answer record.
  bool nodata() const { return rcode == Rcode::NOERROR && answer.empty(); }
  /// The presentation form of each answer record's data, in order (the SPEC's
  /// `dns[].answers`).
  std::vector<std::string> answer_data() const;
};

/// The simulated internet as the node's resolver (and CoreDNS's `forward . /etc/resolv.conf`)
/// sees it: every Cluster `externalHosts` entry has an A record, nothing else exists.
/// Negative answers carry the root zone's SOA.
class UpstreamResolver {
 public:
  explicit UpstreamResolver(const model::ClusterConfig& config);
  /// Answers one query as a recursive resolver would (RA set, not authoritative).
  DnsAnswer answer(const DnsQuery& query) const;

 private:
  std::unordered_map<std::string, core::Ipv4> hosts_;  // lowercase absolute name -> IP
};

/// The parts of the Corefile that change answers. The defaults are kubeadm's Corefile,
/// which minikube also uses: `kubernetes cluster.local in-addr.arpa ip6.arpa { pods
/// insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`, `forward . /etc/resolv.conf`,
/// `cache 30` (with success and denial caching disabled for cluster.local).
struct DnsServerOptions {
  std::uint32_t ttl = 30;        // the kubernetes plugin's `ttl` (its own default is 5)
  std::uint32_t cache_ttl = 30;  // `cache 30`: the most a forwarded answer's TTL can be
};

/// CoreDNS as kubeadm and minikube configure it: the kubernetes plugin for the cluster
/// domain and reverse zones (pods insecure, ttl 30), `forward . /etc/resolv.conf` for the
/// rest, answered from the cluster's externalHosts (the simulated internet). Holds a
/// pointer to `zone`, which must outlive it; `config` is read at construction only.
class DnsServer {
 public:
  DnsServer(const controllers::DnsZone& zone, const model::ClusterConfig& config,
            DnsServerOptions options = {});
  /// Answers one query. Never throws; unknown names are NXDOMAIN with the SOA.
  DnsAnswer answer(const DnsQuery& query) const;
  /// The same answer, shared: the first query for a (name as written, type) builds it and
  /// later ones are one hash lookup with no copy. The zone and the simulated internet never
  /// change under one server (Network builds a new server with each zone), so an answer
  /// stays right for the server's whole life.
  std::shared_ptr<const DnsAnswer> answer_shared(const DnsQuery& query) const;

 private:
  DnsAnswer compute(const DnsQuery& query) const;
  DnsAnswer answer_cluster(const DnsQuery& query, const controllers::ZoneRecords& rec) const;
  DnsAnswer forward(const DnsQuery& query) const;

  // The answer cache: keyed by the name exactly as asked (CoreDNS echoes its case in the
  // SOA owner) and the type. Looked up with a string_view, so a hit allocates nothing.
  struct CacheKey {
    std::string name;
    DnsType type = DnsType::A;
  };
  struct CacheKeyView {
    std::string_view name;
    DnsType type = DnsType::A;
  };
  struct CacheHash {
    using is_transparent = void;
    std::size_t operator()(const CacheKeyView& k) const noexcept;
    std::size_t operator()(const CacheKey& k) const noexcept {
      return (*this)(CacheKeyView{k.name, k.type});
    }
  };
  struct CacheEq {
    using is_transparent = void;
    static CacheKeyView view(const CacheKey& k) { return {k.name, k.type}; }
    static CacheKeyView view(const CacheKeyView& k) { return k; }
    template <class L, class R>
    bool operator()(const L& l, const R& r) const noexcept {
      return view(l).type == view(r).type && view(l).name == view(r).name;
    }
  };
  // Beyond this many names (a client asking for endless random names) the cache starts over.
  static constexpr std::size_t kMaxCached = 1 << 16;

  const controllers::DnsZone* zone_;  // outlives the server
  DnsServerOptions options_;
  UpstreamResolver upstream_;
  mutable std::unordered_map<CacheKey, std::shared_ptr<const DnsAnswer>, CacheHash, CacheEq>
      cache_;  // lookups only
};

/// A pod's /etc/resolv.conf.
struct ResolvConf {
  std::vector<core::Ipv4> nameservers;
  std::vector<std::string> searches;
  int ndots = 1;                     // glibc default; ClusterFirst pods get 5
  std::vector<std::string> options;  // as written, e.g. "ndots:5", "single-request-reopen"
  /// The file as kubelet writes it (through the container runtime): the search line, the
  /// nameserver lines, the options line, each only when it has something to say.
  std::string render() const;
  /// glibc's `no-aaaa` option (2.36+): getaddrinfo sends A queries only.
  bool no_aaaa() const;
};

/// The resolv.conf kubelet gives `pod` on `node` (dnsPolicy, dnsConfig, hostNetwork).
ResolvConf resolv_conf_for(const model::Pod& pod, const model::ClusterConfig& config,
                           core::Ipv4 cluster_dns_ip);
/// What a node (and a hostNetwork/Default pod) uses: the node's own resolver.
ResolvConf node_resolv_conf(const model::ClusterConfig& config);

/// A pod's /etc/hosts, which kubelet writes and which getaddrinfo reads before DNS
/// (nsswitch `hosts: files dns`).
struct HostsFile {
  struct Entry {
    std::string ip;  // as written; "::1" and friends stay text
    std::vector<std::string> names;
    char separator = '\t';  // between names: kubelet writes the ::1 line with spaces
    std::string preface;    // written before the line ("\n# Entries added by HostAliases.\n")
  };
  std::string header;  // "# Kubernetes-managed hosts file.\n"
  std::vector<Entry> entries;
  /// The first IPv4 address listed for `name` (case-insensitive), if any.
  std::optional<core::Ipv4> lookup(std::string_view name) const;
  /// The file as kubelet writes it.
  std::string render() const;
};

/// The /etc/hosts kubelet writes for `pod`: localhost, the pod's own IP and hostname (its
/// FQDN first when it has a subdomain), then hostAliases. hostNetwork pods see the node's
/// file, which podhop reduces to the localhost lines.
HostsFile hosts_file_for(const model::Pod& pod, const model::ClusterConfig& config);

/// The outcome of a whole name lookup (getaddrinfo).
struct Resolution {
  bool ok = false;
  core::Ipv4 address;  // the first A answer when ok
  std::vector<core::Ipv4> addresses;
  std::string canonical_name;  // the name that answered (after CNAMEs), absolute
  bool literal = false;        // the name was an IPv4 literal: nothing was sent
  bool from_hosts = false;     // /etc/hosts answered: nothing was sent
};

/// glibc's search-list walk (res_search) for `name` with `conf`, as getaddrinfo drives it:
/// A and AAAA for each candidate. Feed it answers one at a time:
///
///   SearchWalk walk(name, conf);
///   while (auto q = walk.next_query()) walk.on_answer(server_answer(*q));
///   Resolution r = walk.result();
///
/// The walk stops at the first candidate that has an answer (A or AAAA, as glibc counts
/// it); NXDOMAIN and NODATA move on. IP literals and /etc/hosts names send nothing.
///
/// It runs once per simulated lookup, so it keeps no answer: the candidates live in one
/// buffer (views into it stay valid while the walk lives, moves included), and of each
/// answer only its rcode and, for the A answer, the addresses it gives are kept.
class SearchWalk {
 public:
  /// One query the walk sent and the rcode of its answer (`name` views the candidate).
  struct Sent {
    std::string_view name;
    DnsType type = DnsType::A;
    Rcode rcode = Rcode::NOERROR;
  };

  SearchWalk(std::string_view name, const ResolvConf& conf, const HostsFile* hosts = nullptr);
  /// Starts over for another name, as a new walk would, keeping the memory of this one (a
  /// request slot reuses its walk). Views from candidates() and sent() are invalidated.
  void restart(std::string_view name, const ResolvConf& conf, const HostsFile* hosts = nullptr);
  /// The next query to send, or nullopt when the walk is over.
  std::optional<DnsQuery> next_query();
  /// next_query() without a copy: the name (a view into the walk) and type of the next query,
  /// or nullopt when the walk is over. As with next_query(), the walk then awaits its answer.
  std::optional<std::pair<std::string_view, DnsType>> next_query_view();
  /// next_query() into `out`, reusing its memory: false (and `out` untouched) when the walk
  /// is over.
  bool next_query_into(DnsQuery& out);
  void on_answer(const DnsAnswer& answer);
  const Resolution& result() const { return result_; }
  /// The candidate names in the order they will be tried (for tests and the trace).
  const std::vector<std::string_view>& candidates() const { return candidates_; }
  /// Every query sent so far, with the rcode each got, in order.
  const std::vector<Sent>& sent() const { return sent_; }

 private:
  void finish_candidate(const Rcode* aaaa_rcode, bool aaaa_has_records);

  std::vector<char> buffer_;  // every candidate name, back to back (moves keep its address)
  std::vector<std::string_view> candidates_;
  std::vector<Sent> sent_;
  std::size_t candidate_ = 0;
  std::size_t search_begin_ = 0;  // candidates_[search_begin_, search_end_) come from the
  std::size_t search_end_ = 0;    // search list
  int type_index_ = 0;            // 0: A, 1: AAAA
  bool send_aaaa_ = true;
  bool done_ = false;
  bool awaiting_answer_ = false;
  // What the current candidate's A answer said.
  Rcode a_rcode_ = Rcode::NOERROR;
  bool a_has_records_ = false;
  std::vector<core::Ipv4> a_addresses_;
  std::string a_canonical_;
  Resolution result_;
};

/// The canonical name and addresses an answer gives for `name`, following its CNAME chain
/// in order as a stub resolver does. Returns the final name (absolute, as written in the
/// answer) and appends the A records owned by it to `addresses`.
std::string follow_cnames(std::string_view name, const DnsAnswer& answer,
                          std::vector<core::Ipv4>* addresses);
/// follow_cnames() as a view: of `name` or of a record's data in `answer`.
std::string_view follow_cnames_view(std::string_view name, const DnsAnswer& answer,
                                    std::vector<core::Ipv4>* addresses);

/// "10.0.96.10.in-addr.arpa." for 10.96.0.10.
std::string reverse_name(core::Ipv4 ip);
/// Case-insensitive equality of two DNS names (trailing dots must match).
bool dns_name_equal(std::string_view a, std::string_view b);

}  // namespace podhop::dataplane
