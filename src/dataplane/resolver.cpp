// The pod side of DNS: the files kubelet writes (pkg/kubelet/network/dns/dns.go for
// resolv.conf, the container runtime for its layout, kubelet_pods.go for /etc/hosts) and
// glibc's stub resolver walking the search list (resolv/res_query.c __res_context_search)
// as getaddrinfo(AF_UNSPEC) drives it. See docs/dns.md.

#include <algorithm>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "podhop/dataplane/dns.hpp"

namespace podhop::dataplane {

namespace {

// Kubernetes validation limits (pkg/apis/core/validation: MaxDNSNameservers and the
// ExpandedDNSConfig limits, GA since 1.28) and DNS1123SubdomainMaxLength.
constexpr std::size_t kMaxNameservers = 3;
constexpr std::size_t kMaxSearchPaths = 32;
constexpr std::size_t kMaxSearchListChars = 2048;
constexpr std::size_t kMaxSearchPathLength = 253;
constexpr int kMaxNdots = 15;  // glibc's RES_MAXNDOTS

std::string trim_dot(std::string_view s) {
  std::string out(s);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

template <typename T>
std::vector<T> omit_duplicates(const std::vector<T>& in) {
  std::vector<T> out;
  for (const auto& v : in) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

/// kubelet's mergeDNSOptions: dnsConfig options override host options of the same name.
/// kubelet rebuilds the list from a Go map, so its order is random; podhop keeps the
/// existing options in place and appends new ones in dnsConfig order.
std::vector<std::string> merge_options(const std::vector<std::string>& existing,
                                       const std::vector<model::PodDnsOption>& extra) {
  std::vector<std::pair<std::string, std::string>> opts;
  auto set = [&](const std::string& name, const std::string& value) {
    auto it =
        std::find_if(opts.begin(), opts.end(), [&](const auto& o) { return o.first == name; });
    if (it != opts.end())
      it->second = value;
    else
      opts.emplace_back(name, value);
  };
  for (const auto& o : existing) {
    auto colon = o.find(':');
    if (colon == std::string::npos)
      set(o, "");
    else
      set(o.substr(0, colon), o.substr(colon + 1));
  }
  for (const auto& o : extra) set(o.name, o.value.value_or(""));
  std::vector<std::string> out;
  for (const auto& [name, value] : opts) out.push_back(value.empty() ? name : name + ":" + value);
  return out;
}

/// kubelet's formDNSSearchFitsLimits: at most 32 paths, none longer than 253 characters,
/// and the line at most 2048 characters (paths dropped from the end).
std::vector<std::string> fit_search_limits(std::vector<std::string> search) {
  if (search.size() > kMaxSearchPaths) search.resize(kMaxSearchPaths);
  std::erase_if(search, [](const std::string& s) { return s.size() > kMaxSearchPathLength; });
  auto line_length = [&]() {
    std::size_t n = 0;
    for (const auto& s : search) n += s.size() + 1;
    return n == 0 ? 0 : n - 1;
  };
  while (!search.empty() && line_length() > kMaxSearchListChars) search.pop_back();
  return search;
}

int ndots_of(const std::vector<std::string>& options) {
  int ndots = 1;
  for (const auto& o : options) {
    if (o.rfind("ndots:", 0) != 0) continue;
    int n = 0;
    auto text = std::string_view(o).substr(6);
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc{} && p == text.data() + text.size() && n >= 0)
      ndots = std::min(n, kMaxNdots);
  }
  return ndots;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// resolv.conf

std::string ResolvConf::render() const {
  // containerd's and cri-dockerd's layout: search, then nameservers, then options.
  std::string out;
  if (!searches.empty()) out += fmt::format("search {}\n", fmt::join(searches, " "));
  for (const auto& ns : nameservers) out += fmt::format("nameserver {}\n", ns.str());
  if (!options.empty()) out += fmt::format("options {}\n", fmt::join(options, " "));
  return out;
}

bool ResolvConf::no_aaaa() const {
  return std::find(options.begin(), options.end(), "no-aaaa") != options.end();
}

ResolvConf node_resolv_conf(const model::ClusterConfig& config) {
  ResolvConf conf;
  if (!config.node_nameserver.empty()) conf.nameservers.push_back(config.node_nameserver);
  for (const auto& s : config.node_search_domains) {
    std::string d = trim_dot(s);  // kubelet's parseResolvConf drops the trailing dot
    if (!d.empty()) conf.searches.push_back(d);
  }
  conf.searches = omit_duplicates(conf.searches);
  conf.ndots = ndots_of(conf.options);
  return conf;
}

ResolvConf resolv_conf_for(const model::Pod& pod, const model::ClusterConfig& config,
                           core::Ipv4 cluster_dns_ip) {
  const model::PodSpec empty_spec;
  const model::PodSpec& spec = pod.spec ? *pod.spec : empty_spec;

  enum class Kind { cluster, host, none };
  Kind kind = Kind::cluster;
  switch (spec.dns_policy) {
    case model::DnsPolicy::None:
      kind = Kind::none;
      break;
    case model::DnsPolicy::ClusterFirstWithHostNet:
      kind = Kind::cluster;
      break;
    case model::DnsPolicy::ClusterFirst:
      // A hostNetwork pod with ClusterFirst falls back to Default (getPodDNSType).
      kind = spec.host_network ? Kind::host : Kind::cluster;
      break;
    case model::DnsPolicy::Default:
      kind = Kind::host;
      break;
  }
  // Without a cluster DNS IP kubelet cannot give ClusterFirst and falls back to Default.
  if (kind == Kind::cluster && cluster_dns_ip.empty()) kind = Kind::host;

  ResolvConf conf;
  if (kind != Kind::none) conf = node_resolv_conf(config);
  if (kind == Kind::none) conf = ResolvConf{};
  if (kind == Kind::cluster) {
    std::string domain = trim_dot(config.cluster_domain);
    conf.nameservers = {cluster_dns_ip};
    std::vector<std::string> search;
    if (!domain.empty()) {
      search = {fmt::format("{}.svc.{}", pod.meta.namespace_, domain),
                fmt::format("svc.{}", domain), domain};
    }
    search.insert(search.end(), conf.searches.begin(), conf.searches.end());
    conf.searches = omit_duplicates(search);
    conf.options = {"ndots:5"};
  }
  if (spec.dns_config) {
    // appendDNSConfig: nameservers and searches appended without duplicates, options merged.
    for (const auto& ns : spec.dns_config->nameservers) {
      // podhop's network is IPv4 only; IPv6 nameservers are left out of the file.
      if (auto ip = core::Ipv4::parse(ns)) conf.nameservers.push_back(*ip);
    }
    conf.nameservers = omit_duplicates(conf.nameservers);
    conf.searches.insert(conf.searches.end(), spec.dns_config->searches.begin(),
                         spec.dns_config->searches.end());
    conf.searches = omit_duplicates(conf.searches);
    conf.options = merge_options(conf.options, spec.dns_config->options);
  }
  if (conf.nameservers.size() > kMaxNameservers) conf.nameservers.resize(kMaxNameservers);
  conf.searches = fit_search_limits(std::move(conf.searches));
  conf.ndots = ndots_of(conf.options);
  return conf;
}

// ---------------------------------------------------------------------------------------
// /etc/hosts

std::optional<core::Ipv4> HostsFile::lookup(std::string_view name) const {
  // getaddrinfo reads /etc/hosts before every lookup: compare in place, parse the address
  // only of a line that names the host.
  for (const auto& e : entries) {
    for (const auto& n : e.names) {
      if (!dns_name_equal(n, name)) continue;
      if (auto ip = core::Ipv4::parse(e.ip)) return ip;
      break;  // an IPv6 line: the next line may still give an IPv4 address
    }
  }
  return std::nullopt;
}

std::string HostsFile::render() const {
  std::string out = header;
  for (const auto& e : entries) {
    out += e.preface;
    out += e.ip;
    out += '\t';
    for (std::size_t i = 0; i < e.names.size(); ++i) {
      if (i > 0) out += e.separator;
      out += e.names[i];
    }
    out += '\n';
  }
  return out;
}

HostsFile hosts_file_for(const model::Pod& pod, const model::ClusterConfig& config) {
  HostsFile hosts;
  hosts.entries.push_back({"127.0.0.1", {"localhost"}, '\t', ""});
  hosts.entries.push_back({"::1", {"localhost", "ip6-localhost", "ip6-loopback"}, ' ', ""});
  const model::PodSpec empty_spec;
  const model::PodSpec& spec = pod.spec ? *pod.spec : empty_spec;
  if (spec.host_network) return hosts;  // the node's own file; podhop keeps its localhost lines
  hosts.header = "# Kubernetes-managed hosts file.\n";
  hosts.entries.push_back({"fe00::0", {"ip6-localnet"}, '\t', ""});
  hosts.entries.push_back({"fe00::0", {"ip6-mcastprefix"}, '\t', ""});
  hosts.entries.push_back({"fe00::1", {"ip6-allnodes"}, '\t', ""});
  hosts.entries.push_back({"fe00::2", {"ip6-allrouters"}, '\t', ""});
  std::string hostname = spec.hostname.empty() ? pod.meta.name : spec.hostname;
  if (hostname.size() > 63) hostname.resize(63);
  if (!pod.status.pod_ip.empty()) {
    if (!spec.subdomain.empty()) {
      std::string fqdn = fmt::format("{}.{}.{}.svc.{}", hostname, spec.subdomain,
                                     pod.meta.namespace_, trim_dot(config.cluster_domain));
      hosts.entries.push_back({pod.status.pod_ip.str(), {fqdn, hostname}, '\t', ""});
    } else {
      hosts.entries.push_back({pod.status.pod_ip.str(), {hostname}, '\t', ""});
    }
  }
  bool first = true;
  for (const auto& alias : spec.host_aliases) {
    hosts.entries.push_back(
        {alias.ip, alias.hostnames, '\t', first ? "\n# Entries added by HostAliases.\n" : ""});
    first = false;
  }
  return hosts;
}

// ---------------------------------------------------------------------------------------
// The search walk

std::string follow_cnames(std::string_view name, const DnsAnswer& answer,
                          std::vector<core::Ipv4>* addresses) {
  return std::string(follow_cnames_view(name, answer, addresses));
}

std::string_view follow_cnames_view(std::string_view name, const DnsAnswer& answer,
                                    std::vector<core::Ipv4>* addresses) {
  std::string_view current = name;
  // Each CNAME moves the name one step; a chain longer than the answer is a loop.
  for (std::size_t step = 0; step <= answer.answer.size(); ++step) {
    auto it = std::find_if(answer.answer.begin(), answer.answer.end(), [&](const DnsRecord& r) {
      return r.type == DnsType::CNAME && dns_name_equal(r.name, current);
    });
    if (it == answer.answer.end()) break;
    current = it->data;
  }
  if (addresses != nullptr) {
    for (const auto& r : answer.answer) {
      if (r.type == DnsType::A && dns_name_equal(r.name, current)) addresses->push_back(r.ip);
    }
  }
  return current;
}

SearchWalk::SearchWalk(std::string_view name, const ResolvConf& conf, const HostsFile* hosts) {
  restart(name, conf, hosts);
}

void SearchWalk::restart(std::string_view name, const ResolvConf& conf, const HostsFile* hosts) {
  // Everything as a new walk has it, vectors and strings cleared in place.
  candidates_.clear();
  sent_.clear();
  candidate_ = 0;
  search_begin_ = 0;
  search_end_ = 0;
  type_index_ = 0;
  done_ = false;
  awaiting_answer_ = false;
  a_rcode_ = Rcode::NOERROR;
  a_has_records_ = false;
  a_addresses_.clear();
  a_canonical_.clear();
  result_.ok = false;
  result_.address = {};
  result_.addresses.clear();
  result_.canonical_name.clear();
  result_.literal = false;
  result_.from_hosts = false;
  send_aaaa_ = !conf.no_aaaa();
  if (name.empty()) {
    done_ = true;
    return;
  }
  // getaddrinfo answers numeric hosts itself, and reads /etc/hosts before DNS.
  if (auto ip = core::Ipv4::parse(name)) {
    result_.ok = true;
    result_.address = *ip;
    result_.addresses.push_back(*ip);
    result_.canonical_name.assign(name);
    result_.literal = true;
    done_ = true;
    return;
  }
  if (hosts != nullptr) {
    if (auto ip = hosts->lookup(name)) {
      result_.ok = true;
      result_.address = *ip;
      result_.addresses.push_back(*ip);
      result_.canonical_name.assign(name);
      result_.from_hosts = true;
      done_ = true;
      return;
    }
  }

  const bool trailing_dot = name.back() == '.';
  const auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  auto trimmed = [](std::string_view d) {
    while (!d.empty() && d.back() == '.') d.remove_suffix(1);
    return d;
  };
  // One buffer for every candidate: the name as-is (absolute) first, then "<name>.<d>."
  // for each search domain d.
  const std::size_t as_is_len = trailing_dot ? name.size() : name.size() + 1;
  std::size_t total = as_is_len;
  if (!trailing_dot) {
    for (const auto& domain : conf.searches) {
      const std::string_view d = trimmed(domain);
      if (!d.empty()) total += name.size() + d.size() + 2;
    }
  }
  // Sized once, before any view into it is taken: the views stay valid until restart().
  buffer_.resize(total);
  char* out = buffer_.data();
  auto append = [&](std::string_view part) {
    std::copy(part.begin(), part.end(), out);
    out += part.size();
  };
  append(name);
  if (!trailing_dot) append(".");
  const std::string_view as_is(buffer_.data(), as_is_len);
  if (trailing_dot) {
    // An absolute name is queried exactly as written, and only that.
    candidates_.push_back(as_is);
    return;
  }
  candidates_.reserve(conf.searches.size() + 1);
  bool tried_as_is = false;
  if (dots >= conf.ndots) {
    candidates_.push_back(as_is);
    tried_as_is = true;
  }
  bool root_on_list = false;
  search_begin_ = candidates_.size();
  for (const auto& domain : conf.searches) {
    const std::string_view d = trimmed(domain);
    if (d.empty()) {
      // "search ." means the root: the name itself, in the list's order.
      root_on_list = true;
      candidates_.push_back(as_is);
      continue;
    }
    const char* begin = out;
    append(name);
    append(".");
    append(d);
    append(".");
    candidates_.emplace_back(begin, static_cast<std::size_t>(out - begin));
  }
  search_end_ = candidates_.size();
  if (!tried_as_is && !root_on_list) candidates_.push_back(as_is);
  // The same name twice (a search domain equal to the root) is sent twice by glibc too.
  if (candidates_.empty()) done_ = true;
}

std::optional<DnsQuery> SearchWalk::next_query() {
  auto q = next_query_view();
  if (!q) return std::nullopt;
  return DnsQuery{std::string(q->first), q->second};
}

std::optional<std::pair<std::string_view, DnsType>> SearchWalk::next_query_view() {
  if (done_ || candidate_ >= candidates_.size()) return std::nullopt;
  awaiting_answer_ = true;
  return std::pair{candidates_[candidate_], type_index_ == 0 ? DnsType::A : DnsType::AAAA};
}

bool SearchWalk::next_query_into(DnsQuery& out) {
  auto q = next_query_view();
  if (!q) return false;
  out.name.assign(q->first);
  out.type = q->second;
  return true;
}

void SearchWalk::on_answer(const DnsAnswer& answer) {
  if (done_ || !awaiting_answer_) return;
  awaiting_answer_ = false;
  if (sent_.empty()) sent_.reserve(2 * candidates_.size());
  sent_.push_back(
      {candidates_[candidate_], type_index_ == 0 ? DnsType::A : DnsType::AAAA, answer.rcode});
  const bool has_records = answer.rcode == Rcode::NOERROR && !answer.answer.empty();
  if (type_index_ == 1) {
    finish_candidate(&answer.rcode, has_records);
    return;
  }
  a_rcode_ = answer.rcode;
  a_has_records_ = has_records;
  a_addresses_.clear();
  a_canonical_.clear();
  // The addresses come from the A answer alone (also when only AAAA has records).
  if (!answer.answer.empty())
    a_canonical_.assign(follow_cnames_view(candidates_[candidate_], answer, &a_addresses_));
  if (send_aaaa_) {
    type_index_ = 1;
    return;
  }
  finish_candidate(nullptr, false);
}

void SearchWalk::finish_candidate(const Rcode* aaaa_rcode, bool aaaa_has_records) {
  if (a_has_records_ || aaaa_has_records) {
    // glibc counts the candidate as answered when either reply has records; the walk
    // stops here whether or not there is an IPv4 address.
    result_.ok = !a_addresses_.empty();
    if (result_.ok) {
      result_.address = a_addresses_.front();
      // Swapped, not moved: both keep their memory for the next walk (restart()).
      result_.addresses.swap(a_addresses_);
      result_.canonical_name.swap(a_canonical_);
    }
    done_ = true;
    return;
  }
  // Which failure glibc sees: the A reply's rcode, or the AAAA reply's when A was NOERROR.
  Rcode rcode = a_rcode_ == Rcode::NOERROR && aaaa_rcode != nullptr ? *aaaa_rcode : a_rcode_;
  ++candidate_;
  type_index_ = 0;
  if (rcode == Rcode::REFUSED && candidate_ > search_begin_ && candidate_ <= search_end_) {
    // Any error other than NXDOMAIN, NODATA or SERVFAIL ends the search list; the name
    // as-is is still tried last when it has not been (it is then at search_end_).
    candidate_ = search_end_;
  }
  if (candidate_ >= candidates_.size()) done_ = true;
}

}  // namespace podhop::dataplane
