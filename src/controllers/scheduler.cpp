// Scheduling, pod IPs and pod status.
//
// Scheduling is deterministic: a pod that names its node (spec.nodeName) is bound there;
// any other pod goes to the ready node, admitted by its nodeSelector, with the fewest pods
// of the same owner, then the fewest pods, then the lowest index (docs/controllers.md).
// Pod IPs come from the node's pod CIDR, host-local style: sequential from .2, continuing
// after the last address handed out, never one a pod still holds.

#include <algorithm>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "context.hpp"

namespace podhop::controllers::detail {

namespace {

bool is_terminal(const model::Pod& p) {
  return p.status.phase == model::PodPhase::Succeeded || p.status.phase == model::PodPhase::Failed;
}

std::string owner_of(const model::Pod& p) {
  std::string k;
  if (p.meta.owner.empty()) return k;
  k.reserve(p.meta.owner.kind.size() + p.meta.namespace_.size() + p.meta.owner.name.size() + 2);
  k.append(p.meta.owner.kind).push_back('/');
  k.append(p.meta.namespace_).push_back('/');
  k.append(p.meta.owner.name);
  return k;
}

// Per-node pod counts and the ready nodes ordered by (pods, index), so the least loaded
// node is found in O(log n).
class NodeLoad {
 public:
  NodeLoad(const Context& ctx, std::vector<std::uint32_t> totals)
      : ctx_(ctx), totals_(std::move(totals)) {
    for (std::uint32_t i = 0; i < totals_.size(); ++i)
      if (ctx.node_at(i).ready) by_load_.emplace(totals_[i], i);
  }
  void add(std::uint32_t node) {
    if (ctx_.node_at(node).ready) {
      by_load_.erase({totals_[node], node});
      by_load_.emplace(totals_[node] + 1, node);
    }
    ++totals_[node];
  }
  std::uint32_t total(std::uint32_t node) const { return totals_[node]; }
  const std::set<std::pair<std::uint32_t, std::uint32_t>>& by_load() const { return by_load_; }

 private:
  const Context& ctx_;
  std::vector<std::uint32_t> totals_;
  std::set<std::pair<std::uint32_t, std::uint32_t>> by_load_;  // (pods, node index)
};

using OwnerCounts = std::unordered_map<std::uint32_t, std::uint32_t>;  // node -> pods

// The node for one pod, or -1 when no node fits.
std::int64_t pick_node(const Context& ctx, const model::Pod& pod, const NodeLoad& load,
                       const OwnerCounts* owned) {
  auto owned_on = [&](std::uint32_t n) -> std::uint32_t {
    if (!owned) return 0;
    auto it = owned->find(n);
    return it == owned->end() ? 0 : it->second;
  };
  const auto& selector = pod.spec->node_selector;
  if (selector.empty()) {
    // Fast path: any node without a pod of this owner beats every node with one, and the
    // set is already ordered by (pods, index); skip at most |owned| nodes.
    for (const auto& [pods, n] : load.by_load())
      if (owned_on(n) == 0) return n;
  }
  // General case: every admitted ready node, by (owner's pods, pods, index).
  std::int64_t best = -1;
  std::tuple<std::uint32_t, std::uint32_t, std::uint32_t> best_key{};
  for (std::uint32_t n = 0; n < ctx.node_slots.size(); ++n) {
    const auto& node = ctx.node_at(n);
    if (!node.ready || !model::selector_matches(selector, node.meta.labels)) continue;
    auto key = std::make_tuple(owned_on(n), load.total(n), n);
    if (best < 0 || key < best_key) {
      best = n;
      best_key = key;
    }
  }
  return best;
}

}  // namespace

void schedule_pods(Context& ctx) {
  auto& st = ctx.state;
  const auto node_count = static_cast<std::uint32_t>(ctx.node_slots.size());
  std::vector<std::uint32_t> totals(node_count, 0);
  std::vector<std::uint32_t> to_place;
  ctx.pod_node.assign(st.pods.size(), -1);

  for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
    auto& p = st.pods[s];
    if (!p.spec) p.spec = ctx.empty_spec;
    // Bound by its author (spec.nodeName): the scheduler never sees it, records nothing.
    if (p.node_name.empty() && !p.spec->node_name.empty() && !is_terminal(p) && !p.meta.deletion)
      p.node_name = ctx.words.share(p.spec->node_name);
    if (p.node_name.empty()) {
      if (!is_terminal(p) && !p.meta.deletion) to_place.push_back(s);
      continue;
    }
    const auto i = ctx.index_of_node(p.node_name);
    ctx.pod_node[s] = static_cast<std::int32_t>(i);
    if (is_terminal(p)) continue;
    if (i >= 0) {
      ++totals[static_cast<std::size_t>(i)];
    } else if (!p.meta.deletion) {
      ctx.warning_once(ref("Pod", p.meta), "NodeNotFound",
                       fmt::format("node \"{}\" not found: the pod is bound to a node the "
                                   "cluster does not have and stays Pending",
                                   p.node_name),
                       "podhop");
    }
  }
  if (to_place.empty()) return;
  std::stable_sort(to_place.begin(), to_place.end(), [&](std::uint32_t a, std::uint32_t b) {
    return st.pods[a].meta.creation_index < st.pods[b].meta.creation_index;
  });

