// The EndpointSlice, Endpoints and EndpointSlice-mirroring controllers (rules 1.5).
//
// Derived objects are recomputed from scratch on every reconcile and replace the previous
// derived ones (their names and creation stamps are kept, so a second reconcile gives the
// same state); objects the user wrote are kept as they are, except an Endpoints object of a
// Service with a selector, which the Endpoints controller owns.
//
// Candidates for a selector come from an index of pods by namespace and label key=value:
// the shortest posting list among the selector's pairs, then the full match. No Service
// scans every pod.

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "context.hpp"
#include "podhop/controllers/names.hpp"
#include "podhop/controllers/pod_ports.hpp"

namespace podhop::controllers::detail {

namespace {

constexpr std::size_t kMaxEndpointsPerEndpoints = 1000;      // endpoints controller cap
constexpr std::size_t kMaxMirroredEndpointsPerSlice = 1000;  // --mirroring-max-endpoints-per-subset

bool is_terminal(const model::Pod& p) {
  return p.status.phase == model::PodPhase::Succeeded || p.status.phase == model::PodPhase::Failed;
}

// Pods that can be endpoints at all: an address and not finished.
bool has_address(const model::Pod& p) {
  return !p.status.pod_ip.empty() && !is_terminal(p);
}

class PodIndex {
 public:
  explicit PodIndex(const model::ObjectTable<model::Pod>& pods) {
    std::string k;
    for (std::uint32_t s = 0; s < pods.size(); ++s) {
      const auto& p = pods[s];
      if (!has_address(p)) continue;
      make_key(k, p.meta.namespace_, nullptr);
      postings_[k].push_back(s);
      for (const auto& label : p.meta.labels) {
        make_key(k, p.meta.namespace_, &label);
        postings_[k].push_back(s);
      }
    }
  }

  /// Pods of namespace ns that may match selector (a superset), in table order.
  const std::vector<std::uint32_t>& candidates(std::string_view ns,
                                               const model::StringMap& selector) const {
    std::string k;
    const std::vector<std::uint32_t>* best = nullptr;
    if (selector.empty()) {
      make_key(k, ns, nullptr);
      auto it = postings_.find(k);
      return it == postings_.end() ? none_ : it->second;
    }
    for (const auto& pair : selector) {
      make_key(k, ns, &pair);
      auto it = postings_.find(k);
      if (it == postings_.end()) return none_;
      if (!best || it->second.size() < best->size()) best = &it->second;
    }
    return *best;
  }

 private:
  static void make_key(std::string& k, std::string_view ns, const model::StringMap::Entry* label) {
    k.assign(ns);
    k.push_back('\0');
    if (!label) return;
    k.append(label->first);
    k.push_back('\0');
    k.append(label->second);
  }
  std::unordered_map<std::string, std::vector<std::uint32_t>> postings_;  // lookups only
  std::vector<std::uint32_t> none_;
};

void append_port_key(std::string& k, const model::EndpointPort& p) {
  k.append(p.name).push_back('\x1f');
  k.append(std::to_string(p.port.value_or(-1))).push_back('\x1f');
  k.append(model::to_string(p.protocol)).push_back('\x1f');
  k.append(p.app_protocol).push_back('\x1e');
}

std::string port_key(const std::vector<model::EndpointPort>& ports) {
  std::string k;
  for (const auto& p : ports) append_port_key(k, p);
  return k;
}

// Slices under construction: port set key -> (ports, endpoints).
using SliceGroups =
    std::map<std::string,
             std::pair<std::vector<model::EndpointPort>, std::vector<model::Endpoint>>>;
// Legacy Endpoints under construction: port key -> (port, address entries: index << 1 | ready).
using PortAddresses =
    std::map<std::string, std::pair<model::EndpointPort, std::vector<std::uint32_t>>>;

// "10.244.0.5", without going through a formatter (one per endpoint).
std::string ip_string(core::Ipv4 ip) {
  char buf[16];
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = std::to_chars(p, buf + sizeof buf, (ip.value >> shift) & 255u).ptr;
    if (shift) *p++ = '.';
  }
  return std::string(buf, p);
}

struct Stamp {
  std::uint64_t creation_index = 0;
  core::SimTime created;
};

// Keeps the creation stamps of the derived objects a reconcile replaces, by ns/name.
using Stamps = std::unordered_map<std::string, Stamp>;

class EndpointsController {
 public:
  explicit EndpointsController(Context& ctx) : ctx_(ctx), st_(ctx.state), index_(st_.pods) {}

