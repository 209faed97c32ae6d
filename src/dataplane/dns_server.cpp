// CoreDNS as kubeadm's Corefile runs it: the kubernetes plugin answers the cluster domain
// and in-addr.arpa from the DnsZone (handler.go, plugin/backend_lookup.go), misses under
// in-addr.arpa fall through, and everything else goes to `forward . /etc/resolv.conf`, the
// simulated internet, through `cache 30`. See docs/dns.md.

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <iterator>

#include <fmt/format.h>

#include "podhop/controllers/dns_zone.hpp"
#include "podhop/core/strings.hpp"
#include "podhop/dataplane/dns.hpp"

namespace podhop::dataplane {

namespace {

constexpr std::uint32_t kSchemaTxtTtl = 28800;  // CoreDNS's TTL for dns-version TXT
constexpr std::uint32_t kUpstreamTtl = 300;     // the simulated internet's A records
constexpr std::uint32_t kRootSoaTtl = 86400;
constexpr int kMaxCnameDepth = 8;  // CoreDNS stops following after 8 records

using core::lower;

std::string absolute(std::string_view name) {
  std::string out(name);
  if (out.empty() || out.back() != '.') out.push_back('.');
  return out;
}

DnsRecord make_record(std::string name, DnsType type, std::uint32_t ttl, std::string data,
                      core::Ipv4 ip = {}) {
  return DnsRecord{std::move(name), type, ttl, std::move(data), ip};
}

DnsRecord a_record(const std::string& owner, std::uint32_t ttl, core::Ipv4 ip) {
  return make_record(owner, DnsType::A, ttl, ip.str(), ip);
}

/// The root zone's SOA, which a recursive resolver returns with NXDOMAIN for names that do
/// not exist anywhere (podhop uses it for every negative upstream answer).
DnsRecord root_soa() {
  return make_record(
      ".", DnsType::SOA, kRootSoaTtl,
      "a.root-servers.net. nstld.verisign-grs.com. 2025010100 1800 900 604800 86400");
}

/// `cache 30`: a forwarded answer is cached for the smallest TTL it carries (the SOA
/// minimum for negative answers), at most `cap`, and every record is sent with that TTL.
void apply_cache_ttl(DnsAnswer& a, std::uint32_t cap) {
  std::uint32_t ttl = cap;
  auto scan = [&](const std::vector<DnsRecord>& rrs) {
    for (const auto& r : rrs) {
      ttl = std::min(ttl, r.ttl);
      if (r.type == DnsType::SOA) {
        auto sp = r.data.rfind(' ');
        if (sp != std::string::npos) {
          std::uint32_t minimum = 0;
          auto [p, ec] =
              std::from_chars(r.data.data() + sp + 1, r.data.data() + r.data.size(), minimum);
          if (ec == std::errc{}) ttl = std::min(ttl, minimum);
        }
      }
    }
  };
  scan(a.answer);
  scan(a.authority);
  scan(a.additional);
  for (auto* rrs : {&a.answer, &a.authority, &a.additional}) {
    for (auto& r : *rrs) r.ttl = ttl;
  }
}

}  // namespace

std::string_view to_string(DnsType t) {
  switch (t) {
    case DnsType::A:
      return "A";
    case DnsType::NS:
      return "NS";
    case DnsType::CNAME:
      return "CNAME";
    case DnsType::SOA:
      return "SOA";
    case DnsType::PTR:
      return "PTR";
    case DnsType::MX:
      return "MX";
    case DnsType::TXT:
      return "TXT";
    case DnsType::AAAA:
      return "AAAA";
    case DnsType::SRV:
      return "SRV";
    case DnsType::ANY:
      return "ANY";
  }
  return "A";
}

std::optional<DnsType> parse_dns_type(std::string_view s) {
  static constexpr std::array kTypes = {DnsType::A,   DnsType::NS, DnsType::CNAME, DnsType::SOA,
                                        DnsType::PTR, DnsType::MX, DnsType::TXT,   DnsType::AAAA,
                                        DnsType::SRV, DnsType::ANY};
  std::string up(s);
  for (char& c : up) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (DnsType t : kTypes) {
    if (to_string(t) == up) return t;
  }
  return std::nullopt;
}

std::string_view to_string(Rcode r) {
  switch (r) {
    case Rcode::NOERROR:
      return "NOERROR";
    case Rcode::SERVFAIL:
      return "SERVFAIL";
    case Rcode::NXDOMAIN:
      return "NXDOMAIN";
    case Rcode::REFUSED:
      return "REFUSED";
  }
  return "NOERROR";
}

std::vector<std::string> DnsAnswer::answer_data() const {
  std::vector<std::string> out;
  out.reserve(answer.size());
  for (const auto& r : answer) out.push_back(r.data);
  return out;
}

std::string reverse_name(core::Ipv4 ip) {
  return fmt::format("{}.{}.{}.{}.in-addr.arpa.", ip.value & 255, (ip.value >> 8) & 255,
                     (ip.value >> 16) & 255, ip.value >> 24);
}

bool dns_name_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the usual case: the same spelling
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// The simulated internet

UpstreamResolver::UpstreamResolver(const model::ClusterConfig& config) {
  hosts_.reserve(config.external_hosts.size());
  for (const auto& h : config.external_hosts) hosts_.emplace(lower(absolute(h.name)), h.ip);
}

DnsAnswer UpstreamResolver::answer(const DnsQuery& query) const {
  DnsAnswer out;
  out.source = "upstream";
  out.recursion_available = true;
  std::string owner = absolute(query.name);
  auto it = hosts_.find(lower(owner));
  if (it == hosts_.end()) {
    out.rcode = Rcode::NXDOMAIN;
    out.authority.push_back(root_soa());
    out.detail =
        fmt::format("forwarded upstream: {} does not exist on the simulated internet", owner);
    return out;
  }
  if (query.type == DnsType::A || query.type == DnsType::ANY) {
    out.answer.push_back(a_record(owner, kUpstreamTtl, it->second));
    out.detail = fmt::format("forwarded upstream: {} is {} on the simulated internet", owner,
                             it->second.str());
    return out;
  }
  out.authority.push_back(root_soa());
  out.detail = fmt::format(
      "forwarded upstream: {} has no {} record (the simulated internet is "
      "IPv4 only)",
      owner, to_string(query.type));
  return out;
}

// ---------------------------------------------------------------------------------------
// CoreDNS

DnsServer::DnsServer(const controllers::DnsZone& zone, const model::ClusterConfig& config,
                     DnsServerOptions options)
    : zone_(&zone), options_(options), upstream_(config) {}

DnsAnswer DnsServer::forward(const DnsQuery& query) const {
  DnsAnswer out = upstream_.answer(query);
  apply_cache_ttl(out, options_.cache_ttl);
  return out;
}

std::size_t DnsServer::CacheHash::operator()(const CacheKeyView& k) const noexcept {
  return std::hash<std::string_view>{}(k.name) * 31 + static_cast<std::size_t>(k.type);
}

DnsAnswer DnsServer::answer(const DnsQuery& query) const {
  return *answer_shared(query);
}

std::shared_ptr<const DnsAnswer> DnsServer::answer_shared(const DnsQuery& query) const {
  if (auto it = cache_.find(CacheKeyView{query.name, query.type}); it != cache_.end())
    return it->second;
  if (cache_.size() >= kMaxCached) cache_.clear();
  auto a = std::make_shared<const DnsAnswer>(compute(query));
  cache_.emplace(CacheKey{query.name, query.type}, a);
  return a;
}

DnsAnswer DnsServer::compute(const DnsQuery& query) const {
  controllers::ZoneRecords rec = zone_->lookup(query.name);
  if (rec.status == controllers::ZoneStatus::outside) return forward(query);
  if (rec.reverse && query.type != DnsType::SOA &&
      (query.type != DnsType::PTR || rec.ptr.empty())) {
    // `fallthrough in-addr.arpa ip6.arpa`: a reverse miss goes to the next plugin.
    DnsAnswer out = forward(query);
    out.detail = fmt::format("{}; fell through to upstream: {}", rec.detail, out.detail);
    return out;
  }
  return answer_cluster(query, rec);
}

namespace {

/// What the kubernetes plugin answers, with the zone lookup already done. Kept as free
/// functions so CNAME targets inside the zone can recurse.
struct ClusterAnswerer {
  const controllers::DnsZone& zone;
  const UpstreamResolver& upstream;
  DnsServerOptions options;