  // Where the owners of the pods to place already run.
  std::unordered_map<std::string, OwnerCounts> owners;  // lookups only
  for (auto s : to_place)
    if (auto k = owner_of(st.pods[s]); !k.empty()) owners.try_emplace(std::move(k));
  if (!owners.empty()) {
    for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
      const auto& p = st.pods[s];
      const auto n = ctx.pod_node[s];
      if (n < 0 || is_terminal(p) || p.meta.owner.empty()) continue;
      auto it = owners.find(owner_of(p));
      if (it != owners.end()) ++it->second[static_cast<std::uint32_t>(n)];
    }
  }

  NodeLoad load(ctx, std::move(totals));
  for (auto s : to_place) {
    auto& p = st.pods[s];
    OwnerCounts* owned = nullptr;
    if (auto k = owner_of(p); !k.empty()) owned = &owners[k];
    auto n = pick_node(ctx, p, load, owned);
    if (n < 0) {
      std::size_t ready = 0;
      for (std::uint32_t i = 0; i < node_count; ++i) ready += ctx.node_at(i).ready;
      std::string why;
      if (ready < node_count)
        why += fmt::format(" {} node(s) had untolerated taint {{node.kubernetes.io/not-ready: }}.",
                           node_count - ready);
      if (ready > 0)
        why += fmt::format(" {} node(s) didn't match Pod's node affinity/selector.", ready);
      ctx.warning_once(ref("Pod", p.meta), "FailedScheduling",
                       fmt::format("0/{} nodes are available:{} preemption: 0/{} nodes are "
                                   "available: {} Preemption is not helpful for scheduling.",
                                   node_count, why, node_count, node_count),
                       kScheduler);
      continue;
    }
    const auto node = static_cast<std::uint32_t>(n);
    p.node_name = ctx.node_name_block(node);
    ctx.pod_node[s] = static_cast<std::int32_t>(node);
    load.add(node);
    if (owned) ++(*owned)[node];
    ctx.event(ref("Pod", p.meta), "Normal", "Scheduled",
              fmt::format("Successfully assigned {}/{} to {}", p.meta.namespace_, p.meta.name,
                          p.node_name),
              kScheduler);
  }
}