  void run() {
    remove_derived();
    for (auto& sl : st_.endpoint_slices.items())
      if (sl.service_name.empty())
        if (const auto* n = sl.meta.labels.get(kServiceNameLabel)) sl.service_name = *n;

    std::vector<std::uint32_t> order(st_.services.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return st_.services[a].meta.creation_index < st_.services[b].meta.creation_index;
    });
    for (auto slot : order) {
      const model::Service& svc = st_.services[slot];
      if (svc.spec.type == model::ServiceType::ExternalName || !svc.spec.has_selector) continue;
      derive(svc);
    }
    mirror();
    check_port_names(order);
  }

 private:
  bool selected_by_selector_service(const model::Endpoints& e) const {
    const auto* svc = st_.services.find(e.meta.namespace_, e.meta.name);
    return svc && svc->spec.has_selector && svc->spec.type != model::ServiceType::ExternalName;
  }

  void remove_derived() {
    for (const auto& sl : st_.endpoint_slices.items())
      if (sl.managed)
        stamps_.emplace(ns_name(sl.meta.namespace_, sl.meta.name),
                        Stamp{sl.meta.creation_index, sl.meta.created});
    st_.endpoint_slices.erase_if([](const model::EndpointSlice& sl) { return sl.managed; });
    for (const auto& e : st_.endpoints.items())
      if (e.managed || selected_by_selector_service(e))
        stamps_.emplace("endpoints/" + ns_name(e.meta.namespace_, e.meta.name),
                        Stamp{e.meta.creation_index, e.meta.created});
    st_.endpoints.erase_if(
        [&](const model::Endpoints& e) { return e.managed || selected_by_selector_service(e); });
  }

  model::ObjectMeta meta_for(const std::string& stamp_key, std::string ns, std::string name,
                             const char* api_version) {
    auto it = stamps_.find(stamp_key);
    if (it == stamps_.end()) return ctx_.new_meta(std::move(ns), std::move(name), api_version);
    model::ObjectMeta m;
    m.namespace_ = std::move(ns);
    m.name = std::move(name);
    m.api_version = api_version;
    m.creation_index = it->second.creation_index;
    m.created = it->second.created;
    return m;
  }

  // A new slice name `<prefix><5 chars>` free in the namespace.
  std::string slice_name(const std::string& ns, const std::string& stream,
                         const std::string& prefix, std::uint64_t& k) {
    for (;;) {
      auto name = generated_name(ctx_.options.seed, stream, prefix, k++);
      if (!st_.endpoint_slices.find(ns, name)) return name;
    }
  }

  void add_slice(model::EndpointSlice sl) { st_.endpoint_slices.upsert(std::move(sl)); }