  DnsRecord soa(const std::string& zone_name) const {
    std::uint32_t ttl = std::min<std::uint32_t>(options.ttl, 300);
    return make_record(zone_name, DnsType::SOA, ttl,
                       fmt::format("ns.dns.{} hostmaster.{} {} 7200 1800 86400 {}", zone_name,
                                   zone_name, zone.serial(), options.ttl));
  }

  /// Records of `type` for `owner` (CoreDNS's plugin.A/AAAA/TXT): address records, or the
  /// CNAME followed by what its target resolves to. Empty when there is nothing.
  std::vector<DnsRecord> typed(const std::string& owner, const controllers::ZoneRecords& rec,
                               DnsType type, int depth) const {
    std::vector<DnsRecord> out;
    if (!rec.cname.empty()) {
      if (depth >= kMaxCnameDepth || dns_name_equal(rec.cname, absolute(owner))) return out;
      DnsRecord cname = make_record(owner, DnsType::CNAME, options.ttl, rec.cname);
      controllers::ZoneRecords target = zone.lookup(rec.cname);
      if (target.status != controllers::ZoneStatus::outside && !target.reverse) {
        // A target inside the zone is resolved here; a miss there adds nothing at all.
        if (target.status == controllers::ZoneStatus::nxdomain) return out;
        auto next = typed(rec.cname, target, type, depth + 1);
        if (next.empty()) return out;
        out.push_back(std::move(cname));
        std::move(next.begin(), next.end(), std::back_inserter(out));
        return out;
      }
      // Outside: the plugin's upstream lookup goes through the server again, so through
      // `cache 30` and `forward`.
      DnsAnswer up = upstream.answer({rec.cname, type});
      apply_cache_ttl(up, options.cache_ttl);
      out.push_back(std::move(cname));
      std::move(up.answer.begin(), up.answer.end(), std::back_inserter(out));
      return out;
    }
    if (type == DnsType::A) {
      for (core::Ipv4 ip : rec.a) out.push_back(a_record(owner, options.ttl, ip));
    }
    return out;
  }

