// Nodes and namespaces.
//
// Nodes come from the Cluster's spec.nodes (in order) and then from v1 Node objects (by
// name). Node i gets podCIDR's i-th /24 (node-ipam's range allocator hands out /24s in
// order), its index and its zone.

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "context.hpp"
#include "podhop/controllers/system_objects.hpp"

namespace podhop::controllers::detail {

namespace {

constexpr int kNodeCidrPrefix = 24;

// The i-th /24 of the cluster's podCIDR, or nullopt when the block has no room for it.
std::optional<core::Cidr> node_pod_cidr(const core::Cidr& pod_cidr, std::uint32_t i) {
  if (pod_cidr.prefix > kNodeCidrPrefix) {
    // A block smaller than a /24: the first node gets all of it.
    if (i == 0) return pod_cidr;
    return std::nullopt;
  }
  const std::uint64_t blocks = std::uint64_t{1} << (kNodeCidrPrefix - pod_cidr.prefix);
  if (i >= blocks) return std::nullopt;
  return core::Cidr{core::Ipv4{pod_cidr.base.value + (i << 8)}, kNodeCidrPrefix};
}

void set_if_missing(model::StringMap& m, std::string key, std::string value) {
  if (!m.contains(key)) m.set(std::move(key), std::move(value));
}

// Labels every node carries (kubelet's well-known labels).
void standard_labels(model::Node& n) {
  set_if_missing(n.meta.labels, "kubernetes.io/arch", "amd64");
  set_if_missing(n.meta.labels, "kubernetes.io/hostname", n.meta.name);
  set_if_missing(n.meta.labels, "kubernetes.io/os", "linux");
  if (!n.zone.empty()) set_if_missing(n.meta.labels, std::string(kZoneLabel), n.zone);
}

}  // namespace

void reconcile_nodes(Context& ctx) {
  auto& st = ctx.state;
  auto& cfg = st.config;

  // Node objects are the nodes that the Cluster does not list.
  std::unordered_set<std::string> configured;
  for (const auto& n : cfg.nodes) configured.insert(n.name);
  std::vector<std::uint32_t> object_slots;
  for (std::uint32_t s = 0; s < st.nodes.size(); ++s)
    if (!configured.contains(st.nodes[s].meta.name)) object_slots.push_back(s);

  const bool had_nodes = !cfg.nodes.empty();
  model::apply_cluster_defaults(cfg);
  // The default "node-1" stands for "no nodes given"; Node objects are nodes given.
  if (!had_nodes && !object_slots.empty()) cfg.nodes.clear();

  std::sort(object_slots.begin(), object_slots.end(), [&](std::uint32_t a, std::uint32_t b) {
    return st.nodes[a].meta.name < st.nodes[b].meta.name;
  });

  std::vector<std::uint32_t> order;
  order.reserve(cfg.nodes.size() + object_slots.size());
  for (const auto& c : cfg.nodes) {
    model::Node node;
    if (const auto* existing = st.nodes.find("", c.name)) {
      node = *existing;
    } else {
      node.meta = ctx.new_meta("", c.name, "v1");
    }
    node.internal_ip = c.ip.value_or(core::Ipv4{});
    node.zone = c.zone;
    for (const auto& [k, v] : c.labels) node.meta.labels.set(k, v);
    order.push_back(st.nodes.upsert(std::move(node)));
  }
  order.insert(order.end(), object_slots.begin(), object_slots.end());

  ctx.node_slots = order;
  ctx.node_index.clear();
  ctx.node_index.reserve(order.size());
  const bool minikube_ingress = cfg.has_addon(kIngressAddon);
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    auto& n = st.nodes[order[i]];
    const bool from_config = i < cfg.nodes.size();
    n.index = i;
    if (n.zone.empty())
      if (const auto* z = n.meta.labels.get(kZoneLabel)) n.zone = *z;
    standard_labels(n);
    if (i == 0 && from_config)
      set_if_missing(n.meta.labels, "node-role.kubernetes.io/control-plane", "");
    // minikube marks its first node primary; the ingress addon's controller selects it.
    if (i == 0 && minikube_ingress) n.meta.labels.set("minikube.k8s.io/primary", "true");

    bool has_cidr = !n.pod_cidr.base.empty() && !from_config;  // a Node object's spec.podCIDR
    if (!has_cidr) {
      if (auto c = node_pod_cidr(cfg.pod_cidr, i)) {
        n.pod_cidr = *c;
        has_cidr = true;
      } else {
        n.pod_cidr = {};
        ctx.diags.warning(
            cfg.source, model::describe_object("Cluster", cfg.name), "spec.podCIDR",
            fmt::format("node \"{}\" gets no pod CIDR: {} has room for {} /24 "
                        "blocks; the node stays NotReady and runs no pods",
                        n.meta.name, cfg.pod_cidr.str(),
                        cfg.pod_cidr.prefix > kNodeCidrPrefix
                            ? 1
                            : (std::uint64_t{1} << (kNodeCidrPrefix - cfg.pod_cidr.prefix))));
      }
    }
    // A node without a pod CIDR has no pod network: NotReady, as kubelet reports it.
    if (from_config)
      n.ready = has_cidr;
    else
      n.ready = n.ready && has_cidr;
    ctx.node_index.emplace(n.meta.name, i);
  }
}

void reconcile_namespaces(Context& ctx) {
  auto& st = ctx.state;
  std::vector<std::string_view> wanted = {"default", "kube-node-lease", "kube-public",
                                          kSystemNamespace};
  if (st.config.has_addon(kIngressAddon)) wanted.push_back(kIngressNginxNamespace);
  for (auto name : wanted) {
    if (st.namespaces.find("", name)) continue;
    model::Namespace ns;
    ns.meta = ctx.new_meta("", std::string(name), "v1");
    st.namespaces.upsert(std::move(ns));
  }
  // The NamespaceDefaultLabelName admission labels every namespace with its name.
  for (auto& ns : st.namespaces.items())
    set_if_missing(ns.meta.labels, "kubernetes.io/metadata.name", ns.meta.name);
}

}  // namespace podhop::controllers::detail