  // Selected pods with their port sets -> slices; the same pods -> legacy Endpoints.
  void derive(const model::Service& svc) {
    const auto& ns = svc.meta.namespace_;
    const bool pnr = svc.spec.publish_not_ready_addresses;
    const bool headless = svc.spec.headless;

    SliceGroups groups;
    const model::SharedStr shared_ns = strings_.share(ns);
    const model::SharedStr pod_kind = strings_.share("Pod");
    // Legacy Endpoints: every address (and its text), and per port the addresses offering it.
    std::vector<model::EndpointAddress> addresses;
    std::vector<std::string> address_text;
    PortAddresses port_addrs;
    const std::string no_ports = "\x1d";  // headless without ports: addresses without ports

    // Pods of one template share their spec, hence their resolved ports: resolve once.
    struct Resolved {
      SliceGroups::mapped_type* group = nullptr;
      std::vector<PortAddresses::mapped_type*> ports;
    };
    std::unordered_map<const model::PodSpec*, Resolved> by_spec;  // lookups only
    auto resolve = [&](const model::PodSpec& spec) -> const Resolved& {
      auto [it, fresh] = by_spec.try_emplace(&spec);
      if (!fresh) return it->second;
      std::vector<model::EndpointPort> ports;
      for (const auto& sp : svc.spec.ports)
        if (auto n = find_pod_port(spec, sp))
          ports.push_back({sp.name, *n, sp.protocol, sp.app_protocol});
      auto& g = groups[port_key(ports)];
      g.first = ports;
      it->second.group = &g;
      if (svc.spec.ports.empty() && headless) it->second.ports.push_back(&port_addrs[no_ports]);
      for (const auto& p : ports) {
        std::string k;
        append_port_key(k, p);
        auto& pa = port_addrs[k];
        pa.first = p;
        it->second.ports.push_back(&pa);
      }
      return it->second;
    };

    for (auto slot : index_.candidates(ns, svc.spec.selector)) {
      const model::Pod& pod = st_.pods[slot];
      if (!model::selector_matches(svc.spec.selector, pod.meta.labels)) continue;
      const bool serving = pod.status.ready;
      const bool terminating = pod.meta.deletion.has_value();
      const model::SharedStr hostname =
          !pod.spec->hostname.empty() && pod.spec->subdomain == svc.meta.name
              ? model::SharedStr(pod.spec->hostname)
              : model::SharedStr();
      // One block for the pod's name, shared by its slice endpoint and its legacy address.
      model::ObjectRef target{pod_kind, shared_ns, ctx_.shared_name(pod.meta.name)};
      const model::SharedStr node_name = pod.node_name;  // the scheduler's block
      const Resolved& resolved = resolve(*pod.spec);
      std::string ip_text = ip_string(pod.status.pod_ip);

      // EndpointSlice (podToEndpoint); a pod on a node that does not exist is left out.
      if (const auto n = ctx_.pod_node[slot]; n >= 0) {
        const auto& node = ctx_.node_at(static_cast<std::uint32_t>(n));
        model::Endpoint ep;
        if (pod.status.pod_ip.empty())
          ep.addresses = {ip_text};
        else
          ep.addresses = model::EndpointAddresses::of(pod.status.pod_ip);
        ep.ip = pod.status.pod_ip;
        ep.conditions.serving = serving;
        ep.conditions.terminating = terminating;
        ep.conditions.ready = pnr || (serving && !terminating);
        ep.hostname = hostname;
        ep.node_name = node_name;
        ep.zone = strings_.share(node.zone);
        ep.target_ref = target;
        resolved.group->second.push_back(std::move(ep));
      }

      // Endpoints (ShouldPodBeInEndpoints with publishNotReadyAddresses as tolerance).
      if (terminating && !pnr) continue;
      if (resolved.ports.empty()) continue;  // offers no port of the Service
      const auto idx = static_cast<std::uint32_t>(addresses.size());
      addresses.push_back({pod.status.pod_ip, hostname, node_name, std::move(target)});
      address_text.push_back(std::move(ip_text));
      const bool ready = pnr || serving;
      const std::uint32_t entry = (idx << 1) | (ready ? 1u : 0u);
      for (auto* pa : resolved.ports) pa->second.push_back(entry);
    }
    std::erase_if(groups, [](const auto& g) { return g.second.second.empty(); });

    write_slices(svc, groups);
    write_endpoints(svc, addresses, address_text, port_addrs, no_ports);
  }

  model::StringMap slice_labels(const model::Service& svc, std::string_view managed_by) {
    model::StringMap labels;
    for (const auto& [k, v] : svc.meta.labels)
      if (k != kServiceNameLabel && k != kManagedByLabel) labels.set(k, v);
    labels.set(std::string(kServiceNameLabel), svc.meta.name);
    labels.set(std::string(kManagedByLabel), std::string(managed_by));
    if (svc.spec.headless) labels.set(std::string(kHeadlessLabel), "");
    return labels;
  }

  void write_slices(const model::Service& svc, SliceGroups& groups) {
    const auto& ns = svc.meta.namespace_;
    const std::string stream = fmt::format("endpointslice-names/{}/{}", ns, svc.meta.name);
    const std::string prefix = svc.meta.name + "-";
    const auto per_slice =
        static_cast<std::size_t>(std::max<std::int32_t>(1, ctx_.options.max_endpoints_per_slice));
    std::uint64_t k = 0;
    auto make = [&](const std::vector<model::EndpointPort>& ports,
                    std::vector<model::Endpoint> endpoints) {
      auto name = slice_name(ns, stream, prefix, k);
      model::EndpointSlice sl;
      sl.meta = meta_for(ns_name(ns, name), ns, name, "discovery.k8s.io/v1");
      sl.meta.generate_name = prefix;
      sl.meta.labels = slice_labels(svc, kSliceController);
      sl.meta.owner = {"Service", svc.meta.name};
      sl.address_type = model::AddressType::IPv4;
      sl.ports = ports;
      sl.endpoints = std::move(endpoints);
      sl.service_name = svc.meta.name;
      sl.managed = true;
      add_slice(std::move(sl));
    };
    if (groups.empty()) {
      // A selector that matches nothing still gets one empty placeholder slice.
      make({}, {});
      return;
    }
    for (auto& [key, group] : groups) {
      // Sorted by the text of the first address: each text made once, not per comparison.
      std::vector<std::pair<std::string, std::uint32_t>> order;
      order.reserve(group.second.size());
      for (std::uint32_t i = 0; i < group.second.size(); ++i) {
        const auto& a = group.second[i].addresses;
        order.emplace_back(a.empty() ? std::string() : a.front(), i);
      }
      std::sort(order.begin(), order.end());
      std::vector<model::Endpoint> eps;
      eps.reserve(order.size());
      for (const auto& o : order) eps.push_back(std::move(group.second[o.second]));
      for (std::size_t at = 0; at < eps.size(); at += per_slice) {
        const auto end = std::min(eps.size(), at + per_slice);
        make(group.first, std::vector<model::Endpoint>(std::make_move_iterator(eps.begin() + at),
                                                       std::make_move_iterator(eps.begin() + end)));
      }
    }
  }