  std::string describe_upstream_target(const std::vector<DnsRecord>& rrs) const {
    std::vector<std::string> addrs;
    for (const auto& r : rrs) {
      if (r.type == DnsType::A) addrs.push_back(r.data);
    }
    return addrs.empty() ? std::string(" (the target has no address)")
                         : fmt::format(" → {}", fmt::join(addrs, ", "));
  }
};

}  // namespace

DnsAnswer DnsServer::answer_cluster(const DnsQuery& query,
                                    const controllers::ZoneRecords& rec) const {
  ClusterAnswerer z{*zone_, upstream_, options_};
  std::string owner = absolute(query.name);
  DnsAnswer out;
  out.source = "cluster";
  out.authoritative = true;
  out.detail = rec.detail;

  auto nxdomain = [&]() {
    out.rcode = Rcode::NXDOMAIN;
    out.answer.clear();
    out.authority = {z.soa(rec.zone)};
    return out;
  };
  auto nodata = [&]() {
    out.answer.clear();
    out.authority = {z.soa(rec.zone)};
    out.detail = fmt::format("{}: no {} record", rec.detail, to_string(query.type));
    return out;
  };

  switch (query.type) {
    case DnsType::SOA:
      // CoreDNS answers SOA for any name in its zones without looking it up.
      out.answer.push_back(z.soa(rec.zone));
      out.detail = fmt::format("SOA of {}", rec.zone);
      return out;
    case DnsType::TXT:
      if (!rec.txt.empty()) {
        out.answer.push_back(
            make_record(owner, DnsType::TXT, kSchemaTxtTtl, fmt::format("\"{}\"", rec.txt)));
        return out;
      }
      break;
    case DnsType::NS:
      if (rec.apex && !rec.reverse) {
        std::string ns = fmt::format("ns.dns.{}", rec.zone);
        out.answer.push_back(make_record(owner, DnsType::NS, options_.ttl, ns));
        if (!zone_->dns_ip().empty())
          out.additional.push_back(a_record(ns, options_.ttl, zone_->dns_ip()));
        out.detail = "the cluster DNS server";
        return out;
      }
      break;
    default:
      break;
  }

  if (rec.status == controllers::ZoneStatus::nxdomain) return nxdomain();

  switch (query.type) {
    case DnsType::A:
    case DnsType::AAAA:
    case DnsType::TXT: {
      out.answer = z.typed(owner, rec, query.type, 0);
      if (out.answer.empty()) return nodata();
      if (!rec.cname.empty()) {
        std::vector<DnsRecord> rest(out.answer.begin() + 1, out.answer.end());
        out.detail = fmt::format("{}{}", rec.detail, z.describe_upstream_target(rest));
      }
      return out;
    }
    case DnsType::CNAME:
      if (rec.cname.empty()) return nodata();
      out.answer.push_back(make_record(owner, DnsType::CNAME, options_.ttl, rec.cname));
      return out;
    case DnsType::SRV:
      // SRV for ExternalName Services is not implemented in CoreDNS: NODATA.
      if (rec.srv.empty() || !rec.cname.empty()) return nodata();
      for (const auto& s : rec.srv) {
        out.answer.push_back(
            make_record(owner, DnsType::SRV, options_.ttl,
                        fmt::format("{} {} {} {}", s.priority, s.weight, s.port, s.target)));
        bool dup = std::any_of(
            out.additional.begin(), out.additional.end(),
            [&](const DnsRecord& r) { return r.name == s.target && r.ip == s.target_ip; });
        if (!dup) out.additional.push_back(a_record(s.target, options_.ttl, s.target_ip));
      }
      return out;
    case DnsType::PTR:
      if (rec.ptr.empty()) return nodata();
      for (const auto& p : rec.ptr)
        out.answer.push_back(make_record(owner, DnsType::PTR, options_.ttl, p));
      out.detail = fmt::format("{}: {}", rec.detail, fmt::join(rec.ptr, ", "));
      return out;
    default:
      // MX, ANY, NS below the apex: CoreDNS does a fake A lookup only to tell NXDOMAIN
      // from NODATA.
      return nodata();
  }
}

}  // namespace podhop::dataplane