void assign_pod_ips(Context& ctx) {
  auto& st = ctx.state;
  const auto node_count = ctx.node_slots.size();
  // Which nodes have pods waiting for an address, in creation order.
  std::vector<std::vector<std::uint32_t>> waiting(node_count);
  bool any = false;
  for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
    auto& p = st.pods[s];
    const auto n = ctx.pod_node[s];
    if (n < 0 || is_terminal(p) || !p.status.pod_ip.empty() || p.meta.deletion) continue;
    const auto& node = ctx.node_at(static_cast<std::uint32_t>(n));
    if (p.spec->host_network) {
      p.status.pod_ip = node.internal_ip;  // shares the node's network namespace
      continue;
    }
    waiting[static_cast<std::size_t>(n)].push_back(s);
    any = true;
  }
  if (!any) return;

  // Addresses in use, per node that needs one (bit i = offset i in the node's block).
  std::vector<std::vector<bool>> used(node_count);
  for (std::size_t n = 0; n < node_count; ++n)
    if (!waiting[n].empty())
      used[n].assign(ctx.node_at(static_cast<std::uint32_t>(n)).pod_cidr.size(), false);
  for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
    const auto& p = st.pods[s];
    const auto n = ctx.pod_node[s];
    if (n < 0 || p.status.pod_ip.empty() || p.spec->host_network ||
        used[static_cast<std::size_t>(n)].empty())
      continue;
    const auto& cidr = ctx.node_at(static_cast<std::uint32_t>(n)).pod_cidr;
    if (cidr.contains(p.status.pod_ip))
      used[static_cast<std::size_t>(n)][p.status.pod_ip.value - cidr.base.value] = true;
  }

  for (std::size_t n = 0; n < node_count; ++n) {
    if (waiting[n].empty()) continue;
    auto& node = st.nodes[ctx.node_slots[n]];
    auto& bits = used[n];
    std::stable_sort(waiting[n].begin(), waiting[n].end(), [&](std::uint32_t a, std::uint32_t b) {
      return st.pods[a].meta.creation_index < st.pods[b].meta.creation_index;
    });
    // host-local: .1 is the bridge's gateway, the last address the broadcast.
    const std::uint64_t size = node.pod_cidr.size();
    const std::uint64_t first = 2;
    const std::uint64_t last = size >= 4 ? size - 2 : 0;
    std::uint64_t cursor = first;
    if (node.pod_cidr.contains(node.last_pod_ip)) {
      cursor = node.last_pod_ip.value - node.pod_cidr.base.value + 1;
      if (cursor > last || cursor < first) cursor = first;
    }
    for (auto s : waiting[n]) {
      auto& p = st.pods[s];
      std::uint64_t found = 0;
      if (node.pod_cidr.base.empty() == false && last >= first) {
        for (std::uint64_t tries = 0, off = cursor; tries <= last - first; ++tries) {
          if (!bits[off]) {
            found = off;
            break;
          }
          off = off == last ? first : off + 1;
        }
      }
      if (found == 0) {
        ctx.warning_once(
            ref("Pod", p.meta), "FailedCreatePodSandBox",
            node.pod_cidr.base.empty()
                ? fmt::format("Failed to create pod sandbox: node \"{}\" has no pod CIDR",
                              node.meta.name)
                : fmt::format("Failed to create pod sandbox: failed to allocate for range 0: no "
                              "IP addresses available in range set: {}-{}",
                              node.pod_cidr.at(first).str(), node.pod_cidr.at(last).str()),
            kKubelet);
        continue;
      }
      bits[found] = true;
      p.status.pod_ip = node.pod_cidr.at(found);
      node.last_pod_ip = p.status.pod_ip;
      cursor = found == last ? first : found + 1;
    }
  }
}

void update_pod_status(Context& ctx) {
  auto& st = ctx.state;
  for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
    auto& p = st.pods[s];
    if (is_terminal(p) || p.meta.deletion) continue;
    const auto n = ctx.pod_node[s];
    if (n < 0) {
      p.status.host_ip = {};
      continue;
    }
    p.status.host_ip = ctx.node_at(static_cast<std::uint32_t>(n)).internal_ip;
    if (p.status.pod_ip.empty()) continue;  // no sandbox yet: stays Pending
    if (!ctx.options.settle) {
      if (!p.status.started && p.status.reason.empty())
        p.status.reason = ctx.words.share("ContainerCreating");
      continue;
    }
    if (!p.status.started) {
      // kubelet's events for each container it starts, init containers first.
      auto start = [&](const model::Container& c) {
        auto involved = ref("Pod", p.meta);
        ctx.event(involved, "Normal", "Pulled",
                  fmt::format("Container image \"{}\" already present on machine", c.image),
                  kKubelet);
        ctx.event(involved, "Normal", "Created", fmt::format("Created container: {}", c.name),
                  kKubelet);
        ctx.event(involved, "Normal", "Started", fmt::format("Started container {}", c.name),
                  kKubelet);
      };
      for (const auto& c : p.spec->init_containers) start(c);
      for (const auto& c : p.spec->containers) start(c);
      p.status.started = true;
    }
    p.status.phase = model::PodPhase::Running;
    p.status.reason.clear();
    // Settled: a readiness probe is taken as passed; without one, started means ready.
    p.status.ready = true;
  }
}

}  // namespace podhop::controllers::detail