  // RepackSubsets: ports that reach the same addresses share a subset; addresses sorted by
  // IP (as text, as the endpoints controller sorts them), capped at 1000.
  void write_endpoints(const model::Service& svc,
                       const std::vector<model::EndpointAddress>& addresses,
                       const std::vector<std::string>& address_text,
                       const PortAddresses& port_addrs, const std::string& no_ports) {
    const auto& ns = svc.meta.namespace_;
    std::map<std::vector<std::uint32_t>, std::vector<model::EndpointPort>> by_addresses;
    for (const auto& [key, pa] : port_addrs) {
      if (pa.second.empty()) continue;
      auto& ports = by_addresses[pa.second];
      if (key != no_ports) ports.push_back(pa.first);
    }
    std::vector<model::EndpointSubset> subsets;
    for (const auto& [entries, ports] : by_addresses) {
      model::EndpointSubset sub;
      // Sorted by address text (as the endpoints controller sorts them): the text of each
      // address is made once, not in every comparison.
      std::vector<std::pair<std::string, std::uint32_t>> order;
      order.reserve(entries.size());
      for (auto e : entries) order.emplace_back(address_text[e >> 1], e);
      std::sort(order.begin(), order.end());
      for (const auto& [text, e] : order)
        (e & 1 ? sub.addresses : sub.not_ready_addresses).push_back(addresses[e >> 1]);
      sub.ports = ports;
      std::sort(sub.ports.begin(), sub.ports.end(),
                [](const model::EndpointPort& a, const model::EndpointPort& b) {
                  return std::tie(a.name, a.port) < std::tie(b.name, b.port);
                });
      subsets.push_back(std::move(sub));
    }
    std::sort(subsets.begin(), subsets.end(),
              [](const model::EndpointSubset& a, const model::EndpointSubset& b) {
                return port_key(a.ports) < port_key(b.ports);
              });

    model::Endpoints e;
    e.meta = meta_for("endpoints/" + ns_name(ns, svc.meta.name), ns, svc.meta.name, "v1");
    e.meta.labels = svc.meta.labels;
    if (svc.spec.headless) e.meta.labels.set(std::string(kHeadlessLabel), "");
    std::size_t total = 0;
    for (const auto& sub : subsets) total += sub.addresses.size() + sub.not_ready_addresses.size();
    if (total > kMaxEndpointsPerEndpoints) {
      // Over capacity: keep ready addresses first, subset by subset, up to the cap.
      std::size_t budget = kMaxEndpointsPerEndpoints;
      for (auto& sub : subsets) {
        sub.addresses.resize(std::min(sub.addresses.size(), budget));
        budget -= sub.addresses.size();
      }
      for (auto& sub : subsets) {
        sub.not_ready_addresses.resize(std::min(sub.not_ready_addresses.size(), budget));
        budget -= sub.not_ready_addresses.size();
      }
      std::erase_if(subsets, [](const model::EndpointSubset& s) {
        return s.addresses.empty() && s.not_ready_addresses.empty();
      });
      e.meta.annotations.set("endpoints.kubernetes.io/over-capacity", "truncated");
    }
    e.subsets = std::move(subsets);
    e.managed = true;
    st_.endpoints.upsert(std::move(e));
  }

