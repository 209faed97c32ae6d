// The cluster DNS zone: CoreDNS's kubernetes plugin (plugin/kubernetes: parse.go,
// kubernetes.go findServices/findPods, reverse.go, object/endpoint.go) reduced to what the
// plugin reads from the API: Services, EndpointSlices, Namespaces. See docs/dns.md.

#include "podhop/controllers/dns_zone.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "podhop/controllers/system_objects.hpp"
#include "podhop/core/strings.hpp"

namespace podhop::controllers {

namespace {

using core::iequals;
using core::lower;

std::string_view strip_underscore(std::string_view s) {
  return !s.empty() && s.front() == '_' ? s.substr(1) : s;
}

std::string_view protocol_name(model::Protocol p) {
  switch (p) {
    case model::Protocol::TCP:
      return "TCP";
    case model::Protocol::UDP:
      return "UDP";
    case model::Protocol::SCTP:
      return "SCTP";
  }
  return "TCP";
}

/// CoreDNS's matchPortAndProtocol: the query's port and protocol (without their
/// underscores) match case-insensitively; an absent one matches anything.
bool port_matches(std::string_view want_port, std::string_view want_proto, const ZonePort& p) {
  bool port_ok = want_port.empty() || iequals(want_port, p.name);
  bool proto_ok =
      want_proto.empty() || (p.port >= 0 && iequals(want_proto, protocol_name(p.protocol)));
  return port_ok && proto_ok;
}

/// CoreDNS's SRV weight: every record of a priority shares 100, floor(100 / n) each
/// (computed in doubles as CoreDNS does), and never less than 1.
std::uint16_t srv_weight(std::size_t n) {
  double w = (100.0 / static_cast<double>(100 * n)) * 100.0;
  auto weight = static_cast<std::uint16_t>(std::floor(w));
  return weight == 0 ? std::uint16_t{1} : weight;
}

std::vector<std::string_view> split_labels(std::string_view base) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= base.size()) {
    std::size_t dot = base.find('.', start);
    if (dot == std::string_view::npos) dot = base.size();
    out.push_back(base.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

std::string service_key(std::string_view ns, std::string_view name) {
  std::string k = lower(ns);
  k.push_back('/');
  k += lower(name);
  return k;
}

std::string label_key(std::uint32_t slot, std::string_view label) {
  return fmt::format("{}/{}", slot, lower(label));
}

ZonePort zone_port(const model::EndpointPort& p) {
  return {p.name, p.port.value_or(-1), p.protocol};
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

DnsZone::DnsZone() = default;

DnsZone::DnsZone(const model::ClusterState& state) {
  std::string domain = lower(state.config.cluster_domain);
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  while (!domain.empty() && domain.front() == '.') domain.erase(domain.begin());
  if (domain.empty()) domain = "cluster.local";
  domain_ = domain + ".";
  // CoreDNS's serial is the Unix time of the last change it saw; the zone is rebuilt on
  // every change, so the build time is that moment.
  serial_ = static_cast<std::uint32_t>(kSimulatedEpochUnix + state.now.ns / 1'000'000'000);

  for (const auto& ns : state.namespaces.items()) namespaces_.insert(lower(ns.meta.name));

  // Sorted by (namespace, name): when two Services share an IP (they cannot, but user
  // Endpoints can), the PTR answer is the same on every run.
  auto sorted = state.services.sorted();
  services_.reserve(sorted.size());
  service_index_.reserve(sorted.size());
  for (const model::Service* s : sorted) {
    ZoneService zs;
    zs.namespace_ = s->meta.namespace_;
    zs.name = s->meta.name;
    zs.type = s->spec.type;
    zs.headless = s->spec.headless && s->spec.type != model::ServiceType::ExternalName;
    if (!zs.headless && zs.type != model::ServiceType::ExternalName)
      zs.cluster_ip = s->spec.cluster_ip;
    zs.external_name = s->spec.external_name;
    for (const auto& p : s->spec.ports) zs.ports.push_back({p.name, p.port, p.protocol});
    auto slot = static_cast<std::uint32_t>(services_.size());
    service_index_.emplace(service_key(zs.namespace_, zs.name), slot);
    // A namespace that only objects mention still exists (the loader creates it).
    namespaces_.insert(lower(zs.namespace_));
    services_.push_back(std::move(zs));
  }

  if (const auto* dns = find_service(kSystemNamespace, kDnsService)) dns_ip_ = dns->cluster_ip;

  // Which Service publishes not-ready addresses: the EndpointSlice controller marks such
  // endpoints ready, and CoreDNS serves every endpoint its slice calls ready.
  auto publish_not_ready = [&](std::uint32_t slot) {
    const auto& zs = services_[slot];
    const auto* svc = state.services.find(zs.namespace_, zs.name);
    return svc != nullptr && svc->spec.publish_not_ready_addresses;
  };
  // The EndpointSlice controller's hostname rule (pod.spec.hostname when the pod's
  // subdomain names the Service), for slices that carry a pod reference but no hostname.
  // The address is named by its hostname (kept in hostnames_) or its dashed IP.
  auto address_for = [&](const ZoneService& zs, core::Ipv4 ip, const std::string& hostname,
                         const std::optional<model::ObjectRef>& ref) {
    ZoneAddress a{ip, ZoneAddress::kDashedIp};
    std::string label;
    if (!hostname.empty()) {
      label = lower(hostname);
    } else if (ref && ref->kind == "Pod") {
      const auto* pod = state.pods.find(
          ref->namespace_.empty() ? std::string_view(zs.namespace_) : ref->namespace_.view(),
          ref->name);
      if (pod != nullptr && pod->spec && !pod->spec->hostname.empty() &&
          pod->spec->subdomain == zs.name && pod->meta.namespace_ == zs.namespace_)
        label = lower(pod->spec->hostname);
    }
    if (!label.empty()) {
      a.hostname = static_cast<std::uint32_t>(hostnames_.size());
      hostnames_.push_back(std::move(label));
    }
    return a;
  };

  std::vector<bool> has_slices(services_.size(), false);
  for (const auto& slice : state.endpoint_slices.items()) {
    if (slice.address_type != model::AddressType::IPv4) continue;  // CoreDNS: v4 and v6 only
    auto it = service_index_.find(service_key(slice.meta.namespace_, slice.service_name));
    if (it == service_index_.end()) continue;
    std::uint32_t slot = it->second;
    has_slices[slot] = true;
    ZoneService& zs = services_[slot];
    if (zs.type == model::ServiceType::ExternalName) continue;
    bool all_ready = publish_not_ready(slot);
    ZoneSubset subset;
    for (const auto& p : slice.ports) subset.ports.push_back(zone_port(p));
    if (subset.ports.empty()) subset.ports.push_back({});  // CoreDNS's "no ports" sentinel
    for (const auto& ep : slice.endpoints) {
      if (!all_ready && !ep.conditions.is_ready()) continue;
      core::Ipv4 ip = ep.ip;
      if (ip.empty() && !ep.addresses.empty())
        ip = core::Ipv4::parse(ep.addresses.front()).value_or(ip);
      if (ip.empty()) continue;
      subset.addresses.push_back(address_for(zs, ip, ep.hostname, ep.target_ref));
    }
    zs.subsets.push_back(std::move(subset));
  }
  // Services whose endpoints only exist as legacy Endpoints (before the mirroring
  // controller has run): CoreDNS would see the mirrored slices, which hold the same.
  for (std::uint32_t slot = 0; slot < services_.size(); ++slot) {
    ZoneService& zs = services_[slot];
    if (has_slices[slot] || zs.type == model::ServiceType::ExternalName) continue;
    const auto* eps = state.endpoints.find(zs.namespace_, zs.name);
    if (eps == nullptr) continue;
    for (const auto& s : eps->subsets) {
      ZoneSubset subset;
      for (const auto& p : s.ports) subset.ports.push_back(zone_port(p));
      if (subset.ports.empty()) subset.ports.push_back({});
      auto add = [&](const model::EndpointAddress& a) {
        subset.addresses.push_back(address_for(zs, a.ip, a.hostname, a.target_ref));
      };
      for (const auto& a : s.addresses) add(a);
      if (publish_not_ready(slot))
        for (const auto& a : s.not_ready_addresses) add(a);
      zs.subsets.push_back(std::move(subset));
    }
  }

  // Indices: hostnames per Service, endpoint addresses by IP (for PTR and for dashed-IP
  // labels), ClusterIPs (they win PTR over endpoints, as in CoreDNS's serviceRecordForIP).
  for (std::uint32_t slot = 0; slot < services_.size(); ++slot) {
    const ZoneService& zs = services_[slot];
    if (!zs.cluster_ip.empty() && zs.cluster_ip.value != ~std::uint32_t{0})
      cluster_ips_.emplace(zs.cluster_ip.value, slot);  // the first Service wins
  }
  std::size_t address_count = 0;
  for (const ZoneService& zs : services_)
    for (const ZoneSubset& subset : zs.subsets) address_count += subset.addresses.size();
  ip_refs_.reserve(address_count);
  for (std::uint32_t slot = 0; slot < services_.size(); ++slot) {
    ZoneService& zs = services_[slot];
    for (std::uint32_t si = 0; si < zs.subsets.size(); ++si) {
      auto& subset = zs.subsets[si];
      subset.addresses.shrink_to_fit();
      zs.ready_addresses += subset.addresses.size();
      for (std::uint32_t ai = 0; ai < subset.addresses.size(); ++ai) {
        const ZoneAddress& addr = subset.addresses[ai];
        if (addr.hostname != ZoneAddress::kDashedIp)
          by_hostname_[label_key(slot, hostnames_[addr.hostname])].push_back({si, ai});
        if (addr.ip.value != ~std::uint32_t{0}) ip_refs_.push_back({addr.ip, slot, si, ai});
      }
    }
  }
  // Pushed in (service, subset, address) order: a stable sort by IP keeps it within a run.
  std::stable_sort(ip_refs_.begin(), ip_refs_.end(),
                   [](const IpRef& a, const IpRef& b) { return a.ip < b.ip; });
  for (std::uint32_t i = 0; i < ip_refs_.size(); ++i)
    if (i == 0 || ip_refs_[i - 1].ip != ip_refs_[i].ip) ip_first_.emplace(ip_refs_[i].ip.value, i);
}

std::span<const DnsZone::IpRef> DnsZone::refs_of(core::Ipv4 ip) const {
  const std::uint32_t* first = ip_first_.find(ip.value);
  if (first == nullptr) return {};
  std::size_t end = *first;
  while (end < ip_refs_.size() && ip_refs_[end].ip == ip) ++end;
  return std::span<const IpRef>(ip_refs_).subspan(*first, end - *first);
}

std::string DnsZone::label(const ZoneAddress& address) const {
  if (address.hostname == ZoneAddress::kDashedIp) return address.ip.dashed();
  return hostnames_[address.hostname];
}

const ZoneService* DnsZone::find_service(std::string_view ns, std::string_view name) const {
  auto it = service_index_.find(service_key(ns, name));
  return it == service_index_.end() ? nullptr : &services_[it->second];
}

bool DnsZone::has_namespace(std::string_view ns) const {
  return namespaces_.count(lower(ns)) != 0;
}

std::string DnsZone::service_fqdn(const ZoneService& svc, std::string_view zone) const {
  return fmt::format("{}.{}.svc.{}", svc.name, svc.namespace_, zone);
}

ZoneRecords DnsZone::lookup(std::string_view qname) const {
  ZoneRecords out;
  std::string written(qname);
  if (written.empty() || written.back() != '.') written.push_back('.');
  std::string name = lower(written);

  auto under = [&](std::string_view zone) -> std::optional<std::string_view> {
    // The part of `name` before `zone` ("" at the apex), or nullopt when outside it.
    if (name == zone) return std::string_view{};
    if (name.size() > zone.size() &&
        name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
        name[name.size() - zone.size() - 1] == '.')
      return std::string_view(name).substr(0, name.size() - zone.size() - 1);
    return std::nullopt;
  };

  if (auto base = under(domain_)) {
    out.zone = written.substr(written.size() - domain_.size());
    lookup_cluster(*base, out);
    return out;
  }
  if (auto base = under("in-addr.arpa.")) {
    out.zone = written.substr(written.size() - std::string_view("in-addr.arpa.").size());
    lookup_reverse(*base, out);
    return out;
  }
  // ip6.arpa is the plugin's too, but podhop has no IPv6 address to answer for: every
  // name there falls through to the upstream resolver, as a miss does in CoreDNS.
  out.detail = "outside the cluster domain";
  return out;
}

void DnsZone::lookup_reverse(std::string_view base, ZoneRecords& out) const {
  out.status = ZoneStatus::found;
  out.reverse = true;
  if (base.empty()) {
    out.apex = true;
    out.detail = "the reverse zone apex";
    return;
  }
  auto labels = split_labels(base);
  if (labels.size() != 4) {
    out.detail = "not a full IPv4 reverse name";
    return;
  }
  std::string text = fmt::format("{}.{}.{}.{}", labels[3], labels[2], labels[1], labels[0]);
  auto ip = core::Ipv4::parse(text);
  if (!ip) {
    out.detail = "not a full IPv4 reverse name";
    return;
  }
  if (const std::uint32_t* slot = cluster_ips_.find(ip->value)) {
    const ZoneService& svc = services_[*slot];
    out.ptr.push_back(service_fqdn(svc, domain_));
    out.detail = fmt::format("ClusterIP of Service {}/{}", svc.namespace_, svc.name);
    return;
  }
  const auto refs = refs_of(*ip);
  if (refs.empty()) {
    out.detail = fmt::format("no Service or endpoint has IP {}", text);
    return;
  }
  for (const IpRef& ref : refs) {
    const ZoneService& svc = services_[ref.service];
    const ZoneAddress& addr = svc.subsets[ref.subset].addresses[ref.address];
    std::string target = fmt::format("{}.{}", label(addr), service_fqdn(svc, domain_));
    if (std::find(out.ptr.begin(), out.ptr.end(), target) == out.ptr.end())
      out.ptr.push_back(std::move(target));
  }
  out.detail = fmt::format("endpoint of {}", plural(out.ptr.size(), "Service"));
}

void DnsZone::lookup_cluster(std::string_view base, ZoneRecords& out) const {
  out.status = ZoneStatus::found;
  if (base.empty()) {
    out.apex = true;
    out.detail = "the zone apex";
    return;
  }
  if (base == "dns-version") {
    // Only TXT has an answer here: any other type is NXDOMAIN in CoreDNS.
    out.status = ZoneStatus::nxdomain;
    out.txt = "1.1.0";
    out.detail = "the DNS schema version";
    return;
  }
  if (base == "ns.dns") {
    if (!dns_ip_.empty()) out.a.push_back(dns_ip_);
    out.detail = "the cluster DNS server";
    return;
  }
  if (base == "svc" || base == "pod") {
    out.detail = fmt::format("{}.{}: an empty non-terminal", base, domain_);
    return;
  }
  auto labels = split_labels(base);
  std::string_view kind = labels.back();
  if (kind != "svc" && kind != "pod") {
    out.status = ZoneStatus::nxdomain;
    out.detail = "not a Service or pod name (<svc>.<ns>.svc or <ip>.<ns>.pod)";
    return;
  }
  std::size_t n = labels.size();
  std::string_view ns = labels[n - 2];
  if (!has_namespace(ns)) {
    out.status = ZoneStatus::nxdomain;
    out.detail = fmt::format("no namespace {}", ns);
    return;
  }
  if (n == 2) {
    out.detail = fmt::format("namespace {}: an empty non-terminal", ns);
    return;
  }
  std::string_view service = labels[n - 3];
  std::size_t rest = n - 3;
  if (rest > 2) {
    out.status = ZoneStatus::nxdomain;
    out.detail = "too many labels for a Service name";
    return;
  }
  std::string_view endpoint = rest == 1 ? labels[0] : std::string_view{};
  std::string_view port = rest == 2 ? strip_underscore(labels[0]) : std::string_view{};
  std::string_view proto = rest == 2 ? strip_underscore(labels[1]) : std::string_view{};

  if (kind == "pod") {
    // `pods insecure`: any dashed IPv4 address in an existing namespace answers with that
    // address; labels left of it are ignored, as CoreDNS's findPods does.
    std::string dotted(service);
    bool shaped = std::count(dotted.begin(), dotted.end(), '-') == 3 &&
                  dotted.find("--") == std::string::npos;
    std::replace(dotted.begin(), dotted.end(), '-', '.');
    auto ip = shaped ? core::Ipv4::parse(dotted) : std::nullopt;
    if (!ip) {
      out.status = ZoneStatus::nxdomain;
      out.detail = fmt::format("{} is not a dashed IPv4 address", service);
      return;
    }
    out.a.push_back(*ip);
    out.detail = fmt::format("pod record {} (pods insecure)", dotted);
    return;
  }

  auto it = service_index_.find(service_key(ns, service));
  if (it == service_index_.end()) {
    out.status = ZoneStatus::nxdomain;
    out.detail = fmt::format("no Service {} in namespace {}", service, ns);
    return;
  }
  lookup_service(services_[it->second], it->second, endpoint, port, proto, out);
}

void DnsZone::lookup_service(const ZoneService& svc, std::uint32_t index, std::string_view endpoint,
                             std::string_view port, std::string_view protocol,
                             ZoneRecords& out) const {
  std::string who = fmt::format("{}/{}", svc.namespace_, svc.name);
  if (svc.type == model::ServiceType::ExternalName) {
    bool ip_literal = core::Ipv4::parse(svc.external_name).has_value() ||
                      core::looks_like_ipv6(svc.external_name);
    if (!endpoint.empty() || ip_literal || svc.external_name.empty()) {
      out.status = ZoneStatus::nxdomain;
      out.detail = !endpoint.empty() ? fmt::format("ExternalName Service {} has no endpoints", who)
                                     : fmt::format("ExternalName Service {}: {} is not a host name",
                                                   who, svc.external_name);
      return;
    }
    out.cname = svc.external_name;
    if (out.cname.back() != '.') out.cname.push_back('.');
    out.detail = fmt::format("ExternalName Service {} is a CNAME to {}", who, out.cname);
    return;
  }

  struct Hit {
    core::Ipv4 ip;
    std::int32_t port;
    const ZoneAddress* address;
  };
  std::vector<Hit> hits;
  if (svc.headless || !endpoint.empty()) {
    auto visit = [&](const ZoneSubset& subset, const ZoneAddress& addr) {
      for (const ZonePort& p : subset.ports) {
        if (port_matches(port, protocol, p)) hits.push_back({addr.ip, p.port, &addr});
      }
    };
    if (!endpoint.empty()) {
      // The addresses labelled `endpoint`: by hostname, and by dashed IP when it is one
      // (exactly as ip.dashed() writes it), in (subset, address) order.
      std::vector<AddressRef> found;
      if (auto it = by_hostname_.find(label_key(index, endpoint)); it != by_hostname_.end())
        found = it->second;
      const std::string wanted = lower(endpoint);
      std::string dotted = wanted;
      std::replace(dotted.begin(), dotted.end(), '-', '.');
      if (auto ip = core::Ipv4::parse(dotted); ip && ip->dashed() == wanted) {
        for (const IpRef& ref : refs_of(*ip))
          if (ref.service == index &&
              svc.subsets[ref.subset].addresses[ref.address].hostname == ZoneAddress::kDashedIp)
            found.push_back({ref.subset, ref.address});
        std::sort(found.begin(), found.end(), [](const AddressRef& a, const AddressRef& b) {
          return std::tie(a.subset, a.address) < std::tie(b.subset, b.address);
        });
      }
      for (const AddressRef& ref : found) {
        const ZoneSubset& subset = svc.subsets[ref.subset];
        visit(subset, subset.addresses[ref.address]);
      }
    } else {
      for (const ZoneSubset& subset : svc.subsets) {
        for (const ZoneAddress& addr : subset.addresses) visit(subset, addr);
      }
    }
    if (hits.empty()) {
      out.status = ZoneStatus::nxdomain;
      if (!endpoint.empty())
        out.detail = fmt::format("no ready endpoint {} in Service {}", endpoint, who);
      else if (svc.ready_addresses == 0)
        out.detail = fmt::format("headless Service {} has no ready endpoints", who);
      else
        out.detail = fmt::format("headless Service {} has no port {}/{}", who, port, protocol);
      return;
    }
    std::string zone_fqdn = service_fqdn(svc, out.zone);
    std::uint16_t weight = srv_weight(hits.size());
    for (const Hit& h : hits) {
      if (std::find(out.a.begin(), out.a.end(), h.ip) == out.a.end()) out.a.push_back(h.ip);
      if (h.port < 0) continue;
      std::string target = fmt::format("{}.{}", label(*h.address), zone_fqdn);
      bool dup = std::any_of(out.srv.begin(), out.srv.end(), [&](const ZoneSrv& s) {
        return s.port == h.port && s.target == target;
      });
      if (!dup) out.srv.push_back({0, weight, h.port, std::move(target), h.ip});
    }
    if (!endpoint.empty())
      out.detail = fmt::format("endpoint {} of Service {}", endpoint, who);
    else
      out.detail =
          fmt::format("headless Service {}: {}", who, plural(out.a.size(), "ready endpoint"));
    return;
  }

  std::vector<const ZonePort*> ports;
  for (const ZonePort& p : svc.ports) {
    if (port_matches(port, protocol, p)) ports.push_back(&p);
  }
  if (ports.empty()) {
    out.status = ZoneStatus::nxdomain;
    out.detail = port.empty()
                     ? fmt::format("Service {} has no ports", who)
                     : fmt::format("Service {} has no port named {} ({})", who, port, protocol);
    return;
  }
  if (svc.cluster_ip.empty()) {
    out.detail = fmt::format("Service {} has no ClusterIP yet", who);
    return;
  }
  out.a.push_back(svc.cluster_ip);
  std::string target = service_fqdn(svc, out.zone);
  std::uint16_t weight = srv_weight(ports.size());
  for (const ZonePort* p : ports) {
    bool dup = std::any_of(out.srv.begin(), out.srv.end(),
                           [&](const ZoneSrv& s) { return s.port == p->port; });
    if (!dup) out.srv.push_back({0, weight, p->port, target, svc.cluster_ip});
  }
  out.detail = fmt::format("Service {} ({} {}, {})", who, model::to_string(svc.type),
                           svc.cluster_ip.str(), plural(svc.ready_addresses, "ready endpoint"));
}

}  // namespace podhop::controllers