  // The EndpointSliceMirroring controller: a selector-less Service's Endpoints (written by
  // the user) become EndpointSlices, one per distinct port list, unless skip-mirror.
  void mirror() {
    std::vector<std::uint32_t> order(st_.endpoints.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return st_.endpoints[a].meta.creation_index < st_.endpoints[b].meta.creation_index;
    });
    std::vector<model::EndpointSlice> out;
    for (auto slot : order) {
      const auto& e = st_.endpoints[slot];
      if (e.managed) continue;
      const auto* svc = st_.services.find(e.meta.namespace_, e.meta.name);
      if (!svc || svc->spec.has_selector) continue;
      if (const auto* skip = e.meta.labels.get(kSkipMirrorLabel); skip && *skip == "true") continue;

      std::map<std::string,
               std::pair<std::vector<model::EndpointPort>, std::vector<model::Endpoint>>>
          groups;
      for (const auto& sub : e.subsets) {
        auto& g = groups[port_key(sub.ports)];
        g.first = sub.ports;
        auto add = [&](const model::EndpointAddress& a, bool ready) {
          model::Endpoint ep;
          ep.addresses = {a.ip.str()};
          ep.ip = a.ip;
          ep.conditions.ready = ready;
          ep.hostname = a.hostname;
          ep.node_name = a.node_name;
          if (const auto* node = ctx_.node_named(a.node_name)) ep.zone = strings_.share(node->zone);
          ep.target_ref = a.target_ref;
          g.second.push_back(std::move(ep));
        };
        for (const auto& a : sub.addresses) add(a, true);
        for (const auto& a : sub.not_ready_addresses) add(a, false);
      }
      const auto& ns = e.meta.namespace_;
      const std::string stream =
          fmt::format("endpointslice-mirroring-names/{}/{}", ns, e.meta.name);
      const std::string prefix = e.meta.name + "-";
      std::uint64_t k = 0;
      for (auto& [key, group] : groups) {
        auto& eps = group.second;
        for (std::size_t at = 0; at < std::max<std::size_t>(eps.size(), 1);
             at += kMaxMirroredEndpointsPerSlice) {
          const auto end = std::min(eps.size(), at + kMaxMirroredEndpointsPerSlice);
          auto name = slice_name(ns, stream, prefix, k);
          model::EndpointSlice sl;
          sl.meta = meta_for(ns_name(ns, name), ns, name, "discovery.k8s.io/v1");
          sl.meta.generate_name = prefix;
          for (const auto& [lk, lv] : e.meta.labels) sl.meta.labels.set(lk, lv);
          sl.meta.labels.set(std::string(kServiceNameLabel), e.meta.name);
          sl.meta.labels.set(std::string(kManagedByLabel), std::string(kMirroringController));
          sl.meta.owner = {"Endpoints", e.meta.name};
          sl.ports = group.first;
          if (at < eps.size())
            sl.endpoints.assign(eps.begin() + static_cast<std::ptrdiff_t>(at),
                                eps.begin() + static_cast<std::ptrdiff_t>(end));
          sl.service_name = e.meta.name;
          sl.managed = true;
          // Added at once: the next name check must see it.
          add_slice(std::move(sl));
        }
      }
    }
  }

  // kube-proxy matches a slice port to a Service port by name: say so when a selector-less
  // Service's slices name their ports differently (rules 2.6).
  void check_port_names(const std::vector<std::uint32_t>& order) {
    std::unordered_map<std::string, std::vector<const model::EndpointSlice*>> by_service;
    for (const auto& sl : st_.endpoint_slices.items())
      if (!sl.service_name.empty())
        by_service[ns_name(sl.meta.namespace_, sl.service_name)].push_back(&sl);
    for (auto slot : order) {
      const auto& svc = st_.services[slot];
      if (svc.spec.has_selector || svc.spec.type == model::ServiceType::ExternalName) continue;
      auto it = by_service.find(ns_name(svc.meta.namespace_, svc.meta.name));
      if (it == by_service.end()) continue;
      std::vector<std::string> names;
      for (const auto* sl : it->second)
        for (const auto& p : sl->ports)
          if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
      if (names.empty()) continue;
      std::sort(names.begin(), names.end());
      for (std::size_t i = 0; i < svc.spec.ports.size(); ++i) {
        const auto& want = svc.spec.ports[i].name;
        if (std::find(names.begin(), names.end(), want) != names.end()) continue;
        std::string have;
        for (const auto& n : names) have += (have.empty() ? "" : ", ") + fmt::format("\"{}\"", n);
        ctx_.diags.warning(
            svc.meta.source, model::describe_object("Service", svc.meta.name),
            fmt::format("spec.ports[{}].name", i),
            fmt::format("{} in the EndpointSlices of this Service (their ports: {}): kube-proxy "
                        "matches endpoint ports by name, so this Service port has no endpoints "
                        "and connections to it are refused",
                        want.empty() ? std::string("no unnamed port")
                                     : fmt::format("no port named \"{}\"", want),
                        have));
      }
    }
  }

  Context& ctx_;
  model::ClusterState& st_;
  PodIndex index_;
  Stamps stamps_;
  // The words endpoints repeat (node names, zones, namespaces): one block each per run.
  model::StringPool strings_;
};

}  // namespace

void reconcile_endpoints(Context& ctx) {
  EndpointsController(ctx).run();
}

}  // namespace podhop::controllers::detail
